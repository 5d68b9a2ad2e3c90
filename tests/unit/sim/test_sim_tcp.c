/*
 * Deterministic simulations: two stacks on a (possibly impaired) virtual
 * wire, bulk transfers both ways checked byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "tcp_sim.h"

/* The command-line tool's FIPS 180-4 SHA-256, compiled into this test. */
#include "../../../host/cli/sha256.c"

/* SHA-256 of what each side handed to send() and got from recv(). */
typedef struct sim_hashes {
    synack_sha256 sent[2], recv[2];
} sim_hashes;

static void tap(void *ctx, int side, bool sent, const uint8_t *buf, size_t n)
{
    sim_hashes *hs = ctx;
    synack_sha256_update(sent ? &hs->sent[side] : &hs->recv[side], buf, n);
}

typedef struct sim_case {
    const char *name;
    double loss, reorder, dup, corrupt;
    uint32_t delay, jitter;
    double rate;
    uint64_t bytes;
    uint64_t max_ms;
    unsigned cfg; /* SIM_* */
} sim_case;

enum { SIM_NOSACK = 1, SIM_NOTS = 2, SIM_NEWRENO = 4, SIM_SMALLBUF = 8, SIM_MTU576 = 16,
       SIM_RAWIP = 32, SIM_IPV6 = 64 };

static void tune(void *ctx, int side, synack_config *cfg)
{
    (void)side;
    unsigned f = *(const unsigned *)ctx;
    if (f & SIM_NOSACK)
        cfg->tcp.sack = false;
    if (f & SIM_NOTS)
        cfg->tcp.timestamps = false;
    if (f & SIM_NEWRENO)
        cfg->tcp.cc = SYNACK_CC_NEWRENO;
    if (f & SIM_SMALLBUF) {
        cfg->tcp.sndbuf = 20000;
        cfg->tcp.rcvbuf = 12000;
    }
}

