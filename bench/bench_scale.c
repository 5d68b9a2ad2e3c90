/*
 * Item 5: scale. N connections (default 100,000) from A to B, spread over
 * 8 listening ports on B (A's ephemeral range is 16,384 ports per
 * destination), with small socket buffers. Reports the bytes of stack state
 * per idle established connection on each side -- everything the stack
 * allocated for them except the send/receive buffers (which are allocated
 * on first use) -- the time to open them all, then the time to push
 * --bytes (default 10 KB) through each (Nagle off: each is one message, so
 * its tail does not wait for a delayed ACK), and the memory per connection
 * after that exchange, buffers included (they grow with need up to --buf:
 * mem_per_conn_after_a/b), and sizeof(struct synack_tcb) (tcb_bytes), the
 * largest part of the idle state. Options: --conns N --bytes N --buf N
 * --ip6 1 (the connections over IPv6, to compare the per-family state).
 */
#include "bench.h"
#include "tcp/tcp_tcb.h" /* sizeof(struct synack_tcb), reported */

#include <stdio.h>
#include <stdlib.h>

#define SCALE_PORTS 8
#define SCALE_BATCH 512u

typedef struct scale_conn {
    int32_t ha, hb;
    uint32_t sent, got;
} scale_conn;

static size_t state_bytes(const bench_mem *m)
{
    return m->in_use - m->buf_in_use;
}

