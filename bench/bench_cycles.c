/*
 * Item 8: the work behind one full-size segment, for valgrind's callgrind.
 * Two stacks on a bench-local queue link (frames are captured per
 * direction, so the two halves of the exchange run in separate functions):
 *   bench_cg_tx  A takes B's ACKs and sends new data (the sender's work per
 *                segment: ACK processing, copy into the send ring, segment
 *                building, checksum, the link copy);
 *   bench_cg_rx  B takes A's data segments, the application reads them, B
 *                sends ACKs (the receiver's work per segment).
 * bench/run.sh divides callgrind's inclusive instruction counts of the two
 * functions by the segment counts printed here. Option: --segments N.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QL_SLOTS 4096u
#define QL_SLOT 1600u

typedef struct qlink {
    uint8_t *data;
    uint32_t len[QL_SLOTS];
    uint32_t n;
    uint64_t dropped;
} qlink;

static int ql_send(void *ctx, const uint8_t *frame, size_t len)
{
    qlink *q = ctx;
    if (q->n >= QL_SLOTS || len > QL_SLOT) {
        q->dropped++;
        return -1;
    }
    memcpy(q->data + (size_t)q->n * QL_SLOT, frame, len);
    q->len[q->n++] = (uint32_t)len;
    return 0;
}

/* Feed every frame queued in q to stack s (frames s sends go elsewhere). */
static uint32_t ql_drain(qlink *q, synack_stack *s, uint64_t now, uint32_t full)
{
    uint32_t nfull = 0;
    for (uint32_t i = 0; i < q->n; i++) {
        nfull += q->len[i] == full;
        synack_input(s, now, q->data + (size_t)i * QL_SLOT, q->len[i]);
    }
    q->n = 0;
    return nfull;
}

typedef struct cg_ctx {
    synack_stack *a, *b;
    int ha, hb;
    qlink qa, qb; /* frames sent by A, by B */
    uint64_t now;
    uint8_t sink[BENCH_CHUNK];
} cg_ctx;

/* Sender half: A processes ACKs and queues new segments. */
__attribute__((noinline)) static uint32_t cg_tx(cg_ctx *c)
{
    ql_drain(&c->qb, c->a, c->now, 0);
    const uint8_t *pat = bench_pattern();
    while (synack_tcp_send(c->a, c->now, c->ha, pat, BENCH_CHUNK) > 0) {
    }
    uint32_t full = 0;
    for (uint32_t i = 0; i < c->qa.n; i++)
        full += c->qa.len[i] == 1514u;
    return full;
}

/* Receiver half: B takes the data, the application reads it, B ACKs. */
__attribute__((noinline)) static uint32_t cg_rx(cg_ctx *c)
{
    uint32_t full = ql_drain(&c->qa, c->b, c->now, 1514u);
    while (synack_tcp_recv(c->b, c->now, c->hb, c->sink, sizeof c->sink) > 0) {
    }
    return full;
}

/* The measured calls (warm-up calls cg_tx/cg_rx directly, so callgrind's
   inclusive cost of these two covers only the counted rounds). */
__attribute__((noinline)) uint32_t bench_cg_tx(cg_ctx *c);
__attribute__((noinline)) uint32_t bench_cg_rx(cg_ctx *c);
uint32_t bench_cg_tx(cg_ctx *c) { return cg_tx(c); }
uint32_t bench_cg_rx(cg_ctx *c) { return cg_rx(c); }

int bench_cycles(int argc, char **argv)
{
    uint64_t want = (uint64_t)bench_opt(argc, argv, "--segments", 20000);
    cg_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return 1;
    c->qa.data = malloc((size_t)QL_SLOTS * QL_SLOT);
    c->qb.data = malloc((size_t)QL_SLOTS * QL_SLOT);
    bench_mem ma = {0}, mb = {0};
    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.sndbuf = 1u << 20;
    cfg.tcp.rcvbuf = 1u << 20;
    c->now = 1000;
    cfg.alloc = bench_allocator(&ma);
    cfg.link = (synack_link){.send = ql_send, .ctx = &c->qa, .mtu = 1500, .medium = SYNACK_MEDIUM_ETHERNET};
    cfg.mac = (synack_mac){{0x02, 0, 0, 0, 0, 1}};
    cfg.seed = 1;
    if (!c->qa.data || !c->qb.data || synack_stack_new(&c->a, &cfg, c->now) < 0)
        return 1;
    cfg.alloc = bench_allocator(&mb);
    cfg.link = (synack_link){.send = ql_send, .ctx = &c->qb, .mtu = 1500, .medium = SYNACK_MEDIUM_ETHERNET};
    cfg.mac = (synack_mac){{0x02, 0, 0, 0, 0, 2}};
    cfg.seed = 2;
    if (synack_stack_new(&c->b, &cfg, c->now) < 0)
        return 1;
    synack_set_ipv4(c->a, c->now, BENCH_IP_A, 24, 0);
    synack_set_ipv4(c->b, c->now, BENCH_IP_B, 24, 0);
    int lh = synack_tcp_open(c->b);
    synack_tcp_bind(c->b, lh, 5001);
    synack_tcp_listen(c->b, lh, 4);
    c->ha = synack_tcp_open(c->a);
    synack_tcp_connect(c->a, c->now, c->ha, BENCH_ADDR(BENCH_IP_B), 5001);
    c->hb = -1;
    for (int i = 0; i < 100 && c->hb < 0; i++) {
        ql_drain(&c->qa, c->b, c->now, 0);
        ql_drain(&c->qb, c->a, c->now, 0);
        c->hb = synack_tcp_accept(c->b, c->now, lh, NULL, NULL);
    }
    if (c->hb < 0) {
        fprintf(stderr, "cycles: no connection\n");
        return 1;
    }
    /* warm up (slow start, buffers allocated), then count */
    uint64_t tx = 0, rx = 0, rounds = 0;
    for (int i = 0; i < 50; i++) {
        c->now++;
        cg_tx(c);
        cg_rx(c);
    }
    while (rx < want && rounds < 10000000u) {
        c->now++;
        tx += bench_cg_tx(c);
        rx += bench_cg_rx(c);
        rounds++;
    }
    synack_counters ca;
    synack_get_counters(c->a, &ca);
    bench_json_begin("cycles");
    bench_json_int("segments_tx", tx);
    bench_json_int("segments_rx", rx);
    bench_json_int("rounds", rounds);
    bench_json_int("warmup_rounds", 50);
    bench_json_int("rexmit_segs", ca.tcp_rexmit_segs);
    bench_json_int("link_drops", c->qa.dropped + c->qb.dropped);
    bench_json_end();
    synack_stack_free(c->a);
    synack_stack_free(c->b);
    free(c->qa.data);
    free(c->qb.data);
    free(c);
    return rx > 0 ? 0 : 1;
}