static void run_case(const sim_case *c, uint64_t seed)
{
    net_fixture_opts o = net_fixture_defaults();
    o.seed_a = seed * 3 + 1;
    o.seed_b = seed * 3 + 2;
    o.tune = tune;
    o.tune_ctx = (void *)&c->cfg;
    if (c->cfg & SIM_MTU576)
        o.mtu = 576;
    if (c->cfg & SIM_RAWIP)
        o.medium = SYNACK_MEDIUM_IP;
    if (c->cfg & SIM_IPV6)
        o.ipv6 = true; /* the transfer runs over IPv6 (tcp_sim) */
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        synack_impair_config *ic = &o.impair_cfg[i];
        memset(ic, 0, sizeof *ic);
        ic->loss = c->loss;
        ic->reorder = c->reorder;
        ic->duplicate = c->dup;
        ic->corrupt = c->corrupt;
        ic->delay_ms = c->delay;
        ic->jitter_ms = c->jitter;
        ic->rate_mbit = c->rate;
        ic->seed = seed * 7 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    tcp_sim *sim = calloc(1, sizeof *sim);
    assert_int_equal(tcp_sim_start(sim, f, c->bytes, c->bytes, seed), 0);
    sim_hashes hs;
    for (int i = 0; i < 2; i++) {
        synack_sha256_init(&hs.sent[i]);
        synack_sha256_init(&hs.recv[i]);
    }
    sim->tap = tap;
    sim->tap_ctx = &hs;
    bool ok = tcp_sim_run(sim, c->max_ms);
    synack_counters ca, cb;
    synack_get_counters(f->a, &ca);
    synack_get_counters(f->b, &cb);
    printf("# %-10s seed %llu: a->b %llu/%llu b->a %llu/%llu t=%llu ms err %d/%d "
           "segs a %llu/%llu rx %llu  b %llu/%llu rx %llu\n",
           c->name, (unsigned long long)seed, (unsigned long long)sim->end[1].received,
           (unsigned long long)c->bytes, (unsigned long long)sim->end[0].received,
           (unsigned long long)c->bytes, (unsigned long long)f->now, sim->end[0].err,
           sim->end[1].err, (unsigned long long)ca.tcp_segs_out,
           (unsigned long long)ca.tcp_segs_in, (unsigned long long)ca.tcp_rexmit_segs,
           (unsigned long long)cb.tcp_segs_out, (unsigned long long)cb.tcp_segs_in,
           (unsigned long long)cb.tcp_rexmit_segs);
    assert_true(ok);
    /* within the bounded virtual time */
    assert_true(f->now <= c->max_ms + 1000);
    /* SHA-256 of each stream as sent equals that of the stream received */
    uint8_t d[4][32];
    synack_sha256_final(&hs.sent[0], d[0]);
    synack_sha256_final(&hs.recv[1], d[1]);
    synack_sha256_final(&hs.sent[1], d[2]);
    synack_sha256_final(&hs.recv[0], d[3]);
    assert_memory_equal(d[0], d[1], 32);
    assert_memory_equal(d[2], d[3], 32);
    /* corrupted frames never show up as data (and the hashes are of the
       right streams: every byte matched the generator) */
    assert_int_equal(sim->end[0].bad_bytes + sim->end[1].bad_bytes, 0);
    /* TCP never sends a segment above the effective MSS (RFC 9293 3.7.1):
       nothing either stack sends is IP-fragmented */
    assert_int_equal(ca.ip_frags_out, 0);
    assert_int_equal(cb.ip_frags_out, 0);
    assert_int_equal(ca.ip6_frags_out, 0);
    assert_int_equal(cb.ip6_frags_out, 0);
    if (c->cfg & SIM_IPV6) { /* it did go over IPv6: every segment (the
                                 count scales with the run's size, which
                                 is smaller under valgrind) */
        assert_true(ca.tcp_segs_out > 0 && cb.tcp_segs_out > 0);
        assert_true(ca.ip6_out >= ca.tcp_segs_out && cb.ip6_out >= cb.tcp_segs_out);
        assert_true(ca.ip_out == 0 && cb.ip_out == 0);
    }
    /* no storms: what a stack sends stays proportional to what it gets */
    assert_true(ca.tcp_segs_out <= 4 * ca.tcp_segs_in + 64);
    assert_true(cb.tcp_segs_out <= 4 * cb.tcp_segs_in + 64);
    assert_true(ca.frames_out <= 4 * ca.frames_in + 64);
    assert_true(cb.frames_out <= 4 * cb.frames_in + 64);
    /* a link that loses, reorders and queues nothing gives no reason to
       retransmit: in virtual time no timer can fire spuriously (the Node
       test over a PairLink runs in real time and cannot assert this) */
    if (c->loss == 0 && c->reorder == 0 && c->dup == 0 && c->corrupt == 0 &&
        c->jitter == 0 && c->rate == 0) {
        assert_int_equal(ca.tcp_rexmit_segs, 0);
        assert_int_equal(cb.tcp_rexmit_segs, 0);
    }
    /* retransmissions stay in proportion to the loss */
    assert_true(ca.tcp_rexmit_segs <= ca.tcp_segs_out / 4 + 64);
    assert_true(cb.tcp_rexmit_segs <= cb.tcp_segs_out / 4 + 64);
    free(sim);
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
}

/*
 * The matrix: every case moves 10 MB each way at once (times
 * SYNACK_SIM_SCALE, default 1) with two seeds (one on slow targets, see
 * SIM_SEEDS), so it takes seconds natively and a minute or two under
 * sanitizers, Node or wasmtime. max_ms bounds the virtual time of a run.
 */
#define MB10 10000000u
static const sim_case cases[] = {
    {"clean", 0, 0, 0, 0, 0, 0, 0, MB10, 60000, 0},
    {"delay", 0, 0, 0, 0, 20, 0, 0, MB10, 60000, 0},
    {"loss1", 0.01, 0, 0, 0, 5, 0, 0, MB10, 600000, 0},
    {"loss5", 0.05, 0, 0, 0, 10, 5, 0, MB10, 600000, 0},
    {"loss10", 0.10, 0, 0, 0, 2, 0, 0, MB10, 600000, 0},
    {"reorder", 0, 0.05, 0.02, 0, 2, 0, 0, MB10, 600000, 0},
    {"corrupt", 0, 0, 0, 0.02, 1, 0, 0, MB10, 600000, 0},
    {"rate", 0, 0, 0, 0, 20, 0, 100, MB10, 120000, 0},
    {"mixed", 0.02, 0.02, 0.01, 0.01, 15, 10, 50, MB10, 600000, 0},
    {"nosack", 0.03, 0.01, 0, 0, 5, 0, 0, MB10, 600000, SIM_NOSACK | SIM_NOTS},
    {"newreno", 0.02, 0, 0, 0, 10, 0, 0, MB10, 600000, SIM_NEWRENO},
    {"smallbuf", 0.01, 0.01, 0, 0.01, 3, 0, 0, MB10, 600000, SIM_SMALLBUF},
    {"mtu576", 0.02, 0.01, 0, 0, 8, 2, 0, MB10, 600000, SIM_MTU576},
    {"rawip", 0.01, 0, 0.01, 0.01, 4, 0, 0, MB10, 600000, SIM_RAWIP},
    /* IPv6 (static addresses; raw IP until NDP resolves on Ethernet) */
    {"ip6clean", 0, 0, 0, 0, 5, 0, 0, MB10, 60000, SIM_RAWIP | SIM_IPV6},
    {"ip6mixed", 0.02, 0.02, 0.01, 0.01, 15, 10, 50, MB10, 600000,
     SIM_RAWIP | SIM_IPV6},
    /* over Ethernet: Neighbour Discovery resolves under loss too */
    {"ip6eth", 0.01, 0.01, 0, 0.01, 5, 0, 0, MB10, 600000, SIM_IPV6},
};

