/*
 * CUBIC (RFC 9438) against values computed by hand from the RFC formulas:
 * W_cubic(t) = C (t - K)^3 + W_max, K = cbrt((W_max - cwnd_epoch) / C),
 * C = 0.4, beta_cubic = 0.7, with MSS 1000 so that 1 segment = 1000 bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tcp/cc.h"
#include "tcp/cc_algo.h"

#define MSS 1000u

/* Reference cube for the brute-force check of the integer cube root. */
static uint64_t cube(uint64_t y)
{
    return y * y * y;
}

static void test_cbrt64(void **state)
{
    (void)state;
    assert_int_equal(synack_cc_cbrt64(0), 0);
    assert_int_equal(synack_cc_cbrt64(1), 1);
    assert_int_equal(synack_cc_cbrt64(7), 1);
    assert_int_equal(synack_cc_cbrt64(8), 2);
    assert_int_equal(synack_cc_cbrt64(26), 2);
    assert_int_equal(synack_cc_cbrt64(27), 3);
    assert_int_equal(synack_cc_cbrt64(1000000000ull), 1000);
    assert_int_equal(synack_cc_cbrt64(999999999ull), 999);
    /* 2642245^3 = 18446724184312856125 <= 2^64-1 < 2642246^3 */
    assert_int_equal(synack_cc_cbrt64(UINT64_MAX), 2642245);
    assert_int_equal(synack_cc_cbrt64(cube(2642245)), 2642245);
    assert_int_equal(synack_cc_cbrt64(cube(2642245) - 1), 2642244);
    /* floor property over a spread of values */
    for (uint64_t y = 1; y < 2642245; y += 9973) {
        assert_int_equal(synack_cc_cbrt64(cube(y)), y);
        assert_int_equal(synack_cc_cbrt64(cube(y) - 1), y - 1);
        assert_int_equal(synack_cc_cbrt64(cube(y) + 3 * y), y);
    }
}

/* K = cbrt(30 segments / 0.4) = cbrt(75) = 4.2172 s. */
static void test_k(void **state)
{
    (void)state;
    assert_int_equal(synack_cubic_k_ms(100000, 70000, MSS), 4217);
    /* Same number of segments at MSS 1460. */
    assert_int_equal(synack_cubic_k_ms(146000, 102200, 1460), 4217);
    /* 0.4 segments below W_max: K = cbrt(1) = 1 s. */
    assert_int_equal(synack_cubic_k_ms(100400, 100000, MSS), 1000);
    assert_int_equal(synack_cubic_k_ms(70000, 70000, MSS), 0);
    assert_int_equal(synack_cubic_k_ms(60000, 70000, MSS), 0);
}

/* A CUBIC controller at cwnd 100 segments that sees a loss, then its first
 * ACK in congestion avoidance at t0. */
static void after_loss(synack_cc *cc, uint64_t t0)
{
    synack_cc_init(cc, SYNACK_CC_CUBIC, MSS);
    cc->cwnd = 100000;
    synack_cc_on_loss(cc, t0 - 100, 100000, 1);
    synack_cc_on_recovery_end(cc, t0 - 10);
    synack_cc_on_ack(cc, t0, MSS, cc->cwnd, 100);
}

static void test_reduction_and_epoch(void **state)
{
    (void)state;
    synack_cc cc;
    after_loss(&cc, 1000);
    /* Section 4.6: ssthresh = 0.7 * flight, cwnd = ssthresh; 4.7: W_max = cwnd. */
    assert_int_equal(cc.ssthresh, 70000);
    assert_int_equal(cc.w_max, 100000);
    assert_int_equal(cc.cwnd_prior, 100000);
    assert_true(cc.epoch_valid);
    assert_int_equal(cc.epoch_start, 1000);
    assert_int_equal(cc.cwnd_epoch, 70000);
    assert_int_equal(cc.k_ms, 4217);
    assert_int_equal(cc.w_est, 70000);
}

/* W_cubic(t) at hand-computed points of the curve. */
static void test_window_function(void **state)
{
    (void)state;
    synack_cc cc;
    after_loss(&cc, 1000);
    /* t = 0: W_max - 0.4 * 4.217^3 segs = 100000 - 29996 */
    assert_int_equal(synack_cubic_window(&cc, 0), 70004);
    /* t = K - 2 s: 100000 - 0.4 * 8 * 1000 */
    assert_int_equal(synack_cubic_window(&cc, 2217), 96800);
    /* t = K: the plateau at W_max */
    assert_int_equal(synack_cubic_window(&cc, 4217), 100000);
    /* t = K + 1 s: + 0.4 segments */
    assert_int_equal(synack_cubic_window(&cc, 5217), 100400);
    /* t = K + 5 s: + 0.4 * 125 = 50 segments */
    assert_int_equal(synack_cubic_window(&cc, 9217), 150000);
    /* far away stays bounded */
    assert_true(synack_cubic_window(&cc, 100000000ull) <= SYNACK_CC_CWND_MAX);
    cc.k_ms = 100000; /* W_max - C*K^3 below zero clamps to 0 */
    assert_int_equal(synack_cubic_window(&cc, 0), 0);
}

