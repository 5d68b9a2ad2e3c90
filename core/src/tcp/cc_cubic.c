/*
 * CUBIC (RFC 9438) in integer arithmetic: windows in bytes, time in ms.
 *
 *   W_cubic(t) = C * (t - K)^3 + W_max              (section 4.2, eq. 1)
 *   K = cbrt((W_max - cwnd_epoch) / C)              (section 4.2, eq. 2)
 *   W_est += alpha_cubic * segments_acked / cwnd    (section 4.3, eq. 4)
 *
 * with C = 0.4 segments/s^3, beta_cubic = 0.7 and alpha_cubic =
 * 3 * (1 - beta) / (1 + beta) = 9/17 (1 once W_est reaches cwnd_prior).
 * In bytes and ms, C * dt^3 is 4 * mss * dt_ms^3 / 10^10 bytes.
 *
 * An epoch (one congestion avoidance stage) starts on the first ACK in
 * avoidance after slow start, a reduction, an RTO or an app-limited spell.
 * When W_max is unknown or not above cwnd_epoch (after an RTO, section 4.8,
 * or when slow start ended without loss, section 4.10) the epoch takes
 * K = 0 and W_max = cwnd_epoch. Ending the epoch while app-limited keeps
 * an idle spell from counting as time on the curve.
 */
#include "tcp/cc_algo.h"

/* beta_cubic = 7/10 (section 4.6); fast convergence uses (1 + beta) / 2. */
#define BETA_NUM 7u
#define BETA_DEN 10u
/* alpha_cubic = 9/17 (section 4.3), scaled by 17. */
#define ALPHA_SCALE 17u
#define ALPHA_RENO 9u
/* |t - K| is clamped to this (about 17 minutes), so dt^3 fits in 60 bits. */
#define DT_MAX_MS (1u << 20)

uint32_t synack_cc_cbrt64(uint64_t x)
{
    /* Digit-by-digit (base 8) cube root: at each step y doubles and takes
     * the next bit when (2y+1)^3 - (2y)^3 = 3*2y*(2y+1) + 1, shifted to
     * the position being decided, still fits in the remainder. */
    uint64_t y = 0;
    for (int sh = 63; sh >= 0; sh -= 3) {
        y <<= 1;
        uint64_t b = 3 * y * (y + 1) + 1;
        if ((x >> sh) >= b) {
            x -= b << sh;
            y++;
        }
    }
    return (uint32_t)y;
}

uint32_t synack_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss)
{
    if (w_max <= cwnd_epoch || mss == 0)
        return 0;
    /* K_ms^3 = (diff / mss) / 0.4 * 10^9 = diff * 2.5e9 / mss. diff is
     * below 2^32, so the product stays below 1.1e19 < 2^64. */
    uint64_t diff = w_max - cwnd_epoch;
    return synack_cc_cbrt64(diff * 2500000000u / mss);
}

uint32_t synack_cubic_window(const synack_cc *cc, uint64_t t_ms)
{
    bool below = t_ms < cc->k_ms; /* concave side: t < K */
    uint64_t dt = below ? cc->k_ms - t_ms : t_ms - cc->k_ms;
    if (dt > DT_MAX_MS)
        dt = DT_MAX_MS;
    /* C * dt^3 in thousandths of a segment: dt^3 * 0.4e-9 * 1000. */
    uint64_t milli_segs = dt * dt * dt / 2500000u;
    uint64_t delta = milli_segs * cc->mss / 1000u;
    if (below)
        return delta >= cc->w_max ? 0 : (uint32_t)(cc->w_max - delta);
    uint64_t w = cc->w_max + delta;
    return w > SYNACK_CC_CWND_MAX ? SYNACK_CC_CWND_MAX : (uint32_t)w;
}

static void epoch_begin(synack_cc *cc, uint64_t now)
{
    cc->epoch_valid = true;
    cc->epoch_start = now;
    cc->cwnd_epoch = cc->cwnd;
    cc->w_est = cc->cwnd; /* section 4.3: W_est = cwnd_epoch */
    cc->est_acked = 0;
    cc->bytes_acked = 0;
    if (cc->w_max <= cc->cwnd) {
        cc->w_max = cc->cwnd;
        cc->k_ms = 0;
    } else {
        cc->k_ms = synack_cubic_k_ms(cc->w_max, cc->cwnd, cc->mss);
    }
    if (cc->cwnd_prior == 0)
        cc->cwnd_prior = cc->cwnd;
}

