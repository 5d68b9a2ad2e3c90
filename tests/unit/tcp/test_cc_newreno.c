/* Congestion control, common part and NewReno (RFC 5681, RFC 6582, RFC 6928). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/cc.h"

/* RFC 6928 section 2: IW = min(10*MSS, max(2*MSS, 14600)). */
static void test_initial_window(void **state)
{
    (void)state;
    assert_int_equal(synack_cc_initial_window(536), 5360);
    assert_int_equal(synack_cc_initial_window(1460), 14600);
    assert_int_equal(synack_cc_initial_window(8960), 17920);

    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1460);
    assert_int_equal(cc.cwnd, 14600);
    assert_int_equal(cc.ssthresh, UINT32_MAX);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_SLOW_START);
    synack_cc_init(&cc, SYNACK_CC_CUBIC, 536);
    assert_int_equal(cc.cwnd, 5360);
    synack_cc_init(&cc, SYNACK_CC_CUBIC, 8960);
    assert_int_equal(cc.cwnd, 17920);
}

/* The MSS learnt in the handshake rescales an untouched initial window. */
static void test_set_mss_rescales_initial_window(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 536);
    synack_cc_set_mss(&cc, 8960);
    assert_int_equal(cc.cwnd, 17920);
    assert_int_equal(cc.mss, 8960);

    /* After an RTO during the handshake the window stays one segment. */
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 536);
    synack_cc_on_rto(&cc, 0, 0);
    synack_cc_set_mss(&cc, 1460);
    assert_int_equal(cc.cwnd, 1460);
}

/* Slow start: +acked per ACK, but at most 2*SMSS per ACK (RFC 3465 L=2). */
static void test_slow_start_growth(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    assert_int_equal(cc.cwnd, 10000);
    synack_cc_on_ack(&cc, 10, 1000, 10000, 50);
    assert_int_equal(cc.cwnd, 11000);
    synack_cc_on_ack(&cc, 20, 500, 11000, 50);
    assert_int_equal(cc.cwnd, 11500);
    /* A stretch ACK of 5 segments counts as 2. */
    synack_cc_on_ack(&cc, 30, 5000, 11500, 50);
    assert_int_equal(cc.cwnd, 13500);

    /* One window of ACKs per RTT roughly doubles cwnd. */
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    for (int rtt = 0; rtt < 3; rtt++) {
        uint32_t w = cc.cwnd;
        for (uint32_t i = 0; i < w / 1000; i++)
            synack_cc_on_ack(&cc, (uint64_t)rtt * 100, 1000, w, 100);
        assert_int_equal(cc.cwnd, 2 * w);
    }
    assert_int_equal(cc.cwnd, 80000);
}

/* Crossing ssthresh stops slow start exactly at ssthresh. */
static void test_slow_start_stops_at_ssthresh(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    cc.ssthresh = 10500;
    synack_cc_on_ack(&cc, 0, 2000, 10000, 0);
    /* 500 bytes reach ssthresh, the other 1500 go to byte counting. */
    assert_int_equal(cc.cwnd, 10500);
    assert_int_equal(cc.bytes_acked, 1500);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_AVOIDANCE);
}

/* Congestion avoidance: one SMSS per cwnd of bytes acknowledged (per RTT). */
static void test_avoidance_growth_per_rtt(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    cc.cwnd = 20000;
    cc.ssthresh = 20000;
    for (int rtt = 0; rtt < 10; rtt++) {
        uint32_t w = cc.cwnd;
        for (uint32_t i = 0; i < w / 1000; i++) {
            synack_cc_on_ack(&cc, 0, 1000, w, 100);
            if (i + 1 < w / 1000)
                assert_int_equal(cc.cwnd, w); /* nothing before a full window */
        }
        assert_int_equal(cc.cwnd, w + 1000);
    }
    assert_int_equal(cc.cwnd, 30000);
}

