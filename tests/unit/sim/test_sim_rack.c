/*
 * RACK-TLP (RFC 8985) between two stacks on a virtual clock: a lost tail
 * repaired by the probe well before the retransmission timer, and heavy
 * reordering that stops costing retransmissions once D-SACK (RFC 2883)
 * has widened the reordering window.
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

/* ---- frames ----------------------------------------------------------------- */

typedef struct seg_view {
    uint32_t seq, ack, len;
    uint8_t flags;
    uint8_t nsack;
    uint32_t sack[4][2];
} seg_view;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Parse an Ethernet/IPv4/TCP frame; false for anything else. */
static bool parse(const uint8_t *f, size_t n, seg_view *v)
{
    if (n < 14 + 20 || f[12] != 0x08 || f[13] != 0x00)
        return false;
    const uint8_t *ip = f + 14;
    size_t ihl = (size_t)(ip[0] & 15) * 4, tot = (size_t)ip[2] << 8 | ip[3];
    if (ip[9] != 6 || tot > n - 14 || tot < ihl + 20)
        return false;
    const uint8_t *tcp = ip + ihl;
    size_t doff = (size_t)(tcp[12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot)
        return false;
    memset(v, 0, sizeof *v);
    v->seq = be32(tcp + 4);
    v->ack = be32(tcp + 8);
    v->flags = tcp[13];
    v->len = (uint32_t)(tot - ihl - doff);
    for (size_t o = 20; o < doff;) {
        uint8_t kind = tcp[o];
        if (kind == 0)
            break;
        if (kind == 1) {
            o++;
            continue;
        }
        if (o + 1 >= doff || tcp[o + 1] < 2 || o + tcp[o + 1] > doff)
            break;
        if (kind == 5)
            for (size_t b = o + 2; b + 8 <= o + tcp[o + 1] && v->nsack < 4; b += 8) {
                v->sack[v->nsack][0] = be32(tcp + b);
                v->sack[v->nsack][1] = be32(tcp + b + 4);
                v->nsack++;
            }
        o += tcp[o + 1];
    }
    return true;
}

/* RFC 2883 section 4: the first block reports a duplicate. */
static bool has_dsack(const seg_view *v)
{
    if (v->nsack == 0)
        return false;
    if ((int32_t)(v->sack[0][1] - v->ack) <= 0)
        return true;
    return v->nsack > 1 && (int32_t)(v->sack[0][0] - v->sack[1][0]) >= 0 &&
           (int32_t)(v->sack[0][1] - v->sack[1][1]) <= 0;
}

/* ---- traces: timers that fired at A ------------------------------------------ */

typedef struct timer_count {
    unsigned fired[8];
} timer_count;

static void trace_a(void *ctx, const synack_trace_event *ev)
{
    timer_count *c = ctx;
    if (ev->kind == SYNACK_TRACE_TIMER && ev->u.timer.action == SYNACK_TIMER_FIRED &&
        (unsigned)ev->u.timer.name < 8)
        c->fired[ev->u.timer.name]++;
}

typedef struct tune_ctx {
    bool rack;
    timer_count *timers;
} tune_ctx;

static void tune(void *ctx, int side, synack_config *cfg)
{
    tune_ctx *t = ctx;
    cfg->tcp.rack = t->rack;
    if (side == 0) {
        cfg->trace = trace_a;
        cfg->trace_ctx = t->timers;
    }
}

/* ---- tail loss ------------------------------------------------------------- */

typedef struct tail_ctx {
    uint32_t iss;
    uint32_t cut;              /* stream offset of the first segment to lose */
    uint32_t dropped[8];
    unsigned ndropped;
    uint64_t last_drop_at;
    const tcp_sim *sim;
    uint32_t srtt;             /* A's SRTT when the last segment was lost */
} tail_ctx;

/* Drop the first transmission of A's data at or above the cut. */
static bool tail_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame, size_t len)
{
    tail_ctx *c = ctx;
    seg_view v;
    if (side != 0 || !parse(frame, len, &v))
        return true;
    if (v.flags & SYNACK_TCP_SYN) {
        c->iss = v.seq;
        return true;
    }
    if (v.len == 0 || v.seq - (c->iss + 1) < c->cut)
        return true;
    for (unsigned i = 0; i < c->ndropped; i++)
        if (c->dropped[i] == v.seq)
            return true;
    if (c->ndropped < 8)
        c->dropped[c->ndropped++] = v.seq;
    c->last_drop_at = f->now;
    synack_tcp_info info;
    if (synack_tcp_get_info(f->a, c->sim->end[0].h, &info) == 0)
        c->srtt = info.srtt_ms;
    return false;
}

