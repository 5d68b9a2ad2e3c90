/* The PROXY protocol parser (proxy.c) and the per-address limits
 * (addrlimit.c): valid v1 and v2 headers, every way a header can be cut
 * short, malformed ones, and a bounded random fuzz that checks the parser
 * never reads or reports beyond what it was given. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addrlimit.h"
#include "proxy.h"

static synack_br_proxy_status parse_str(const char *s, synack_br_proxy_addr *a,
                                        size_t *hl)
{
    return synack_br_proxy_parse((const uint8_t *)s, strlen(s), a, hl);
}

static void test_v1_tcp4(void **state)
{
    (void)state;
    synack_br_proxy_addr a;
    size_t hl = 0;
    const char *h = "PROXY TCP4 192.0.2.7 10.1.2.3 40000 443\r\nrest";
    assert_int_equal(parse_str(h, &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(hl, strlen(h) - 4);
    assert_int_equal(a.family, AF_INET);
    uint8_t want[4] = {192, 0, 2, 7};
    assert_memory_equal(a.addr, want, 4);
    assert_int_equal(a.port, 40000);
    /* Every proper prefix asks for more. */
    for (size_t n = 0; n < hl; n++)
        assert_int_equal(synack_br_proxy_parse((const uint8_t *)h, n, &a, &hl),
                         SYNACK_BR_PROXY_MORE);
}

static void test_v1_tcp6_and_unknown(void **state)
{
    (void)state;
    synack_br_proxy_addr a;
    size_t hl;
    assert_int_equal(parse_str("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", &a, &hl),
                     SYNACK_BR_PROXY_DONE);
    assert_int_equal(a.family, AF_INET6);
    assert_int_equal(a.addr[0], 0x20);
    assert_int_equal(a.addr[15], 1);
    assert_int_equal(a.port, 1);
    assert_int_equal(parse_str("PROXY UNKNOWN\r\n", &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(a.family, 0);
    assert_int_equal(hl, 15);
    assert_int_equal(parse_str("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", &a, &hl),
                     SYNACK_BR_PROXY_DONE);
    assert_int_equal(a.family, 0);
}

static void test_v1_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "GET / HTTP/1.1\r\n\r\n",
        "PROXY\r\n",
        "PROXY \r\n",
        "PROXY TCP4\r\n",
        "PROXY TCP5 1.2.3.4 1.2.3.5 1 2\r\n",
        "PROXY TCP4 1.2.3.4 1.2.3.5 1 2 \r\n",          /* trailing space */
        "PROXY TCP4  1.2.3.4 1.2.3.5 1 2\r\n",          /* double space */
        "PROXY TCP4 1.2.3.4 1.2.3.5 1\r\n",             /* a port missing */
        "PROXY TCP4 1.2.3.4 1.2.3.5 1 2 3\r\n",         /* one too many */
        "PROXY TCP4 1.2.3.256 1.2.3.5 1 2\r\n",
        "PROXY TCP4 ::1 1.2.3.5 1 2\r\n",               /* family mismatch */
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
        "PROXY TCP4 1.2.3.4 1.2.3.5 65536 2\r\n",
        "PROXY TCP4 1.2.3.4 1.2.3.5 01 2\r\n",          /* leading zero */
        "PROXY TCP4 1.2.3.4 1.2.3.5 -1 2\r\n",
        "PROXY TCP4 1.2.3.4 1.2.3.5 1 2\n",             /* LF alone */
        "PROXY TCP4 1.2.3.4 1.2.3.5 1 2\rX\n",          /* CR alone */
        "PROXY TCP4 1.2.3.4\t1.2.3.5 1 2\r\n",
        "proxy TCP4 1.2.3.4 1.2.3.5 1 2\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        synack_br_proxy_addr a;
        size_t hl;
        if (parse_str(bad[i], &a, &hl) != SYNACK_BR_PROXY_BAD)
            fail_msg("accepted: %s", bad[i]);
    }
    /* A NUL inside the line. */
    uint8_t nul[] = "PROXY TCP4 1.2.3.4\0001.2.3.5 1 2\r\n";
    synack_br_proxy_addr a;
    size_t hl;
    assert_int_equal(synack_br_proxy_parse(nul, sizeof(nul) - 1, &a, &hl),
                     SYNACK_BR_PROXY_BAD);
    /* 107 bytes with no CRLF: refused, not waited for. */
    char longline[200];
    memset(longline, 'x', sizeof(longline));
    memcpy(longline, "PROXY UNKNOWN ", 14);
    assert_int_equal(synack_br_proxy_parse((uint8_t *)longline, 106, &a, &hl),
                     SYNACK_BR_PROXY_MORE);
    assert_int_equal(synack_br_proxy_parse((uint8_t *)longline, 107, &a, &hl),
                     SYNACK_BR_PROXY_BAD);
    assert_int_equal(synack_br_proxy_parse((uint8_t *)longline, 200, &a, &hl),
                     SYNACK_BR_PROXY_BAD);
}

