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
       SIM_RAWIP = 32 };

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
    /* corrupted frames never show up as data */
    assert_int_equal(sim->end[0].bad_bytes + sim->end[1].bad_bytes, 0);
    /* no storms: what a stack sends stays proportional to what it gets */
    assert_true(ca.tcp_segs_out <= 4 * ca.tcp_segs_in + 64);
    assert_true(cb.tcp_segs_out <= 4 * cb.tcp_segs_in + 64);
    /* retransmissions stay in proportion to the loss */
    assert_true(ca.tcp_rexmit_segs <= ca.tcp_segs_out / 4 + 64);
    assert_true(cb.tcp_rexmit_segs <= cb.tcp_segs_out / 4 + 64);
    free(sim);
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
}

/*
 * The matrix. Sizes are per direction (both directions at once) and are
 * multiplied by SYNACK_SIM_SCALE (default 1): a few cases move 10 MB each
 * way, the rest less, so the suite stays within seconds natively and a few
 * minutes under sanitizers, Node or wasmtime. Each case runs with two seeds.
 */
static const sim_case cases[] = {
    {"clean", 0, 0, 0, 0, 0, 0, 0, 10000000, 60000, 0},
    {"delay", 0, 0, 0, 0, 20, 0, 0, 2000000, 60000, 0},
    {"loss1", 0.01, 0, 0, 0, 5, 0, 0, 10000000, 600000, 0},
    {"loss5", 0.05, 0, 0, 0, 10, 5, 0, 1000000, 600000, 0},
    {"loss10", 0.10, 0, 0, 0, 2, 0, 0, 300000, 600000, 0},
    {"reorder", 0, 0.05, 0.02, 0, 2, 0, 0, 10000000, 600000, 0},
    {"corrupt", 0, 0, 0, 0.02, 1, 0, 0, 2000000, 600000, 0},
    {"rate", 0, 0, 0, 0, 20, 0, 100, 2000000, 120000, 0},
    {"mixed", 0.02, 0.02, 0.01, 0.01, 15, 10, 50, 1000000, 600000, 0},
    {"nosack", 0.03, 0.01, 0, 0, 5, 0, 0, 1000000, 600000, SIM_NOSACK | SIM_NOTS},
    {"newreno", 0.02, 0, 0, 0, 10, 0, 0, 1000000, 600000, SIM_NEWRENO},
    {"smallbuf", 0.01, 0.01, 0, 0.01, 3, 0, 0, 1000000, 600000, SIM_SMALLBUF},
    {"mtu576", 0.02, 0.01, 0, 0, 8, 2, 0, 1000000, 600000, SIM_MTU576},
    {"rawip", 0.01, 0, 0.01, 0.01, 4, 0, 0, 1000000, 600000, SIM_RAWIP},
};

static double scale(void)
{
    const char *e = getenv("SYNACK_SIM_SCALE");
    double v = e ? strtod(e, NULL) : 1.0;
    return v > 0 ? v : 1.0;
}

static void matrix(void **state)
{
    (void)state;
    double k = scale();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim_case c = cases[i];
        c.bytes = (uint64_t)((double)c.bytes * k);
        if (c.bytes < 1000)
            c.bytes = 1000;
        for (uint64_t seed = 1; seed <= 2; seed++)
            run_case(&c, seed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
