/*
 * TLS end to end (issue 19): bulk throughput through two stacks in one
 * process (as `throughput`) with the TLS layer (tls/) on top: A's client
 * engine encrypts, its ciphertext goes through A's TCP, the memory pair and
 * B's TCP into B's server engine, which decrypts and counts the plaintext.
 * --cipher plain runs the same loop without TLS, so one program gives the
 * TCP figure and the TLS figures side by side. Options: --cipher
 * plain|aes|chacha (AES-128-GCM or ChaCha20-Poly1305 offered first),
 * --mtu N, --seconds S, --bytes N (whichever ends first), --repeat N (best
 * kept). Both ends run on the same core: the figure pays for encryption
 * and decryption.
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include "synack/tls.h"
#include "tls_configs.h"

static const uint8_t seed_c[32] = {3}, seed_s[32] = {4};

/* Ciphertext received by TCP and not yet taken by the engine. */
typedef struct pending {
    uint8_t buf[BENCH_CHUNK];
    size_t off, len;
} pending;

static int engines(synack_tls **c, synack_tls **s, bool chacha)
{
    synack_tls_config cc = tls_fx_client(seed_c, sizeof seed_c);
    synack_tls_config sc = tls_fx_server(seed_s, sizeof seed_s);
    cc.prefer_chacha20 = chacha;
    *c = synack_tls_new(&cc, NULL, 0);
    *s = synack_tls_new(&sc, NULL, 0);
    return *c != NULL && *s != NULL ? 0 : -1;
}

/* The engine's ciphertext into its TCP connection, as much as it takes. */
static void to_tcp(synack_tls *t, synack_stack *st, uint64_t now, int h)
{
    size_t len;
    const uint8_t *p;
    while ((p = synack_tls_output(t, &len)) != NULL && len > 0) {
        int n = synack_tcp_send(st, now, h, p, len);
        if (n <= 0)
            return;
        synack_tls_output_done(t, (size_t)n);
    }
}

/* What TCP received into the engine, keeping what it cannot take yet. */
static void from_tcp(synack_tls *t, synack_stack *st, uint64_t now, int h, pending *q)
{
    for (;;) {
        if (q->off == q->len) {
            int n = synack_tcp_recv(st, now, h, q->buf, sizeof q->buf);
            if (n <= 0)
                return;
            q->off = 0;
            q->len = (size_t)n;
        }
        int n = synack_tls_feed(t, q->buf + q->off, q->len - q->off);
        if (n <= 0)
            return;
        q->off += (size_t)n;
    }
}

typedef struct tt_result {
    double bytes, seconds;
} tt_result;

