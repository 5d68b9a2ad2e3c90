/*
 * Scenarios for the defects of the TCP review (issue 14), one or more per
 * defect, each written to fail on the code before its fix (the guards that
 * passed before are marked as such in the commit messages):
 *   1  in-order data with a full out-of-order store (RFC 9293 3.10.7.4 seventh)
 *   2  the zero-window probe's ACK after an older segment (RFC 9293 3.8.6.1)
 *   4  fast retransmit after 2^31 octets without loss (RFC 6582 3.2, recover)
 *   5  SYN cookies: replay after 2048 s, no recent overflow, lifetime (RFC 4987)
 *   7  reopening TIME-WAIT: ISS, old duplicate SYN, full accept queue
 *      (RFC 1122 4.2.2.13, RFC 6191)
 *   8  ACKs to out-of-window and PAWS-rejected segments rate-limited
 *   9  give-up with syn_retries / data_retries above the counters
 * Defect 10 (send offload waiting for ARP) is in test_tcp_gso.c.
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
#define R SYNACK_TCP_RST

#define PEER_ISN 1000u

static uint8_t pattern[65536];

/* The payload bytes: a pattern that shows misplaced data. */
static void fill_pattern(void)
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8));
}

/* Replace the fixture's harness with one built with `opts`. */
static tcp_harness *th_renew(void **state, const th_opts *opts)
{
    th_free(*state);
    tcp_harness *th = th_new(opts);
    *state = th;
    return th;
}

/* ---- defect 1: in-order text with a full out-of-order store ------------- */

static void tune_ooo2(synack_config *cfg)
{
    cfg->tcp.ooo_max_segments = 2;
}

/*
 * Two ranges held ([200,300) and [400,500)) with room for two: the segment
 * at RCV.NXT touches neither, needs no new range, and must be accepted
 * (RFC 9293 3.10.7.4 seventh). Then in-order data reaching the first held
 * range merges with it.
 */
static void in_order_data_accepted_with_full_ooo_store(void **state)
{
    tcp_harness *th = th_renew(state, &(th_opts){.tune = tune_ooo2});
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER_ISN, .win = 65535,
                                                 .has_mss = true, .mss = 1460,
                                                 .sack_ok = true});
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    send_segment(th, .flags = A, .seq = seq + 200, .ack = una, .win = 65535,
                 .data = pattern + 200, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535, .sack_count = 1,
                   .sack = {{seq + 200, seq + 300}});
    send_segment(th, .flags = A, .seq = seq + 400, .ack = una, .win = 65535,
                 .data = pattern + 400, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535, .sack_count = 2,
                   .sack = {{seq + 400, seq + 500}, {seq + 200, seq + 300}});
    /* [0,100) at RCV.NXT: acknowledged at once (a hole remains) */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 100, .win = 65535,
                   .sack_count = 2, .sack = {{seq + 400, seq + 500}, {seq + 200, seq + 300}});
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OOO_FULL), 0);
    /* [100,200) reaches [200,300): merged, ACK 300 */
    send_segment(th, .flags = A, .seq = seq + 100, .ack = una, .win = 65535,
                 .data = pattern + 100, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 300, .win = 65535,
                   .sack_count = 1, .sack = {{seq + 400, seq + 500}});
    /* a third island fits again, and in-order data overlapping a held
       range merges with it */
    send_segment(th, .flags = A, .seq = seq + 600, .ack = una, .win = 65535,
                 .data = pattern + 600, .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 300, .win = 65535,
                   .sack_count = 2, .sack = {{seq + 600, seq + 700}, {seq + 400, seq + 500}});
    send_segment(th, .flags = A, .seq = seq + 300, .ack = una, .win = 65535,
                 .data = pattern + 300, .len = 150);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 500, .win = 65535,
                   .sack_count = 1, .sack = {{seq + 600, seq + 700}});
    uint8_t buf[1000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 500);
    assert_memory_equal(buf, pattern, 500);
    expect_no_segment(th);
}

/* ---- defect 2: the zero-window probe's ACK after an older segment ------ */

/*
 * The probe octet S went out; a segment sent by the peer before it took
 * the octet (ACK S, window 0) arrives, then the peer's ACK of S + 1 with
 * data and an open window. That ACK covers an octet we sent: it must be
 * taken (not answered as an ACK of unsent data, RFC 5961 5.2), its data
 * delivered, and sending must resume.
 */
