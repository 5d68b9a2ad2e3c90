/*
 * RACK-TLP (RFC 8985) with hand-made ACKs: losses judged by send time,
 * the reordering window, D-SACK (RFC 2883) and the tail loss probe.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tcp_harness.h"

#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH

#define PEER 7000u
#define MSS 1000u
#define RTT 20u

static uint8_t data[100000];

static void fill_data(void)
{
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 1);
}

/*
 * Open actively with a handshake that takes RTT ms (SRTT = RTT after it),
 * the peer offering SACK, MSS 1000 and a 65535 window.
 */
static int open_conn(tcp_harness *th)
{
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    th_advance(th, RTT);
    send_segment(th, .flags = SYNACK_TCP_SYN | A, .seq = PEER, .ack = iss + 1, .win = 65535,
                 .has_mss = true, .mss = MSS, .sack_ok = true);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535,
                   .any = TH_ANY_WIN);
    th->stack_iss = iss;
    synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, SYNACK_CC_NEWRENO);
    return h;
}

/* An ACK of una + ack_off from the peer with SACK blocks (offsets from una). */
static void sack(tcp_harness *th, uint32_t una, uint32_t ack_off, uint8_t n,
                 const uint32_t (*b)[2])
{
    th_send_sack(th, PEER + 1, una, ack_off, n, b);
}

/* Count timer events of a name and action. */
static size_t timer_events(const tcp_harness *th, synack_timer_name n, synack_timer_action a)
{
    size_t c = 0;
    for (size_t i = 0; i < th->nevents; i++) {
        const synack_trace_event *e = &th->events[i];
        if (e->kind == SYNACK_TRACE_TIMER && e->u.timer.name == n && e->u.timer.action == a)
            c++;
    }
    return c;
}

/*
 * The last two segments of a flight are lost: the probe timeout (2 SRTT +
 * 2 ms) resends the last segment, its SACK shows the one before it lost,
 * and RACK resends that at once: repaired far before the RTO (200 ms).
 */
static void tail_loss_repaired_by_tlp(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    uint64_t t0 = th->now;
    synack_tcp_send(th->s, th->now, h, data, 10000);
    for (uint32_t i = 0; i < 10; i++)
        th_next(th);
    /* 20 ms later the first eight are acknowledged */
    th_advance(th, 20);
    sack(th, una, 8000, 0, NULL);
    expect_no_segment(th);
    /* the probe: the last segment again (no new data to send) */
    assert_true(th_advance_until_segment(th, 1000));
    uint64_t probe_at = th->now;
    assert_true(probe_at - t0 <= 20 + 2 * 20 + 2 + 1);
    expect_segment(th, .flags = A, .seq = una + 9000, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 9000, .any = TH_ANY_PSH);
    assert_int_equal(timer_events(th, SYNACK_TIMER_TLP, SYNACK_TIMER_FIRED), 1);
    /* its SACK arrives one RTT later: segment 8 is lost (sent before 9,
       which was delivered, and older than RTT + reo_wnd) */
    th_advance(th, 20);
    sack(th, una, 8000, 1, (const uint32_t[][2]){{9000, 10000}});
    expect_segment(th, .flags = A, .seq = una + 8000, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 8000);
    th_advance(th, 20);
    sack(th, una, 10000, 0, NULL);
    assert_true(th->now - t0 < 200);
    assert_int_equal(timer_events(th, SYNACK_TIMER_REXMIT, SYNACK_TIMER_FIRED), 0);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 10000);
    assert_int_equal(info.rexmit_segs, 2);
}

/* Send `n` segments of new data from offset `off`; take them. */
static void send_segs(tcp_harness *th, int h, uint32_t off, uint32_t n)
{
    assert_int_equal(synack_tcp_send(th->s, th->now, h, data + off, n * MSS), (int)(n * MSS));
    for (uint32_t i = 0; i < n; i++) {
        assert_true(th_next(th));
        assert_int_equal(th->last.payload_len, MSS);
    }
}

/*
 * On a path of 1 ms the probe timeout is not 2 SRTT + 2 ms = 4 ms but at
 * least 10 ms, as Linux's: a host that stalls a few ms (a busy event loop
 * in a page) must not turn every flight into a spurious retransmission.
 */
