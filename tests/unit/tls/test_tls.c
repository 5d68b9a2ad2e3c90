/*
 * The sans-IO TLS layer (tls/, synack/tls.h): a client and a server
 * connected in memory. Handshakes (EC and RSA keys, ALPN, SNI), data both
 * ways, records split at every byte and merged into one feed, and each
 * failure reason with its code: untrusted CA, wrong name, expired and not
 * yet valid (the time is an argument, so no clock is involved), the peer's
 * protocol_version and handshake_failure alerts, a tampered record, a
 * close without close_notify, and bad configurations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synack/tls.h"
#include "tls_configs.h"

#define NOW_2027 TLS_FX_NOW
#define NOW_2127 4954435200LL /* after the fixtures' notAfter (2126) */
#define NOW_2020 1577836800   /* before their notBefore (2026-12-06) */

static const uint8_t seed_c[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t seed_s[32] = {99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 88, 87, 86, 85, 84,
                                   83, 82, 81, 80, 79, 78, 77, 76, 75, 74, 73, 72, 71, 70, 69, 68};

static synack_tls_config client_cfg(void)
{
    return tls_fx_client(seed_c, sizeof seed_c);
}

static synack_tls_config server_cfg(void)
{
    return tls_fx_server(seed_s, sizeof seed_s);
}

static synack_tls *make(const synack_tls_config *c)
{
    char err[256] = "";
    synack_tls *t = synack_tls_new(c, err, sizeof err);
    if (t == NULL)
        fail_msg("synack_tls_new: %s", err);
    return t;
}

/* Move all pending output of `from` into `to`, `chunk` bytes per feed
 * (0: all of it in one feed, records merged). Returns the bytes moved. */
static size_t move(synack_tls *from, synack_tls *to, size_t chunk)
{
    static uint8_t buf[1 << 16];
    size_t total = 0, len;
    /* Gather everything first so that several records go in one feed. */
    size_t have = 0;
    const uint8_t *p;
    while ((p = synack_tls_output(from, &len)) != NULL && len > 0 && have < sizeof buf) {
        if (len > sizeof buf - have)
            len = sizeof buf - have;
        memcpy(buf + have, p, len);
        synack_tls_output_done(from, len);
        have += len;
    }
    size_t off = 0;
    while (off < have) {
        size_t n = chunk == 0 ? have - off : (chunk < have - off ? chunk : have - off);
        int used = synack_tls_feed(to, buf + off, n);
        if (used <= 0)
            break; /* dead, or full: the caller reads and tries again */
        off += (size_t)used;
        total += (size_t)used;
    }
    return total;
}

/* Pump until neither side moves or both are open. */
static void pump(synack_tls *c, synack_tls *s, size_t chunk)
{
    for (int i = 0; i < 50; i++) {
        size_t moved = move(c, s, chunk) + move(s, c, chunk);
        if (moved == 0)
            break;
    }
}

/* Send len bytes from a to b and check they arrive intact. */
static void transfer(synack_tls *a, synack_tls *b, size_t len, size_t chunk)
{
    uint8_t *src = malloc(len), *dst = malloc(len);
    assert_non_null(src);
    assert_non_null(dst);
    for (size_t i = 0; i < len; i++)
        src[i] = (uint8_t)(i * 7 + (i >> 8));
    size_t sent = 0, got = 0;
    for (int rounds = 0; got < len && rounds < 100000; rounds++) {
        if (sent < len) {
            int n = synack_tls_write(a, src + sent, len - sent);
            if (n > 0)
                sent += (size_t)n;
            synack_tls_flush(a);
        }
        move(a, b, chunk);
        for (;;) {
            int n = synack_tls_read(b, dst + got, len - got);
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        move(b, a, chunk);
    }
    assert_int_equal(got, len);
    assert_memory_equal(src, dst, len);
    free(src);
    free(dst);
}

static void handshake_ok(synack_tls *c, synack_tls *s, size_t chunk)
{
    pump(c, s, chunk);
    if (synack_tls_get_state(c) != SYNACK_TLS_OPEN)
        fail_msg("client not open: %s", synack_tls_error_message(c));
    if (synack_tls_get_state(s) != SYNACK_TLS_OPEN)
        fail_msg("server not open: %s", synack_tls_error_message(s));
    assert_int_equal(synack_tls_get_state(s), SYNACK_TLS_OPEN);
    assert_string_equal(synack_tls_version(c), "TLSv1.2");
    assert_string_equal(synack_tls_cipher(c), synack_tls_cipher(s));
}

static void ec_handshake_and_data(void **state)
{
    (void)state;
    synack_tls_config cc = client_cfg(), sc = server_cfg();
    const char *calpn[] = {"h2", "http/1.1"}, *salpn[] = {"http/1.1"};
    cc.alpn = calpn;
    cc.alpn_count = 2;
    sc.alpn = salpn;
    sc.alpn_count = 1;
    synack_tls *c = make(&cc), *s = make(&sc);
    assert_int_equal(synack_tls_get_state(c), SYNACK_TLS_HANDSHAKE);
    assert_null(synack_tls_version(c));
    handshake_ok(c, s, 0);
    assert_string_equal(synack_tls_cipher(c), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(synack_tls_alpn(c), "http/1.1");
    assert_string_equal(synack_tls_alpn(s), "http/1.1");
    transfer(c, s, 100000, 0);
    transfer(s, c, 100000, 0);
    /* A clean close: close_notify both ways, read returns 0. */
    synack_tls_close(c);
    pump(c, s, 0);
    uint8_t b[16];
    assert_int_equal(synack_tls_read(s, b, sizeof b), 0);
    assert_int_equal(synack_tls_get_state(s), SYNACK_TLS_CLOSED);
    pump(c, s, 0);
    assert_int_equal(synack_tls_read(c, b, sizeof b), 0);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_OK);
    /* The transport closing after close_notify is no error. */
    synack_tls_eof(c);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_OK);
    synack_tls_free(c);
    synack_tls_free(s);
}

static void rsa_and_pkcs8(void **state)
{
    (void)state;
    synack_tls_config cc = client_cfg(), sc = server_cfg();
    sc.cert_pem = (const uint8_t *)TLS_FX_RSA_LEAF;
    sc.cert_pem_len = strlen(TLS_FX_RSA_LEAF);
    sc.key_pem = (const uint8_t *)TLS_FX_RSA_KEY;
    sc.key_pem_len = strlen(TLS_FX_RSA_KEY);
    synack_tls *c = make(&cc), *s = make(&sc);
    handshake_ok(c, s, 0);
    assert_string_equal(synack_tls_cipher(c), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_null(synack_tls_alpn(c));
    transfer(c, s, 5000, 0);
    synack_tls_free(c);
    synack_tls_free(s);

    sc = server_cfg();
    sc.key_pem = (const uint8_t *)TLS_FX_LEAF_KEY_P8;
    sc.key_pem_len = strlen(TLS_FX_LEAF_KEY_P8);
    cc.prefer_chacha20 = true; /* as the JavaScript module asks */
    c = make(&cc);
    s = make(&sc);
    handshake_ok(c, s, 0);
    assert_string_equal(synack_tls_cipher(c), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    transfer(s, c, 20000, 0);
    synack_tls_free(c);
    synack_tls_free(s);
}

/* Every byte its own feed: each record (and the handshake's messages)
 * split at every boundary, both directions. */
static void byte_at_a_time(void **state)
{
    (void)state;
    synack_tls_config cc = client_cfg(), sc = server_cfg();
    synack_tls *c = make(&cc), *s = make(&sc);
    handshake_ok(c, s, 1);
    transfer(c, s, 40000, 1);
    transfer(s, c, 40000, 1);
    synack_tls_free(c);
    synack_tls_free(s);
}

/*
 * The server's first flight (ServerHello .. ServerHelloDone) cut in two
 * around every record boundary and at every 5th offset, each half its own
 * feed; then three application records merged into one buffer and cut in
 * two at every offset. A fresh pair each time (same seeds: same bytes).
 */
static void split_every_offset(void **state)
{
    (void)state;
    static uint8_t flight[8192];
    size_t flen = 0;
    {
        synack_tls_config cc = client_cfg(), sc = server_cfg();
        synack_tls *c = make(&cc), *s = make(&sc);
        move(c, s, 0);
        size_t len;
        const uint8_t *p;
        while ((p = synack_tls_output(s, &len)) != NULL && len > 0) {
            assert_true(flen + len <= sizeof flight);
            memcpy(flight + flen, p, len);
            synack_tls_output_done(s, len);
            flen += len;
        }
        synack_tls_free(c);
        synack_tls_free(s);
    }
    assert_true(flen > 300);
    /* Cuts: near every record boundary (the header, the first bytes of
     * the body, the last ones) and every 5th offset in between;
     * byte_at_a_time covers every single offset in one run. */
    static bool cut_here[8192];
    memset(cut_here, 0, sizeof cut_here);
    size_t records = 0;
    for (size_t r = 0; r + 5 <= flen; records++) {
        size_t end = r + 5 + ((size_t)flight[r + 3] << 8 | flight[r + 4]);
        for (size_t k = r; k < r + 12 && k < flen; k++)
            cut_here[k] = true;
        for (size_t k = end > 6 ? end - 6 : 0; k < end && k < flen; k++)
            cut_here[k] = true;
        r = end;
    }
    assert_true(records >= 1);
    for (size_t k = 0; k < flen; k += 5)
        cut_here[k] = true;
    for (size_t cut = 1; cut < flen; cut++) {
        if (!cut_here[cut])
            continue;
        synack_tls_config cc = client_cfg(), sc = server_cfg();
        synack_tls *c = make(&cc), *s = make(&sc);
        move(c, s, 0);
        size_t len;
        const uint8_t *p;
        while ((p = synack_tls_output(s, &len)) != NULL && len > 0)
            synack_tls_output_done(s, len); /* the same bytes as flight */
        assert_int_equal(synack_tls_feed(c, flight, cut), (int)cut);
        assert_int_equal(synack_tls_get_state(c), SYNACK_TLS_HANDSHAKE);
        assert_int_equal(synack_tls_feed(c, flight + cut, flen - cut), (int)(flen - cut));
        handshake_ok(c, s, 0);
        synack_tls_free(c);
        synack_tls_free(s);
    }

    /* Application records: three writes, each flushed, merged. */
    synack_tls_config cc = client_cfg(), sc = server_cfg();
    synack_tls *c = make(&cc), *s = make(&sc);
    handshake_ok(c, s, 0);
    static uint8_t recs[4096];
    size_t rlen = 0;
    const char *parts[] = {"first record", "second, a little longer record", "3"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(synack_tls_write(s, (const uint8_t *)parts[i], strlen(parts[i])),
                         (int)strlen(parts[i]));
        synack_tls_flush(s);
        size_t len;
        const uint8_t *p;
        while ((p = synack_tls_output(s, &len)) != NULL && len > 0) {
            memcpy(recs + rlen, p, len);
            synack_tls_output_done(s, len);
            rlen += len;
        }
    }
    synack_tls_free(c);
    synack_tls_free(s);
    const char *want = "first recordsecond, a little longer record3";
    for (size_t cut = 0; cut <= rlen; cut++) {
        cc = client_cfg();
        sc = server_cfg();
        c = make(&cc);
        s = make(&sc);
        handshake_ok(c, s, 0);
        for (int i = 0; i < 3; i++) {
            synack_tls_write(s, (const uint8_t *)parts[i], strlen(parts[i]));
            synack_tls_flush(s);
        }
        size_t len;
        const uint8_t *p;
        while ((p = synack_tls_output(s, &len)) != NULL && len > 0)
            synack_tls_output_done(s, len);
        char got[128];
        size_t glen = 0;
        /* Each piece in as few feeds as the engine takes: it holds a
         * record's plaintext until it is read before taking more. */
        size_t piece[2][2] = {{0, cut}, {cut, rlen}};
        for (int k = 0; k < 2; k++) {
            size_t off = piece[k][0];
            for (int tries = 0; off < piece[k][1] && tries < 10; tries++) {
                int used = synack_tls_feed(c, recs + off, piece[k][1] - off);
                assert_true(used >= 0);
                off += (size_t)used;
                int n;
                while ((n = synack_tls_read(c, (uint8_t *)got + glen, sizeof got - glen)) > 0)
                    glen += (size_t)n;
            }
            assert_int_equal(off, piece[k][1]);
        }
        assert_int_equal(glen, strlen(want));
        assert_memory_equal(got, want, glen);
        synack_tls_free(c);
        synack_tls_free(s);
    }
}

/* Run a handshake expected to fail on the client; check code and words. */
static void client_fails(synack_tls_config cc, synack_tls_config sc,
                         synack_tls_error code, const char *words)
{
    synack_tls *c = make(&cc), *s = make(&sc);
    pump(c, s, 0);
    assert_int_equal(synack_tls_get_state(c), SYNACK_TLS_FAILED);
    if (synack_tls_error_code(c) != code)
        fail_msg("error %d (%s), want %d", synack_tls_error_code(c),
                 synack_tls_error_message(c), code);
    if (strstr(synack_tls_error_message(c), words) == NULL)
        fail_msg("message '%s' lacks '%s'", synack_tls_error_message(c), words);
    uint8_t b[8];
    assert_int_equal(synack_tls_read(c, b, sizeof b), SYNACK_TLS_DEAD);
    assert_int_equal(synack_tls_write(c, b, sizeof b), SYNACK_TLS_DEAD);
    /* The server never saw a finished handshake. */
    assert_int_not_equal(synack_tls_get_state(s), SYNACK_TLS_OPEN);
    synack_tls_free(c);
    synack_tls_free(s);
}

static void rejections(void **state)
{
    (void)state;
    synack_tls_config cc = client_cfg();
    cc.ca_pem = (const uint8_t *)TLS_FX_OTHER_CA;
    cc.ca_pem_len = strlen(TLS_FX_OTHER_CA);
    client_fails(cc, server_cfg(), SYNACK_TLS_E_UNTRUSTED, "not trusted");

    cc = client_cfg();
    cc.server_name = "other.test";
    client_fails(cc, server_cfg(), SYNACK_TLS_E_NAME, "'other.test'");

    cc = client_cfg();
    cc.now_s = NOW_2127;
    client_fails(cc, server_cfg(), SYNACK_TLS_E_EXPIRED, "expired");
    cc.now_s = NOW_2020;
    client_fails(cc, server_cfg(), SYNACK_TLS_E_EXPIRED, "not yet valid");

    /* --insecure: the wrong CA, the wrong name and the wrong time pass. */
    cc = client_cfg();
    cc.insecure = true;
    cc.ca_pem = NULL;
    cc.ca_pem_len = 0;
    cc.server_name = "other.test";
    cc.now_s = NOW_2127;
    synack_tls_config sc = server_cfg();
    synack_tls *c = make(&cc), *s = make(&sc);
    handshake_ok(c, s, 0);
    transfer(c, s, 1000, 0);
    synack_tls_free(c);
    synack_tls_free(s);
}

/* The peer's fatal alerts in answer to our ClientHello (plaintext alert
 * records, as a TLS 1.0-only or cipher-refusing server sends them). */
static void peer_alerts(void **state)
{
    (void)state;
    static const struct {
        uint8_t alert;
        synack_tls_error code;
        const char *words;
    } cases[] = {
        {70, SYNACK_TLS_E_VERSION, "protocol version"},
        {40, SYNACK_TLS_E_HANDSHAKE, "cipher suite"},
        {48, SYNACK_TLS_E_UNTRUSTED, "unknown_ca"},
        {80, SYNACK_TLS_E_HANDSHAKE, "internal_error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        synack_tls_config cc = client_cfg();
        synack_tls *c = make(&cc);
        size_t len;
        assert_non_null(synack_tls_output(c, &len));
        synack_tls_output_done(c, len);
        const uint8_t rec[] = {21, 3, 1, 0, 2, 2, cases[i].alert};
        synack_tls_feed(c, rec, sizeof rec);
        assert_int_equal(synack_tls_get_state(c), SYNACK_TLS_FAILED);
        assert_int_equal(synack_tls_error_code(c), cases[i].code);
        assert_non_null(strstr(synack_tls_error_message(c), cases[i].words));
        synack_tls_free(c);
    }
    /* A ServerHello for TLS 1.0 (version 3,1). */
    synack_tls_config cc = client_cfg();
    synack_tls *c = make(&cc);
    size_t len;
    synack_tls_output(c, &len);
    synack_tls_output_done(c, len);
    uint8_t hello[] = {22, 3, 1, 0, 42, 2, 0, 0, 38, 3, 1,
                       /* 32 random bytes */ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                       0, 0xc0, 0x2f, 0};
    synack_tls_feed(c, hello, sizeof hello);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_E_VERSION);
    synack_tls_free(c);
}

static void tampered_and_truncated(void **state)
{
    (void)state;
    synack_tls_config cc = client_cfg(), sc = server_cfg();
    synack_tls *c = make(&cc), *s = make(&sc);
    handshake_ok(c, s, 0);
    synack_tls_write(s, (const uint8_t *)"secret", 6);
    synack_tls_flush(s);
    size_t len;
    const uint8_t *p = synack_tls_output(s, &len);
    assert_non_null(p);
    uint8_t rec[256];
    assert_true(len <= sizeof rec);
    memcpy(rec, p, len);
    synack_tls_output_done(s, len);
    rec[len - 1] ^= 1; /* flip a bit of the tag */
    synack_tls_feed(c, rec, len);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_E_PROTOCOL);
    synack_tls_free(c);
    synack_tls_free(s);

    c = make(&cc);
    s = make(&sc);
    handshake_ok(c, s, 0);
    synack_tls_eof(c);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_E_CLOSED);
    assert_non_null(strstr(synack_tls_error_message(c), "close_notify"));
    synack_tls_free(c);
    synack_tls_free(s);

    /* EOF in the middle of the handshake: a handshake failure. */
    c = make(&cc);
    synack_tls_eof(c);
    assert_int_equal(synack_tls_error_code(c), SYNACK_TLS_E_HANDSHAKE);
    synack_tls_free(c);
}

static void bad_configs(void **state)
{
    (void)state;
    char err[256];
    synack_tls_config cc = client_cfg();
    cc.seed_len = 8;
    assert_null(synack_tls_new(&cc, err, sizeof err));
    assert_non_null(strstr(err, "seed"));

    cc = client_cfg();
    cc.ca_pem = (const uint8_t *)"not pem at all";
    cc.ca_pem_len = 14;
    assert_null(synack_tls_new(&cc, err, sizeof err));
    assert_non_null(strstr(err, "CA certificates"));

    cc = client_cfg();
    cc.ca_pem = NULL;
    cc.ca_pem_len = 0;
    assert_null(synack_tls_new(&cc, err, sizeof err));
    assert_non_null(strstr(err, "trust anchors"));

    cc = client_cfg();
    cc.server_name = NULL;
    assert_null(synack_tls_new(&cc, err, sizeof err));
    assert_non_null(strstr(err, "server name"));

    synack_tls_config sc = server_cfg();
    sc.key_pem = (const uint8_t *)TLS_FX_CA; /* a certificate, no key */
    sc.key_pem_len = strlen(TLS_FX_CA);
    assert_null(synack_tls_new(&sc, err, sizeof err));
    assert_non_null(strstr(err, "private key"));

    assert_string_equal(synack_tls_error_name(SYNACK_TLS_E_UNTRUSTED), "untrusted");
    assert_string_equal(synack_tls_error_name(SYNACK_TLS_E_NAME), "name");
    assert_string_equal(synack_tls_error_name(SYNACK_TLS_E_EXPIRED), "expired");
    assert_string_equal(synack_tls_error_name(SYNACK_TLS_E_VERSION), "version");
    assert_string_equal(synack_tls_error_name(SYNACK_TLS_E_HANDSHAKE), "handshake");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ec_handshake_and_data),
        cmocka_unit_test(rsa_and_pkcs8),
        cmocka_unit_test(byte_at_a_time),
        cmocka_unit_test(split_every_offset),
        cmocka_unit_test(rejections),
        cmocka_unit_test(peer_alerts),
        cmocka_unit_test(tampered_and_truncated),
        cmocka_unit_test(bad_configs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