/* Section 4.3: W_est grows like Reno with alpha_cubic, by byte counting. */
static void reno_friendly_update(synack_cc *cc, uint32_t acked)
{
    uint32_t alpha = cc->w_est >= cc->cwnd_prior ? ALPHA_SCALE : ALPHA_RENO;
    cc->est_acked += (uint64_t)acked * alpha;
    uint64_t per_mss = (uint64_t)cc->cwnd * ALPHA_SCALE;
    uint64_t n = cc->est_acked / per_mss;
    if (n == 0)
        return;
    cc->est_acked -= n * per_mss;
    uint64_t w = cc->w_est + n * cc->mss;
    cc->w_est = w > SYNACK_CC_CWND_MAX ? SYNACK_CC_CWND_MAX : (uint32_t)w;
}

void synack_cubic_avoid(synack_cc *cc, uint64_t now, uint32_t acked,
                        uint32_t srtt_ms)
{
    if (!cc->epoch_valid)
        epoch_begin(cc, now);
    uint64_t t = now > cc->epoch_start ? now - cc->epoch_start : 0;

    reno_friendly_update(cc, acked);

    /* Section 4.3: in the Reno-friendly region cwnd follows W_est. */
    if (synack_cubic_window(cc, t) < cc->w_est) {
        if (cc->w_est > cc->cwnd)
            cc->cwnd = cc->w_est;
        return;
    }

    /* Sections 4.4 and 4.5 (concave and convex regions): aim for
     * W_cubic(t + RTT), kept within [cwnd, 1.5 * cwnd], and grow by
     * (target - cwnd) / cwnd per segment acknowledged. */
    uint32_t target = synack_cubic_window(cc, t + srtt_ms);
    uint32_t cap = cc->cwnd + cc->cwnd / 2;
    if (target > cap)
        target = cap;
    if (target <= cc->cwnd)
        return;
    /* One MSS more per `need` bytes acknowledged: need >= 2 MSS here. */
    uint64_t need = (uint64_t)cc->cwnd * cc->mss / (target - cc->cwnd);
    if (need == 0)
        need = 1;
    uint64_t ba = (uint64_t)cc->bytes_acked + acked;
    uint64_t n = ba / need;
    ba -= n * need;
    cc->bytes_acked = ba > UINT32_MAX ? UINT32_MAX : (uint32_t)ba;
    uint64_t w = cc->cwnd + n * cc->mss;
    cc->cwnd = w > SYNACK_CC_CWND_MAX ? SYNACK_CC_CWND_MAX : (uint32_t)w;
}

/* Section 4.6: ssthresh = max(flight_size * beta_cubic, 2 * SMSS). */
static uint32_t reduced(const synack_cc *cc, uint32_t inflight)
{
    uint32_t r = (uint32_t)((uint64_t)inflight * BETA_NUM / BETA_DEN);
    return r > 2 * cc->mss ? r : 2 * cc->mss;
}

/* Section 4.7: remember W_max, lower when the last peak was not reached. */
static void set_w_max(synack_cc *cc)
{
    cc->w_last_max = cc->w_max;
    if (cc->cwnd < cc->w_max)
        cc->w_max = (uint32_t)((uint64_t)cc->cwnd * (BETA_DEN + BETA_NUM) /
                               (2 * BETA_DEN));
    else
        cc->w_max = cc->cwnd;
}

void synack_cubic_on_loss(synack_cc *cc, uint32_t inflight)
{
    set_w_max(cc);
    cc->cwnd_prior = cc->cwnd;
    cc->ssthresh = reduced(cc, inflight);
    cc->cwnd = cc->ssthresh;
    cc->epoch_valid = false;
}

void synack_cubic_on_rto(synack_cc *cc, uint32_t inflight)
{
    /* Section 4.8: ssthresh as in 4.6; the next epoch starts with K = 0
     * and W_max = cwnd at its beginning (W_max unknown here). */
    cc->ssthresh = reduced(cc, inflight);
    cc->cwnd_prior = cc->cwnd;
    cc->w_last_max = cc->w_max;
    cc->w_max = 0;
    cc->epoch_valid = false;
}

void synack_cubic_app_limited(synack_cc *cc)
{
    cc->epoch_valid = false;
}