static void probe_timeout_has_a_floor(void **state)
{
    tcp_harness *th = *state;
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    th_advance(th, 1);
    send_segment(th, .flags = SYNACK_TCP_SYN | A, .seq = PEER, .ack = iss + 1, .win = 65535,
                 .has_mss = true, .mss = MSS, .sack_ok = true);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535,
                   .any = TH_ANY_WIN);
    send_segs(th, h, 0, 3);
    uint64_t t0 = th->now;
    assert_true(th_advance_until_segment(th, 1000));
    assert_true(th->now - t0 >= 10);
    assert_int_equal(timer_events(th, SYNACK_TIMER_TLP, SYNACK_TIMER_FIRED), 1);
}

/*
 * A hole below a SACKed segment is given the reordering window,
 * min_RTT / 4 = 5 ms (RFC 8985 6.2): a segment that arrives late within
 * it costs no retransmission.
 */
static void late_segment_within_reo_wnd_is_not_resent(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 3);
    th_advance(th, RTT);
    sack(th, una, 0, 1, (const uint32_t[][2]){{1000, 2000}});
    expect_no_segment(th);
    th_advance(th, 4);
    expect_no_segment(th);
    /* segment 0 arrives 4 ms late, then segment 2 */
    sack(th, una, 2000, 0, NULL);
    sack(th, una, 3000, 0, NULL);
    th_advance(th, 1000);
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rexmit_segs, 0);
    assert_int_equal(info.snd_una, una + 3000);
    assert_int_equal(timer_events(th, SYNACK_TIMER_RACK, SYNACK_TIMER_FIRED), 0);
}

/*
 * When the window passes, the reordering timer (RFC 8985 6.3) marks the
 * hole lost and it is resent: no third duplicate ACK needed. The segment
 * then arrives late after all: the peer's D-SACK (RFC 2883) for it widens
 * the window to 2 x min_RTT / 4 = 10 ms for the next hole.
 */
static void reo_timer_then_dsack_widens_window(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 3);
    th_advance(th, RTT);
    sack(th, una, 0, 1, (const uint32_t[][2]){{1000, 2000}});
    th_advance(th, 4);
    expect_no_segment(th);
    th_advance(th, 1);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = MSS,
                   .data = data, .any = TH_ANY_PSH);
    assert_int_equal(timer_events(th, SYNACK_TIMER_RACK, SYNACK_TIMER_FIRED), 1);
    /* the original was only late: everything is acknowledged, and the
       resent copy is reported as a duplicate */
    th_advance(th, 2);
    sack(th, una, 3000, 0, NULL);
    th_advance(th, RTT);
    sack(th, una, 3000, 1, (const uint32_t[][2]){{0, 1000}});
    /* the next flight (cwnd is 2 segments after the reduction) */
    th_advance(th, 100);
    send_segs(th, h, 3000, 2);
    th_advance(th, RTT);
    sack(th, una, 3000, 1, (const uint32_t[][2]){{4000, 5000}});
    th_advance(th, 9);
    expect_no_segment(th); /* 5 ms would have resent it by now */
    th_advance(th, 1);
    expect_segment(th, .flags = A, .seq = una + 3000, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 3000, .any = TH_ANY_PSH);
}

/* RFC 2883: data received twice is reported once, in the first block. */
static void dsack_sent_for_duplicates(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    (void)h;
    /* a duplicate below RCV.NXT */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535,
                 .data = data, .len = 100);
    th_advance(th, 40);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 101, .any = TH_ANY_WIN);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535,
                 .data = data, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 101, .sack_count = 1,
                   .sack = {{PEER + 1, PEER + 101}}, .any = TH_ANY_WIN);
    /* a duplicate of held out-of-order data: D-SACK, then its block */
    send_segment(th, .flags = A, .seq = PEER + 201, .ack = una, .win = 65535,
                 .data = data + 200, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 101, .sack_count = 1,
                   .sack = {{PEER + 201, PEER + 301}}, .any = TH_ANY_WIN);
    send_segment(th, .flags = A, .seq = PEER + 201, .ack = una, .win = 65535,
                 .data = data + 200, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 101, .sack_count = 2,
                   .sack = {{PEER + 201, PEER + 301}, {PEER + 201, PEER + 301}},
                   .any = TH_ANY_WIN);
    /* reported once */
    send_segment(th, .flags = A, .seq = PEER + 401, .ack = una, .win = 65535,
                 .data = data + 400, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 101, .sack_count = 2,
                   .sack = {{PEER + 401, PEER + 501}, {PEER + 201, PEER + 301}},
                   .any = TH_ANY_WIN);
}

/*
 * TLP loss detection (RFC 8985 7.4): the probe resent the last segment,
 * whose first copy had arrived (its ACK was only late). The D-SACK for
 * the probe ends the episode without a congestion response.
 */