/* Fast retransmit: ssthresh = max(FlightSize/2, 2*SMSS), cwnd = ssthresh. */
static void test_loss_reduction(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    cc.cwnd = 40000;
    synack_cc_on_loss(&cc, 100, 30000, 123456);
    assert_int_equal(cc.ssthresh, 15000);
    assert_int_equal(cc.cwnd, 15000);
    assert_true(cc.in_recovery);
    assert_int_equal(cc.recover, 123456);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_RECOVERY);

    /* A second loss in the same window does not reduce again (RFC 6582). */
    synack_cc_on_loss(&cc, 110, 15000, 130000);
    assert_int_equal(cc.cwnd, 15000);
    assert_int_equal(cc.recover, 123456);
    /* No growth during recovery. */
    synack_cc_on_ack(&cc, 120, 1000, 15000, 100);
    assert_int_equal(cc.cwnd, 15000);

    synack_cc_on_recovery_end(&cc, 200);
    assert_false(cc.in_recovery);
    assert_int_equal(cc.cwnd, 15000);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_AVOIDANCE);

    /* Small flight: the floor is 2*SMSS. */
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    synack_cc_on_loss(&cc, 0, 3000, 1);
    assert_int_equal(cc.ssthresh, 2000);
    assert_int_equal(cc.cwnd, 2000);
}

/* RTO: ssthresh from FlightSize, cwnd = 1 SMSS, held on a repeated RTO. */
static void test_rto(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    cc.cwnd = 50000;
    synack_cc_on_loss(&cc, 0, 50000, 99);
    synack_cc_on_rto(&cc, 1000, 40000);
    assert_int_equal(cc.ssthresh, 20000);
    assert_int_equal(cc.cwnd, 1000);
    assert_false(cc.in_recovery);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_SLOW_START);

    /* The same segment times out again: ssthresh is held constant. */
    synack_cc_on_rto(&cc, 3000, 2000);
    assert_int_equal(cc.ssthresh, 20000);
    assert_int_equal(cc.cwnd, 1000);

    /* New data acknowledged: slow start again, and a later RTO reduces. */
    synack_cc_on_ack(&cc, 3100, 1000, 1000, 100);
    assert_int_equal(cc.cwnd, 2000);
    synack_cc_on_rto(&cc, 5000, 2000);
    assert_int_equal(cc.ssthresh, 2000);
}

/* An application-limited sender does not grow cwnd. */
static void test_app_limited_no_growth(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    for (int i = 0; i < 100; i++)
        synack_cc_on_ack(&cc, (uint64_t)i * 10, 1000, 2000, 50);
    assert_int_equal(cc.cwnd, 10000);
    cc.ssthresh = 10000;
    for (int i = 0; i < 100; i++)
        synack_cc_on_ack(&cc, (uint64_t)i * 10, 1000, 4000, 50);
    assert_int_equal(cc.cwnd, 10000);
    /* Half the window in flight counts as limited by cwnd. */
    for (int i = 0; i < 10; i++)
        synack_cc_on_ack(&cc, 2000, 1000, 5000, 50);
    assert_int_equal(cc.cwnd, 11000);
}

/* Switching algorithm keeps the window. */
static void test_set_algo_keeps_window(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_NEWRENO, 1000);
    cc.cwnd = 33000;
    cc.ssthresh = 20000;
    synack_cc_set_algo(&cc, SYNACK_CC_CUBIC);
    assert_int_equal(cc.algo, SYNACK_CC_CUBIC);
    assert_int_equal(cc.cwnd, 33000);
    assert_int_equal(cc.ssthresh, 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_window),
        cmocka_unit_test(test_set_mss_rescales_initial_window),
        cmocka_unit_test(test_slow_start_growth),
        cmocka_unit_test(test_slow_start_stops_at_ssthresh),
        cmocka_unit_test(test_avoidance_growth_per_rtt),
        cmocka_unit_test(test_loss_reduction),
        cmocka_unit_test(test_rto),
        cmocka_unit_test(test_app_limited_no_growth),
        cmocka_unit_test(test_set_algo_keeps_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
