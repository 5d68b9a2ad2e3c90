/*
 * Resets and robustness: RST generation for segments without a connection
 * (RFC 9293 3.10.7.1), RST processing per state with RFC 5961 challenge
 * ACKs (in-window RST, SYN in a synchronized state) and their rate limit,
 * ICMP errors (RFC 1122 4.2.3.9: hard in SYN-SENT, soft otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"
#include "test_addr.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST
#define P SYNACK_TCP_PSH

#define PEER 3000u

static void closed_port_answers_rst(void **state)
{
    tcp_harness *th = *state;
    th->local_port = 4444;
    /* a SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
    send_segment(th, .flags = S, .seq = 100, .win = 1000, .data = "abc", .len = 3);
    expect_segment(th, .flags = R | A, .seq = 0, .ack = 104, .win = 0);
    /* an ACK: <SEQ=SEG.ACK><CTL=RST> */
    send_segment(th, .flags = A, .seq = 100, .ack = 555, .win = 1000);
    expect_segment(th, .flags = R, .seq = 555, .ack = 0, .win = 0);
    /* a FIN counts one: ack = seq + 1 */
    send_segment(th, .flags = F, .seq = 9, .win = 1000);
    expect_segment(th, .flags = R | A, .seq = 0, .ack = 10, .win = 0);
    /* never a RST for a RST */
    send_segment(th, .flags = R, .seq = 100);
    send_segment(th, .flags = R | A, .seq = 100, .ack = 5);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_NO_SOCKET), 5);
    /* a listener answers an ACK with RST too, and ignores a RST */
    int l = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, l, 4444);
    synack_tcp_listen(th->s, l, 4);
    send_segment(th, .flags = R, .seq = 100);
    expect_no_segment(th);
}

static void rst_exact_resets_the_connection(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = R, .seq = PEER + 1);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_RESET);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "x", 1), SYNACK_ERR_RESET);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, (uint8_t[4]){0}, 4), SYNACK_ERR_RESET);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CLOSED);
    /* the connection is gone: further segments are answered with RST */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 100);
    expect_segment(th, .flags = R, .seq = una);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_ERROR, 0);
    assert_non_null(e);
    assert_int_equal(e->u.error.code, SYNACK_ERR_RESET);
}

static void rst_in_window_gets_challenge_ack(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    /* RFC 5961 3.2: in the window but not RCV.NXT */
    send_segment(th, .flags = R, .seq = PEER + 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    /* outside the window: silently dropped */
    send_segment(th, .flags = R, .seq = PEER + 1 + 10000000);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_RST_IGNORED), 1);
    synack_counters c;
    synack_get_counters(th->s, &c);
    assert_int_equal(c.tcp_challenge_acks, 1);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
}

static void syn_in_established_gets_challenge_ack(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    /* RFC 5961 4.2: whatever the sequence number */
    send_segment(th, .flags = S, .seq = PEER + 50, .win = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    /* an old SYN (below the window) is just acknowledged */
    send_segment(th, .flags = S, .seq = PEER, .win = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
}

static void challenge_acks_are_rate_limited(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    for (int i = 0; i < 15; i++)
        send_segment(th, .flags = R, .seq = PEER + 100 + (uint32_t)i);
    for (int i = 0; i < 10; i++)
        expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 5);
    /* a new second, a new budget */
    th_advance(th, 1000);
    send_segment(th, .flags = R, .seq = PEER + 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
}

static void rst_in_syn_received_frees_the_child(void **state)
{
    tcp_harness *th = *state;
    int l = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, l, 80);
    synack_tcp_listen(th->s, l, 4);
    send_segment(th, .flags = S, .seq = 10, .win = 1000);
    expect_segment(th, .flags = S | A, .ack = 11, .win = 65535, .has_mss = true, .mss = 1460,
                   .any = TH_ANY_SEQ);
    send_segment(th, .flags = R, .seq = 11);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
    /* no timer left for it */
    th_advance(th, 5000);
    expect_no_segment(th);
    /* the listener still works */
    send_segment(th, .flags = S, .seq = 20, .win = 1000);
    expect_segment(th, .flags = S | A, .ack = 21, .win = 65535, .has_mss = true, .mss = 1460,
                   .any = TH_ANY_SEQ);
}

static void bad_ack_in_syn_received_gets_rst(void **state)
{
    tcp_harness *th = *state;
    int l = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, l, 80);
    synack_tcp_listen(th->s, l, 4);
    send_segment(th, .flags = S, .seq = 10, .win = 1000);
    th_next(th);
    uint32_t iss = th->last.seq;
    send_segment(th, .flags = A, .seq = 11, .ack = iss + 100, .win = 1000);
    expect_segment(th, .flags = R, .seq = iss + 100);
    send_segment(th, .flags = A, .seq = 11, .ack = iss + 1, .win = 1000);
    assert_true(synack_tcp_accept(th->s, th->now, l, NULL, NULL) >= 0);
}