static void tlp_probe_reported_duplicate_keeps_cwnd(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 10);
    th_advance(th, RTT);
    sack(th, una, 9000, 0, NULL);
    synack_tcp_info before;
    synack_tcp_get_info(th->s, h, &before);
    assert_true(th_advance_until_segment(th, 1000));
    expect_segment(th, .flags = A, .seq = una + 9000, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 9000, .any = TH_ANY_PSH);
    sack(th, una, 10000, 0, NULL);                                 /* the original */
    sack(th, una, 10000, 1, (const uint32_t[][2]){{9000, 10000}}); /* the probe */
    th_advance(th, 10);
    send_segs(th, h, 10000, 2);
    th_advance(th, RTT);
    sack(th, una, 12000, 0, NULL);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 12000);
    assert_int_equal(info.ssthresh, before.ssthresh);
    assert_true(info.cwnd >= before.cwnd);
}

/*
 * The same probe plugging a real hole: no D-SACK comes, and the first ACK
 * above the probe's end brings one congestion response.
 */
static void tlp_probe_that_repaired_a_loss_reduces_cwnd(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 10);
    th_advance(th, RTT);
    sack(th, una, 9000, 0, NULL);
    synack_tcp_info before;
    synack_tcp_get_info(th->s, h, &before);
    assert_true(th_advance_until_segment(th, 1000));
    expect_segment(th, .flags = A, .seq = una + 9000, .ack = PEER + 1, .win = 65535,
                   .len = MSS, .data = data + 9000, .any = TH_ANY_PSH);
    th_advance(th, RTT);
    sack(th, una, 10000, 0, NULL); /* the probe's ACK */
    send_segs(th, h, 10000, 2);
    th_advance(th, RTT);
    sack(th, una, 12000, 0, NULL);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 12000);
    assert_true(info.ssthresh < before.ssthresh);
    assert_true(info.cwnd < before.cwnd);
    assert_int_equal(timer_events(th, SYNACK_TIMER_REXMIT, SYNACK_TIMER_FIRED), 0);
}

/*
 * A hostile peer cuts the flight into one-octet SACK blocks: the records
 * split at every edge, but the ring stops at SYNACK_TCP_RACK_MAX_CAP
 * records (8192 x 16 bytes) and is given back once all is acknowledged.
 */
static void sack_blocks_at_every_octet_stay_bounded(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 10);
    size_t base = th->mem_in_use;
    th->mem_peak = base;
    uint64_t x = 42;
    th_advance(th, RTT);
    for (int i = 0; i < 3000; i++) {
        uint32_t a = 1 + (uint32_t)(th_xorshift64(&x) % 9998);
        sack(th, una, 0, 3, (const uint32_t[][2]){{a, a + 1}, {a + 2, a + 3}, {a - 1, a}});
        th_flush(th);
    }
    printf("# records: peak %zu bytes above the start\n", th->mem_peak - base);
    assert_true(th->mem_peak - base <= 2 * 8192 * 16 + 4096);
    sack(th, una, 10000, 0, NULL);
    th_flush(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.snd_una, una + 10000);
    /* the ring is gone; the SACK scoreboard (allocated by the first SACK
       block, kept for the connection's life) stays */
    printf("# after the ACK: %zu bytes above the start\n", th->mem_in_use - base);
    assert_true(th->mem_in_use <= base + 512);
}

/*
 * One ACK brings blocks most recent first: [4000, 5000) then [1000, 3000),
 * all news. That is no reordering (RFC 8985 6.2 step 3 judges against the
 * forward-most delivery before this ACK), so with 3 segments SACKed the
 * window is 0 and the holes go at once.
 */
static void blocks_in_recent_first_order_are_not_reordering(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t una = th->stack_iss + 1;
    send_segs(th, h, 0, 6);
    th_advance(th, RTT);
    sack(th, una, 0, 2, (const uint32_t[][2]){{4000, 5000}, {1000, 3000}});
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = MSS,
                   .data = data, .any = TH_ANY_PSH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test_traced(tail_loss_repaired_by_tlp),
        th_unit_test_traced(late_segment_within_reo_wnd_is_not_resent),
        th_unit_test_traced(reo_timer_then_dsack_widens_window),
        th_unit_test(dsack_sent_for_duplicates),
        th_unit_test(tlp_probe_reported_duplicate_keeps_cwnd),
        th_unit_test_traced(tlp_probe_that_repaired_a_loss_reduces_cwnd),
        th_unit_test(sack_blocks_at_every_octet_stay_bounded),
        th_unit_test(blocks_in_recent_first_order_are_not_reordering),
        th_unit_test_traced(probe_timeout_has_a_floor),
    };
    fill_data();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
