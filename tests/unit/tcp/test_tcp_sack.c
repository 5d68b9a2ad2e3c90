/*
 * SACK: blocks received build the scoreboard (RFC 2018), loss recovery
 * follows RFC 6675 (IsLost, pipe, NextSeg) with the losses judged by RACK
 * (RFC 8985, the default) or by DupThresh (cfg.tcp.rack false: every
 * scenario runs both ways); blocks outside the window are ignored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH

#define PEER 7000u
#define MSS 1000u

static uint8_t data[100000];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 1);
}

static int open_conn(tcp_harness *th)
{
    int h = th_open_or_fail(th, PEER, 65535, MSS, true);
    synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, SYNACK_CC_NEWRENO);
    return h;
}

/* An ACK of una + ack_off from the peer with SACK blocks (offsets from una). */
static void sack(tcp_harness *th, uint32_t una, uint32_t ack_off, uint8_t n,
                 const uint32_t (*b)[2])
{
    th_send_sack(th, PEER + 1, una, ack_off, n, b);
}

#define SEG(off) .flags = A, .seq = una + (off), .ack = PEER + 1, .win = 65535, \
                 .len = MSS, .data = data + (off)

static void recovery_with_two_holes(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 30000);
    for (uint32_t i = 0; i < 10; i++)
        expect_segment(th, SEG(i * MSS));
    /* segments 0 and 2 are lost (RACK, RFC 8985: while fewer than
       DupThresh segments are SACKed, a hole may wait for reordering) */
    sack(th, una, 0, 1, (const uint32_t[][2]){{1000, 2000}});
    expect_segment(th, SEG(10 * MSS)); /* limited transmit */
    sack(th, una, 0, 2, (const uint32_t[][2]){{3000, 4000}, {1000, 2000}});
    expect_segment(th, SEG(11 * MSS));
    sack(th, una, 0, 2, (const uint32_t[][2]){{3000, 6000}, {1000, 2000}});
    /* third duplicate, DupThresh segments SACKed: RACK's reordering window
       is 0 and both holes are lost; recovery, the first is resent */
    expect_segment(th, SEG(0));
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.ssthresh, 6000);
    /* pipe = 1000 (resent) + 6000 (above the SACKed data) = cwnd: wait */
    sack(th, una, 0, 2, (const uint32_t[][2]){{3000, 7000}, {1000, 2000}});
    expect_no_segment(th);
    /* pipe 5000: NextSeg rule 1, the second lost hole */
    sack(th, una, 0, 2, (const uint32_t[][2]){{3000, 8000}, {1000, 2000}});
    expect_segment(th, SEG(2 * MSS));
    expect_no_segment(th);
    /* pipe 5000 again: no lost hole left, so new data (rule 2) */
    sack(th, una, 0, 2, (const uint32_t[][2]){{3000, 9000}, {1000, 2000}});
    expect_segment(th, SEG(12 * MSS));
    expect_no_segment(th);
    /* both holes arrive: cumulative ACK to 9000, still short of recover */
    sack(th, una, 9000, 0, NULL);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 9000);
    /* everything up to recover (12000): recovery is over */
    sack(th, una, 12000, 0, NULL);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 12000);
    assert_int_equal(info.rexmit_segs, 2);
    assert_int_equal(info.cwnd, 6000);
}

static void is_lost_before_three_duplicates(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 10000);
    for (uint32_t i = 0; i < 10; i++)
        expect_segment(th, .flags = A | (i == 9 ? P : 0), .seq = una + i * MSS,
                       .ack = PEER + 1, .win = 65535, .len = MSS, .data = data + i * MSS);
    /* one ACK SACKs three segments above the hole: IsLost(snd_una) */
    sack(th, una, 0, 1, (const uint32_t[][2]){{1000, 4000}});
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = MSS,
                   .data = data);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rexmit_segs, 1);
}

static void bogus_blocks_are_ignored(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 3000);
    for (uint32_t i = 0; i < 3; i++)
        th_next(th);
    /* beyond snd_max, inverted, below snd_una: none counts as news */
    for (int i = 0; i < 5; i++)
        sack(th, una, 0, 3, (const uint32_t[][2]){{5000, 9000}, {2000, 1000}, {-500u, 0}});
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rexmit_segs, 0);
}

static void rto_skips_sacked_data(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 4000);
    for (uint32_t i = 0; i < 4; i++)
        th_next(th);
    /* one duplicate with a SACK for segment 1; then a timer fires: the
       RTO without RACK, RACK's reordering timer (1 ms at a 0 ms RTT) with */
    sack(th, una, 0, 1, (const uint32_t[][2]){{1000, 2000}});
    expect_no_segment(th); /* limited transmit has nothing new to send */
    th_advance(th, 200);
    expect_segment(th, SEG(0));
    /* without RACK the scoreboard was cleared by the time-out (RFC 6675
       5.1); the peer repeats its SACK with the ACK of segment 0 */
    sack(th, una, 1000, 1, (const uint32_t[][2]){{1000, 2000}});
    sack(th, una, 2000, 0, NULL);
    /* go-back-N continues with segment 2 and 3 (with RACK: both were sent
       before the delivered retransmission, so they are lost) */
    expect_segment(th, SEG(2 * MSS));
    (void)h;
}