static const uint8_t SIG[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

static size_t v2(uint8_t *b, uint8_t vc, uint8_t fp, size_t body_len)
{
    memcpy(b, SIG, 12);
    b[12] = vc;
    b[13] = fp;
    b[14] = (uint8_t)(body_len >> 8);
    b[15] = (uint8_t)body_len;
    return 16;
}

static void test_v2(void **state)
{
    (void)state;
    uint8_t b[700];
    synack_br_proxy_addr a;
    size_t hl;
    /* PROXY, TCP over IPv4, 12 address bytes + a 5-byte TLV. */
    size_t n = v2(b, 0x21, 0x11, 17);
    uint8_t addrs[17] = {198, 51, 100, 9, 10, 0, 0, 1, 0x9c, 0x40, 0x01, 0xbb,
                         0x04, 0x00, 0x02, 'h', 'i'};
    memcpy(b + n, addrs, sizeof(addrs));
    n += sizeof(addrs);
    b[n] = 0xAA; /* the client's first byte */
    assert_int_equal(synack_br_proxy_parse(b, n + 1, &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(hl, n);
    assert_int_equal(a.family, AF_INET);
    assert_int_equal(a.addr[0], 198);
    assert_int_equal(a.port, 40000);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(synack_br_proxy_parse(b, k, &a, &hl), SYNACK_BR_PROXY_MORE);
    /* IPv6. */
    n = v2(b, 0x21, 0x21, 36);
    memset(b + n, 0, 36);
    b[n] = 0x20;
    b[n + 15] = 5;
    b[n + 32] = 0x12;
    b[n + 33] = 0x34;
    assert_int_equal(synack_br_proxy_parse(b, n + 36, &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(a.family, AF_INET6);
    assert_int_equal(a.addr[15], 5);
    assert_int_equal(a.port, 0x1234);
    /* LOCAL (a health check): the connection's own address. */
    n = v2(b, 0x20, 0x00, 0);
    assert_int_equal(synack_br_proxy_parse(b, n, &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(a.family, 0);
    assert_int_equal(hl, 16);
    /* UNSPEC family with a body to skip. */
    n = v2(b, 0x21, 0x00, 4);
    assert_int_equal(synack_br_proxy_parse(b, n + 4, &a, &hl), SYNACK_BR_PROXY_DONE);
    assert_int_equal(hl, 20);
}

static void test_v2_malformed(void **state)
{
    (void)state;
    uint8_t b[SYNACK_BR_PROXY_MAX + 64];
    memset(b, 0, sizeof(b));
    synack_br_proxy_addr a;
    size_t hl;
    size_t n = v2(b, 0x11, 0x11, 12); /* version 1 in a v2 header */
    assert_int_equal(synack_br_proxy_parse(b, n + 12, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x22, 0x11, 12); /* command 2 */
    assert_int_equal(synack_br_proxy_parse(b, n + 12, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x41, 12); /* family 4 */
    assert_int_equal(synack_br_proxy_parse(b, n + 12, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x13, 12); /* protocol 3 */
    assert_int_equal(synack_br_proxy_parse(b, n + 12, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x11, 11); /* IPv4 body too short for the addresses */
    assert_int_equal(synack_br_proxy_parse(b, n + 11, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x21, 35); /* IPv6 too short */
    assert_int_equal(synack_br_proxy_parse(b, n + 35, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x31, 100); /* AF_UNIX too short */
    assert_int_equal(synack_br_proxy_parse(b, n + 100, &a, &hl), SYNACK_BR_PROXY_BAD);
    /* A length beyond the bound is refused at once, not waited for. */
    n = v2(b, 0x21, 0x11, 0xffff);
    assert_int_equal(synack_br_proxy_parse(b, 16, &a, &hl), SYNACK_BR_PROXY_BAD);
    n = v2(b, 0x21, 0x11, SYNACK_BR_PROXY_MAX - 16);
    assert_int_equal(synack_br_proxy_parse(b, 16, &a, &hl), SYNACK_BR_PROXY_MORE);
    assert_int_equal(synack_br_proxy_parse(b, SYNACK_BR_PROXY_MAX, &a, &hl),
                     SYNACK_BR_PROXY_DONE);
    n = v2(b, 0x21, 0x11, SYNACK_BR_PROXY_MAX - 15);
    assert_int_equal(synack_br_proxy_parse(b, 16, &a, &hl), SYNACK_BR_PROXY_BAD);
    /* A broken signature, at any byte. */
    for (size_t i = 0; i < 12; i++) {
        v2(b, 0x21, 0x11, 12);
        b[i] ^= 0x40;
        assert_int_equal(synack_br_proxy_parse(b, i + 1, &a, &hl), SYNACK_BR_PROXY_BAD);
    }
}

/* Random and mutated input: never a header longer than the input or the
 * bound; MORE only below the bound. Run under ASan it also checks that no
 * byte past `len` is read (the input is a heap block of exactly len). */
static void test_fuzz(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "PROXY TCP4 192.0.2.7 10.1.2.3 40000 443\r\n",
        "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n",
        "PROXY UNKNOWN\r\n",
    };
    uint32_t x = 12345;
    for (int it = 0; it < 200000; it++) {
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 8) % (SYNACK_BR_PROXY_MAX + 40);
        uint8_t *b = malloc(len ? len : 1);
        assert_non_null(b);
        int kind = (int)((x >> 4) % 3);
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            b[i] = (uint8_t)(x >> 16);
        }
        if (kind == 0 && len > 0) {
            const char *s = seeds[(x >> 3) % 3];
            size_t sl = strlen(s) < len ? strlen(s) : len;
            memcpy(b, s, sl);
            x = x * 1103515245u + 12345u;
            if (sl > 0 && (x & 1))
                b[(x >> 8) % sl] ^= (uint8_t)(1u << ((x >> 20) % 8));
        } else if (kind == 1 && len >= 16) {
            memcpy(b, SIG, 12);
            b[12] = (x & 1) ? 0x21 : b[12];
            b[14] = (uint8_t)((x >> 9) % 3);
        }
        synack_br_proxy_addr a;
        size_t hl = 0;
        synack_br_proxy_status st = synack_br_proxy_parse(b, len, &a, &hl);
        if (st == SYNACK_BR_PROXY_DONE) {
            assert_true(hl <= len);
            assert_true(hl <= SYNACK_BR_PROXY_MAX);
            assert_true(a.family == 0 || a.family == AF_INET || a.family == AF_INET6);
        } else if (st == SYNACK_BR_PROXY_MORE) {
            assert_true(len < SYNACK_BR_PROXY_MAX);
        }
        free(b);
    }
}

static void test_addrlimit(void **state)
{
    (void)state;
    synack_br_addr_entry slots[8];
    synack_br_addrlimit l;
    synack_br_addrlimit_init(&l, slots, 8, 2, 1, 3); /* 2 open, 1/s, burst 3 */
    synack_br_addr a, b;
    uint8_t ip_a[4] = {192, 0, 2, 1}, ip_b[4] = {192, 0, 2, 2};
    synack_br_addr_from4(&a, ip_a);
    synack_br_addr_from4(&b, ip_b);
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 0), SYNACK_BR_ADDR_OK);
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 0), SYNACK_BR_ADDR_OK);
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 0), SYNACK_BR_ADDR_TOO_MANY);
    assert_int_equal(synack_br_addrlimit_admit(&l, &b, 0), SYNACK_BR_ADDR_OK);
    synack_br_addrlimit_release(&l, &a);
    /* One closed: room again, and the third token of the burst. */
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 0), SYNACK_BR_ADDR_OK);
    synack_br_addrlimit_release(&l, &a);
    /* The burst is spent: too fast until a second has passed. */
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 10), SYNACK_BR_ADDR_TOO_FAST);
    assert_int_equal(synack_br_addrlimit_admit(&l, &a, 1010), SYNACK_BR_ADDR_OK);
    assert_int_equal(l.refused_conns, 1);
    assert_int_equal(l.refused_rate, 1);
    /* Loopback. */
    uint8_t lo4[4] = {127, 0, 0, 9}, lo6[16] = {[15] = 1};
    synack_br_addr_from4(&a, lo4);
    assert_true(synack_br_addr_is_loopback(&a));
    synack_br_addr_from6(&a, lo6);
    assert_true(synack_br_addr_is_loopback(&a));
    assert_false(synack_br_addr_is_loopback(&b));
}

