/*
 * Item 6: a lossy path through synack's impair link, on a virtual clock (the
 * simulation jumps from one deadline to the next, so its result does not
 * depend on the machine's speed). Both directions: --loss (default 1 %)
 * random loss, --delay-ms (default 10 ms one way, so 20 ms RTT), --rate
 * (default 100 Mbit/s) behind a tail-drop queue of one bandwidth-delay
 * product. A sends to B for --seconds (virtual, default 20) with --cc
 * cubic|newreno. Reports goodput, bytes the sender retransmitted and
 * payload bytes the path lost (counted between the stack and the impair
 * link, and after it).
 */
#include "bench.h"

#include <stdio.h>
#include <string.h>

typedef struct count_link {
    synack_link inner;
    uint64_t frames, payload;
} count_link;

/* TCP payload bytes of an Ethernet/IPv4 frame (0 for anything else). */
static uint32_t tcp_payload(const uint8_t *f, size_t len)
{
    if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00)
        return 0;
    uint32_t ihl = (uint32_t)(f[14] & 0x0f) * 4u;
    uint32_t total = (uint32_t)f[16] << 8 | f[17];
    if (f[23] != 6 || len < 14 + ihl + 20 || total < ihl + 20)
        return 0;
    uint32_t doff = (uint32_t)(f[14 + ihl + 12] >> 4) * 4u;
    return total >= ihl + doff ? total - ihl - doff : 0;
}

static int count_send(void *ctx, const uint8_t *frame, size_t len)
{
    count_link *c = ctx;
    c->frames++;
    c->payload += tcp_payload(frame, len);
    return c->inner.send(c->inner.ctx, frame, len);
}