static int trial(const char *cipher, uint32_t mtu, double secs, double max_bytes, tt_result *out,
                 const char **suite)
{
    static uint8_t sink[BENCH_CHUNK];
    static pending qa, qb;
    const uint8_t *pat = bench_pattern();
    bool tls = strcmp(cipher, "plain") != 0;
    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.sndbuf = 1 << 20;
    cfg.tcp.rcvbuf = 1 << 20;
    /* As TLS clients set it (and the JavaScript API by default): a flight
     * of small records must not wait for a delayed ACK. All modes alike. */
    cfg.tcp.nodelay = true;
    bench_net n = {0};
    int lh, ha, hb;
    if (bench_net_new(&n, &cfg, mtu, bench_ms()) < 0 || (lh = synack_tcp_open(n.b)) < 0 ||
        synack_tcp_bind(n.b, lh, 443) < 0 || synack_tcp_listen(n.b, lh, 4) < 0 ||
        bench_connect(&n, lh, 443, &ha, &hb) < 0) {
        fprintf(stderr, "tls_tcp: set-up failed\n");
        return 1;
    }
    synack_tls *c = NULL, *s = NULL;
    qa.off = qa.len = qb.off = qb.len = 0;
    if (tls) {
        if (engines(&c, &s, strcmp(cipher, "chacha") == 0) < 0) {
            fprintf(stderr, "tls_tcp: TLS set-up failed\n");
            return 1;
        }
        /* The handshake, through TCP (not timed). */
        for (int i = 0; i < 1000 && (synack_tls_get_state(c) != SYNACK_TLS_OPEN ||
                                     synack_tls_get_state(s) != SYNACK_TLS_OPEN); i++) {
            to_tcp(c, n.a, n.now, ha);
            synack_pair_deliver(n.pair, n.now, n.a, n.b, 0);
            from_tcp(s, n.b, n.now, hb, &qb);
            to_tcp(s, n.b, n.now, hb);
            synack_pair_deliver(n.pair, n.now, n.a, n.b, 0);
            from_tcp(c, n.a, n.now, ha, &qa);
            n.now = bench_ms(); /* timers (delayed ACK) may hold a flight back */
            synack_poll(n.a, n.now);
            synack_poll(n.b, n.now);
        }
        if (synack_tls_get_state(c) != SYNACK_TLS_OPEN || synack_tls_get_state(s) != SYNACK_TLS_OPEN) {
            fprintf(stderr, "tls_tcp: handshake failed: client %s, server %s\n",
                    synack_tls_error_message(c), synack_tls_error_message(s));
            return 1;
        }
        *suite = synack_tls_cipher(c);
    }
    double received = 0, t0 = bench_seconds(), t = t0;
    uint64_t iters = 0;
    while (t - t0 < secs && received < max_bytes) {
        if (tls) {
            /* Records of up to 16 KB each, while the engine takes them. */
            for (int k = 0; k < 8; k++) {
                if (synack_tls_write(c, pat, 16384) <= 0)
                    break;
            }
            synack_tls_flush(c);
            to_tcp(c, n.a, n.now, ha);
        } else {
            while (synack_tcp_send(n.a, n.now, ha, pat, BENCH_CHUNK) > 0) {
            }
        }
        synack_pair_deliver(n.pair, n.now, n.a, n.b, 0);
        if (tls) {
            from_tcp(s, n.b, n.now, hb, &qb);
            int got;
            while ((got = synack_tls_read(s, sink, sizeof sink)) > 0)
                received += got;
            to_tcp(s, n.b, n.now, hb);
        } else {
            int got;
            while ((got = synack_tcp_recv(n.b, n.now, hb, sink, sizeof sink)) > 0)
                received += got;
        }
        synack_pair_deliver(n.pair, n.now, n.a, n.b, 0);
        if (tls)
            from_tcp(c, n.a, n.now, ha, &qa);
        if ((++iters & 15) == 0) {
            t = bench_seconds();
            n.now = bench_ms();
            synack_poll(n.a, n.now);
            synack_poll(n.b, n.now);
        }
        if (iters > 100000000u)
            break;
    }
    t = bench_seconds();
    out->bytes = received;
    out->seconds = t - t0;
    if (tls) {
        synack_tls_free(c);
        synack_tls_free(s);
    }
    bench_net_free(&n);
    return received > 0 ? 0 : 1;
}

int bench_tls_tcp(int argc, char **argv)
{
    const char *cipher = bench_opt_str(argc, argv, "--cipher", "chacha");
    if (strcmp(cipher, "plain") != 0 && strcmp(cipher, "aes") != 0 && strcmp(cipher, "chacha") != 0) {
        fprintf(stderr, "tls_tcp: --cipher plain|aes|chacha\n");
        return 2;
    }
    uint32_t mtu = (uint32_t)bench_opt(argc, argv, "--mtu", 1500);
    double secs = bench_opt(argc, argv, "--seconds", 2.0);
    double max_bytes = bench_opt(argc, argv, "--bytes", 1e15);
    int repeat = bench_repeat(argc, argv);
    const char *suite = "none";
    tt_result best = {0}, r;
    double best_rate = 0;
    for (int i = 0; i < repeat; i++) {
        if (trial(cipher, mtu, secs, max_bytes, &r, &suite) != 0)
            return 1;
        double rate = r.seconds > 0 ? r.bytes * 8.0 / r.seconds / 1e6 : 0;
        if (rate >= best_rate) {
            best_rate = rate;
            best = r;
        }
    }
    bench_json_begin("tls_tcp");
    bench_json_str("mode", cipher);
    bench_json_str("cipher", suite);
    bench_json_int("mtu", mtu);
    bench_json_num("bytes", best.bytes);
    bench_json_num("seconds", best.seconds);
    bench_json_num("mbit_per_s", best_rate);
    bench_json_end();
    return 0;
}
