/*
 * Connection teardown (RFC 9293 3.6): active, passive and simultaneous
 * close, half-close, TIME-WAIT for 2*MSL with re-ACK of a repeated FIN,
 * close() with unread data, orphaned FIN-WAIT-2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST

#define PEER 1000u

static synack_tcp_state state_of(tcp_harness *th, int h)
{
    synack_tcp_info info;
    if (synack_tcp_get_info(th->s, h, &info) != 0)
        return (synack_tcp_state)-1;
    return info.state;
}

/* A segment from the peer without data: seq PEER + off, window 65535. */
static void peer_sends(tcp_harness *th, uint8_t flags, uint32_t off, uint32_t ack)
{
    send_segment(th, .flags = flags, .seq = PEER + off, .ack = ack, .win = 65535);
}

/* The stack's next segment carries no data: seq, ack PEER + off, window 65535. */
#define expect_bare(th, fl, s, off) \
    expect_segment(th, .flags = (fl), .seq = (s), .ack = PEER + (off), .win = 65535)

/*
 * Open a connection, then shut it down (or close it when `release`): the
 * FIN goes out at once. Returns the handle; *una is the FIN's sequence.
 */
static int open_and_send_fin(tcp_harness *th, bool release, uint32_t *una)
{
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    *una = th->stack_iss + 1;
    if (release)
        assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    else
        assert_int_equal(synack_tcp_shutdown(th->s, th->now, h), 0);
    expect_bare(th, A | F, *una, 1);
    return h;
}

static void active_close_through_time_wait(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "bye", 3), 3);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                   .data = "bye", .len = 3);
    assert_int_equal(synack_tcp_shutdown(th->s, th->now, h), 0);
    /* the FIN waits for nothing: it goes behind the data */
    expect_bare(th, A | F, una + 3, 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_FIN_WAIT_1);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "x", 1), SYNACK_ERR_CLOSED);
    peer_sends(th, A, 1, una + 4);
    assert_int_equal(state_of(th, h), SYNACK_TCP_FIN_WAIT_2);
    expect_no_segment(th);
    peer_sends(th, A | F, 1, una + 4);
    expect_bare(th, A, una + 4, 2);
    assert_int_equal(state_of(th, h), SYNACK_TCP_TIME_WAIT);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CLOSED);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_EOF);
    /* a repeated FIN is acknowledged again (RFC 9293 3.10.7.4) */
    th_advance(th, 20000);
    peer_sends(th, A | F, 1, una + 4);
    expect_bare(th, A, una + 4, 2);
    /* ... and the 2*MSL (60 s) wait restarts from there */
    th_advance(th, 59999);
    assert_int_equal(state_of(th, h), SYNACK_TCP_TIME_WAIT);
    th_advance(th, 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_CLOSED);
    /* the 4-tuple is free again: a segment gets a RST */
    peer_sends(th, A, 2, una + 4);
    expect_segment(th, .flags = R, .seq = una + 4);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    assert_int_equal(synack_tcp_get_info(th->s, h, &(synack_tcp_info){0}), SYNACK_ERR_BADF);
}

static void passive_close(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    peer_sends(th, A | F, 1, una);
    expect_bare(th, A, una, 2);
    assert_int_equal(state_of(th, h), SYNACK_TCP_CLOSE_WAIT);
    uint8_t buf[8];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 0);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_EOF);
    /* still allowed to send in CLOSE-WAIT */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "ok", 2), 2);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 2, .win = 65535,
                   .data = "ok", .len = 2);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    /* Nagle holds nothing back from a FIN: it follows at once */
    expect_bare(th, A | F, una + 2, 2);
    peer_sends(th, A, 2, una + 3);
    expect_no_segment(th);
    /* CLOSED and freed: nothing left, no timer */
    assert_int_equal(synack_poll_at(th->s) == UINT64_MAX || synack_poll_at(th->s) > th->now + 50000, 1);
    peer_sends(th, A, 2, una + 3);
    expect_segment(th, .flags = R, .seq = una + 3);
    /* LAST-ACK -> CLOSED was traced */
    size_t n = th_count_events(th, SYNACK_TRACE_STATE);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_STATE, n - 1);
    assert_int_equal(e->u.state.from, SYNACK_TCP_LAST_ACK);
    assert_int_equal(e->u.state.to, SYNACK_TCP_CLOSED);
}

static void simultaneous_close(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    int h = open_and_send_fin(th, false, &una);
    /* the peer's FIN crosses ours and does not acknowledge it */
    peer_sends(th, A | F, 1, una);
    expect_bare(th, A, una + 1, 2);
    assert_int_equal(state_of(th, h), SYNACK_TCP_CLOSING);
    peer_sends(th, A, 2, una + 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_TIME_WAIT);
    synack_tcp_close(th->s, th->now, h);
    th_advance(th, 60000);
    expect_no_segment(th);
    peer_sends(th, A, 2, una + 1);
    expect_segment(th, .flags = R, .seq = una + 1);
}

static void fin_ack_in_fin_wait_1_goes_to_time_wait(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    int h = open_and_send_fin(th, false, &una);
    peer_sends(th, A | F, 1, una + 1);
    expect_bare(th, A, una + 1, 2);
    assert_int_equal(state_of(th, h), SYNACK_TCP_TIME_WAIT);
}