static void probe_ack_recognised_after_older_segment(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 0, 1000, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    synack_tcp_send(th->s, th->now, h, pattern, 10);
    expect_no_segment(th);
    th_advance(th, 200);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535, .len = 1,
                   .data = pattern);
    /* an older segment of the peer, sent before the probe arrived */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 0);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = seq, .ack = una + 1, .win = 1000,
                 .data = "hello", .len = 5);
    expect_segment(th, .flags = A | P, .seq = una + 1, .ack = seq + 5, .win = 65535,
                   .len = 9, .data = pattern + 1);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK), 0);
    uint8_t buf[16];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    send_segment(th, .flags = A, .seq = seq + 5, .ack = una + 10, .win = 1000);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.sndbuf_used, 0);
}

/* ---- defect 4: `recover` follows SND.UNA -------------------------------- */

static void tune_big_sndbuf(synack_config *cfg)
{
    cfg->tcp.sndbuf = 64u << 20;
}

/*
 * A connection carries 2^31 + 2^26 octets without a loss (64 KB segments
 * on a 65535-octet MTU, the peer acknowledging everything once per
 * flight), then loses one segment: the third duplicate ACK must start fast
 * retransmit. `recover` starts at the ISS (RFC 6582 3.2); unless it is
 * pulled along with SND.UNA, after 2^31 octets "SND.UNA < recover" holds
 * again modulo 2^32 and fast retransmit is refused.
 */
static void fast_retransmit_after_two_gib_without_loss(void **state)
{
    tcp_harness *th = th_renew(state, &(th_opts){.mtu = 65535, .tune = tune_big_sndbuf});
    const uint32_t mss = 65495;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER_ISN, .win = 65535,
                                                 .has_mss = true, .mss = (uint16_t)mss,
                                                 .has_ws = true, .ws = 14});
    synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_CC, SYNACK_CC_NEWRENO);
    uint32_t seq = PEER_ISN + 1;
    static uint8_t chunk[1u << 20];
    uint64_t total = 0;
    synack_tcp_info info;
    while (total < (1ull << 31) + (1ull << 26)) {
        while (synack_tcp_send(th->s, th->now, h, chunk, sizeof chunk) > 0)
            ;
        th_flush(th);
        synack_tcp_get_info(th->s, h, &info);
        assert_int_not_equal(info.snd_nxt, info.snd_una);
        total += info.snd_nxt - info.snd_una;
        send_segment(th, .flags = A, .seq = seq, .ack = info.snd_nxt, .win = 65535);
    }
    /* drain what is queued */
    for (;;) {
        th_flush(th);
        synack_tcp_get_info(th->s, h, &info);
        if (info.snd_nxt == info.snd_una)
            break;
        send_segment(th, .flags = A, .seq = seq, .ack = info.snd_nxt, .win = 65535);
    }
    assert_true(total >= (1ull << 31));
    assert_int_equal(info.rexmit_segs, 0);
    assert_int_equal(info.sndbuf_used, 0);
    uint32_t una = info.snd_una;
    /* five segments; the first is lost, the next three are duplicate ACKs */
    memcpy(chunk, pattern, sizeof pattern);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, chunk, 5 * mss), 5 * mss);
    for (uint32_t i = 0; i < 5; i++)
        expect_segment(th, .flags = A | (i == 4 ? P : 0), .seq = una + i * mss, .ack = seq,
                       .win = 65535, .len = mss, .any = TH_ANY_DATA | TH_ANY_WIN | TH_ANY_PSH);
    for (int i = 0; i < 3; i++)
        send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .len = mss,
                   .any = TH_ANY_DATA | TH_ANY_WIN | TH_ANY_PSH);
    assert_memory_equal(th->last_payload, chunk, mss);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rexmit_segs, 1);
}

/* ---- defect 5: SYN cookies --------------------------------------------- */

#define COOKIE_PERIOD 64000u

static int cookie_listener(tcp_harness *th)
{
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l, 80), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 1), 0);
    return l;
}

/*
 * The SYN queue (backlog 1) is full: a SYN from port 1001 holds its slot
 * (a new child, or a duplicate SYN for the one there). The SYN from
 * `sport` is then answered with a cookie, returned.
 */
