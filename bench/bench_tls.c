/*
 * TLS cost alone (tls/, issue 19): a client and a server engine in memory,
 * no TCP, so the figure sits beside `throughput` (TCP alone). Bulk: the
 * server writes 16 KB records, the client decrypts them; MB/s of
 * plaintext. Handshakes: full ECDHE-ECDSA P-256 handshakes per second (no
 * resumption). Options: --cipher aes|chacha (AES-128-GCM or
 * ChaCha20-Poly1305), --seconds S, --bytes N (stop at whichever comes
 * first), --handshakes N, --repeat N (best kept).
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

#include "synack/tls.h"
#include "tls_configs.h"

static const uint8_t seed_a[32] = {1}, seed_b[32] = {2};

static void pair_new(synack_tls **c, synack_tls **s, bool chacha)
{
    synack_tls_config cc = tls_fx_client(seed_a, sizeof seed_a);
    synack_tls_config sc = tls_fx_server(seed_b, sizeof seed_b);
    cc.prefer_chacha20 = chacha;
    *c = synack_tls_new(&cc, NULL, 0);
    *s = synack_tls_new(&sc, NULL, 0);
}

/* Move ciphertext from a to b; returns the bytes moved. */
static size_t move(synack_tls *a, synack_tls *b)
{
    size_t total = 0, len;
    const uint8_t *p;
    while ((p = synack_tls_output(a, &len)) != NULL && len > 0) {
        int n = synack_tls_feed(b, p, len);
        if (n <= 0)
            break;
        synack_tls_output_done(a, (size_t)n);
        total += (size_t)n;
    }
    return total;
}

static bool handshake(synack_tls *c, synack_tls *s)
{
    for (int i = 0; i < 20; i++)
        if (move(c, s) + move(s, c) == 0)
            break;
    return synack_tls_get_state(c) == SYNACK_TLS_OPEN && synack_tls_get_state(s) == SYNACK_TLS_OPEN;
}

int bench_tls(int argc, char **argv)
{
    const char *cipher = bench_opt_str(argc, argv, "--cipher", "aes");
    bool chacha = strcmp(cipher, "chacha") == 0;
    double secs = bench_opt(argc, argv, "--seconds", 1.0);
    double max_bytes = bench_opt(argc, argv, "--bytes", 1e12);
    uint64_t max_hs = (uint64_t)bench_opt(argc, argv, "--handshakes", 1e9);
    int repeat = bench_repeat(argc, argv);
    static uint8_t buf[16384];
    memset(buf, 0x5a, sizeof buf);
    double best_mbs = 0, best_hs = 0, bytes_at_best = 0;
    const char *suite = "?";
    for (int r = 0; r < repeat; r++) {
        synack_tls *c, *s;
        pair_new(&c, &s, chacha);
        if (c == NULL || s == NULL || !handshake(c, s)) {
            fprintf(stderr, "tls: handshake failed\n");
            return 1;
        }
        suite = synack_tls_cipher(c);
        double bytes = 0, t0 = bench_seconds(), t = t0;
        while (t - t0 < secs && bytes < max_bytes) {
            for (int k = 0; k < 64; k++) {
                int n = synack_tls_write(s, buf, sizeof buf);
                if (n < 0) {
                    fprintf(stderr, "tls: write failed\n");
                    return 1;
                }
                synack_tls_flush(s);
                move(s, c);
                int got;
                while ((got = synack_tls_read(c, buf, sizeof buf)) > 0)
                    bytes += got;
            }
            t = bench_seconds();
        }
        double mbs = bytes / (t - t0) / 1e6;
        if (mbs > best_mbs) {
            best_mbs = mbs;
            bytes_at_best = bytes;
        }
        synack_tls_free(c);
        synack_tls_free(s);

        uint64_t hs = 0;
        t0 = bench_seconds();
        t = t0;
        while (t - t0 < secs && hs < max_hs) {
            pair_new(&c, &s, chacha);
            if (c == NULL || s == NULL || !handshake(c, s)) {
                fprintf(stderr, "tls: handshake failed\n");
                return 1;
            }
            synack_tls_free(c);
            synack_tls_free(s);
            hs++;
            t = bench_seconds();
        }
        double rate = (double)hs / (t - t0);
        if (rate > best_hs)
            best_hs = rate;
    }
    bench_json_begin("tls");
    bench_json_str("cipher", suite);
    bench_json_num("mbyte_per_s", best_mbs);
    bench_json_num("bytes", bytes_at_best);
    bench_json_num("handshakes_per_s", best_hs);
    bench_json_end();
    return 0;
}
