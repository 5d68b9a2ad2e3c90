/*
 * Congestion control common to both algorithms: the initial window
 * (RFC 6928 section 2), slow start with Appropriate Byte Counting (RFC 5681
 * section 3.1, RFC 3465 with L = 2*SMSS), the app-limited rule (RFC 7661
 * section 4.3 in spirit: no growth unless the window was at least half
 * used), and the dispatch to NewReno (cc_newreno.c) or CUBIC (cc_cubic.c).
 */
#include "tcp/cc_algo.h"

/* RFC 9293 section 3.7.1: the default send MSS when none is known. */
#define DEFAULT_MSS 536u

uint32_t synack_cc_initial_window(uint32_t mss)
{
    uint32_t lo = 2 * mss > 14600u ? 2 * mss : 14600u;
    return 10 * mss < lo ? 10 * mss : lo;
}

void synack_cc_init(synack_cc *cc, synack_cc_algo algo, uint32_t mss)
{
    *cc = (synack_cc){0};
    cc->algo = algo;
    cc->mss = mss != 0 ? mss : DEFAULT_MSS;
    cc->cwnd = synack_cc_initial_window(cc->mss);
    /* RFC 5681 section 3.1: "the initial value of ssthresh SHOULD be set
     * arbitrarily high". */
    cc->ssthresh = UINT32_MAX;
    cc->initial = true;
}

void synack_cc_set_algo(synack_cc *cc, synack_cc_algo algo)
{
    if (cc->algo == algo)
        return;
    cc->algo = algo;
    cc->bytes_acked = 0;
    cc->epoch_valid = false;
}

void synack_cc_set_mss(synack_cc *cc, uint32_t mss)
{
    if (mss == 0 || mss == cc->mss)
        return;
    if (cc->initial)
        cc->cwnd = synack_cc_initial_window(mss);
    else if (cc->cwnd <= cc->mss)
        cc->cwnd = mss; /* still the one-segment loss window */
    cc->mss = mss;
}

static uint32_t add_capped(uint32_t a, uint32_t b)
{
    uint64_t v = (uint64_t)a + b;
    return v > SYNACK_CC_CWND_MAX ? SYNACK_CC_CWND_MAX : (uint32_t)v;
}

void synack_cc_on_ack(synack_cc *cc, uint64_t now, uint32_t acked,
                      uint32_t inflight, uint32_t srtt_ms)
{
    if (acked == 0 || cc->in_recovery)
        return;
    cc->after_rto = false;
    /* Only a sender that was using its window may grow it: otherwise cwnd
     * would stop measuring the path (RFC 7661 section 4.3, RFC 9438
     * section 5.8 for CUBIC's epoch). */
    if (inflight < cc->cwnd / 2) {
        if (cc->algo == SYNACK_CC_CUBIC)
            synack_cubic_app_limited(cc);
        return;
    }
    cc->initial = false;
    if (cc->cwnd < cc->ssthresh) {
        /* RFC 5681 section 3.1 slow start with RFC 3465 ABC, L = 2*SMSS. */
        uint32_t inc = acked < 2 * cc->mss ? acked : 2 * cc->mss;
        uint32_t room = cc->ssthresh - cc->cwnd;
        if (inc < room) {
            cc->cwnd = add_capped(cc->cwnd, inc);
            return;
        }
        /* Crossing ssthresh: what is left of this ACK counts toward
         * congestion avoidance. */
        cc->cwnd = cc->ssthresh;
        acked = inc - room;
        if (acked == 0)
            return;
    }
    if (cc->algo == SYNACK_CC_CUBIC)
        synack_cubic_avoid(cc, now, acked, srtt_ms);
    else
        synack_newreno_avoid(cc, acked);
}

void synack_cc_on_loss(synack_cc *cc, uint64_t now, uint32_t inflight,
                       uint32_t snd_nxt)
{
    (void)now;
    /* One reduction per window of data (RFC 6582 section 3.2 step 2). */
    if (cc->in_recovery)
        return;
    if (cc->algo == SYNACK_CC_CUBIC)
        synack_cubic_on_loss(cc, inflight);
    else
        synack_newreno_on_loss(cc, inflight);
    cc->in_recovery = true;
    cc->recover = snd_nxt;
    cc->bytes_acked = 0;
    cc->initial = false;
}

void synack_cc_on_recovery_end(synack_cc *cc, uint64_t now)
{
    (void)now;
    /* RFC 6582 section 3.2 step 3, option 2: cwnd = ssthresh. Without
     * inflation cwnd already holds that value. */
    if (!cc->in_recovery)
        return;
    cc->in_recovery = false;
    cc->cwnd = cc->ssthresh;
    cc->bytes_acked = 0;
}

void synack_cc_on_rto(synack_cc *cc, uint64_t now, uint32_t inflight)
{
    (void)now;
    /* RFC 5681 section 3.1: when the segment was already retransmitted by
     * the timer, "the value of ssthresh is held constant". */
    if (!cc->after_rto) {
        uint32_t held = cc->ssthresh;
        if (cc->algo == SYNACK_CC_CUBIC)
            synack_cubic_on_rto(cc, inflight);
        else
            synack_newreno_on_rto(cc, inflight);
        /* Inside a fast recovery this window's reduction was made, and
         * the flight may be mostly data SACKed above a hole whose
         * retransmission was lost: equation (4) is an upper bound ("no
         * more than"), so it never raises the recovery's ssthresh (Linux
         * keeps ssthresh on a time-out inside the recovery's window). */
        if (cc->in_recovery && cc->ssthresh > held)
            cc->ssthresh = held;
    }
    /* The loss window: one segment (RFC 5681 equation 4's companion). */
    cc->cwnd = cc->mss;
    cc->in_recovery = false;
    cc->bytes_acked = 0;
    cc->epoch_valid = false;
    cc->after_rto = true;
    cc->initial = false;
}

synack_cc_phase synack_cc_phase_of(const synack_cc *cc)
{
    if (cc->in_recovery)
        return SYNACK_CC_RECOVERY;
    if (cc->cwnd < cc->ssthresh)
        return SYNACK_CC_SLOW_START;
    return SYNACK_CC_AVOIDANCE;
}