static synack_link count_wrap(count_link *c, synack_link inner)
{
    memset(c, 0, sizeof *c);
    c->inner = inner;
    synack_link l = inner;
    l.send = count_send;
    l.ctx = c;
    return l;
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

int bench_lossy(int argc, char **argv)
{
    const char *cc = bench_opt_str(argc, argv, "--cc", "cubic");
    double vsecs = bench_opt(argc, argv, "--seconds", 20.0);
    double loss = bench_opt(argc, argv, "--loss", 1.0) / 100.0;
    uint32_t delay = (uint32_t)bench_opt(argc, argv, "--delay-ms", 10);
    double rate = bench_opt(argc, argv, "--rate", 100.0);
    uint64_t seed = (uint64_t)bench_opt(argc, argv, "--seed", 7);
    static uint8_t sink[BENCH_CHUNK];
    const uint8_t *pat = bench_pattern();

    bench_mem mem = {0};
    synack_allocator al = bench_allocator(&mem);
    synack_pair *pair;
    if (synack_pair_new(&pair, al, 1500, SYNACK_MEDIUM_ETHERNET) < 0)
        return 1;
    synack_impair_config ic;
    memset(&ic, 0, sizeof ic);
    ic.loss = loss;
    ic.delay_ms = delay;
    ic.rate_mbit = rate;
    /* one bandwidth-delay product of queue */
    ic.queue_bytes = (uint32_t)(rate * 1e6 / 8.0 * (2.0 * delay) / 1000.0);
    if (ic.queue_bytes < 16384)
        ic.queue_bytes = 16384;
    /*
     * A -> B: pre -> [loss only] -> post -> [delay + rate] -> pair. The loss
     * stage forwards or drops each frame at once, so pre - post is exactly
     * the payload the path lost at random; tail drops in the rate queue are
     * reported apart (queue_drops). B -> A: one impair with all three.
     */
    count_link pre, post;
    synack_impair *ima, *iml, *imb;
    synack_impair_config path = ic, lossy = ic;
    path.loss = 0;
    path.seed = seed;
    lossy.delay_ms = 0;
    lossy.rate_mbit = 0;
    lossy.seed = seed + 2;
    if (synack_impair_new(&ima, al, &path, synack_pair_link(pair, 0)) < 0 ||
        synack_impair_new(&iml, al, &lossy, count_wrap(&post, synack_impair_link(ima))) < 0)
        return 1;
    ic.seed = seed + 1;
    if (synack_impair_new(&imb, al, &ic, synack_pair_link(pair, 1)) < 0)
        return 1;

    synack_config cfg;
    bench_config(&cfg);
    cfg.tcp.cc = strcmp(cc, "newreno") == 0 ? SYNACK_CC_NEWRENO : SYNACK_CC_CUBIC;
    bench_mem ma = {0}, mb = {0};
    synack_stack *a, *b;
    uint64_t now = 1000;
    cfg.alloc = bench_allocator(&ma);
    cfg.link = count_wrap(&pre, synack_impair_link(iml));
    cfg.mac = (synack_mac){{0x02, 0, 0, 0, 0, 1}};
    cfg.seed = 1;
    if (synack_stack_new(&a, &cfg, now) < 0)
        return 1;
    cfg.alloc = bench_allocator(&mb);
    cfg.link = synack_impair_link(imb);
    cfg.mac = (synack_mac){{0x02, 0, 0, 0, 0, 2}};
    cfg.seed = 2;
    if (synack_stack_new(&b, &cfg, now) < 0)
        return 1;
    synack_set_ipv4(a, now, BENCH_IP_A, 24, 0);
    synack_set_ipv4(b, now, BENCH_IP_B, 24, 0);
    int lh = synack_tcp_open(b);
    synack_tcp_bind(b, lh, 5001);
    synack_tcp_listen(b, lh, 4);
    int ha = synack_tcp_open(a), hb = -1;
    synack_tcp_connect(a, now, ha, BENCH_ADDR(BENCH_IP_B), 5001);

    uint64_t start = 0, end_at = 0, received = 0, steps = 0;
    bool done = false;
    double w0 = bench_seconds();
    while (!done && steps++ < 200000000u) {
        synack_impair_poll(iml, now);
        synack_impair_poll(ima, now);
        synack_impair_poll(imb, now);
        synack_pair_deliver(pair, now, a, b, 0);
        if (hb < 0 && (hb = synack_tcp_accept(b, now, lh, NULL, NULL)) >= 0) {
            start = now;
            end_at = now + (uint64_t)(vsecs * 1000.0);
        }
        if (hb >= 0) {
            while (synack_tcp_send(a, now, ha, pat, BENCH_CHUNK) > 0) {
            }
            int g;
            while ((g = synack_tcp_recv(b, now, hb, sink, sizeof sink)) > 0)
                received += (uint64_t)g;
            if (now >= end_at)
                done = true;
        }
        synack_poll(a, now);
        synack_poll(b, now);
        synack_pair_deliver(pair, now, a, b, 0);
        if (synack_pair_pending(pair) > 0)
            continue;
        uint64_t next = min64(min64(synack_poll_at(a), synack_poll_at(b)),
                              min64(synack_impair_poll_at(ima), synack_impair_poll_at(imb)));
        if (hb >= 0)
            next = min64(next, end_at);
        if (next == UINT64_MAX || now > 1000 + 3600u * 1000u)
            break;
        now = next > now ? next : now + 1;
    }
    double wall = bench_seconds() - w0;
    synack_tcp_info ia;
    memset(&ia, 0, sizeof ia);
    synack_tcp_get_info(a, ha, &ia);
    synack_impair_stats sa, sl;
    synack_impair_get_stats(ima, &sa);
    synack_impair_get_stats(iml, &sl);
    double secs = (double)(now - start) / 1000.0;
    bench_json_begin("lossy");
    bench_json_str("cc", cfg.tcp.cc == SYNACK_CC_NEWRENO ? "newreno" : "cubic");
    bench_json_num("loss_pct", loss * 100.0);
    bench_json_int("rtt_ms", 2u * delay);
    bench_json_num("rate_mbit", rate);
    bench_json_num("virtual_seconds", secs);
    bench_json_int("bytes", received);
    bench_json_num("goodput_mbit_per_s", secs > 0 ? (double)received * 8 / secs / 1e6 : 0);
    bench_json_int("rexmit_bytes", ia.rexmit_bytes);
    bench_json_int("rexmit_segs", ia.rexmit_segs);
    bench_json_int("sent_payload_bytes", pre.payload);
    bench_json_int("lost_payload_bytes", pre.payload - post.payload);
    bench_json_int("lost_frames", sl.lost);
    bench_json_int("queue_drops", sa.queue_drops);
    bench_json_num("wall_seconds", wall);
    bench_json_end();
    synack_stack_free(a);
    synack_stack_free(b);
    synack_impair_free(iml);
    synack_impair_free(ima);
    synack_impair_free(imb);
    synack_pair_free(pair);
    return received > 0 ? 0 : 1;
}
