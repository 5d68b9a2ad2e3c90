/*
 * Numbers and budgets an off-path attacker must not predict or exhaust:
 * RFC 6528 initial sequence numbers, RFC 6056 ephemeral ports, the RFC 5961
 * challenge-ACK budget kept per connection; and the congestion controller
 * chosen per socket (CUBIC by default, RFC 9438; NewReno, RFC 6582).
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
#define R SYNACK_TCP_RST

#define PEER 5000u

/* The ISN of a SYN from local port 5555 to dst:dport at th->now. */
static uint32_t isn_for(tcp_harness *th, synack_ip4 dst, uint16_t dport)
{
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, h, 5555), 0);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(dst), dport), 0);
    th->local_port = 5555;
    th->peer_port = dport;
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    th_flush(th);
    return th->last.seq;
}

static void tune_seed2(synack_config *cfg)
{
    cfg->seed = 0x5eed2;
}

/* ISN = 4 us clock + keyed hash of the 4-tuple (RFC 6528 section 3). */
static void isn_is_clock_plus_keyed_hash(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t a = isn_for(th, TH_PEER_IP, 80);
    th_advance(th, 1000);
    uint32_t b = isn_for(th, TH_PEER_IP, 80);
    /* the same 4-tuple: only the clock moved, 250 ticks per ms */
    assert_int_equal((uint32_t)(b - a), 250000u);
    /* another remote port at the same time: a different hash */
    uint32_t c = isn_for(th, TH_PEER_IP, 81);
    assert_true((uint32_t)(c - b) != 0);
    /* the sequence of ISNs is not a counter shared by all connections */
    th_advance(th, 1);
    uint32_t d = isn_for(th, TH_PEER_IP, 81);
    assert_int_equal((uint32_t)(d - c), 250u);
    assert_true((uint32_t)(d - b) != 250u);
    uint64_t t = th->now;
    assert_int_equal(th_free(th), 0);
    /* another secret (seed): another ISN for the same 4-tuple and time */
    tcp_harness *th2 = th_new(&(th_opts){.tune = tune_seed2});
    th_advance(th2, t - th2->now);
    uint32_t e = isn_for(th2, TH_PEER_IP, 81);
    assert_true(e != d);
    assert_int_equal(th_free(th2), 0);
}

static uint16_t port_for(tcp_harness *th, synack_ip4 dst, uint16_t dport, int *h)
{
    *h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_connect(th->s, th->now, *h, ADDR4(dst), dport), 0);
    th->peer_port = dport;
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    assert_int_equal(th->last.dport, dport);
    return th->last.sport;
}

static uint16_t eph_next(uint16_t p)
{
    return p == 65535 ? 49152 : (uint16_t)(p + 1);
}

/* RFC 6056 algorithm 3: a keyed offset per destination plus a counter. */
static void ephemeral_ports_follow_rfc6056(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h[4];
    uint16_t p0 = port_for(th, TH_PEER_IP, 80, &h[0]);
    uint16_t p1 = port_for(th, TH_PEER_IP, 80, &h[1]);
    uint16_t p2 = port_for(th, TH_PEER_IP, 80, &h[2]);
    uint16_t q = port_for(th, TH_PEER_IP, 443, &h[3]);
    assert_true(p0 >= 49152 && p1 >= 49152 && p2 >= 49152 && q >= 49152);
    /* the same destination: consecutive ports */
    assert_int_equal(p1, eph_next(p0));
    assert_int_equal(p2, eph_next(p1));
    /* another destination starts elsewhere (its own offset) */
    assert_true(q != eph_next(p2));
    /* a port bound by a listener is skipped */
    int l = synack_tcp_open(th->s);
    uint16_t next = eph_next(eph_next(p2));
    int h4;
    assert_int_equal(synack_tcp_bind(th->s, l, eph_next(next)), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 1), 0);
    /* counter now at p2 + 2 for port 80 (one step was used by port 443) */
    uint16_t p4 = port_for(th, TH_PEER_IP, 80, &h4);
    assert_int_equal(p4, next);
    uint16_t p5 = port_for(th, TH_PEER_IP, 80, &h4);
    assert_int_equal(p5, eph_next(eph_next(next)));
    assert_int_equal(th_free(th), 0);
    /* another secret: another sequence */
    tcp_harness *th2 = th_new(&(th_opts){.tune = tune_seed2});
    uint16_t r0 = port_for(th2, TH_PEER_IP, 80, &h[0]);
    assert_true(r0 >= 49152);
    assert_true(r0 != p0);
    assert_int_equal(th_free(th2), 0);
}

