/*
 * Listeners: the bounded SYN and accept queues, SYN cookies when the SYN
 * queue is full (RFC 4987; options carried in the timestamp), closing a
 * listener with pending children.
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
#define R SYNACK_TCP_RST
#define P SYNACK_TCP_PSH

static int setup(void **state)
{
    tcp_harness *th = th_new(NULL);
    *state = th;
    return th ? 0 : -1;
}

static int teardown(void **state)
{
    return th_free(*state) == 0 ? 0 : -1;
}

static int listener(tcp_harness *th, uint32_t backlog)
{
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l, 80), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, backlog), 0);
    return l;
}

static void syn_cookie_with_options(void **state)
{
    tcp_harness *th = *state;
    int l = listener(th, 1);
    /* first SYN takes the only SYN queue slot */
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    expect_segment(th, .dport = 1001, .flags = S | A, .ack = 101, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    /* second SYN: answered with a cookie, no state */
    send_segment(th, .sport = 1002, .flags = S, .seq = 200, .win = 1000, .has_mss = true,
                 .mss = 1400, .has_ws = true, .ws = 5, .sack_ok = true, .has_ts = true,
                 .tsval = 4242);
    expect_segment(th, .dport = 1002, .flags = S | A, .ack = 201, .win = 65535,
                   .has_mss = true, .mss = 1460, .has_ws = true, .ws = 8, .sack_ok = true,
                   .has_ts = true, .tsecr = 4242, .any = TH_ANY_SEQ | TH_ANY_TSVAL);
    uint32_t cookie = th->last.seq;
    uint32_t tsv = th->last.tsval;
    synack_counters c;
    synack_get_counters(th->s, &c);
    assert_int_equal(c.tcp_syn_cookies_sent, 1);
    /* a forged ACK is refused with RST */
    send_segment(th, .sport = 1002, .flags = A, .seq = 201, .ack = cookie + 2, .win = 100,
                 .has_ts = true, .tsval = 4243, .tsecr = tsv);
    expect_segment(th, .dport = 1002, .flags = R, .seq = cookie + 2);
    /* the right ACK, 30 s later, rebuilds the connection */
    th_advance(th, 30000);
    th_flush(th); /* the first child's SYN-ACK retransmissions */
    send_segment(th, .sport = 1002, .flags = A | P, .seq = 201, .ack = cookie + 1, .win = 100,
                 .has_ts = true, .tsval = 4300, .tsecr = tsv, .data = "hi", .len = 2);
    synack_addr addr;
    uint16_t port;
    int h = synack_tcp_accept(th->s, th->now, l, &addr, &port);
    assert_true(h >= 0);
    assert_int_equal(port, 1002);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.snd_wnd, 100u << 5); /* window scale recovered */
    assert_int_equal(info.mss, 1360 - 12);   /* MSS table entry below 1400, minus TS */
    uint8_t buf[8];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 2);
    assert_memory_equal(buf, "hi", 2);
    th->peer_port = 1002;
    /* reading opened the window from the unscaled 65535 of the SYN-ACK to
       the starting receive buffer (128 KiB >> 8 = 512; it grows with the
       bandwidth-delay product, tcp_mem.c) */
    expect_segment(th, .flags = A, .seq = cookie + 1, .ack = 203, .win = 512,
                   .has_ts = true, .tsecr = 4300, .any = TH_ANY_TSVAL);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "yo", 2), 2);
    expect_segment(th, .flags = A | P, .seq = cookie + 1, .ack = 203, .has_ts = true,
                   .tsecr = 4300, .data = "yo", .len = 2, .any = TH_ANY_TSVAL | TH_ANY_WIN);
}

static void cookie_without_timestamps_drops_options(void **state)
{
    tcp_harness *th = *state;
    int l = listener(th, 1);
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    th_next(th);
    send_segment(th, .sport = 1002, .flags = S, .seq = 200, .win = 1000, .has_ws = true,
                 .ws = 5, .sack_ok = true);
    expect_segment(th, .dport = 1002, .flags = S | A, .ack = 201, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    uint32_t cookie = th->last.seq;
    /* an old cookie (more than two periods) is no good */
    th_advance(th, 130000);
    th_flush(th);
    send_segment(th, .sport = 1002, .flags = A, .seq = 201, .ack = cookie + 1, .win = 100);
    expect_segment(th, .dport = 1002, .flags = R, .seq = cookie + 1);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
}

static void tune_no_cookies(synack_config *cfg)
{
    cfg->tcp.syn_cookies = false;
}

static void without_cookies_a_full_queue_drops(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_no_cookies});
    *state = th;
    listener(th, 2);
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    send_segment(th, .sport = 1002, .flags = S, .seq = 100, .win = 1000);
    send_segment(th, .sport = 1003, .flags = S, .seq = 100, .win = 1000);
    assert_int_equal(th_pending(th), 2);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BACKLOG_FULL), 1);
}