static void half_close_keeps_receiving(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    int h = open_and_send_fin(th, false, &una);
    peer_sends(th, A, 1, una + 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_FIN_WAIT_2);
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una + 1, .win = 65535,
                 .data = "more data", .len = 9);
    uint8_t buf[32];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 9);
    assert_memory_equal(buf, "more data", 9);
    th_advance(th, 40);
    expect_bare(th, A, una + 1, 10);
    /* FIN-WAIT-2 of a socket still held does not time out */
    th_advance(th, 200000);
    assert_int_equal(state_of(th, h), SYNACK_TCP_FIN_WAIT_2);
    peer_sends(th, A | F, 10, una + 1);
    expect_bare(th, A, una + 1, 11);
    assert_int_equal(state_of(th, h), SYNACK_TCP_TIME_WAIT);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 0);
}

static void close_with_unread_data_sends_rst(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una, .win = 65535,
                 .data = "unread", .len = 6);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    expect_segment(th, .flags = R, .seq = una);
    expect_no_segment(th);
    peer_sends(th, A, 7, una);
    expect_segment(th, .flags = R, .seq = una);
}

static void data_after_close_resets(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    open_and_send_fin(th, true, &una);
    peer_sends(th, A, 1, una + 1);
    expect_no_segment(th);
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una + 1, .win = 65535,
                 .data = "late", .len = 4);
    expect_segment(th, .flags = R, .seq = una + 1);
}

static void orphan_fin_wait_2_times_out(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    open_and_send_fin(th, true, &una);
    peer_sends(th, A, 1, una + 1);
    th_advance(th, 59999);
    peer_sends(th, A, 1, una + 1);
    expect_no_segment(th);
    th_advance(th, 1);
    peer_sends(th, A, 1, una + 1);
    expect_segment(th, .flags = R, .seq = una + 1);
}

static void fin_is_retransmitted(void **state)
{
    tcp_harness *th = *state;
    uint32_t una;
    int h = open_and_send_fin(th, false, &una);
    /* RTO: the handshake measured ~0 ms, so rto_min (200 ms) applies */
    th_advance(th, 199);
    expect_no_segment(th);
    th_advance(th, 1);
    expect_bare(th, A | F, una, 1);
    peer_sends(th, A, 1, una + 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_FIN_WAIT_2);
}

static void out_of_order_fin_waits_for_the_hole(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A | F, .seq = PEER + 11, .ack = una, .win = 65535,
                 .data = "world", .len = 5);
    expect_bare(th, A, una, 1);
    assert_int_equal(state_of(th, h), SYNACK_TCP_ESTABLISHED);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535,
                 .data = "hello, the", .len = 10);
    expect_bare(th, A, una, 17);
    assert_int_equal(state_of(th, h), SYNACK_TCP_CLOSE_WAIT);
    uint8_t buf[32];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 15);
    assert_memory_equal(buf, "hello, theworld", 15);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 0);
}

static void abort_sends_rst(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    assert_int_equal(synack_tcp_abort(th->s, th->now, h), 0);
    expect_segment(th, .flags = R, .seq = una);
    assert_int_equal(synack_tcp_events(th->s, h), 0);
    assert_int_equal(synack_poll_at(th->s) == UINT64_MAX || synack_poll_at(th->s) > th->now + 50000, 1);
}

static void new_syn_reopens_time_wait(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 65535}, &l, err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    /* we close first and end in TIME-WAIT */
    synack_tcp_close(th->s, th->now, h);
    expect_bare(th, A | F, una, 1);
    peer_sends(th, A | F, 1, una + 1);
    expect_bare(th, A, una + 1, 2);
    /* an old SYN (not above RCV.NXT) only gets an ACK */
    send_segment(th, .flags = SYNACK_TCP_SYN, .seq = PEER + 1, .win = 65535);
    expect_bare(th, A, una + 1, 2);
    /* RFC 6191: a SYN above RCV.NXT starts a new connection at once */
    send_segment(th, .flags = SYNACK_TCP_SYN, .seq = PEER + 100000, .win = 65535);
    expect_segment(th, .flags = SYNACK_TCP_SYN | A, .ack = PEER + 100001, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    uint32_t iss2 = th->last.seq;
    peer_sends(th, A, 100001, iss2 + 1);
    assert_true(synack_tcp_accept(th->s, th->now, l, NULL, NULL) >= 0);
}

static void tune_two(synack_config *cfg)
{
    cfg->tcp.max_conns = 2;
}

static void time_wait_is_reclaimed_at_the_limit(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_two});
    *state = th;
    uint32_t una;
    open_and_send_fin(th, true, &una);
    peer_sends(th, A | F, 1, una + 1);
    th_next(th);
    int a = synack_tcp_open(th->s);
    assert_true(a >= 0);
    /* the limit: the orphan in TIME-WAIT makes room */
    int b = synack_tcp_open(th->s);
    assert_true(b >= 0);
    assert_int_equal(synack_tcp_open(th->s), SYNACK_ERR_NOMEM);
    peer_sends(th, A | F, 1, una + 1);
    expect_segment(th, .flags = SYNACK_TCP_RST, .seq = una + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test_traced(active_close_through_time_wait),
        th_unit_test_traced(passive_close),
        th_unit_test_traced(simultaneous_close),
        th_unit_test_traced(fin_ack_in_fin_wait_1_goes_to_time_wait),
        th_unit_test_traced(half_close_keeps_receiving),
        th_unit_test_traced(close_with_unread_data_sends_rst),
        th_unit_test_traced(data_after_close_resets),
        th_unit_test_traced(orphan_fin_wait_2_times_out),
        th_unit_test_traced(fin_is_retransmitted),
        th_unit_test_traced(out_of_order_fin_waits_for_the_hole),
        th_unit_test_traced(abort_sends_rst),
        th_unit_test_traced(new_syn_reopens_time_wait),
        th_unit_test_traced(time_wait_is_reclaimed_at_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
