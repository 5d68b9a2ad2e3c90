/*
 * Timer options and RFC 6298 details not covered by test_tcp_rexmit.c:
 * configurable minimum and maximum RTO, the 3 s RTO after a retransmitted
 * SYN (RFC 6298 5.7, Karn's rule on the handshake), the SYN give-up limit
 * from the configuration, and the delayed-ACK timer option (RFC 9293
 * 3.8.6.3, RFC 5681 4.2).
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

#define PEER 9000u

static uint8_t data[4000];

static int open_plain(tcp_harness *th)
{
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460});
    return h;
}

/* Connect, and let the SYN time out once: the retransmitted SYN (ISS in
 * *iss) is the last segment seen. Returns the socket. */
static int connect_syn_retransmitted(tcp_harness *th, uint32_t *iss)
{
    int h = th_connect_syn_or_fail(th, iss);
    assert_true(th_advance_until_segment(th, 5000));
    expect_segment(th, .flags = S, .seq = *iss, .any = TH_ANY_OPTS | TH_ANY_WIN);
    return h;
}

/* RTO_MIN 50 ms, RTO_MAX 300 ms: 50, 100, 200, then capped at 300. */
static void rto_min_and_max_are_per_socket(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = open_plain(th);
    uint32_t una = th->stack_iss + 1;
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RTO_MIN_MS, 50), 0);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RTO_MAX_MS, 300), 0);
    /* min above max, or zero, is refused */
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RTO_MIN_MS, 301),
                     SYNACK_ERR_INVAL);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RTO_MIN_MS, 0), SYNACK_ERR_INVAL);
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_RTO_MAX_MS, 49),
                     SYNACK_ERR_INVAL);
    /* the handshake measured ~0 ms: a fresh sample sets RTO to the minimum */
    synack_tcp_send(th->s, th->now, h, data, 100);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 100);
    th_advance(th, 2);
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una + 100, .win = 65535);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.rto_ms, 50);
    una += 100;
    synack_tcp_send(th->s, th->now, h, data, 10);
    expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 10);
    uint64_t t = th->now;
    const uint32_t waits[5] = {50, 100, 200, 300, 300};
    for (int i = 0; i < 5; i++) {
        assert_true(th_advance_until_segment(th, 10000));
        t += waits[i];
        assert_int_equal(th->now, t);
        expect_segment(th, .flags = A | P, .seq = una, .ack = PEER + 1, .win = 65535,
                       .data = data, .len = 10);
    }
    assert_int_equal(th_free(th), 0);
}

/*
 * RFC 6298 5.7: the SYN was retransmitted and the handshake gave no RTT
 * sample (Karn: no timestamps to tell which SYN was answered), so the RTO
 * for data is 3 s rather than the 1 s initial value or the backed-off 2 s.
 */
static void syn_retransmitted_means_rto_three_seconds(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t iss;
    int h = connect_syn_retransmitted(th, &iss);
    th_advance(th, 100);
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 65535, .has_mss = true,
                 .mss = 1460);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.rto_ms, 3000);
    assert_int_equal(info.srtt_ms, 0); /* no sample was taken */
    synack_tcp_send(th->s, th->now, h, data, 10);
    expect_segment(th, .flags = A | P, .seq = iss + 1, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 10);
    uint64_t t = th->now;
    assert_true(th_advance_until_segment(th, 10000));
    assert_int_equal(th->now - t, 3000);
    expect_segment(th, .flags = A | P, .seq = iss + 1, .ack = PEER + 1, .win = 65535,
                   .data = data, .len = 10);
    assert_int_equal(th_free(th), 0);
}

/* With timestamps the echoed TSval names the SYN that was answered, so the
   handshake yields a sample even after a retransmission (RFC 7323 4.1). */