typedef struct until_ctx {
    tcp_sim *sim;
    uint64_t bytes;
} until_ctx;

static bool all_received(net_fixture *f, void *ctx)
{
    (void)f;
    until_ctx *u = ctx;
    tcp_sim_pump(u->sim);
    return u->sim->end[1].received == u->bytes;
}

/*
 * A sends 20 segments (MSS 1448 with timestamps) over a 20 ms RTT path
 * and the last `lost` of them are lost once. Returns how long after the
 * last loss B had every byte; *rto and *tlp count A's timer expiries.
 */
static uint64_t tail_case(unsigned lost, bool rack, unsigned *rto, unsigned *tlp,
                          unsigned *srtt)
{
    const uint64_t bytes = 20 * 1448;
    timer_count timers;
    memset(&timers, 0, sizeof timers);
    tune_ctx tc = {rack, &timers};
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    o.tune_ctx = &tc;
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        memset(&o.impair_cfg[i], 0, sizeof o.impair_cfg[i]);
        o.impair_cfg[i].delay_ms = 10;
        o.impair_cfg[i].seed = 11 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    tail_ctx tail;
    memset(&tail, 0, sizeof tail);
    tail.cut = (uint32_t)(bytes - lost * 1448u);
    f->tap = tail_tap;
    f->tap_ctx = &tail;
    tcp_sim *sim = calloc(1, sizeof *sim);
    assert_non_null(sim);
    assert_int_equal(tcp_sim_start(sim, f, bytes, 0, 5), 0);
    tail.sim = sim;
    until_ctx u = {sim, bytes};
    assert_true(net_run_until(f, all_received, &u, 10000));
    assert_int_equal(sim->end[1].bad_bytes, 0);
    assert_int_equal(tail.ndropped, lost);
    uint64_t repair = f->now - tail.last_drop_at;
    *srtt = tail.srtt;
    *rto = timers.fired[SYNACK_TIMER_REXMIT];
    *tlp = timers.fired[SYNACK_TIMER_TLP];
    printf("# tail %u lost (%s): repaired %llu ms after the last loss, "
                  "rto %u tlp %u srtt %u\n", lost, rack ? "rack" : "dupthresh",
                  (unsigned long long)repair, *rto, *tlp, *srtt);
    assert_true(tcp_sim_run(sim, 20000));
    free(sim);
    f->tap = NULL;
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
    return repair;
}

static void tail_loss_repaired_before_rto(void **state)
{
    (void)state;
    for (unsigned lost = 1; lost <= 3; lost++) {
        unsigned rto, tlp, srtt;
        uint64_t repair = tail_case(lost, true, &rto, &tlp, &srtt);
        /* the probe after 2 SRTT + 2 ms (SRTT is about 26 ms: 20 ms of
           path and B's delayed ACKs); its SACK one RTT later lets RACK
           resend what is still missing after the reordering window
           (min_RTT / 4), which arrives half an RTT later: under 4 SRTT
           + 12 ms, while the RTO (200 ms at the least) never fires */
        assert_true(srtt >= 20 && srtt <= 40);
        assert_true(repair <= 4 * (uint64_t)srtt + 12);
        assert_true(repair < 200);
        assert_int_equal(rto, 0);
        assert_true(tlp >= 1);
        /* without RACK-TLP the same loss waits for the RTO */
        uint64_t old = tail_case(lost, false, &rto, &tlp, &srtt);
        assert_true(rto >= 1);
        assert_true(old >= 200);
        assert_true(repair < old);
    }
}