static void icmp_port_unreachable_refuses_syn_sent(void **state)
{
    tcp_harness *th = *state;
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    th_next(th);
    th->local_port = th->last.sport;
    uint32_t iss = th->last.seq;
    /* a quoted sequence number we never sent is ignored (RFC 5927) */
    th_send_icmp_unreach(th, SYNACK_ICMP_UNREACH_PORT, iss + 5000);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    th_send_icmp_unreach(th, SYNACK_ICMP_UNREACH_PORT, iss);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_REFUSED);
    expect_no_segment(th);
}

static void tune_few_syn_retries(synack_config *cfg)
{
    cfg->tcp.syn_retries = 2;
}

static void icmp_host_unreachable_is_soft(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_few_syn_retries});
    *state = th;
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    th_next(th);
    th->local_port = th->last.sport;
    uint32_t iss = th->last.seq;
    th_send_icmp_unreach(th, SYNACK_ICMP_UNREACH_HOST, iss);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    /* the SYN is retried; at give-up the soft error is what we report */
    assert_true(th_advance_until_segment(th, 5000));
    th_next(th);
    assert_true(th_advance_until_segment(th, 5000));
    th_next(th);
    assert_false(th_advance_until_segment(th, 10000));
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_UNREACHABLE);
}

static void icmp_in_established_is_soft(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, "abc", 3);
    th_next(th);
    th_send_icmp_unreach(th, SYNACK_ICMP_UNREACH_PORT, una);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 3, .win = 1000);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
}

static void paws_drops_old_timestamps(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1460, .has_ts = true, .tsval = 1000},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    uint32_t ours = th->last.tsval;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 1000, .data = "new",
                 .len = 3, .has_ts = true, .tsval = 2000, .tsecr = ours);
    /* an older TSval with new data: PAWS (RFC 7323 5.3) drops it, with an ACK */
    send_segment(th, .flags = A, .seq = PEER + 4, .ack = una, .win = 1000, .data = "old",
                 .len = 3, .has_ts = true, .tsval = 1500, .tsecr = ours);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 4, .win = 65535, .has_ts = true,
                   .tsecr = 2000, .any = TH_ANY_TSVAL | TH_ANY_WIN);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_PAWS), 1);
    uint8_t buf[16];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 3);
    assert_memory_equal(buf, "new", 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test_traced(closed_port_answers_rst),
        th_unit_test_traced(rst_exact_resets_the_connection),
        th_unit_test_traced(rst_in_window_gets_challenge_ack),
        th_unit_test_traced(syn_in_established_gets_challenge_ack),
        th_unit_test_traced(challenge_acks_are_rate_limited),
        th_unit_test_traced(rst_in_syn_received_frees_the_child),
        th_unit_test_traced(bad_ack_in_syn_received_gets_rst),
        th_unit_test_traced(icmp_port_unreachable_refuses_syn_sent),
        th_unit_test_traced(icmp_host_unreachable_is_soft),
        th_unit_test_traced(icmp_in_established_is_soft),
        th_unit_test_traced(paws_drops_old_timestamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