static double scale(void)
{
    const char *e = getenv("SYNACK_SIM_SCALE");
    double v = e ? strtod(e, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

/*
 * Seeds per case: two natively; one under sanitizers, Node and wasmtime,
 * where the same 10 MB transfers take several times longer.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_SLOW_TARGET 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__EMSCRIPTEN__) || defined(__wasi__)
#define SIM_SLOW_TARGET 1
#endif
#ifdef SIM_SLOW_TARGET
#define SIM_SEEDS 1
#else
#define SIM_SEEDS 2
#endif

static void matrix(void **state)
{
    (void)state;
    double k = scale();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_case c = cases[i];
        c.bytes = (uint64_t)((double)c.bytes * k);
        if (c.bytes < 1000)
            c.bytes = 1000;
        for (uint64_t seed = 1; seed <= SIM_SEEDS; seed++)
            run_case(&c, seed);
    }
}

/* Arrival times of the receiver's byte counts (side 1 receives). */
typedef struct speed_probe {
    net_fixture *f;
    uint64_t got, mark, t_mark, t_end, total;
} speed_probe;

static void speed_tap(void *ctx, int side, bool sent, const uint8_t *buf, size_t n)
{
    (void)buf;
    speed_probe *p = ctx;
    if (sent || side != 1)
        return;
    uint64_t before = p->got;
    p->got += n;
    if (before < p->mark && p->got >= p->mark)
        p->t_mark = p->f->now;
    if (p->got == p->total)
        p->t_end = p->f->now;
}

/*
 * The default buffers reach full speed on a 1 Gbit/s x 50 ms path: once
 * slow start is over, one stream fills the link (the window needed is the
 * 6.25 MB bandwidth-delay product; 4 MiB buffers would cap it near 670
 * Mbit/s). The bottleneck queue holds 8 MiB so that slow start does not
 * end in a burst of tail drops.
 */
static void full_speed_at_1gbit_50ms(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        synack_impair_config *ic = &o.impair_cfg[i];
        memset(ic, 0, sizeof *ic);
        ic->delay_ms = 25;
        ic->rate_mbit = 1000;
        ic->queue_bytes = 8u << 20;
        ic->seed = 11 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    tcp_sim *sim = calloc(1, sizeof *sim);
#ifdef SIM_SLOW_TARGET
    const uint64_t total = 40000000u;
#else
    const uint64_t total = 60000000u;
#endif
    speed_probe p = {.f = f, .mark = 20000000u, .total = total};
    assert_int_equal(tcp_sim_start(sim, f, total, 0, 5), 0);
    sim->tap = speed_tap;
    sim->tap_ctx = &p;
    assert_true(tcp_sim_run(sim, 30000));
    assert_int_equal(sim->end[1].bad_bytes, 0);
    uint64_t ms = p.t_end - p.t_mark;
    double mbit = (double)(total - p.mark) * 8.0 / 1000.0 / (double)(ms ? ms : 1);
    printf("# 1 Gbit/s x 50 ms: %llu bytes in %llu ms after the first %llu: %.0f Mbit/s\n",
           (unsigned long long)(total - p.mark), (unsigned long long)ms,
           (unsigned long long)p.mark, mbit);
    assert_true(mbit >= 900.0);
    free(sim);
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix),
        cmocka_unit_test(full_speed_at_1gbit_50ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