/* Reference W_cubic in segments for the simulation checks. */
static double ref_w_cubic(double t_s, double k_s, double w_max_segs)
{
    double d = t_s - k_s;
    return 0.4 * d * d * d + w_max_segs;
}

/* Drive one RTT: ACK every segment of the window, the window full. */
static uint32_t one_rtt(synack_cc *cc, uint64_t now, uint32_t rtt)
{
    uint32_t w = cc->cwnd;
    for (uint32_t i = 0; i < w / MSS; i++)
        synack_cc_on_ack(cc, now, MSS, w, rtt);
    return cc->cwnd - w;
}

static uint32_t sum5(const uint32_t *inc, int from)
{
    return inc[from] + inc[from + 1] + inc[from + 2] + inc[from + 3] +
           inc[from + 4];
}

/* Concave growth up to W_max, a plateau around K, then convex growth. */
static void test_concave_then_convex(void **state)
{
    (void)state;
    synack_cc cc;
    const uint32_t rtt = 100;
    after_loss(&cc, 1000);
    uint64_t now = 1000;
    uint32_t inc[100];
    for (int i = 0; i < 100; i++) {
        now += rtt;
        inc[i] = one_rtt(&cc, now, rtt);
        /* cwnd follows max(W_cubic(t + RTT), W_est) to within a few percent
         * (whole-MSS steps; the increase lags a little where it is steep). */
        double t = (double)(now - 1000) / 1000.0;
        double ref = ref_w_cubic(t + 0.1, 4.2172, 100.0) * MSS;
        if (ref < (double)cc.w_est)
            ref = (double)cc.w_est;
        assert_in_range(cc.cwnd, (uint32_t)(ref * 0.96), (uint32_t)(ref * 1.02));
        /* never more than 1.5x in one RTT */
        assert_true(inc[i] <= (cc.cwnd - inc[i]) / 2);
    }
    /* Concave: the growth shrinks while approaching K (4.2 s, RTT 41). */
    assert_true(sum5(inc, 0) > sum5(inc, 15));
    assert_true(sum5(inc, 15) > sum5(inc, 30));
    /* Around K the window sits on W_max. */
    assert_true(sum5(inc, 38) + sum5(inc, 43) <= MSS);
    /* Convex: the growth accelerates after K. */
    assert_true(sum5(inc, 75) > sum5(inc, 50));
    assert_true(sum5(inc, 85) > sum5(inc, 75));
    assert_true(sum5(inc, 95) > sum5(inc, 85));
    /* Hand-computed: at t = 10.1 s, W_cubic = 100 + 0.4 * 5.8828^3 = 181.4 segs. */
    assert_in_range(cc.cwnd, 174000, 185000);
}

/* Fast convergence (section 4.7): a loss below the last W_max releases
 * bandwidth, W_max = cwnd * (1 + beta) / 2. */
static void test_fast_convergence(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    cc.w_max = 120000;
    cc.cwnd = 100000;
    synack_cc_on_loss(&cc, 0, 100000, 1);
    assert_int_equal(cc.w_max, 85000);
    assert_int_equal(cc.w_last_max, 120000);
    assert_int_equal(cc.ssthresh, 70000);
    assert_int_equal(cc.cwnd, 70000);

    /* Above the last W_max: W_max = cwnd. */
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    cc.w_max = 90000;
    cc.cwnd = 100000;
    synack_cc_on_loss(&cc, 0, 100000, 1);
    assert_int_equal(cc.w_max, 100000);

    /* Loss with a small flight: ssthresh at least 2 MSS. */
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    synack_cc_on_loss(&cc, 0, 2000, 1);
    assert_int_equal(cc.ssthresh, 2000);
    assert_int_equal(cc.cwnd, 2000);
}

/* Reno-friendly region (section 4.3): with a short RTT, W_est outgrows
 * W_cubic and cwnd follows W_est (alpha 9/17, then 1 past cwnd_prior). */