static uint32_t cookie_syn(tcp_harness *th, uint16_t sport, uint32_t seq)
{
    synack_counters c0, c1;
    synack_get_counters(th->s, &c0);
    send_segment(th, .sport = 1001, .flags = S, .seq = 100, .win = 1000);
    th_flush(th);
    send_segment(th, .sport = sport, .flags = S, .seq = seq, .win = 1000);
    expect_segment(th, .dport = sport, .flags = S | A, .ack = seq + 1, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    synack_get_counters(th->s, &c1);
    assert_int_equal(c1.tcp_syn_cookies_sent, c0.tcp_syn_cookies_sent + 1);
    return th->last.seq;
}

/* The ACK completing a cookie handshake is refused with RST, no connection. */
static void cookie_refused(tcp_harness *th, int l, uint16_t sport, uint32_t seq,
                           uint32_t cookie)
{
    th_flush(th);
    send_segment(th, .sport = sport, .flags = A, .seq = seq + 1, .ack = cookie + 1, .win = 100);
    expect_segment(th, .dport = sport, .flags = R, .seq = cookie + 1);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
}

/* The ACK completing a cookie handshake makes a connection (accepted, closed). */
static void cookie_accepted(tcp_harness *th, int l, uint16_t sport, uint32_t seq,
                            uint32_t cookie)
{
    th_flush(th);
    send_segment(th, .sport = sport, .flags = A, .seq = seq + 1, .ack = cookie + 1, .win = 100);
    expect_no_segment(th);
    uint16_t port = 0;
    int h = synack_tcp_accept(th->s, th->now, l, NULL, &port);
    assert_true(h >= 0);
    assert_int_equal(port, sport);
    synack_tcp_abort(th->s, th->now, h);
    th_flush(th);
}

/*
 * A recorded cookie ACK replayed 2048 s (32 periods) later, while cookies
 * are being sent again, must not open a connection: the MAC binds the
 * whole period counter, not the 5 bits the cookie carries.
 */
static void cookie_replay_after_2048_s_refused(void **state)
{
    tcp_harness *th = *state;
    int l = cookie_listener(th);
    uint32_t cookie = cookie_syn(th, 2000, 5000);
    th_advance(th, 32u * COOKIE_PERIOD);
    th_flush(th);
    cookie_syn(th, 2001, 7000); /* a flood again: cookies are checked */
    cookie_refused(th, l, 2000, 5000, cookie);
    assert_true(synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK) >= 1);
}

/*
 * Cookies are only checked shortly after the listener sent one (as Linux):
 * a new listener on the port, which never overflowed, answers a valid
 * cookie ACK with RST.
 */
static void cookie_without_recent_overflow_refused(void **state)
{
    tcp_harness *th = *state;
    int l = cookie_listener(th);
    uint32_t cookie = cookie_syn(th, 2000, 5000);
    assert_int_equal(synack_tcp_close(th->s, th->now, l), 0);
    th_flush(th);
    l = cookie_listener(th);
    cookie_refused(th, l, 2000, 5000, cookie);
}

/*
 * Lifetime: a cookie is good for the period it was made in and the next
 * one (64 s each), so for 64 to 128 s. Made at the first millisecond of a
 * period it is accepted 127.999 s later and refused at 128 s; made at the
 * last millisecond it is accepted 64 s later and refused 1 ms after.
 */
static void cookie_lifetime_64_to_128_s(void **state)
{
    tcp_harness *th = *state;
    int l = cookie_listener(th);
    th_advance(th, COOKIE_PERIOD - th->now % COOKIE_PERIOD);
    th_flush(th);
    uint32_t c1 = cookie_syn(th, 2001, 1000);
    uint32_t c2 = cookie_syn(th, 2002, 2000);
    th_advance(th, 2 * COOKIE_PERIOD - 1);
    cookie_accepted(th, l, 2001, 1000, c1);
    th_advance(th, 1);
    th_flush(th);
    cookie_syn(th, 2009, 9000); /* keep the listener checking cookies */
    cookie_refused(th, l, 2002, 2000, c2);

    th_advance(th, COOKIE_PERIOD - 1);  /* the last ms of a period */
    assert_int_equal(th->now % COOKIE_PERIOD, COOKIE_PERIOD - 1);
    th_flush(th);
    uint32_t c3 = cookie_syn(th, 2003, 3000);
    uint32_t c4 = cookie_syn(th, 2004, 4000);
    th_advance(th, COOKIE_PERIOD);
    cookie_accepted(th, l, 2003, 3000, c3);
    th_advance(th, 1);
    th_flush(th);
    cookie_refused(th, l, 2004, 4000, c4);
}

/* ---- defect 7: reopening TIME-WAIT -------------------------------------- */

