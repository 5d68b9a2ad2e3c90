/*
 * TCP options: MSS (default 536, clamped to the link, floor of 88 so a tiny
 * MSS cannot cause a segment storm), window scale and timestamps (RFC 7323)
 * and what the configuration turns off.
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

#define PEER 100u

static uint8_t data[20000];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ (i >> 7));
}

static void tiny_mss_is_floored(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true, .mss = 1},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 20000);
    /* 88-octet segments, and only the initial window of them (10) */
    size_t n = 0;
    while (th_next(th)) {
        assert_int_equal(th->last.payload_len, 88);
        assert_int_equal(th->last.seq, una + 88 * n);
        n++;
    }
    assert_int_equal(n, 10);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.mss, 88);
}

static void zero_mss_is_floored(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true, .mss = 0},
                           err, sizeof err);
    assert_true(h >= 0);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.mss, 88);
}

static void large_mss_is_clamped_to_the_link(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 9000}, err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 3000);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1460,
                   .data = data);
}

static void tune_no_options(synack_config *cfg)
{
    cfg->tcp.sack = false;
    cfg->tcp.timestamps = false;
    cfg->tcp.window_scaling = false;
    cfg->tcp.rcvbuf = 30000;
}

static void options_turned_off(void **state)
{
    th_free(*state);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_no_options, .mtu = 576});
    *state = th;
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    /* MSS = 576 - 40; the window is the 30000-octet buffer */
    expect_segment(th, .flags = S, .win = 30000, .has_mss = true, .mss = 536,
                   .any = TH_ANY_SEQ | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    /* the peer offers everything; we accept none of it */
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 1000, .has_mss = true,
                 .mss = 1460, .has_ws = true, .ws = 2, .sack_ok = true, .has_ts = true,
                 .tsval = 5);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 30000);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.mss, 536);
    /* no scaling: the window field is taken as it is */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = iss + 1, .win = 1000);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_wnd, 1000);
}

static void passive_open_answers_only_what_was_offered(void **state)
{
    tcp_harness *th = *state;
    int l = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, l, 80);
    synack_tcp_listen(th->s, l, 4);
    send_segment(th, .flags = S, .seq = PEER, .win = 1000, .has_mss = true, .mss = 1200,
                 .has_ts = true, .tsval = 99);
    /* timestamps only: no WS, no SACK-permitted in the SYN-ACK */
    expect_segment(th, .flags = S | A, .ack = PEER + 1, .win = 65535, .has_mss = true,
                   .mss = 1460, .has_ts = true, .tsecr = 99, .any = TH_ANY_SEQ | TH_ANY_TSVAL);
}

static void rtt_from_timestamps(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1460, .has_ts = true, .tsval = 10},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 100);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                   .has_ts = true, .tsecr = 10, .data = data, .len = 100, .any = TH_ANY_TSVAL);
    uint32_t tsv = th->last.tsval;
    th_advance(th, 80);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 100, .win = 65535,
                 .has_ts = true, .tsval = 11, .tsecr = tsv);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    /* first sample in the handshake was 0 ms; then 80: srtt = 80/8 = 10 */
    assert_int_equal(info.srtt_ms, 10);
    /* the peer's TSval is echoed */
    synack_tcp_send(th->s, th->now, h, data, 10);
    expect_segment(th, .flags = A | P, .seq = una + 100, .ack = PEER + 1, .win = 65535,
                   .has_ts = true, .tsecr = 11, .data = data, .len = 10, .any = TH_ANY_TSVAL);
    assert_int_equal(th->last.tsval, tsv + 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(tiny_mss_is_floored),
        th_unit_test(zero_mss_is_floored),
        th_unit_test(large_mss_is_clamped_to_the_link),
        th_unit_test(options_turned_off),
        th_unit_test(passive_open_answers_only_what_was_offered),
        th_unit_test(rtt_from_timestamps),
    };
    fill_data();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