static void syn_retransmitted_with_timestamps_still_samples(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t iss;
    int h = connect_syn_retransmitted(th, &iss);
    uint32_t tsv = th->last.tsval;
    th_advance(th, 80);
    send_segment(th, .flags = S | A, .seq = PEER, .ack = iss + 1, .win = 65535, .has_mss = true,
                 .mss = 1460, .has_ts = true, .tsval = 1, .tsecr = tsv);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = PEER + 1, .win = 65535,
                   .has_ts = true, .tsecr = 1, .any = TH_ANY_TSVAL);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.srtt_ms, 80);
    /* RTO = 80 + 4 * 40 = 240 */
    assert_int_equal(info.rto_ms, 240);
    assert_int_equal(th_free(th), 0);
}

static void tune_syn_retries(synack_config *cfg)
{
    cfg->tcp.syn_retries = 2;
    cfg->tcp.rto_initial_ms = 500;
}

/* syn_retries 2, initial RTO 500 ms: SYNs at 0, 0.5, 1.5 s; give up at 3.5 s. */
static void syn_give_up_follows_the_config(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_syn_retries});
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint64_t t0 = th->now;
    const uint64_t at[2] = {500, 1500};
    for (int i = 0; i < 2; i++) {
        assert_true(th_advance_until_segment(th, 10000));
        assert_int_equal(th->now - t0, at[i]);
        th_next(th);
    }
    th_advance(th, t0 + 3499 - th->now);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    th_advance(th, 1);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    expect_no_segment(th);
    assert_int_equal(th_free(th), 0);
}

/* DELACK_MS 100: a lone segment is acknowledged 100 ms later; two full
   segments, or data out of order, at once; DELACK_MS 0: every segment. */
static void delayed_ack_timer_is_per_socket(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = open_plain(th);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER + 1;
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_DELACK_MS, 100), 0);
    /* RFC 1122 4.2.3.2: never half a second or more */
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_DELACK_MS, 500),
                     SYNACK_ERR_INVAL);
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 100);
    th_advance(th, 99);
    expect_no_segment(th);
    th_advance(th, 1);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 100, .win = 65535);
    seq += 100;
    /* out of order: immediate duplicate ACK */
    send_segment(th, .flags = A, .seq = seq + 500, .ack = una, .win = 65535, .data = data,
                 .len = 100);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535);
    /* the hole filled: immediate ACK of everything */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 500);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 600, .win = 65535);
    seq += 600;
    /* two full-sized segments: ACK at once */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 1460);
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = seq + 1460, .ack = una, .win = 65535, .data = data,
                 .len = 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 2920, .win = 65535);
    seq += 2920;
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_DELACK_MS, 0), 0);
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 10);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 10, .win = 65535);
    assert_int_equal(th_free(th), 0);
}

static void tune_ack_per_burst(synack_config *cfg)
{
    cfg->link.ack_per_burst = true;
}

/*
 * link.ack_per_burst: the ACK owed for every second full-sized segment waits
 * for the driver's poll after the burst (one ACK for the whole burst, with
 * the window after the application's reads); synack_poll_at() says "now"
 * meanwhile. Out-of-order data and a filled hole are answered at once, a
 * burst that reaches half the offered window (65535 here) gets its ACK at
 * once, and DELACK_MS 0 still acknowledges every segment.
 */