/*
 * A passive connection from the peer (ISN PEER_ISN, MSS 1460), over which
 * the stack sends `bytes` (all acknowledged), then closes first and ends
 * in TIME-WAIT. Returns the listener; *fin is our FIN's sequence number.
 */
static int time_wait_after_passive(tcp_harness *th, uint32_t bytes, uint32_t *fin)
{
    char err[256];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER_ISN, .win = 65535, .has_mss = true,
                                          .mss = 1460}, &l, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    uint32_t seq = PEER_ISN + 1;
    synack_tcp_info info;
    uint32_t left = bytes;
    while (left > 0) {
        int n = synack_tcp_send(th->s, th->now, h, pattern,
                                left < sizeof pattern ? left : sizeof pattern);
        if (n > 0)
            left -= (uint32_t)n;
        th_flush(th);
        synack_tcp_get_info(th->s, h, &info);
        send_segment(th, .flags = A, .seq = seq, .ack = info.snd_nxt, .win = 65535);
    }
    for (;;) {
        th_flush(th);
        synack_tcp_get_info(th->s, h, &info);
        if (info.snd_nxt == info.snd_una)
            break;
        send_segment(th, .flags = A, .seq = seq, .ack = info.snd_nxt, .win = 65535);
    }
    *fin = info.snd_una;
    synack_tcp_close(th->s, th->now, h);
    expect_segment(th, .flags = A | F, .seq = *fin, .ack = seq, .win = 65535);
    send_segment(th, .flags = A | F, .seq = seq, .ack = *fin + 1, .win = 65535);
    expect_segment(th, .flags = A, .seq = *fin + 1, .ack = seq + 1, .win = 65535);
    return l;
}

/* TIME-WAIT is still there: the peer's FIN, repeated, is acknowledged. */
static void expect_time_wait(tcp_harness *th, uint32_t fin)
{
    th_flush(th);
    send_segment(th, .flags = A | F, .seq = PEER_ISN + 1, .ack = fin + 1, .win = 65535);
    expect_segment(th, .flags = A, .seq = fin + 1, .ack = PEER_ISN + 2, .win = 65535);
    expect_no_segment(th);
}

/*
 * RFC 1122 4.2.2.13 (1), RFC 6191 without timestamps: the ISS of the new
 * incarnation lies above the old SND.MAX. 300 KB sent in the same
 * millisecond put the old SND.MAX far beyond what the ISN clock (250 per
 * ms) adds.
 */
