/*
 * Flow control: the receive window we announce (RFC 9293 3.8.6.2.2 SWS
 * avoidance, never shrinking, window updates when the reader drains), the
 * peer's window (scaling, shrinking), zero window probing with the persist
 * timer and its backoff (RFC 9293 3.8.6.1), sender SWS avoidance.
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
#define P SYNACK_TCP_PSH

#define PEER 9000u

static uint8_t data[100000];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 3 + 11);
}

static void zero_window_probing_with_backoff(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 2000, 1000, false);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 5000);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1000,
                   .data = data);
    expect_segment(th, .flags = A, .seq = una + 1000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 1000);
    expect_no_segment(th);
    /* the peer takes both but its buffer is full: window 0 */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 2000, .win = 0);
    expect_no_segment(th);
    /* persist: probes of one octet at 200, then 400, 800 ms (backoff) */
    uint64_t t = th->now;
    uint32_t waits[3] = {200, 400, 800};
    for (int i = 0; i < 3; i++) {
        assert_true(th_advance_until_segment(th, 10000));
        t += waits[i];
        assert_int_equal(th->now, t);
        expect_segment(th, .flags = A, .seq = una + 2000, .ack = PEER + 1, .win = 65535,
                       .len = 1, .data = data + 2000);
        send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 2000, .win = 0);
        expect_no_segment(th);
    }
    /* probing goes on as long as the peer answers: no give-up */
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    /* the window opens: sending resumes at once */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 2000, .win = 3000);
    expect_segment(th, .flags = A, .seq = una + 2000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 2000);
    expect_segment(th, .flags = A, .seq = una + 3000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 3000);
    expect_segment(th, .flags = A | P, .seq = una + 4000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 4000);
    bool saw_persist = false;
    const synack_trace_event *e;
    for (size_t i = 0; (e = th_find_event(th, SYNACK_TRACE_TIMER, i)) != NULL; i++)
        if (e->u.timer.name == SYNACK_TIMER_PERSIST && e->u.timer.action == SYNACK_TIMER_FIRED)
            saw_persist = true;
    assert_true(saw_persist);
}

static void probe_byte_accepted(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 0, 1000, false);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 10);
    expect_no_segment(th);
    th_advance(th, 200);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1,
                   .data = data);
    /* the receiver took the probe octet and opened its window */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 1, .win = 1000);
    expect_segment(th, .flags = A | P, .seq = una + 1, .ack = PEER + 1, .win = 65535,
                   .len = 9, .data = data + 1);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 10, .win = 1000);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 0);
    expect_no_segment(th);
}

static void sender_sws_waits_for_a_useful_window(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 10000, 1000, false);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 20000);
    for (int i = 0; i < 10; i++)
        th_next(th);
    /* everything acknowledged but the window is now 300 octets: less than
       an MSS and less than half the largest window seen, so wait */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 10000, .win = 300);
    expect_no_segment(th);
    /* the override time-out (persist timer) sends what fits */
    th_advance(th, 200);
    expect_segment(th, .flags = A, .seq = una + 10000, .ack = PEER + 1, .win = 65535,
                   .len = 300, .data = data + 10000);
    /* a window of half the maximum is worth a segment */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 10300, .win = 5000);
    expect_segment(th, .flags = A, .seq = una + 10300, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 10300);
    (void)h;
}

static void peer_shrinking_its_window_is_tolerated(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER, 8000, 1000, false);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 8000);
    for (int i = 0; i < 8; i++)
        th_next(th);
    /* the right edge moves left: nothing beyond it is sent, nothing breaks */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 1000, .win = 1000);
    expect_no_segment(th);
    synack_tcp_send(th->s, th->now, h, data + 8000, 2000);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 8000, .win = 8000);
    expect_segment(th, .flags = A, .seq = una + 8000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 8000);
    (void)h;
}

static void tune_small_rcvbuf(synack_config *cfg)
{
    cfg->tcp.rcvbuf = 4000;
}

static void receive_window_closes_and_reopens(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_small_rcvbuf});
    *state = th;
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    expect_segment(th, .flags = S, .win = 4000, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 65535, .has_mss = true,
                 .mss = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 4000);
    uint32_t seq = PEER + 1;
    send_segment(th, .flags = A, .seq = seq, .ack = iss + 1, .win = 65535, .data = data,
                 .len = 1000);
    send_segment(th, .flags = A, .seq = seq + 1000, .ack = iss + 1, .win = 65535,
                 .data = data + 1000, .len = 1000);
    /* the right edge stays at 4000: the window shrinks as data waits */
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 2000, .win = 2000);
    send_segment(th, .flags = A, .seq = seq + 2000, .ack = iss + 1, .win = 65535,
                 .data = data + 2000, .len = 1000);
    send_segment(th, .flags = A, .seq = seq + 3000, .ack = iss + 1, .win = 65535,
                 .data = data + 3000, .len = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 4000, .win = 0);
    /* beyond the window: dropped, answered with the same ACK */
    send_segment(th, .flags = A, .seq = seq + 4000, .ack = iss + 1, .win = 65535,
                 .data = data + 4000, .len = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 4000, .win = 0);
    /* a zero window probe is answered with the zero window */
    send_segment(th, .flags = A, .seq = seq + 4000, .ack = iss + 1, .win = 65535,
                 .data = data + 4000, .len = 1);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 4000, .win = 0);
    /* reading 100 octets is not worth an update (receiver SWS) */
    uint8_t buf[4000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, 100), 100);
    expect_no_segment(th);
    /* reading a full MSS of a closed window is */
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf + 100, 900), 900);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 4000, .win = 1000);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf + 1000, 3000), 3000);
    assert_memory_equal(buf, data, 4000);
    /* half the buffer more: update again */
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = seq + 4000, .win = 4000);
}

static void window_scaling_applies_to_the_peer_window(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 1000, .has_mss = true,
                                          .mss = 1000, .has_ws = true, .ws = 20},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    /* a shift above 14 is taken as 14 (RFC 7323 2.3) */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 2);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_wnd, 2u << 14);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test_traced(zero_window_probing_with_backoff),
        th_unit_test_traced(probe_byte_accepted),
        th_unit_test_traced(sender_sws_waits_for_a_useful_window),
        th_unit_test_traced(peer_shrinking_its_window_is_tolerated),
        th_unit_test_traced(receive_window_closes_and_reopens),
        th_unit_test_traced(window_scaling_applies_to_the_peer_window),
    };
    fill_data();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