static int open_conn(tcp_harness *th, uint16_t *lport)
{
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460});
    *lport = th->local_port;
    return h;
}

/* RFC 5961 section 7: the budget (10 per second by default) belongs to one
   connection; another connection's challenges are not starved by it. */
static void challenge_ack_budget_is_per_connection(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint16_t p1, p2;
    int h1 = open_conn(th, &p1);
    uint32_t una1 = th->stack_iss + 1;
    int h2 = open_conn(th, &p2);
    uint32_t una2 = th->stack_iss + 1;
    for (int i = 0; i < 12; i++)
        send_segment(th, .dport = p1, .flags = R, .seq = PEER + 10 + (uint32_t)i);
    for (int i = 0; i < 10; i++)
        expect_segment(th, .dport = 0, .sport = p1, .flags = A, .seq = una1, .ack = PEER + 1,
                       .win = 65535);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 2);
    /* the other connection still answers */
    th->local_port = p2;
    send_segment(th, .flags = R, .seq = PEER + 10);
    expect_segment(th, .flags = A, .seq = una2, .ack = PEER + 1, .win = 65535);
    /* a SYN in the exhausted connection is not answered either ... */
    th->local_port = p1;
    send_segment(th, .flags = S, .seq = PEER + 50, .win = 1000);
    expect_no_segment(th);
    /* ... until the next second */
    th_advance(th, 1000);
    send_segment(th, .flags = S, .seq = PEER + 50, .win = 1000);
    expect_segment(th, .flags = A, .seq = una1, .ack = PEER + 1, .win = 65535);
    assert_int_equal(synack_tcp_error(th->s, h1), 0);
    assert_int_equal(synack_tcp_error(th->s, h2), 0);
    assert_int_equal(th_free(th), 0);
}

static uint8_t data[20000];

/* Fast retransmit with the socket's controller; returns ssthresh after it. */
static uint32_t ssthresh_after_fast_retransmit(int algo)
{
    tcp_harness *th = th_new(NULL);
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                          .mss = 1000}, err, sizeof err);
    assert_true(h >= 0);
    if (algo >= 0)
        assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, algo), 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, sizeof data);
    for (uint32_t i = 0; i < 10; i++)
        expect_segment(th, .flags = A, .seq = una + i * 1000, .ack = PEER + 1, .win = 65535,
                       .len = 1000, .any = TH_ANY_DATA);
    expect_no_segment(th);
    for (int i = 0; i < 3; i++)
        send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535);
    /* two limited-transmit segments, then the retransmission */
    expect_segment(th, .flags = A, .seq = una + 10000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .any = TH_ANY_DATA);
    expect_segment(th, .flags = A, .seq = una + 11000, .ack = PEER + 1, .win = 65535,
                   .len = 1000, .any = TH_ANY_DATA);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1000,
                   .any = TH_ANY_DATA);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(th_free(th), 0);
    return info.ssthresh;
}

/* CUBIC by default (beta 0.7 of the 12000 in flight), NewReno per socket
   (half of it); setting CUBIC explicitly equals the default. */
static void congestion_control_default_and_per_socket(void **state)
{
    (void)state;
    assert_int_equal(ssthresh_after_fast_retransmit(-1), 8400);
    assert_int_equal(ssthresh_after_fast_retransmit(SYNACK_CC_CUBIC), 8400);
    assert_int_equal(ssthresh_after_fast_retransmit(SYNACK_CC_NEWRENO), 6000);
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, 7), SYNACK_ERR_INVAL);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(isn_is_clock_plus_keyed_hash),
        cmocka_unit_test(ephemeral_ports_follow_rfc6056),
        cmocka_unit_test(challenge_ack_budget_is_per_connection),
        cmocka_unit_test(congestion_control_default_and_per_socket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
