/*
 * Item 1: bulk throughput between two stacks in one process over the memory
 * pair, on one core. A sends a fixed pattern as fast as the window allows,
 * B reads and discards; the clock is the wall clock (RTT is ~0, so the rate
 * is bounded only by CPU); gbit_per_cpu_s is the same bytes per CPU second
 * of the process (natively), which other processes on a shared machine
 * move less. Options: --mtu N --seconds S --bytes N
 * --ip6 1 (the connection over IPv6)
 * --buf BYTES (socket buffers on both sides) --repeat N (N trials of S
 * seconds each, on fresh stacks; the best and the median are reported, as
 * the machine may be shared).
 */
#include "bench.h"

#include <stdio.h>

typedef struct tput_result {
    uint64_t bytes, segments, rexmit;
    double seconds, gbit;
    double cpu_seconds; /* 0: no CPU clock on this platform */
} tput_result;

/* The timed loop, a function of its own (never inlined) so that a
 * profiler can count just it: `valgrind --tool=callgrind
 * --toggle-collect=tput_pump synack_bench throughput --bytes N` gives the
 * instructions for N bytes without the set-up (IPv6's wait for DAD).
 * A sends, B reads, until `secs` have passed or `max_bytes` arrived;
 * returns the bytes B read. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static uint64_t tput_pump(bench_net *n, int ha, int hb, double secs, uint64_t max_bytes)
{
    static uint8_t sink[BENCH_CHUNK];
    const uint8_t *pat = bench_pattern();
    uint64_t received = 0, sent = 0;
    double t0 = bench_seconds(), t = t0;
    uint64_t iters = 0;
    while ((t - t0) < secs && (max_bytes == 0 || received < max_bytes)) {
        for (;;) {
            size_t want = BENCH_CHUNK;
            if (max_bytes && max_bytes - sent < want)
                want = (size_t)(max_bytes - sent);
            if (want == 0)
                break;
            int rc = synack_tcp_send(n->a, n->now, ha, pat, want);
            if (rc <= 0)
                break;
            sent += (uint64_t)rc;
        }
        synack_pair_deliver(n->pair, n->now, n->a, n->b, 0);
        for (;;) {
            int rc = synack_tcp_recv(n->b, n->now, hb, sink, sizeof sink);
            if (rc <= 0)
                break;
            received += (uint64_t)rc;
        }
        synack_pair_deliver(n->pair, n->now, n->a, n->b, 0);
        if ((++iters & 15) == 0) {
            t = bench_seconds();
            n->now = bench_ms();
            synack_poll(n->a, n->now);
            synack_poll(n->b, n->now);
        }
        if (iters > 100000000u)
            break;
    }
    return received;
}

static int trial(uint32_t mtu, double secs, uint64_t max_bytes, uint32_t buf, bool ip6,
                 tput_result *out)
{
    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.sndbuf = buf;
    cfg.tcp.rcvbuf = buf;
    bench_net n = {0};
    n.ip6 = ip6;
    if (bench_net_new(&n, &cfg, mtu, bench_ms()) < 0) {
        fprintf(stderr, "throughput: set-up failed\n");
        return 1;
    }
    int lh = synack_tcp_open(n.b);
    int ha, hb;
    if (lh < 0 || synack_tcp_bind(n.b, lh, 5001) < 0 || synack_tcp_listen(n.b, lh, 4) < 0 ||
        bench_connect(&n, lh, 5001, &ha, &hb) < 0) {
        fprintf(stderr, "throughput: connect failed\n");
        return 1;
    }

    double t0 = bench_seconds(), c0 = bench_cpu_seconds();
    uint64_t received = tput_pump(&n, ha, hb, secs, max_bytes);
    double t = bench_seconds(), c1 = bench_cpu_seconds();
    synack_tcp_info ia;
    synack_tcp_get_info(n.a, ha, &ia);
    synack_counters ca;
    synack_get_counters(n.a, &ca);
    double dt = t - t0;
    out->bytes = received;
    out->seconds = dt;
    out->gbit = dt > 0 ? (double)received * 8.0 / dt / 1e9 : 0.0;
    out->cpu_seconds = c0 >= 0 && c1 > c0 ? c1 - c0 : 0.0;
    out->segments = ca.tcp_segs_out;
    out->rexmit = ia.rexmit_segs;
    bench_net_free(&n);
    return received > 0 ? 0 : 1;
}

int bench_throughput(int argc, char **argv)
{
    uint32_t mtu = (uint32_t)bench_opt(argc, argv, "--mtu", 1500);
    double secs = bench_opt(argc, argv, "--seconds", 2.0);
    uint64_t max_bytes = (uint64_t)bench_opt(argc, argv, "--bytes", 0);
    uint32_t buf = (uint32_t)bench_opt(argc, argv, "--buf", 1 << 20);
    bool ip6 = bench_opt(argc, argv, "--ip6", 0) != 0;
    int repeat = bench_repeat(argc, argv);
    tput_result best = {0}, r;
    double rates[BENCH_MAX_REPEAT];
    uint64_t total = 0;
    for (int i = 0; i < repeat; i++) {
        if (trial(mtu, secs, max_bytes, buf, ip6, &r) != 0)
            return 1;
        rates[i] = r.gbit;
        total += r.bytes;
        if (r.gbit >= best.gbit)
            best = r;
    }
    bench_json_begin("throughput");
    bench_json_int("mtu", mtu);
    bench_json_int("family", ip6 ? 6 : 4);
    bench_json_int("bytes", best.bytes);
    bench_json_num("seconds", best.seconds);
    /* the best trial's rate per CPU second: what the stack costs, less
     * moved by other processes sharing the machine than gbit_per_s */
    if (best.cpu_seconds > 0)
        bench_json_num("gbit_per_cpu_s", (double)best.bytes * 8.0 / best.cpu_seconds / 1e9);
    bench_json_num("gbit_per_s", best.gbit);
    bench_json_num("gbit_per_s_median", bench_median(rates, repeat));
    bench_json_int("trials", (uint64_t)repeat);
    bench_json_int("segments", best.segments);
    bench_json_int("rexmit_segs", best.rexmit);
    bench_json_int("buf", buf);
    bench_json_end();
    return total > 0 ? 0 : 1;
}