static void ack_per_burst_waits_for_the_poll(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_ack_per_burst});
    int h = open_plain(th);
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER + 1;
    /* a burst of three full segments: nothing until the poll, then one ACK */
    for (int i = 0; i < 3; i++) {
        send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data,
                     .len = 1460);
        seq += 1460;
    }
    expect_no_segment(th);
    assert_true(synack_poll_at(th->s) <= th->now);
    synack_poll(th->s, th->now);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .any = TH_ANY_WIN);
    expect_no_segment(th);
    assert_true(synack_poll_at(th->s) > th->now);
    /* the application reads before the poll: its window update carries the
       burst's one ACK, and the poll has nothing left to send */
    for (int i = 0; i < 2; i++) {
        send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data,
                     .len = 1460);
        seq += 1460;
    }
    expect_no_segment(th);
    uint8_t buf[8192];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 5 * 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .win = 65535);
    synack_poll(th->s, th->now);
    expect_no_segment(th);
    /* a lone segment keeps the delayed-ACK timer */
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 100);
    synack_poll(th->s, th->now);
    expect_no_segment(th);
    th_advance(th, 40);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 100, .any = TH_ANY_WIN);
    seq += 100;
    /* out of order, then the hole filled: each answered at once */
    send_segment(th, .flags = A, .seq = seq + 1460, .ack = una, .win = 65535, .data = data,
                 .len = 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .any = TH_ANY_WIN | TH_ANY_SACK | TH_ANY_OPTS);
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 1460);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 2920, .any = TH_ANY_WIN | TH_ANY_OPTS);
    seq += 2920;
    assert_true(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf) > 0);
    th_flush(th);
    /* half the offered window (32,767 bytes) in one burst: the ACK leaves
       with the segment that reaches it (the 23rd of 1460 bytes) */
    for (int i = 0; i < 22; i++) {
        send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data,
                     .len = 1460);
        seq += 1460;
    }
    expect_no_segment(th);
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 1460);
    seq += 1460;
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .any = TH_ANY_WIN);
    while (synack_tcp_recv(th->s, th->now, h, buf, sizeof buf) > 0) {
    }
    synack_poll(th->s, th->now);
    th_flush(th);
    /* DELACK_MS 0: every segment at once, burst or not */
    assert_int_equal(synack_tcp_setopt(th->s, h, SYNACK_TCPOPT_DELACK_MS, 0), 0);
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data, .len = 10);
    expect_segment(th, .flags = A, .seq = una, .ack = seq + 10, .any = TH_ANY_WIN);
    assert_int_equal(th_free(th), 0);
}

static void tune_three_retries(synack_config *cfg)
{
    cfg->tcp.data_retries = 3;
}

/*
 * Zero-window probing (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): the window may
 * stay closed as long as the peer answers the probes; once data_retries
 * probes in a row go unanswered, the connection is reset with "timeout".
 */
static void unanswered_window_probes_give_up(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_three_retries, .trace = true});
    char err[256];
    int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 0, .has_mss = true, .mss = 1000},
                           err, sizeof err);
    assert_true(h >= 0);
    uint32_t una = th->stack_iss + 1;
    synack_tcp_send(th->s, th->now, h, data, 10);
    expect_no_segment(th);
    /* answered probes: any number of them keeps the connection */
    uint64_t t = th->now;
    const uint32_t waits[5] = {200, 400, 800, 1600, 3200};
    for (int i = 0; i < 5; i++) {
        assert_true(th_advance_until_segment(th, 100000));
        t += waits[i];
        assert_int_equal(th->now, t);
        expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1,
                       .data = data);
        send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 0);
        expect_no_segment(th);
    }
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    /* the peer falls silent: three more probes, then RST and "timeout" */
    const uint32_t more[3] = {6400, 12800, 25600};
    for (int i = 0; i < 3; i++) {
        assert_true(th_advance_until_segment(th, 100000));
        t += more[i];
        assert_int_equal(th->now, t);
        expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535, .len = 1,
                       .data = data);
    }
    assert_true(th_advance_until_segment(th, 100000));
    assert_int_equal(th->now, t + 51200);
    expect_segment(th, .flags = SYNACK_TCP_RST, .seq = una);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    assert_int_equal(th_free(th), 0);
}

static void tune_long_delack(synack_config *cfg)
{
    cfg->tcp.delack_ms = 5000;
}

/* A configured delay of 0.5 s or more is capped at 499 ms (RFC 1122). */
static void delayed_ack_config_is_capped(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_long_delack});
    open_plain(th);
    uint32_t una = th->stack_iss + 1;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535, .data = data,
                 .len = 10);
    th_advance(th, 498);
    expect_no_segment(th);
    th_advance(th, 1);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 11, .win = 65535);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rto_min_and_max_are_per_socket),
        cmocka_unit_test(syn_retransmitted_means_rto_three_seconds),
        cmocka_unit_test(syn_retransmitted_with_timestamps_still_samples),
        cmocka_unit_test(syn_give_up_follows_the_config),
        cmocka_unit_test(delayed_ack_timer_is_per_socket),
        cmocka_unit_test(delayed_ack_config_is_capped),
        cmocka_unit_test(ack_per_burst_waits_for_the_poll),
        cmocka_unit_test(unanswered_window_probes_give_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
