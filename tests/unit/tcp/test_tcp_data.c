/*
 * Data transfer in ESTABLISHED: segmentation at the MSS, Nagle (RFC 9293
 * 3.7.4), delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2), reassembly and the
 * receive API.
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

#define PEER_ISN 1000u

static uint8_t pattern[65536];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* Each test opens actively; the peer: ISN 1000, window 65535, MSS 1460, no other options. */
static void send_segments_and_nagle(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    const uint32_t ack = PEER_ISN + 1;
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 100), 100);
    expect_segment(th, .flags = A | P, .seq = una, .ack = ack, .win = 65535,
                   .data = pattern, .len = 100);
    /* Nagle: a small segment waits while data is unacknowledged */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern + 100, 100), 100);
    expect_no_segment(th);
    /* ... but a full segment goes */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern + 200, 2000), 2000);
    expect_segment(th, .flags = A, .seq = una + 100, .ack = ack, .win = 65535,
                   .data = pattern + 100, .len = 1460);
    expect_no_segment(th);
    /* ACK of the small first segment: only a full segment is in flight,
       so (Minshall's Nagle) the 640-byte tail goes */
    send_segment(th, .flags = A, .seq = ack, .ack = una + 100, .win = 65535);
    expect_segment(th, .flags = A | P, .seq = una + 1560, .ack = ack, .win = 65535,
                   .data = pattern + 1560, .len = 640);
    send_segment(th, .flags = A, .seq = ack, .ack = una + 1560, .win = 65535);
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 640);
    send_segment(th, .flags = A, .seq = ack, .ack = una + 2200, .win = 65535);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 0);
    assert_int_equal(info.bytes_sent, 2200);
    /* nothing outstanding: the retransmission timer is off */
    assert_true(synack_poll_at(th->s) > th->now + 1000);
    expect_no_segment(th);
}

/*
 * Minshall's variant of Nagle (as Linux): a small segment is held only
 * while an earlier small segment is unacknowledged. A reply of 2.5 MSS
 * leaves at once, its partial tail included; a second small write while
 * that tail is unacknowledged waits for its ACK.
 */
static void minshall_nagle_sends_partial_tail(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    const uint32_t ack = PEER_ISN + 1;
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 3650), 3650);
    expect_segment(th, .flags = A, .seq = una, .ack = ack, .win = 65535,
                   .data = pattern, .len = 1460);
    expect_segment(th, .flags = A, .seq = una + 1460, .ack = ack, .win = 65535,
                   .data = pattern + 1460, .len = 1460);
    /* the old rule held this until the ACK of the first two */
    expect_segment(th, .flags = A | P, .seq = una + 2920, .ack = ack, .win = 65535,
                   .data = pattern + 2920, .len = 730);
    /* a small segment is unacknowledged: the next small write waits */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern + 3650, 100), 100);
    expect_no_segment(th);
    /* the full segments are acknowledged, the small one is not: still waits */
    th_advance(th, 10);
    send_segment(th, .flags = A, .seq = ack, .ack = una + 2920, .win = 65535);
    expect_no_segment(th);
    /* the small segment is acknowledged: the held bytes go */
    send_segment(th, .flags = A, .seq = ack, .ack = una + 3650, .win = 65535);
    expect_segment(th, .flags = A | P, .seq = una + 3650, .ack = ack, .win = 65535,
                   .data = pattern + 3650, .len = 100);
    expect_no_segment(th);
}

static void nodelay_sends_small_segments(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_NODELAY, 1), 0);
    synack_tcp_send(th->s, th->now, h, pattern, 10);
    synack_tcp_send(th->s, th->now, h, pattern + 10, 10);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER_ISN + 1, .win = 65535,
                   .data = pattern, .len = 10);
    expect_segment(th, .flags = A | P, .seq = una + 10, .ack = PEER_ISN + 1, .win = 65535,
                   .data = pattern + 10, .len = 10);
}

static void initial_window_is_ten_segments(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 30000), 30000);
    /* RFC 6928: min(10*MSS, max(2*MSS, 14600)) = 14600 = 10 segments */
    for (int i = 0; i < 10; i++)
        expect_segment(th, .flags = A, .seq = una + 1460u * (uint32_t)i, .ack = PEER_ISN + 1,
                       .win = 65535, .len = 1460, .data = pattern + 1460 * i);
    expect_no_segment(th);
    /* one ACK for two segments: slow start opens the window further */
    send_segment(th, .flags = A, .seq = PEER_ISN + 1, .ack = una + 2920, .win = 65535);
    assert_true(th_pending(th) >= 2);
}

static void receive_in_order_with_delayed_ack(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    send_segment(th, .flags = A | P, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 500);
    expect_no_segment(th);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_READABLE);
    /* the delayed ACK goes after 40 ms */
    th_advance(th, 39);
    expect_no_segment(th);
    th_advance(th, 1);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 500, .win = 65535);
    /* every second full-sized segment is acknowledged at once */
    seq += 500;
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern + 500,
                 .len = 1460);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = seq + 1460, .ack = una, .win = 65535,
                 .data = pattern + 1960, .len = 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 2920, .win = 65535);
    uint8_t buf[8192];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 3420);
    assert_memory_equal(buf, pattern, 3420);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), SYNACK_ERR_AGAIN);
    assert_false(synack_tcp_events(th->s, h) & SYNACK_EV_READABLE);
}

/* A link with receive offload hands over TCP super-frames (many segments
 * coalesced, above the MTU): each is ACKed at once, and they leave the
 * "full-sized segment" of the delayed-ACK rule at our MSS. */
