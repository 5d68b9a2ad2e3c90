/*
 * RST processing in every synchronized state (RFC 9293 3.10.7.4 second,
 * RFC 5961 3.2), and a TIME-WAIT whose length follows the MSL option
 * (RFC 9293 3.6.1) with the re-ACK of a retransmitted FIN.
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
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST

#define PEER 7000u

/* A connection driven into `st`; *snd is our next sequence number (after
   our FIN when sent), *rcv the peer's (after its FIN when sent). */
static int drive(tcp_harness *th, synack_tcp_state st, uint32_t *snd, uint32_t *rcv)
{
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460});
    uint32_t una = th->stack_iss + 1;
    uint32_t p = PEER + 1;
    switch (st) {
    case SYNACK_TCP_ESTABLISHED:
        break;
    case SYNACK_TCP_FIN_WAIT_1:
        synack_tcp_shutdown(th->s, th->now, h);
        expect_segment(th, .flags = A | F, .seq = una, .ack = p, .win = 65535);
        una++;
        break;
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_TIME_WAIT:
        synack_tcp_shutdown(th->s, th->now, h);
        expect_segment(th, .flags = A | F, .seq = una, .ack = p, .win = 65535);
        una++;
        send_segment(th, .flags = A, .seq = p, .ack = una, .win = 65535);
        if (st == SYNACK_TCP_TIME_WAIT) {
            send_segment(th, .flags = A | F, .seq = p, .ack = una, .win = 65535);
            p++;
            expect_segment(th, .flags = A, .seq = una, .ack = p, .win = 65535);
        }
        break;
    case SYNACK_TCP_CLOSE_WAIT:
    case SYNACK_TCP_LAST_ACK:
        send_segment(th, .flags = A | F, .seq = p, .ack = una, .win = 65535);
        p++;
        expect_segment(th, .flags = A, .seq = una, .ack = p, .win = 65535);
        if (st == SYNACK_TCP_LAST_ACK) {
            synack_tcp_shutdown(th->s, th->now, h);
            expect_segment(th, .flags = A | F, .seq = una, .ack = p, .win = 65535);
            una++;
        }
        break;
    case SYNACK_TCP_CLOSING:
        synack_tcp_shutdown(th->s, th->now, h);
        expect_segment(th, .flags = A | F, .seq = una, .ack = p, .win = 65535);
        send_segment(th, .flags = A | F, .seq = p, .ack = una, .win = 65535);
        una++;
        p++;
        expect_segment(th, .flags = A, .seq = una, .ack = p, .win = 65535);
        break;
    default:
        fail_msg("state %d not handled", (int)st);
    }
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, st);
    expect_no_segment(th);
    *snd = una;
    *rcv = p;
    return h;
}

static const struct {
    synack_tcp_state st;
    int err; /* sticky error after an exact RST */
} rst_cases[] = {
    {SYNACK_TCP_ESTABLISHED, SYNACK_ERR_RESET}, {SYNACK_TCP_FIN_WAIT_1, SYNACK_ERR_RESET},
    {SYNACK_TCP_FIN_WAIT_2, SYNACK_ERR_RESET},  {SYNACK_TCP_CLOSE_WAIT, SYNACK_ERR_RESET},
    {SYNACK_TCP_CLOSING, 0},                     {SYNACK_TCP_LAST_ACK, 0},
    {SYNACK_TCP_TIME_WAIT, 0},
};

/* RST with SEQ = RCV.NXT: the connection goes, with "reset" while the peer
   could still have sent us data, silently once both FINs crossed. */
static void exact_rst_in_every_state(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rst_cases / sizeof rst_cases[0]; i++) {
        tcp_harness *th = th_new(&(th_opts){.trace = true});
        uint32_t snd, rcv;
        int h = drive(th, rst_cases[i].st, &snd, &rcv);
        send_segment(th, .flags = R, .seq = rcv);
        expect_no_segment(th);
        synack_tcp_info info;
        synack_tcp_get_info(th->s, h, &info);
        assert_int_equal(info.state, SYNACK_TCP_CLOSED);
        assert_int_equal(synack_tcp_error(th->s, h), rst_cases[i].err);
        assert_int_equal(th_count_events(th, SYNACK_TRACE_ERROR), rst_cases[i].err ? 1 : 0);
        /* nothing is left: no timer, and the 4-tuple answers with RST */
        assert_int_equal(synack_poll_at(th->s), UINT64_MAX);
        send_segment(th, .flags = A, .seq = rcv, .ack = snd, .win = 100);
        expect_segment(th, .flags = R, .seq = snd);
        assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
        assert_int_equal(th_free(th), 0);
    }
}