static void accept_queue_is_bounded(void **state)
{
    tcp_harness *th = *state;
    int l = listener(th, 1);
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    th_next(th);
    send_segment(th, .sport = 1001, .flags = A, .seq = 101, .ack = th->last.seq + 1, .win = 1000);
    assert_true(synack_tcp_events(th->s, l) & SYNACK_EV_ACCEPT);
    /* the accept queue is full: new SYNs are dropped, even with cookies */
    send_segment(th, .sport = 1002, .flags = S, .seq = 100, .win = 1000);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BACKLOG_FULL), 1);
    int h = synack_tcp_accept(th->s, th->now, l, NULL, NULL);
    assert_true(h >= 0);
    send_segment(th, .sport = 1002, .flags = S, .seq = 100, .win = 1000);
    expect_segment(th, .dport = 1002, .flags = S | A, .ack = 101, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
}

static void closing_a_listener_resets_children(void **state)
{
    tcp_harness *th = *state;
    int l = listener(th, 4);
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    th_next(th);
    uint32_t iss1 = th->last.seq;
    send_segment(th, .sport = 1001, .flags = A, .seq = 101, .ack = iss1 + 1, .win = 1000);
    send_segment(th, .sport = 1002, .flags = S, .seq = 500, .win = 1000);
    th_next(th);
    uint32_t iss2 = th->last.seq;
    assert_int_equal(synack_tcp_close(th->s, th->now, l), 0);
    assert_int_equal(th_pending(th), 2);
    bool r1 = false, r2 = false;
    while (th_next(th)) {
        assert_int_equal(th->last.flags, R);
        if (th->last.dport == 1001 && th->last.seq == iss1 + 1)
            r1 = true;
        if (th->last.dport == 1002 && th->last.seq == iss2 + 1)
            r2 = true;
    }
    assert_true(r1 && r2);
    /* port 80 is free again */
    send_segment(th, .sport = 1003, .flags = S, .seq = 100, .win = 1000);
    expect_segment(th, .dport = 1003, .flags = R | A, .seq = 0, .ack = 101, .win = 0);
    int l2 = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l2, 80), 0);
}

static void many_connections_one_listener(void **state)
{
    tcp_harness *th = *state;
    int l = listener(th, 64);
    int hs[40];
    for (int i = 0; i < 40; i++) {
        uint16_t port = (uint16_t)(2000 + i);
        send_segment(th, .sport = port, .flags = S, .seq = 100, .win = 1000);
        th_next(th);
        send_segment(th, .sport = port, .flags = A, .seq = 101, .ack = th->last.seq + 1,
                     .win = 1000);
        hs[i] = synack_tcp_accept(th->s, th->now, l, NULL, NULL);
        assert_true(hs[i] >= 0);
    }
    /* data reaches the right connection (demux on the 4-tuple) */
    for (int i = 39; i >= 0; i--) {
        uint8_t b = (uint8_t)i;
        synack_tcp_info info;
        synack_tcp_get_info(th->s, hs[i], &info);
        send_segment(th, .sport = (uint16_t)(2000 + i), .flags = A, .seq = 101,
                     .ack = info.snd_nxt, .win = 1000, .data = &b, .len = 1);
    }
    for (int i = 0; i < 40; i++) {
        uint8_t b = 0xff;
        assert_int_equal(synack_tcp_recv(th->s, th->now, hs[i], &b, 1), 1);
        assert_int_equal(b, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(syn_cookie_with_options, setup, teardown),
        cmocka_unit_test_setup_teardown(cookie_without_timestamps_drops_options, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(without_cookies_a_full_queue_drops, setup, teardown),
        cmocka_unit_test_setup_teardown(accept_queue_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(closing_a_listener_resets_children, setup, teardown),
        cmocka_unit_test_setup_teardown(many_connections_one_listener, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