/*
 * Defect 3 of issue 14: the first and the last segment of a flight are
 * lost. After the retransmitted first segment is acknowledged (a partial
 * ACK that empties the scoreboard), the last segment must be resent before
 * the retransmission timer (RFC 6675 NextSeg rule 4, the rescue
 * retransmission; NewReno resends on a partial ACK too), and the timer must
 * not collapse ssthresh to 2 MSS.
 */
static void partial_ack_with_empty_scoreboard_resends_tail(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 10000);
    for (uint32_t i = 0; i < 10; i++)
        th_next(th);
    /* segments 1..8 arrive, 0 and 9 are lost */
    th_advance(th, 20);
    for (uint32_t k = 2; k <= 9; k++)
        sack(th, una, 0, 1, (const uint32_t[][2]){{1000, k * 1000}});
    /* the resent segment 0 arrives: partial ACK up to the lost tail */
    th_advance(th, 20);
    sack(th, una, 9000, 0, NULL);
    /* until just before the first RTO could fire, look for the tail */
    bool tail = false;
    for (uint32_t ms = 0; ms < 150 && !tail; ms++) {
        while (th_next(th))
            if (th->last.seq == una + 9000 && th->last.payload_len == MSS)
                tail = true;
        th_advance(th, 1);
    }
    assert_true(tail);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_true(info.ssthresh > 2 * MSS);
}

/*
 * A retransmission timeout inside a SACK recovery whose retransmission
 * was lost too (seen in synack_bench lossy with rack = false): while the
 * hole stays, every SACK lets a new segment out (RFC 6675 pipe), so
 * SND.MAX - SND.UNA grows far beyond the window the recovery set. The
 * time-out must not raise ssthresh from that flight, most of it SACKed:
 * this window's reduction was made (RFC 5681 3.1 allows no more than
 * equation (4); Linux keeps ssthresh inside the recovery's window).
 */
static void rto_inside_recovery_keeps_its_reduction(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 80000);
    th_flush(th);
    /* segment 0 and its retransmission are lost; everything else arrives
       and is SACKed, one segment per ACK */
    synack_tcp_info info;
    uint32_t ssthresh = 0;
    for (uint32_t hi = 2000; hi <= 50000; hi += 1000) {
        synack_tcp_get_info(th->s, h, &info);
        if (hi > info.snd_nxt - una)
            break;
        sack(th, una, 0, 1, (const uint32_t[][2]){{1000, hi}});
        th_flush(th);
        synack_tcp_get_info(th->s, h, &info);
        if (ssthresh == 0 && info.rexmit_segs == 1)
            ssthresh = info.ssthresh; /* recovery entered */
    }
    assert_int_not_equal(ssthresh, 0);
    synack_tcp_get_info(th->s, h, &info);
    assert_true(info.snd_nxt - una >= 4 * ssthresh); /* the flight grew */
    /* the first time-out only (the next one comes after 2 RTO) */
    th_advance(th, 300);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rexmit_segs, 2); /* go-back-N from segment 0 */
    assert_int_equal(info.cwnd, MSS);
    assert_in_range(info.ssthresh, 2 * MSS, ssthresh);
}

/* The same scenarios with RACK off (cfg.tcp.rack): RFC 6675 alone. */
static void no_rack(synack_config *cfg)
{
    cfg->tcp.rack = false;
}

static int setup_no_rack(void **state)
{
    *state = th_new(&(th_opts){.tune = no_rack});
    return *state ? 0 : -1;
}

#define NO_RACK(f) \
    static void f##_no_rack(void **state) { f(state); }
NO_RACK(recovery_with_two_holes)
NO_RACK(is_lost_before_three_duplicates)
NO_RACK(bogus_blocks_are_ignored)
NO_RACK(rto_skips_sacked_data)
NO_RACK(partial_ack_with_empty_scoreboard_resends_tail)
NO_RACK(rto_inside_recovery_keeps_its_reduction)
#define no_rack_test(f) cmocka_unit_test_setup_teardown(f##_no_rack, setup_no_rack, th_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(recovery_with_two_holes),
        th_unit_test(is_lost_before_three_duplicates),
        th_unit_test(bogus_blocks_are_ignored),
        th_unit_test(rto_skips_sacked_data),
        th_unit_test(partial_ack_with_empty_scoreboard_resends_tail),
        no_rack_test(recovery_with_two_holes),
        no_rack_test(is_lost_before_three_duplicates),
        no_rack_test(bogus_blocks_are_ignored),
        no_rack_test(rto_skips_sacked_data),
        no_rack_test(partial_ack_with_empty_scoreboard_resends_tail),
        no_rack_test(rto_inside_recovery_keeps_its_reduction),
    };
    fill_data();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