/* Many addresses with open connections fill the table; one more is
 * refused (counted), and a slot frees when its last connection closes. */
static void test_addrlimit_table(void **state)
{
    (void)state;
    synack_br_addr_entry slots[4];
    synack_br_addrlimit l;
    synack_br_addrlimit_init(&l, slots, 4, 0, 0, 0);
    synack_br_addr v[5];
    for (int i = 0; i < 5; i++) {
        uint8_t ip[4] = {198, 51, 100, (uint8_t)i};
        synack_br_addr_from4(&v[i], ip);
    }
    for (int i = 0; i < 4; i++)
        assert_int_equal(synack_br_addrlimit_admit(&l, &v[i], (uint64_t)i), SYNACK_BR_ADDR_OK);
    assert_int_equal(synack_br_addrlimit_admit(&l, &v[4], 9), SYNACK_BR_ADDR_TABLE_FULL);
    assert_int_equal(l.refused_table, 1);
    synack_br_addrlimit_release(&l, &v[2]);
    assert_int_equal(synack_br_addrlimit_admit(&l, &v[4], 10), SYNACK_BR_ADDR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_tcp4),
        cmocka_unit_test(test_v1_tcp6_and_unknown),
        cmocka_unit_test(test_v1_malformed),
        cmocka_unit_test(test_v2),
        cmocka_unit_test(test_v2_malformed),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_addrlimit),
        cmocka_unit_test(test_addrlimit_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
