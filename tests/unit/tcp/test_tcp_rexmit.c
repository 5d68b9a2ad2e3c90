/*
 * Retransmission: RFC 6298 timer (backoff, give-up, Karn), fast retransmit
 * and NewReno fast recovery without SACK (RFC 5681, RFC 6582), limited
 * transmit (RFC 3042), go-back-N after a time-out.
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
#define R SYNACK_TCP_RST

#define PEER 5000u
#define MSS 1000u

static uint8_t data[200000];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 5);
}

/* Peer MSS 1000, window 65535, no options; NewReno for exact numbers. */
static int open_conn(tcp_harness *th)
{
    int h = th_open_or_fail(th, PEER, 65535, MSS, false);
    synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, SYNACK_CC_NEWRENO);
    return h;
}

static void ack(tcp_harness *th, uint32_t a)
{
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = a, .win = 65535);
}

static void rto_backoff_and_reset(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 500);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 500);
    /* RTT ~0 in the handshake: RTO = rto_min = 200 ms, then 400, 800 */
    uint64_t t0 = th->now;
    uint32_t waits[3] = {200, 400, 800};
    for (int i = 0; i < 3; i++) {
        assert_true(th_advance_until_segment(th, 5000));
        t0 += waits[i];
        assert_int_equal(th->now, t0);
        expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                       .data = data, .len = 500);
    }
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rto_ms, 1600);
    assert_int_equal(info.rexmit_segs, 3);
    assert_int_equal(info.rexmit_bytes, 1500); /* counted in the cold block */
    /* the ACK ends it; Karn: no RTT sample from a retransmitted segment,
       and the backed-off RTO stays until a fresh sample */
    ack(th, una + 500);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rto_ms, 1600);
    synack_tcp_send(th->s, th->now, h, data, 100);
    expect_segment(th, .flags = A | P, .seq = una + 500, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 100);
    th_advance(th, 30);
    ack(th, una + 600);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.srtt_ms, 3); /* 7/8*0 + 1/8*30 */
    assert_int_equal(info.rto_ms, 200);
    expect_no_segment(th);
    /* the trace shows a cc event for the time-out */
    assert_true(th_count_events(th, SYNACK_TRACE_CC) >= 1);
}

static void tune_retries(synack_config *cfg)
{
    cfg->tcp.data_retries = 3;
}

static void data_give_up_is_timeout(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_retries});
    *state = th;
    int h = open_conn(th);
    synack_tcp_send(th->s, th->now, h, data, 10);
    th_next(th);
    for (int i = 0; i < 3; i++) {
        assert_true(th_advance_until_segment(th, 100000));
        th_next(th);
    }
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    assert_false(th_advance_until_segment(th, 100000));
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CLOSED);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, data, 1), SYNACK_ERR_TIMEOUT);
}

static void fast_retransmit_newreno(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 20000);
    /* IW: min(10*1000, max(2000, 14600)) = 10000 -> 10 segments */
    for (uint32_t i = 0; i < 10; i++)
        expect_segment(th, .flags = A, .seq = una + i * MSS, .ack = PEER + 1, .win = 65535,
                       .len = MSS, .data = data + i * MSS);
    expect_no_segment(th);
    /* segment 0 lost; segment 1.. arrive: duplicate ACKs */
    ack(th, una);
    /* RFC 3042: the first two duplicates each release one new segment */
    expect_segment(th, .flags = A, .seq = una + 10 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 10 * MSS);
    ack(th, una);
    expect_segment(th, .flags = A, .seq = una + 11 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 11 * MSS);
    ack(th, una);
    /* third: fast retransmit of the first segment */
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = MSS,
                   .data = data);
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.ssthresh, 6000); /* FlightSize 12000 / 2 */
    assert_int_equal(info.cwnd, 6000);
    /* more duplicates: pipe = 12000 - n*1000 leaves room for a segment at n = 7 */
    for (int i = 0; i < 3; i++)
        ack(th, una);
    expect_no_segment(th);
    ack(th, una);
    expect_segment(th, .flags = A, .seq = una + 12 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 12 * MSS);
    /* partial ACK (segments 0..4): retransmit segment 5 at once */
    ack(th, una + 5 * MSS);
    expect_segment(th, .flags = A, .seq = una + 5 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 5 * MSS);
    /* pipe (13000 - 5000) - 3 * 1000 = 5000 < cwnd: one new segment */
    expect_segment(th, .flags = A, .seq = una + 13 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 13 * MSS);
    expect_no_segment(th);
    /* full ACK of everything up to `recover` (12 segments) ends recovery */
    ack(th, una + 12 * MSS);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 12 * MSS);
    const synack_trace_event *e;
    bool saw_recovery = false;
    for (size_t i = 0; (e = th_find_event(th, SYNACK_TRACE_CC, i)) != NULL; i++)
        if (e->u.cc.phase == SYNACK_CC_RECOVERY)
            saw_recovery = true;
    assert_true(saw_recovery);
    assert_true(th_pending(th) >= 1);
}

static void go_back_n_after_timeout(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 4000);
    for (uint32_t i = 0; i < 4; i++)
        expect_segment(th, .flags = A | (i == 3 ? P : 0), .seq = una + i * MSS,
                       .ack = PEER + 1, .win = 65535, .len = MSS, .data = data + i * MSS);
    th_advance(th, 200);
    /* cwnd 1 segment: only the first is resent */
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = MSS,
                   .data = data);
    expect_no_segment(th);
    ack(th, una + MSS);
    /* slow start from 1 MSS: two segments for one ACK */
    expect_segment(th, .flags = A, .seq = una + MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + MSS);
    expect_segment(th, .flags = A, .seq = una + 2 * MSS, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 2 * MSS);
    /* the receiver had segment 3 already: its ACK covers everything */
    ack(th, una + 4 * MSS);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 4 * MSS);
    assert_int_equal(info.snd_nxt, una + 4 * MSS);
    assert_int_equal(info.sndbuf_used, 0);
    expect_no_segment(th);
    assert_int_equal(info.rexmit_segs, 3);
    assert_int_equal(info.rexmit_bytes, 3 * MSS); /* counted in the cold block */
}

static void ack_of_unsent_data_is_dropped(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 100);
    th_next(th);
    ack(th, una + 5000);
    /* RFC 5961 5.2: answered with an ACK, the segment is dropped */
    expect_segment(th, .flags = A, .seq = una + 100, .ack = PEER + 1, .win = 65535);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK), 1);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test_traced(rto_backoff_and_reset),
        th_unit_test_traced(data_give_up_is_timeout),
        th_unit_test_traced(fast_retransmit_newreno),
        th_unit_test_traced(go_back_n_after_timeout),
        th_unit_test_traced(ack_of_unsent_data_is_dropped),
    };
    fill_data();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
