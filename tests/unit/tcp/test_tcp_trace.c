/*
 * TCP trace events (DESIGN.md contract): seg in/out with options and the
 * rexmit flag, every state transition, cc on ACKs that move cwnd and on an
 * RTO, win at most once per segment processed, timers set/fired/cleared,
 * errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST

#define PEER 400u

static void full_life_cycle(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1000, .sack_ok = true, .has_ts = true,
                                          .tsval = 1}, err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    /* the SYN out: options as sent */
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_SEG, 0);
    assert_non_null(e);
    assert_true(e->u.seg.out);
    assert_int_equal(e->conn, h);
    assert_int_equal(e->u.seg.flags, S);
    assert_true(e->u.seg.has_mss && e->u.seg.sack_ok && e->u.seg.has_ts && e->u.seg.has_ws);
    assert_int_equal(e->u.seg.mss, 1460);
    assert_int_equal(e->u.seg.win, 65535);
    assert_false(e->u.seg.rexmit);
    /* the SYN-ACK in */
    e = th_find_event(th, SYNACK_TRACE_SEG, 1);
    assert_false(e->u.seg.out);
    assert_int_equal(e->u.seg.flags, S | A);
    assert_int_equal(e->u.seg.seq, PEER);
    assert_int_equal(e->u.seg.tsval, 1);
    /* data, a retransmission, the ACK; at the RTO's time a tail loss
       probe goes first (RFC 8985 7.2) and the RTO follows it */
    th->nevents = 0;
    synack_tcp_send(th->s, th->now, h, "0123456789", 10);
    th_next(th);
    th_advance(th, 200);
    th_next(th);
    th_advance(th, 200);
    th_next(th);
    bool rexmit_seen = false, fired = false, cc_rto = false;
    for (size_t i = 0; i < th->nevents; i++) {
        const synack_trace_event *v = &th->events[i];
        if (v->kind == SYNACK_TRACE_SEG && v->u.seg.out && v->u.seg.rexmit) {
            rexmit_seen = true;
            assert_int_equal(v->u.seg.len, 10);
            assert_int_equal(v->u.seg.seq, una);
        }
        if (v->kind == SYNACK_TRACE_TIMER && v->u.timer.name == SYNACK_TIMER_REXMIT &&
            v->u.timer.action == SYNACK_TIMER_FIRED) {
            fired = true;
            assert_int_equal(v->u.timer.at, v->t);
        }
        if (v->kind == SYNACK_TRACE_CC) {
            cc_rto = true;
            assert_int_equal(v->u.cc.cwnd, 988); /* 1 MSS: 1000 - 12 for timestamps */
        }
    }
    assert_true(rexmit_seen && fired && cc_rto);
    /* one incoming ACK: at most one win event for it, and the timer cleared */
    th->nevents = 0;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 10, .win = 60000,
                 .has_ts = true, .tsval = 2, .tsecr = th->last.tsval);
    assert_int_equal(th_count_events(th, SYNACK_TRACE_WIN), 1);
    e = th_find_event(th, SYNACK_TRACE_WIN, 0);
    assert_int_equal(e->u.win.snd_una, una + 10);
    assert_int_equal(e->u.win.snd_wnd, 60000u << 0);
    assert_int_equal(e->u.win.sndbuf, 0);
    bool cleared = false;
    for (size_t i = 0; i < th->nevents; i++)
        if (th->events[i].kind == SYNACK_TRACE_TIMER &&
            th->events[i].u.timer.name == SYNACK_TIMER_REXMIT &&
            th->events[i].u.timer.action == SYNACK_TIMER_CLEARED)
            cleared = true;
    assert_true(cleared);
    /* a RST: state to CLOSED and an error event */
    th->nevents = 0;
    send_segment(th, .flags = R, .seq = PEER + 1);
    e = th_find_event(th, SYNACK_TRACE_STATE, 0);
    assert_non_null(e);
    assert_int_equal(e->u.state.from, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(e->u.state.to, SYNACK_TCP_CLOSED);
    e = th_find_event(th, SYNACK_TRACE_ERROR, 0);
    assert_non_null(e);
    assert_int_equal(e->u.error.code, SYNACK_ERR_RESET);
    assert_int_equal(e->conn, h);
    /* a segment for no connection: seg in with conn -1, a drop, the RST out */
    th->nevents = 0;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 10, .win = 100);
    e = th_find_event(th, SYNACK_TRACE_SEG, 0);
    assert_int_equal(e->conn, -1);
    e = th_find_event(th, SYNACK_TRACE_DROP, 0);
    assert_non_null(e);
    assert_string_equal(e->u.drop.reason, synack_drop_reason(SYNACK_DROP_TCP_NO_SOCKET));
    synack_tcp_close(th->s, th->now, h);
    assert_int_equal(th_free(th), 0);
}

static void windows_in_events_are_scaled(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1000, .has_ws = true, .ws = 4},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    th->nevents = 0;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 100, .data = "x", .len = 1);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_SEG, 0);
    assert_int_equal(e->u.seg.win, 1600);
    th_advance(th, 40);
    e = th_find_event(th, SYNACK_TRACE_SEG, 1);
    assert_non_null(e);
    assert_true(e->u.seg.out);
    /* our window after scaling: the starting receive buffer (128 KiB)
       minus the unread octet, rounded up to 256 */
    assert_int_equal(e->u.seg.win, 131072u);
    assert_int_equal(th_free(th), 0);
}

static void no_callback_no_events(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    char err[256];
    assert_true(th_active_open(th, &(th_seg){.seq = PEER, .win = 1000}, err, sizeof err) >= 0);
    assert_int_equal(th->nevents, 0);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_life_cycle),
        cmocka_unit_test(windows_in_events_are_scaled),
        cmocka_unit_test(no_callback_no_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