/* RST in the window but not at RCV.NXT: challenge ACK, nothing else. */
static void inexact_rst_in_every_state_is_challenged(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rst_cases / sizeof rst_cases[0]; i++) {
        tcp_harness *th = th_new(NULL);
        uint32_t snd, rcv;
        int h = drive(th, rst_cases[i].st, &snd, &rcv);
        send_segment(th, .flags = R, .seq = rcv + 100);
        expect_segment(th, .flags = A, .seq = snd, .ack = rcv, .win = 65535);
        synack_tcp_info info;
        synack_tcp_get_info(th->s, h, &info);
        assert_int_equal(info.state, rst_cases[i].st);
        assert_int_equal(synack_tcp_error(th->s, h), 0);
        /* out of the window: dropped without an answer */
        send_segment(th, .flags = R, .seq = rcv + 10000000u);
        expect_no_segment(th);
        assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_RST_IGNORED), 1);
        synack_tcp_abort(th->s, th->now, h);
        th_flush(th);
        assert_int_equal(th_free(th), 0);
    }
}

/* SYN-SENT: a RST without an ACK is ignored; with an unacceptable ACK too. */
static void rst_in_syn_sent_needs_the_ack(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    send_segment(th, .flags = R, .seq = 0);
    send_segment(th, .flags = R | A, .seq = 0, .ack = iss + 2);
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_SYN_SENT);
    send_segment(th, .flags = R | A, .seq = 0, .ack = iss + 1);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_REFUSED);
    expect_no_segment(th);
    assert_int_equal(th_free(th), 0);
}

/* MSL 1 s: TIME-WAIT lasts 2 s, and a retransmitted FIN restarts it. */
static void time_wait_follows_the_msl_option(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1460}, err, sizeof err);
    assert_true(h >= 0);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_MSL_MS, 1000), 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_shutdown(th->s, th->now, h);
    expect_segment(th, .flags = A | F, .seq = una, .ack = PEER + 1, .win = 65535);
    send_segment(th, .flags = A | F, .seq = PEER + 1, .ack = una + 1, .win = 65535);
    expect_segment(th, .flags = A, .seq = una + 1, .ack = PEER + 2, .win = 65535);
    uint64_t t0 = th->now;
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_TIME_WAIT);
    assert_int_equal(synack_poll_at(th->s), t0 + 2000);
    /* the time-wait timer is traced with its deadline */
    const synack_trace_event *e = NULL;
    for (size_t i = 0; (e = th_find_event(th, SYNACK_TRACE_TIMER, i)) != NULL; i++)
        if (e->u.timer.name == SYNACK_TIMER_TIME_WAIT && e->u.timer.action == SYNACK_TIMER_SET)
            break;
    assert_non_null(e);
    assert_int_equal(e->u.timer.at, t0 + 2000);
    /* our ACK was lost: the peer repeats its FIN, we ACK again and restart */
    th_advance(th, 1500);
    send_segment(th, .flags = A | F, .seq = PEER + 1, .ack = una + 1, .win = 65535);
    expect_segment(th, .flags = A, .seq = una + 1, .ack = PEER + 2, .win = 65535);
    th_advance(th, 1999);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_TIME_WAIT);
    th_advance(th, 1);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    assert_int_equal(th_free(th), 0);
}

/* The stack-wide default (cfg.tcp.msl_ms) applies to new sockets. */
static void tune_msl(synack_config *cfg)
{
    cfg->tcp.msl_ms = 250;
}

static void time_wait_follows_the_msl_config(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_msl});
    uint32_t snd, rcv;
    int h = drive(th, SYNACK_TCP_TIME_WAIT, &snd, &rcv);
    th_advance(th, 499);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_TIME_WAIT);
    th_advance(th, 1);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    synack_tcp_close(th->s, th->now, h);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_rst_in_every_state),
        cmocka_unit_test(inexact_rst_in_every_state_is_challenged),
        cmocka_unit_test(rst_in_syn_sent_needs_the_ack),
        cmocka_unit_test(time_wait_follows_the_msl_option),
        cmocka_unit_test(time_wait_follows_the_msl_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