int bench_scale(int argc, char **argv)
{
    uint32_t nconn = (uint32_t)bench_opt(argc, argv, "--conns", 100000);
    uint32_t bytes = (uint32_t)bench_opt(argc, argv, "--bytes", 10240);
    uint32_t buf = (uint32_t)bench_opt(argc, argv, "--buf", 4000);
    static uint8_t sink[BENCH_CHUNK];
    const uint8_t *pat = bench_pattern();
    int rc = 1;

    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.sndbuf = buf;
    cfg.tcp.rcvbuf = buf;
    cfg.tcp.max_conns = nconn + 2 * SCALE_PORTS + 16;
    /* messages of 10 KB: no Nagle wait for a delayed ACK on the tail */
    cfg.tcp.nodelay = true;
    bench_net n = {0};
    n.ip6 = bench_opt(argc, argv, "--ip6", 0) != 0;
    n.mem_a.buf_size = buf;
    n.mem_b.buf_size = buf;
    scale_conn *c = calloc(nconn ? nconn : 1, sizeof *c);
    if (c == NULL || bench_net_new(&n, &cfg, 1500, bench_ms()) < 0) {
        fprintf(stderr, "scale: set-up failed\n");
        free(c);
        return 1;
    }
    int lh[SCALE_PORTS];
    for (int i = 0; i < SCALE_PORTS; i++) {
        lh[i] = synack_tcp_open(n.b);
        if (lh[i] < 0 || synack_tcp_bind(n.b, lh[i], (uint16_t)(6001 + i)) < 0 ||
            synack_tcp_listen(n.b, lh[i], 1024) < 0) {
            fprintf(stderr, "scale: listen failed\n");
            goto out;
        }
    }
    size_t base_a = state_bytes(&n.mem_a), base_b = state_bytes(&n.mem_b);
    size_t all_a = n.mem_a.in_use, all_b = n.mem_b.in_use;

    /* open, in batches so the pair's queues stay short */
    const synack_addr peer = bench_peer(&n);
    double t0 = bench_seconds();
    uint32_t opened = 0, accepted = 0;
    while (opened < nconn) {
        uint32_t end = opened + SCALE_BATCH < nconn ? opened + SCALE_BATCH : nconn;
        for (uint32_t i = opened; i < end; i++) {
            int h = synack_tcp_open(n.a);
            if (h < 0 || synack_tcp_connect(n.a, n.now, h, &peer,
                                            (uint16_t)(6001 + i % SCALE_PORTS)) < 0) {
                fprintf(stderr, "scale: connect %u failed: %s\n", i, synack_strerror(h < 0 ? h : -1));
                goto out;
            }
            c[i].ha = h;
        }
        opened = end;
        bench_net_settle(&n);
        n.now = bench_ms();
        for (int p = 0; p < SCALE_PORTS; p++) {
            int h;
            while ((h = synack_tcp_accept(n.b, n.now, lh[p], NULL, NULL)) >= 0) {
                if (accepted < nconn)
                    c[accepted].hb = h;
                accepted++;
            }
        }
    }
    double t_open = bench_seconds() - t0;
    if (accepted != nconn) {
        fprintf(stderr, "scale: accepted %u of %u\n", accepted, nconn);
        for (int d = 0; d < SYNACK_DROP__COUNT; d++) {
            uint64_t x = synack_drops(n.a, (synack_drop)d), y = synack_drops(n.b, (synack_drop)d);
            if (x || y)
                fprintf(stderr, "  drops %s/%s: A %llu B %llu\n", synack_drop_layer((synack_drop)d),
                        synack_drop_reason((synack_drop)d), (unsigned long long)x, (unsigned long long)y);
        }
        goto out;
    }
    /* pair each B handle with its A end by the 4-tuple (ports) */
    uint32_t established = 0;
    int32_t *bh = malloc(65536u * SCALE_PORTS * sizeof *bh);
    if (bh == NULL)
        goto out;
    for (uint32_t i = 0; i < nconn; i++) {
        synack_tcp_info info;
        if (synack_tcp_get_info(n.b, c[i].hb, &info) == 0)
            bh[(uint32_t)info.remote_port * SCALE_PORTS + (info.local_port - 6001u) % SCALE_PORTS] = c[i].hb;
    }
    for (uint32_t i = 0; i < nconn; i++) {
        synack_tcp_info info;
        if (synack_tcp_get_info(n.a, c[i].ha, &info) == 0 && info.state == SYNACK_TCP_ESTABLISHED) {
            c[i].hb = bh[(uint32_t)info.local_port * SCALE_PORTS + (info.remote_port - 6001u) % SCALE_PORTS];
            established++;
        }
    }
    free(bh);
    double per_a = nconn ? (double)(state_bytes(&n.mem_a) - base_a) / nconn : 0;
    double per_b = nconn ? (double)(state_bytes(&n.mem_b) - base_b) / nconn : 0;

    /* push `bytes` through each: A sends, B reads, in batches */
    t0 = bench_seconds();
    uint64_t total = 0, want = (uint64_t)bytes * nconn;
    uint32_t rounds = 0;
    for (uint32_t lo = 0; lo < nconn; lo += SCALE_BATCH) {
        uint32_t hi = lo + SCALE_BATCH < nconn ? lo + SCALE_BATCH : nconn;
        for (uint32_t r = 0; r < 100000; r++) {
            bool busy = false;
            for (uint32_t i = lo; i < hi; i++) {
                while (c[i].sent < bytes) {
                    uint32_t k = bytes - c[i].sent;
                    int s = synack_tcp_send(n.a, n.now, c[i].ha, pat, k < BENCH_CHUNK ? k : BENCH_CHUNK);
                    if (s <= 0)
                        break;
                    c[i].sent += (uint32_t)s;
                }
            }
            bench_net_settle(&n);
            for (uint32_t i = lo; i < hi; i++) {
                int g;
                while ((g = synack_tcp_recv(n.b, n.now, c[i].hb, sink, sizeof sink)) > 0) {
                    c[i].got += (uint32_t)g;
                    total += (uint64_t)g;
                }
                if (c[i].got < bytes)
                    busy = true;
            }
            bench_net_settle(&n);
            rounds++;
            if (!busy)
                break;
            if ((r & 63) == 63) {
                n.now = bench_ms();
                synack_poll(n.a, n.now);
                synack_poll(n.b, n.now);
                bench_net_settle(&n);
            }
        }
    }
    double t_data = bench_seconds() - t0;
    double after_a = nconn ? (double)(n.mem_a.in_use - all_a) / nconn : 0;
    double after_b = nconn ? (double)(n.mem_b.in_use - all_b) / nconn : 0;

    bench_json_begin("scale");
    bench_json_int("conns", nconn);
    bench_json_int("ip6", n.ip6 ? 1 : 0);
    bench_json_int("established", established);
    bench_json_int("buf", buf);
    bench_json_num("bytes_per_conn_a", per_a);
    bench_json_num("bytes_per_conn_b", per_b);
    bench_json_int("tcb_bytes", sizeof(struct synack_tcb)); /* most of the above */
    bench_json_num("open_seconds", t_open);
    bench_json_num("open_per_s", t_open > 0 ? nconn / t_open : 0);
    bench_json_int("data_bytes", total);
    bench_json_num("data_seconds", t_data);
    bench_json_num("data_gbit_per_s", t_data > 0 ? (double)total * 8 / t_data / 1e9 : 0);
    bench_json_num("mem_per_conn_after_a", after_a);
    bench_json_num("mem_per_conn_after_b", after_b);
    bench_json_int("peak_bytes_a", n.mem_a.peak);
    bench_json_int("peak_bytes_b", n.mem_b.peak);
    bench_json_end();
    rc = (established == nconn && total == want) ? 0 : 1;
    if (rc)
        fprintf(stderr, "scale: established %u/%u, moved %llu/%llu bytes\n", established, nconn,
                (unsigned long long)total, (unsigned long long)want);
out:
    bench_net_free(&n);
    free(c);
    return rc;
}