static void time_wait_reopen_iss_above_old_snd_max(void **state)
{
    tcp_harness *th = *state;
    uint32_t fin;
    int l = time_wait_after_passive(th, 300000, &fin);
    uint32_t old_max = fin + 1;
    send_segment(th, .flags = S, .seq = PEER_ISN + 1000000, .win = 65535);
    expect_segment(th, .flags = S | A, .ack = PEER_ISN + 1000001, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    uint32_t iss2 = th->last.seq;
    assert_true((int32_t)(iss2 - old_max) > 0);
    send_segment(th, .flags = A, .seq = PEER_ISN + 1000001, .ack = iss2 + 1, .win = 65535);
    assert_true(synack_tcp_accept(th->s, th->now, l, NULL, NULL) >= 0);
}

/*
 * RFC 1122 4.2.2.13 (2): the SYN that reopened TIME-WAIT turns out to be
 * an old duplicate (the peer answers our SYN-ACK with RST, RFC 9293
 * figure 9): TIME-WAIT comes back and still answers the old connection.
 */
static void time_wait_back_after_old_duplicate_syn(void **state)
{
    tcp_harness *th = *state;
    uint32_t fin;
    int l = time_wait_after_passive(th, 0, &fin);
    send_segment(th, .flags = S, .seq = PEER_ISN + 1000000, .win = 65535);
    expect_segment(th, .flags = S | A, .ack = PEER_ISN + 1000001, .win = 65535,
                   .has_mss = true, .mss = 1460, .any = TH_ANY_SEQ);
    uint32_t iss2 = th->last.seq;
    send_segment(th, .flags = R, .seq = PEER_ISN + 1000001, .win = 0);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
    (void)iss2;
    expect_time_wait(th, fin);
}

/*
 * A SYN that could reopen TIME-WAIT while the listener's accept queue is
 * full gets no connection, and TIME-WAIT stays (the peer repeats its SYN).
 */
static void time_wait_kept_when_accept_queue_full(void **state)
{
    tcp_harness *th = *state;
    uint32_t fin;
    int l = time_wait_after_passive(th, 0, &fin);
    assert_int_equal(synack_tcp_listen(th->s, l, 1), 0);
    /* another client fills the accept queue */
    send_segment(th, .sport = 41000, .flags = S, .seq = 5000, .win = 65535);
    expect_segment(th, .dport = 41000, .flags = S | A, .ack = 5001, .win = 65535,
                   .has_mss = true, .mss = 536, .any = TH_ANY_SEQ | TH_ANY_OPTS);
    send_segment(th, .sport = 41000, .flags = A, .seq = 5001, .ack = th->last.seq + 1,
                 .win = 65535);
    expect_no_segment(th);
    send_segment(th, .flags = S, .seq = PEER_ISN + 1000000, .win = 65535);
    expect_no_segment(th);
    assert_true(synack_drops(th->s, SYNACK_DROP_TCP_BACKLOG_FULL) >= 1);
    expect_time_wait(th, fin);
    /* once there is room, the repeated SYN reopens it */
    assert_true(synack_tcp_accept(th->s, th->now, l, NULL, NULL) >= 0);
    send_segment(th, .flags = S, .seq = PEER_ISN + 1000000, .win = 65535);
    expect_segment(th, .flags = S | A, .ack = PEER_ISN + 1000001, .win = 65535,
                   .has_mss = true, .mss = 536, .any = TH_ANY_SEQ | TH_ANY_OPTS);
}

/* ---- defect 8: ACKs to invalid segments are rate-limited ---------------- */

/* ACK segments taken from the captured frames (checked: seq una, ack ack). */
static int count_acks(tcp_harness *th, uint32_t una, uint32_t ack)
{
    int n = 0;
    while (th_next(th)) {
        assert_int_equal(th->last.flags, A);
        assert_int_equal(th->last.seq, una);
        assert_int_equal(th->last.ack, ack);
        n++;
    }
    return n;
}

/*
 * Twenty bare segments far outside the receive window (an ACK loop or a
 * reflection attempt) get one ACK per 500 ms, not one each; the others are
 * counted as tcp/invalid-ack-limit.
 */
static void out_of_window_acks_rate_limited(void **state)
{
    tcp_harness *th = *state;
    th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    for (int i = 0; i < 20; i++)
        send_segment(th, .flags = A, .seq = seq + 0x40000000u, .ack = una, .win = 65535);
    assert_int_equal(count_acks(th, una, seq), 1);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OUT_OF_WINDOW), 20);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 19);
    th_advance(th, 499);
    send_segment(th, .flags = A, .seq = seq + 0x40000000u, .ack = una, .win = 65535);
    assert_int_equal(count_acks(th, una, seq), 0);
    th_advance(th, 1);
    for (int i = 0; i < 5; i++)
        send_segment(th, .flags = A, .seq = seq - 100000, .ack = una, .win = 65535);
    assert_int_equal(count_acks(th, una, seq), 1);
}

/* The same for segments PAWS rejects (RFC 7323 5.3), when they carry no data. */
static void paws_acks_rate_limited(void **state)
{
    tcp_harness *th = *state;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER_ISN, .win = 65535,
                                                 .has_mss = true, .mss = 1460,
                                                 .has_ts = true, .tsval = 1000});
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    uint32_t ours = th->last.tsval;
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = "new",
                 .len = 3, .has_ts = true, .tsval = 2000, .tsecr = ours);
    th_advance(th, 1000); /* the delayed ACK */
    th_flush(th);
    for (int i = 0; i < 10; i++)
        send_segment(th, .flags = A, .seq = seq + 3, .ack = una, .win = 65535, .has_ts = true,
                     .tsval = 1500, .tsecr = ours);
    int n = 0;
    while (th_next(th)) {
        assert_int_equal(th->last.ack, seq + 3);
        n++;
    }
    assert_int_equal(n, 1);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_PAWS), 10);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 9);
    uint8_t buf[8];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 3);
}

/*
 * What must still be answered every time: duplicate data (its ACK may
 * have been lost, RFC 9293 3.10.7.4 first), and the peer's keepalive
 * probes (<SEQ=RCV.NXT-1>, no data, RFC 9293 3.8.4) at their interval.
 */
