/*
 * Sequence numbers wrapping past 2^32 in both directions (RFC 9293 3.4:
 * comparisons are modulo 2^32). Our ISS is steered near the wrap by the
 * start time: with a fixed seed and 4-tuple, RFC 6528's ISS grows by 250
 * per millisecond.
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

static uint8_t data[8000];

static uint32_t iss_at(uint64_t start)
{
    tcp_harness *th = th_new(&(th_opts){.start_ms = start});
    int h = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, h, 6000);
    synack_tcp_connect(th->s, th->now, h, TH_PEER_IP, TH_PEER_PORT);
    th_next(th);
    uint32_t iss = th->last.seq;
    th_free(th);
    return iss;
}

static void both_directions_wrap(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 5 + 3);
    /* choose a start time that puts our ISS 3000 below 2^32 (within 250) */
    uint64_t t0 = 1000;
    uint32_t iss0 = iss_at(t0);
    uint32_t want = 0u - 3000u;
    uint64_t start = t0 + (uint64_t)((want - iss0) / 250u);
    tcp_harness *th = th_new(&(th_opts){.start_ms = start});
    int h = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, h, 6000);
    th->local_port = 6000;
    synack_tcp_connect(th->s, th->now, h, TH_PEER_IP, TH_PEER_PORT);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN);
    uint32_t iss = th->last.seq;
    assert_true(iss > 0u - 3300u && iss <= 0u - 3000u);
    /* the peer starts just below the wrap too */
    const uint32_t peer = 0xfffffc00u;
    send_segment(th, .flags = S | A, .seq = peer, .ack = iss + 1, .win = 65535,
                 .has_mss = true, .mss = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = peer + 1, .win = 65535);
    /* send 8000 octets: our sequence numbers cross zero */
    synack_tcp_send(th->s, th->now, h, data, 8000);
    for (uint32_t i = 0; i < 8; i++)
        expect_segment(th, .flags = A | (i == 7 ? P : 0), .seq = iss + 1 + 1000 * i,
                       .ack = peer + 1, .win = 65535, .len = 1000, .data = data + 1000 * i);
    /* partial ACK across the wrap, then full */
    send_segment(th, .flags = A, .seq = peer + 1, .ack = iss + 1 + 4000, .win = 65535);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, iss + 1 + 4000);
    assert_int_equal(info.sndbuf_used, 4000);
    send_segment(th, .flags = A, .seq = peer + 1, .ack = iss + 1 + 8000, .win = 65535);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 0);
    /* receive 3000 octets crossing zero, out of order */
    send_segment(th, .flags = A, .seq = peer + 1 + 2000, .ack = iss + 8001, .win = 65535,
                 .data = data + 2000, .len = 1000);
    expect_segment(th, .flags = A, .seq = iss + 8001, .ack = peer + 1, .win = 65535);
    send_segment(th, .flags = A, .seq = peer + 1, .ack = iss + 8001, .win = 65535,
                 .data = data, .len = 2000);
    expect_segment(th, .flags = A, .seq = iss + 8001, .ack = peer + 3001, .win = 65535);
    uint8_t buf[4000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 3000);
    assert_memory_equal(buf, data, 3000);
    /* and close across it */
    send_segment(th, .flags = A | F, .seq = peer + 3001, .ack = iss + 8001, .win = 65535);
    expect_segment(th, .flags = A, .seq = iss + 8001, .ack = peer + 3002, .win = 65535);
    synack_tcp_close(th->s, th->now, h);
    expect_segment(th, .flags = A | F, .seq = iss + 8001, .ack = peer + 3002, .win = 65535);
    send_segment(th, .flags = A, .seq = peer + 3002, .ack = iss + 8002, .win = 65535);
    expect_no_segment(th);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_directions_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
