/* Keepalive (RFC 9293 3.8.4, RFC 1122 4.2.3.6): idle, interval, count. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define A SYNACK_TCP_ACK
#define R SYNACK_TCP_RST

#define PEER 700u

static int open_keepalive(tcp_harness *th)
{
    int h = th_open_or_fail(th, PEER, 65535, 1460, false);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_KEEPIDLE_MS, 10000), 0);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_KEEPINTVL_MS, 1000), 0);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_KEEPCNT, 3), 0);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_KEEPALIVE, 1), 0);
    return h;
}

static void probe_answered_keeps_the_connection(void **state)
{
    tcp_harness *th = *state;
    int h = open_keepalive(th);
    uint32_t una = th->stack_iss + 1;
    uint64_t t0 = th->now;
    assert_true(th_advance_until_segment(th, 20000));
    assert_int_equal(th->now - t0, 10000);
    /* <SEQ=SND.UNA-1><ACK=RCV.NXT>: an old octet that elicits an ACK */
    expect_segment(th, .flags = A, .seq = una - 1, .ack = PEER + 1, .win = 65535);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535);
    /* the next probe only after another idle period */
    uint64_t t1 = th->now;
    assert_true(th_advance_until_segment(th, 20000));
    assert_int_equal(th->now - t1, 10000);
    expect_segment(th, .flags = A, .seq = una - 1, .ack = PEER + 1, .win = 65535);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
}

static void unanswered_probes_time_out(void **state)
{
    tcp_harness *th = *state;
    int h = open_keepalive(th);
    uint32_t una = th->stack_iss + 1;
    uint64_t t0 = th->now;
    uint64_t at[3] = {10000, 11000, 12000};
    for (int i = 0; i < 3; i++) {
        assert_true(th_advance_until_segment(th, 20000));
        assert_int_equal(th->now - t0, at[i]);
        expect_segment(th, .flags = A, .seq = una - 1, .ack = PEER + 1, .win = 65535);
    }
    assert_true(th_advance_until_segment(th, 20000));
    assert_int_equal(th->now - t0, 13000);
    expect_segment(th, .flags = R, .seq = una);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
}

static void traffic_defers_the_probe(void **state)
{
    tcp_harness *th = *state;
    int h = open_keepalive(th);
    uint32_t una = th->stack_iss + 1;
    th_advance(th, 8000);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535, .data = "x",
                 .len = 1);
    th_advance(th, 40);
    th_next(th); /* delayed ACK */
    uint64_t t = th->now - 40;
    assert_true(th_advance_until_segment(th, 20000));
    assert_int_equal(th->now - t, 10000);
    expect_segment(th, .flags = A, .seq = una - 1, .ack = PEER + 2, .win = 65535);
    (void)h;
}

static void off_by_default(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535}, err, sizeof err);
    assert_true(h >= 0);
    assert_false(th_advance_until_segment(th, 3 * 3600 * 1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(probe_answered_keeps_the_connection),
        th_unit_test(unanswered_probes_time_out),
        th_unit_test(traffic_defers_the_probe),
        th_unit_test(off_by_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
