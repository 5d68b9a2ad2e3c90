/*
 * The socket API around buffers and readiness: per-socket send and receive
 * buffer sizes (the receive buffer fixes the announced window and scale),
 * a full send buffer, and the readiness bits through a connection's life.
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
#define F SYNACK_TCP_FIN
#define R SYNACK_TCP_RST

#define PEER 12000u

static uint8_t data[8000];

/* SNDBUF 3000: send() takes what fits, then AGAIN; an ACK makes room. */
static void send_buffer_is_per_socket(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_SNDBUF, 3000), 0);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT), 0);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    /* the peer's window is small: data waits in the buffer */
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 1000, .has_mss = true,
                 .mss = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_WRITABLE);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, data, 5000), 3000);
    assert_false(synack_tcp_events(th->s, h) & SYNACK_EV_WRITABLE);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, data + 3000, 2000), SYNACK_ERR_AGAIN);
    /* changing the size of a buffer holding data is refused */
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_SNDBUF, 10000), SYNACK_ERR_INVAL);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535, .len = 1000,
                   .data = data);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = iss + 1001, .win = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1001, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .data = data + 1000);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_WRITABLE);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, data + 3000, 2000), 1000);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 3000);
    synack_tcp_abort(th->s, th->now, h);
    th_flush(th);
    assert_int_equal(th_free(th), 0);
}

/* RCVBUF 4000 before connect: the SYN offers window 4000 with scale 0;
   once the connection started the size is fixed. */
static void receive_buffer_is_per_socket(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RCVBUF, 4000), 0);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT), 0);
    expect_segment(th, .flags = S, .win = 4000, .has_mss = true, .mss = 1460, .sack_ok = true,
                   .has_ts = true, .tsecr = 0, .has_ws = true, .ws = 0,
                   .any = TH_ANY_SEQ | TH_ANY_TSVAL | TH_ANY_PORTS);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RCVBUF, 100000),
                     SYNACK_ERR_INVAL);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 65535, .has_mss = true,
                 .mss = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 4000);
    /* 4000 octets fill it: window 0 */
    for (uint32_t i = 0; i < 4; i++)
        send_segment(th, .flags = A, .seq = PEER + 1 + 1000 * i, .ack = iss + 1, .win = 65535,
                     .data = data + 1000 * i, .len = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 2001, .win = 2000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 4001, .win = 0);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rcvbuf_used, 4000);
    assert_int_equal(info.rcv_wnd, 0);
    synack_tcp_abort(th->s, th->now, h);
    th_flush(th);
    assert_int_equal(th_free(th), 0);
}

/* Readiness bits from open to reset. */
static void readiness_through_a_life(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_events(th->s, h), 0);
    assert_int_equal(synack_tcp_events(th->s, h + 100), 0); /* bad handle */
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    assert_int_equal(synack_tcp_events(th->s, h), 0);
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 65535, .has_mss = true,
                 .mss = 1000);
    th_flush(th);
    assert_int_equal(synack_tcp_events(th->s, h), SYNACK_EV_CONNECTED | SYNACK_EV_WRITABLE);
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = iss + 1, .win = 65535, .data = "ab",
                 .len = 2);
    assert_int_equal(synack_tcp_events(th->s, h),
                     SYNACK_EV_CONNECTED | SYNACK_EV_WRITABLE | SYNACK_EV_READABLE);
    send_segment(th, .flags = A | F, .seq = PEER + 3, .ack = iss + 1, .win = 65535);
    th_flush(th);
    /* FIN behind unread data: readable, not yet EOF */
    assert_int_equal(synack_tcp_events(th->s, h),
                     SYNACK_EV_CONNECTED | SYNACK_EV_WRITABLE | SYNACK_EV_READABLE);
    uint8_t buf[4];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 2);
    assert_int_equal(synack_tcp_events(th->s, h), SYNACK_EV_CONNECTED | SYNACK_EV_WRITABLE |
                                                      SYNACK_EV_READABLE | SYNACK_EV_EOF);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 0);
    /* CLOSE-WAIT: still writable; the peer resets */
    send_segment(th, .flags = R, .seq = PEER + 4);
    uint32_t ev = synack_tcp_events(th->s, h);
    assert_true(ev & SYNACK_EV_ERROR);
    assert_true(ev & SYNACK_EV_CLOSED);
    assert_true(ev & SYNACK_EV_CONNECTED);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_RESET);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    assert_int_equal(synack_tcp_events(th->s, h), 0);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_BADF);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 7);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(send_buffer_is_per_socket),
        cmocka_unit_test(receive_buffer_is_per_socket),
        cmocka_unit_test(readiness_through_a_life),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
