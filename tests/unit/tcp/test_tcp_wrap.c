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
#include "test_addr.h"

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
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    th_next(th);
    uint32_t iss = th->last.seq;
    th_free(th);
    return iss;
}

/* A harness whose start time puts our ISS `below` under 2^32 (within 250,
 * checked to 300); connects from port 6000 and takes the SYN (th->last). */
static tcp_harness *connect_below_wrap(uint32_t below, int *h)
{
    uint64_t t0 = 1000;
    uint32_t want = 0u - below;
    uint64_t start = t0 + (uint64_t)((want - iss_at(t0)) / 250u);
    tcp_harness *th = th_new(&(th_opts){.start_ms = start});
    *h = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, *h, 6000);
    th->local_port = 6000;
    synack_tcp_connect(th->s, th->now, *h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN);
    uint32_t iss = th->last.seq;
    assert_true(iss > want - 300u && iss <= want);
    return th;
}

static void both_directions_wrap(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 5 + 3);
    int h;
    tcp_harness *th = connect_below_wrap(3000, &h);
    uint32_t iss = th->last.seq;
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

/*
 * SACK blocks and timestamps across the wrap: our ISS and the peer's ISN
 * sit just below 2^32, the peer's TSval crosses zero too. SACK blocks that
 * straddle zero are processed (loss recovery starts on the third one) and
 * sent; PAWS takes the wrapped TSvals as newer.
 */
static void sack_and_timestamps_across_the_wrap(void **state)
{
    (void)state;
    int h;
    tcp_harness *th = connect_below_wrap(2500, &h);
    uint32_t iss = th->last.seq;
    uint32_t tsv = th->last.tsval;
    const uint32_t peer = 0xfffff600u;
    uint32_t pts = 0xfffffff0u; /* the peer's TSval, about to wrap */
    /* MSS 1012: 1000 octets of payload next to the 12 of timestamps */
    send_segment(th, .flags = S | A, .seq = peer, .ack = iss + 1, .win = 65535,
                 .has_mss = true, .mss = 1012, .sack_ok = true, .has_ts = true,
                 .tsval = pts, .tsecr = tsv);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = peer + 1, .win = 65535,
                   .has_ts = true, .tsecr = pts, .any = TH_ANY_TSVAL);
    uint32_t una = iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 6000);
    for (uint32_t i = 0; i < 6; i++)
        expect_segment(th, .flags = A | (i == 5 ? P : 0), .seq = una + 1000 * i,
                       .ack = peer + 1, .win = 65535, .len = 1000, .data = data + 1000 * i,
                       .has_ts = true, .tsecr = pts, .any = TH_ANY_TSVAL);
    /* segment 0 is lost; SACKs of 1.., the block crossing zero, with the
       peer's TSval crossing zero as well */
    const uint32_t tsvals[3] = {0xfffffffeu, 0x2u, 0x5u};
    /* all in the same tick: RACK (RFC 8985) gives a hole its reordering
       window while fewer than DupThresh segments are SACKed */
    for (uint32_t k = 0; k < 3; k++) {
        send_segment(th, .flags = A, .seq = peer + 1, .ack = una, .win = 65535,
                     .has_ts = true, .tsval = tsvals[k], .tsecr = tsv, .sack_count = 1,
                     .sack = {{una + 1000, una + 2000 + 1000 * k}});
        if (k < 2)
            expect_no_segment(th); /* nothing new to send (limited transmit) */
    }
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_PAWS), 0);
    /* the third SACK: fast retransmit of segment 0 (RFC 6675) */
    expect_segment(th, .flags = A, .seq = una, .ack = peer + 1, .win = 65535, .len = 1000,
                   .data = data, .has_ts = true, .tsecr = 0x5u, .any = TH_ANY_TSVAL);
    expect_no_segment(th);
    /* the SACKed block [una + 1000, una + 4000) straddled zero */
    assert_true(una + 1000 > 0xfffff000u && una + 4000 < 0x1000u);
    /* everything acknowledged */
    send_segment(th, .flags = A, .seq = peer + 1, .ack = una + 6000, .win = 65535,
                 .has_ts = true, .tsval = 0x6u, .tsecr = tsv);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 6000);
    assert_int_equal(info.sndbuf_used, 0);
    /* receive: segment 3 (across the peer's wrap) out of order -> a SACK
       block that straddles zero */
    uint32_t r = peer + 1;
    assert_true(r + 2000 > 0xfffff000u && r + 3000 < 0x1000u);
    send_segment(th, .flags = A, .seq = r + 2000, .ack = una + 6000, .win = 65535,
                 .data = data, .len = 1000, .has_ts = true, .tsval = 0x7u, .tsecr = tsv);
    expect_segment(th, .flags = A, .seq = una + 6000, .ack = r, .win = 65535, .has_ts = true,
                   .tsecr = 0x6u, .sack_count = 1, .sack = {{r + 2000, r + 3000}},
                   .any = TH_ANY_TSVAL);
    send_segment(th, .flags = A, .seq = r, .ack = una + 6000, .win = 65535, .data = data,
                 .len = 2000, .has_ts = true, .tsval = 0x8u, .tsecr = tsv);
    expect_segment(th, .flags = A, .seq = una + 6000, .ack = r + 3000, .win = 65535,
                   .has_ts = true, .tsecr = 0x8u, .any = TH_ANY_TSVAL);
    /* an old TSval (from before the wrap) is now rejected by PAWS */
    send_segment(th, .flags = A, .seq = r + 3000, .ack = una + 6000, .win = 65535,
                 .data = data, .len = 10, .has_ts = true, .tsval = 0xfffffff8u, .tsecr = tsv);
    expect_segment(th, .flags = A, .seq = una + 6000, .ack = r + 3000, .win = 65535,
                   .has_ts = true, .tsecr = 0x8u, .any = TH_ANY_TSVAL);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_PAWS), 1);
    synack_tcp_abort(th->s, th->now, h);
    th_flush(th);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_directions_wrap),
        cmocka_unit_test(sack_and_timestamps_across_the_wrap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