static void duplicate_data_and_keepalives_still_acked(void **state)
{
    tcp_harness *th = *state;
    th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER_ISN + 1;
    send_segment(th, .flags = A | P, .seq = seq, .ack = una, .win = 65535, .data = pattern,
                 .len = 100);
    th_advance(th, 1000);
    assert_int_equal(count_acks(th, una, seq + 100), 1);
    /* the segment, retransmitted three times in a row: an ACK each time */
    for (int i = 0; i < 3; i++)
        send_segment(th, .flags = A | P, .seq = seq, .ack = una, .win = 65535,
                     .data = pattern, .len = 100);
    assert_int_equal(count_acks(th, una, seq + 100), 3);
    /* keepalive probes, one per second (Linux's fastest is 1 s) */
    for (int i = 0; i < 3; i++) {
        th_advance(th, 1000);
        th_flush(th);
        send_segment(th, .flags = A, .seq = seq + 99, .ack = una, .win = 65535);
        assert_int_equal(count_acks(th, una, seq + 100), 1);
    }
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 0);
}

/*
 * TIME-WAIT: the peer's FIN, repeated because our last ACK was lost, is
 * answered each time it comes (its retransmission timer is far above the
 * 500 ms limit).
 */
static void time_wait_repeated_fin_acked_each_time(void **state)
{
    tcp_harness *th = *state;
    uint32_t fin;
    time_wait_after_passive(th, 0, &fin);
    for (int i = 0; i < 3; i++) {
        th_advance(th, 1000);
        expect_time_wait(th, fin);
    }
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 0);
}

/* ---- defect 9: give-up with large retry settings ------------------------- */

/* The documented upper bound of syn_retries and data_retries. */
#define MAX_RETRIES 127

static void tune_many_retries(synack_config *cfg)
{
    cfg->tcp.syn_retries = 1000;
    cfg->tcp.data_retries = 1000;
}

/*
 * Step from deadline to deadline (ARP answered on the way) until the
 * connection has an error or `steps` deadlines passed; returns the TCP
 * segments the stack sent meanwhile.
 */
static int run_until_error(tcp_harness *th, int h, int steps)
{
    int segs = 0;
    for (int i = 0; i < steps && synack_tcp_error(th->s, h) == 0; i++) {
        th_advance_to_deadline(th, 3600000);
        while (th_next(th))
            segs++;
    }
    return segs;
}

/*
 * data_retries above what the counters hold (1000): the retransmissions
 * of an unacknowledged segment still end, after the documented maximum.
 */
static void large_data_retries_give_up(void **state)
{
    tcp_harness *th = th_renew(state, &(th_opts){.tune = tune_many_retries});
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    synack_tcp_send(th->s, th->now, h, pattern, 100);
    assert_int_equal(th_pending(th), 1);
    th_flush(th);
    int segs = run_until_error(th, h, 3000);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    assert_int_equal(segs, MAX_RETRIES); /* the retransmissions, then silence */
}

/* The same for zero-window probes nobody answers. */
static void large_data_retries_persist_gives_up(void **state)
{
    tcp_harness *th = th_renew(state, &(th_opts){.tune = tune_many_retries});
    int h = th_open_or_fail(th, PEER_ISN, 0, 1460, false);
    synack_tcp_send(th->s, th->now, h, pattern, 100);
    expect_no_segment(th);
    int segs = run_until_error(th, h, 3000);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    assert_in_range(segs, MAX_RETRIES, MAX_RETRIES + 2);
}

/* And for SYN retransmissions. */
static void large_syn_retries_give_up(void **state)
{
    tcp_harness *th = th_renew(state, &(th_opts){.tune = tune_many_retries});
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    int segs = run_until_error(th, h, 3000);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    assert_int_equal(segs, MAX_RETRIES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(in_order_data_accepted_with_full_ooo_store),
        th_unit_test(probe_ack_recognised_after_older_segment),
        th_unit_test(fast_retransmit_after_two_gib_without_loss),
        th_unit_test(cookie_replay_after_2048_s_refused),
        th_unit_test(cookie_without_recent_overflow_refused),
        th_unit_test(cookie_lifetime_64_to_128_s),
        th_unit_test(time_wait_reopen_iss_above_old_snd_max),
        th_unit_test(time_wait_back_after_old_duplicate_syn),
        th_unit_test(time_wait_kept_when_accept_queue_full),
        th_unit_test(out_of_window_acks_rate_limited),
        th_unit_test(paws_acks_rate_limited),
        th_unit_test(duplicate_data_and_keepalives_still_acked),
        th_unit_test(time_wait_repeated_fin_acked_each_time),
        th_unit_test(large_data_retries_give_up),
        th_unit_test(large_data_retries_persist_gives_up),
        th_unit_test(large_syn_retries_give_up),
    };
    fill_pattern();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