/* ---- reordering ---------------------------------------------------------------- */

typedef struct reorder_ctx {
    net_fixture *f;
    uint64_t rexmit_at_first_dsack;
    bool dsack_seen;
    unsigned dsacks;
} reorder_ctx;

/* Watch B's ACKs for the first D-SACK; note A's retransmissions then. */
static bool reorder_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame,
                        size_t len)
{
    reorder_ctx *c = ctx;
    seg_view v;
    if (side != 1 || !parse(frame, len, &v) || !has_dsack(&v))
        return true;
    c->dsacks++;
    if (!c->dsack_seen) {
        synack_counters ca;
        synack_get_counters(f->a, &ca);
        c->dsack_seen = true;
        c->rexmit_at_first_dsack = ca.tcp_rexmit_segs;
    }
    return true;
}

/*
 * 30 % of A's frames are held back by 1 to 10 ms on a 20 ms RTT path, no
 * loss: every retransmission is spurious. Returns A's retransmissions;
 * *after counts those after B's first D-SACK.
 */
static uint64_t reorder_case(bool rack, uint64_t *after, unsigned *dsacks)
{
    const uint64_t bytes = 4000000;
    timer_count timers;
    memset(&timers, 0, sizeof timers);
    tune_ctx tc = {rack, &timers};
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    o.tune_ctx = &tc;
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        memset(&o.impair_cfg[i], 0, sizeof o.impair_cfg[i]);
        o.impair_cfg[i].delay_ms = 10;
        o.impair_cfg[i].seed = 21 + (uint64_t)i;
    }
    o.impair_cfg[0].reorder = 0.3;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    reorder_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.f = f;
    f->tap = reorder_tap;
    f->tap_ctx = &rc;
    tcp_sim *sim = calloc(1, sizeof *sim);
    assert_non_null(sim);
    assert_int_equal(tcp_sim_start(sim, f, bytes, 0, 9), 0);
    assert_true(tcp_sim_run(sim, 120000));
    synack_counters ca;
    synack_get_counters(f->a, &ca);
    *after = rc.dsack_seen ? ca.tcp_rexmit_segs - rc.rexmit_at_first_dsack : 0;
    *dsacks = rc.dsacks;
    printf("# reorder (%s): %llu segments out, %llu retransmitted, %llu of them "
                  "after the first D-SACK; %u D-SACKs; rto %u; %llu ms\n",
                  rack ? "rack" : "dupthresh", (unsigned long long)ca.tcp_segs_out,
                  (unsigned long long)ca.tcp_rexmit_segs, (unsigned long long)*after,
                  rc.dsacks, timers.fired[SYNACK_TIMER_REXMIT], (unsigned long long)f->now);
    if (rack)
        assert_int_equal(timers.fired[SYNACK_TIMER_REXMIT], 0);
    free(sim);
    f->tap = NULL;
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
    return ca.tcp_rexmit_segs;
}

/*
 * RACK's window starts at min_RTT / 4 = 5 ms, so the first frames held
 * back longer are resent; each round with a D-SACK widens the window by
 * another 5 ms, and after the first D-SACK hardly any retransmission
 * follows. DupThresh counting keeps resending all along.
 */
static void reordering_stops_costing_rexmits_after_dsack(void **state)
{
    (void)state;
    uint64_t after, after_old;
    unsigned dsacks, dsacks_old;
    uint64_t rexmit = reorder_case(true, &after, &dsacks);
    uint64_t old = reorder_case(false, &after_old, &dsacks_old);
    assert_true(dsacks >= 1);
    assert_true(rexmit >= 1);
    assert_true(after <= 3);
    assert_true(old >= 10 * rexmit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tail_loss_repaired_before_rto),
        cmocka_unit_test(reordering_stops_costing_rexmits_after_dsack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
