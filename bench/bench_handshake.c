/*
 * Item 4: handshake rate. One cycle: A opens and connects, the pair carries
 * SYN / SYN-ACK / ACK, B accepts, both close (A first, so A holds TIME-WAIT;
 * the stack reclaims the oldest TIME-WAIT at its connection limit, as Linux
 * does with tcp_max_tw_buckets), and the FIN exchange completes. Wall clock
 * time. Options: --seconds S --cycles N (stop at whichever comes first),
 * --repeat N (N trials on fresh stacks; best and median reported).
 */
#include "bench.h"

#include <stdio.h>

typedef struct hs_result {
    uint64_t cycles, failures;
    double seconds, rate;
} hs_result;

static int trial(double secs, uint64_t max_cycles, hs_result *out)
{
    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.max_conns = 4096;
    bench_net n = {0};
    if (bench_net_new(&n, &cfg, 1500, bench_ms()) < 0) {
        fprintf(stderr, "handshake: set-up failed\n");
        return 1;
    }
    int lh = synack_tcp_open(n.b);
    if (lh < 0 || synack_tcp_bind(n.b, lh, 80) < 0 || synack_tcp_listen(n.b, lh, 64) < 0) {
        fprintf(stderr, "handshake: listen failed\n");
        return 1;
    }
    uint64_t cycles = 0, failures = 0;
    double t0 = bench_seconds(), t = t0;
    while ((t - t0) < secs && (max_cycles == 0 || cycles < max_cycles)) {
        int ha, hb;
        int rc = bench_connect(&n, lh, 80, &ha, &hb);
        if (rc < 0) {
            if (++failures > 100) {
                fprintf(stderr, "handshake: connect failed: %s\n", synack_strerror(rc));
                break;
            }
            continue;
        }
        synack_tcp_close(n.a, n.now, ha);
        synack_tcp_close(n.b, n.now, hb);
        bench_net_settle(&n);
        if ((++cycles & 255) == 0) {
            t = bench_seconds();
            n.now = bench_ms();
            synack_poll(n.a, n.now);
            synack_poll(n.b, n.now);
        }
    }
    t = bench_seconds();
    double dt = t - t0;
    out->cycles = cycles;
    out->failures = failures;
    out->seconds = dt;
    out->rate = dt > 0 ? (double)cycles / dt : 0.0;
    bench_net_free(&n);
    return cycles > 0 && failures <= 100 ? 0 : 1;
}

int bench_handshake(int argc, char **argv)
{
    double secs = bench_opt(argc, argv, "--seconds", 2.0);
    uint64_t max_cycles = (uint64_t)bench_opt(argc, argv, "--cycles", 0);
    int repeat = bench_repeat(argc, argv);
    hs_result best = {0}, r;
    double rates[BENCH_MAX_REPEAT];
    for (int i = 0; i < repeat; i++) {
        if (trial(secs, max_cycles, &r) != 0)
            return 1;
        rates[i] = r.rate;
        if (r.rate >= best.rate)
            best = r;
    }
    bench_json_begin("handshake");
    bench_json_int("cycles", best.cycles);
    bench_json_num("seconds", best.seconds);
    bench_json_num("per_s", best.rate);
    bench_json_num("per_s_median", bench_median(rates, repeat));
    bench_json_int("trials", (uint64_t)repeat);
    bench_json_int("failures", best.failures);
    bench_json_end();
    return 0;
}
