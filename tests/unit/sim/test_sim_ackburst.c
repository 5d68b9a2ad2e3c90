/*
 * Simulations with synack_link.ack_per_burst on both stacks: the fixture
 * delivers every queued frame and then polls (the loop the flag asks for),
 * so a receiver answers a burst of in-order segments with one ACK.
 * Transfers must still complete byte for byte, on a clean wire and on an
 * impaired one, and on a clean wire the receiver sends far fewer ACKs than
 * with an ACK for every second segment.
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

#define MB4 4000000u

static void tune_burst(void *ctx, int side, synack_config *cfg)
{
    (void)side;
    cfg->link.ack_per_burst = *(const bool *)ctx;
}

typedef struct run_result {
    uint64_t b_frames_out, a_rexmit, virtual_ms;
} run_result;

/* A sends `ab` bytes to B and B `ba` to A over the fixture's wire
   (impaired when `impair`); checks the transfer; returns B's frames out. */
static run_result run(bool burst, bool impair, uint64_t ab, uint64_t ba, uint64_t seed)
{
    net_fixture_opts o = net_fixture_defaults();
    o.seed_a = seed * 3 + 1;
    o.seed_b = seed * 3 + 2;
    o.tune = tune_burst;
    o.tune_ctx = &burst;
    for (int i = 0; impair && i < 2; i++) {
        o.impair[i] = true;
        synack_impair_config *ic = &o.impair_cfg[i];
        memset(ic, 0, sizeof *ic);
        ic->loss = 0.02;
        ic->reorder = 0.02;
        ic->duplicate = 0.01;
        ic->delay_ms = 10;
        ic->jitter_ms = 5;
        ic->rate_mbit = 50;
        ic->seed = seed * 7 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    tcp_sim *sim = calloc(1, sizeof *sim);
    assert_non_null(sim);
    assert_int_equal(tcp_sim_start(sim, f, ab, ba, seed), 0);
    bool ok = tcp_sim_run(sim, 600000);
    synack_counters ca, cb;
    synack_get_counters(f->a, &ca);
    synack_get_counters(f->b, &cb);
    printf("# burst %d impair %d seed %llu: a->b %llu/%llu b->a %llu/%llu t=%llu ms "
           "b frames out %llu, rexmit a %llu b %llu\n",
           burst, impair, (unsigned long long)seed, (unsigned long long)sim->end[1].received,
           (unsigned long long)ab, (unsigned long long)sim->end[0].received,
           (unsigned long long)ba, (unsigned long long)f->now,
           (unsigned long long)cb.frames_out, (unsigned long long)ca.tcp_rexmit_segs,
           (unsigned long long)cb.tcp_rexmit_segs);
    assert_true(ok);
    assert_int_equal(sim->end[1].received, ab);
    assert_int_equal(sim->end[0].received, ba);
    assert_int_equal(sim->end[0].bad_bytes + sim->end[1].bad_bytes, 0);
    /* no storms: a side sends its data in segments of at least 1000 bytes
       and otherwise answers what it gets (with one ACK per burst the
       sender of a one-way transfer gets far fewer segments than it sends,
       so the matrix's plain 4:1 bound does not apply); retransmissions in
       proportion to the loss */
    assert_true(ca.tcp_segs_out <= ab / 1000 + 4 * ca.tcp_segs_in + 64);
    assert_true(cb.tcp_segs_out <= ba / 1000 + 4 * cb.tcp_segs_in + 64);
    assert_true(ca.tcp_rexmit_segs <= ca.tcp_segs_out / 4 + 64);
    assert_true(cb.tcp_rexmit_segs <= cb.tcp_segs_out / 4 + 64);
    run_result r = {cb.frames_out, ca.tcp_rexmit_segs, f->now};
    free(sim);
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
    return r;
}

/* Clean wire, one way: the same bytes, at most half the receiver's
   frames (ACKs), and nothing retransmitted. */
static void clean_wire_fewer_acks(void **state)
{
    (void)state;
    run_result every2 = run(false, false, MB4, 0, 1);
    run_result burst = run(true, false, MB4, 0, 1);
    assert_true(burst.b_frames_out * 2 <= every2.b_frames_out);
    assert_int_equal(burst.a_rexmit, 0);
}

/* Loss, reordering, duplicates, jitter and a rate limit, both ways at once. */
static void impaired_wire_both_ways(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 2; seed++)
        run(true, true, MB4, MB4, seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_wire_fewer_acks),
        cmocka_unit_test(impaired_wire_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