static void super_frame_is_acked_and_keeps_full_size(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 8000);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 8000, .win = 65535);
    seq += 8000;
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535,
                 .data = pattern + 8000, .len = 1460);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = seq + 1460, .ack = una, .win = 65535,
                 .data = pattern + 9460, .len = 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 2920, .win = 65535);
    uint8_t buf[16384];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 10920);
    assert_memory_equal(buf, pattern, 10920);
}

static void duplicate_data_is_acked_not_delivered_twice(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 300);
    th_advance(th, 40);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 300, .win = 65535);
    /* a retransmission of old data: immediate ACK, nothing new to read */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 300);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 300, .win = 65535);
    /* overlapping old and new: only the new part is taken */
    send_segment(th, .flags = A, .seq = seq + 200, .ack = una, .win = 65535,
                 .data = pattern + 200, .len = 300);
    uint8_t buf[1000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 500);
    assert_memory_equal(buf, pattern, 500);
}

static int open_sack(tcp_harness *th)
{
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER_ISN, .win = 65535, .has_mss = true,
                                                 .mss = 1460, .sack_ok = true});
    return h;
}

static void out_of_order_sends_sack_and_fills_hole(void **state)
{
    tcp_harness *th = *state;
    int h = open_sack(th);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    /* segment 2 and 4 arrive first: immediate duplicate ACKs with SACK */
    send_segment(th, .flags = A, .seq = seq + 1000, .ack = una, .win = 65535,
                 .data = pattern + 1000, .len = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535, .sack_count = 1,
                   .sack = {{seq + 1000, seq + 2000}});
    send_segment(th, .flags = A, .seq = seq + 3000, .ack = una, .win = 65535,
                 .data = pattern + 3000, .len = 1000);
    /* most recent block first (RFC 2018 section 4) */
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535, .sack_count = 2,
                   .sack = {{seq + 3000, seq + 4000}, {seq + 1000, seq + 2000}});
    assert_false(synack_tcp_events(th->s, h) & SYNACK_EV_READABLE);
    /* segment 1 fills the first hole: immediate ACK up to 2000 */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 2000, .win = 65535,
                   .sack_count = 1, .sack = {{seq + 3000, seq + 4000}});
    send_segment(th, .flags = A, .seq = seq + 2000, .ack = una, .win = 65535,
                 .data = pattern + 2000, .len = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 4000, .win = 65535);
    uint8_t buf[8192];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 4000);
    assert_memory_equal(buf, pattern, 4000);
}

static void tune_ooo2(synack_config *cfg)
{
    cfg->tcp.ooo_max_segments = 2;
}

static void ooo_memory_is_bounded(void **state)
{
    tcp_harness *th0 = *state;
    th_free(th0);
    tcp_harness *th = th_new(&(th_opts){.tune = tune_ooo2});
    *state = th;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    for (uint32_t i = 1; i <= 4; i++) {
        send_segment(th, .flags = A, .seq = seq + 200 * i, .ack = una, .win = 65535,
                     .data = pattern + 200 * i, .len = 100);
        expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535);
    }
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OOO_FULL), 2);
    /* the hole in front fills: ranges 1 and 2 were kept */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 200);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 300, .win = 65535);
    uint8_t buf[1000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 300);
    assert_memory_equal(buf, pattern, 300);
}

static void bad_checksum_is_dropped(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A, .seq = PEER_ISN + 1, .ack = una, .win = 65535,
                 .data = pattern, .len = 100, .bad_checksum = true);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BAD_CHECKSUM), 1);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, (uint8_t[8]){0}, 8), SYNACK_ERR_AGAIN);
}

static void urgent_data_is_delivered_inline(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A | SYNACK_TCP_URG, .seq = PEER_ISN + 1, .ack = una,
                 .win = 65535, .urg = 5000, .data = pattern, .len = 10);
    uint8_t buf[64];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 10);
    assert_memory_equal(buf, pattern, 10);
}

static void data_and_fin_in_one_segment(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A | P | F, .seq = PEER_ISN + 1, .ack = una, .win = 65535,
                 .data = pattern, .len = 50);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER_ISN + 52, .win = 65535);
    uint8_t buf[64];
    assert_int_equal(synack_tcp_events(th->s, h) & SYNACK_EV_EOF, 0);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 50);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_EOF);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 0);
    /* our side may still send (half-close) */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "hello", 5), 5);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER_ISN + 52, .win = 65535,
                   .data = "hello", .len = 5);
}

static void send_before_established_is_queued(void **state)
{
    tcp_harness *th = *state;
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "early", 5), 5);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    send_segment(th, .flags = S | A, .seq = 9, .ack = iss + 1, .win = 1000);
    /* the ACK of the handshake carries the queued data */
    expect_segment(th, .flags = A | P, .seq = iss + 1, .ack = 10, .win = 65535,
                   .data = "early", .len = 5);
    expect_no_segment(th);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(send_segments_and_nagle),
        th_unit_test(minshall_nagle_sends_partial_tail),
        th_unit_test(nodelay_sends_small_segments),
        th_unit_test(initial_window_is_ten_segments),
        th_unit_test(receive_in_order_with_delayed_ack),
        th_unit_test(super_frame_is_acked_and_keeps_full_size),
        th_unit_test(duplicate_data_is_acked_not_delivered_twice),
        th_unit_test(out_of_order_sends_sack_and_fills_hole),
        th_unit_test(ooo_memory_is_bounded),
        th_unit_test(bad_checksum_is_dropped),
        th_unit_test(urgent_data_is_delivered_inline),
        th_unit_test(data_and_fin_in_one_segment),
        th_unit_test(send_before_established_is_queued),
    };
    fill_pattern();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