static void test_reno_friendly_region(void **state)
{
    (void)state;
    synack_cc cc;
    const uint32_t rtt = 10;
    after_loss(&cc, 1000);
    uint64_t now = 1000;
    for (int i = 0; i < 100; i++) {
        now += rtt;
        one_rtt(&cc, now, rtt);
    }
    /* W_est: 30000 bytes at 0.529 MSS per RTT (57 RTTs), then 1 MSS per
     * RTT for the 43 left: about 143000. W_cubic(1 s) is only 86683. */
    assert_in_range(cc.w_est, 138000, 146000);
    assert_int_equal(cc.cwnd, cc.w_est);
    assert_true(cc.cwnd > synack_cubic_window(&cc, now - cc.epoch_start));
}

/* An RTO inside a fast recovery: the flight it sees (mostly SACKed
 * data above a lost retransmission) does not raise the recovery's
 * ssthresh; a smaller equation (4) value still lowers it. */
static void test_rto_in_recovery(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    cc.cwnd = 100000;
    synack_cc_on_loss(&cc, 1000, 100000, 100000);
    assert_int_equal(cc.ssthresh, 70000);
    synack_cc_on_rto(&cc, 1200, 400000);
    assert_int_equal(cc.ssthresh, 70000);
    assert_int_equal(cc.cwnd, MSS);
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    cc.cwnd = 100000;
    synack_cc_on_loss(&cc, 1000, 100000, 100000);
    synack_cc_on_rto(&cc, 1200, 50000);
    assert_int_equal(cc.ssthresh, 35000);
}

/* RTO (section 4.8): ssthresh by beta, cwnd 1 MSS; the next epoch has
 * K = 0 and W_max = cwnd at its start. */
static void test_rto(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    cc.cwnd = 100000;
    synack_cc_on_rto(&cc, 5000, 100000);
    assert_int_equal(cc.ssthresh, 70000);
    assert_int_equal(cc.cwnd, MSS);
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_SLOW_START);
    synack_cc_on_rto(&cc, 7000, 1000); /* backed-off RTO: ssthresh held */
    assert_int_equal(cc.ssthresh, 70000);

    uint64_t now = 7000;
    for (int i = 0; i < 20 && cc.cwnd < cc.ssthresh; i++) {
        now += 100;
        one_rtt(&cc, now, 100);
    }
    assert_int_equal(synack_cc_phase_of(&cc), SYNACK_CC_AVOIDANCE);
    assert_true(cc.epoch_valid);
    assert_int_equal(cc.k_ms, 0);
    assert_int_equal(cc.w_max, cc.cwnd_epoch);
    assert_true(cc.cwnd_epoch >= 70000);
    /* Convex from the start: W_cubic(1 s) = W_max + 0.4 segments. */
    assert_int_equal(synack_cubic_window(&cc, 1000), cc.w_max + 400);
}

/* An app-limited sender neither grows cwnd nor keeps the epoch clock
 * running: after 10 s of idling the window does not jump. */
static void test_app_limited(void **state)
{
    (void)state;
    synack_cc cc;
    after_loss(&cc, 1000);
    uint32_t w = cc.cwnd;
    for (int i = 0; i < 100; i++)
        synack_cc_on_ack(&cc, 1000 + (uint64_t)i * 100, MSS, w / 4, 100);
    assert_int_equal(cc.cwnd, w);
    assert_false(cc.epoch_valid);
    /* Back to a full window at t = 11 s: a new epoch from here. */
    synack_cc_on_ack(&cc, 11000, MSS, w, 100);
    assert_true(cc.epoch_valid);
    assert_int_equal(cc.epoch_start, 11000);
    one_rtt(&cc, 11100, 100);
    assert_true(cc.cwnd < w + 3 * MSS);
}

/* Slow start is shared with NewReno: ABC L = 2 SMSS. */
static void test_slow_start(void **state)
{
    (void)state;
    synack_cc cc;
    synack_cc_init(&cc, SYNACK_CC_CUBIC, MSS);
    synack_cc_on_ack(&cc, 0, 5000, 10000, 0);
    assert_int_equal(cc.cwnd, 12000);
    synack_cc_on_ack(&cc, 0, 1000, 12000, 0);
    assert_int_equal(cc.cwnd, 13000);
    assert_false(cc.epoch_valid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cbrt64),
        cmocka_unit_test(test_k),
        cmocka_unit_test(test_reduction_and_epoch),
        cmocka_unit_test(test_window_function),
        cmocka_unit_test(test_concave_then_convex),
        cmocka_unit_test(test_fast_convergence),
        cmocka_unit_test(test_reno_friendly_region),
        cmocka_unit_test(test_rto),
        cmocka_unit_test(test_rto_in_recovery),
        cmocka_unit_test(test_app_limited),
        cmocka_unit_test(test_slow_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
