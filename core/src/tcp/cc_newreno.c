/*
 * NewReno (RFC 5681 section 3.1, RFC 6582): congestion avoidance by byte
 * counting (RFC 5681 "cwnd += SMSS" once per cwnd of bytes acknowledged,
 * RFC 3465 section 2.1) and the halving of ssthresh on loss. Slow start
 * and the recovery bookkeeping live in cc.c.
 */
#include "tcp/cc_algo.h"

/* RFC 5681 equation 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t half_flight(const synack_cc *cc, uint32_t inflight)
{
    uint32_t half = inflight / 2;
    return half > 2 * cc->mss ? half : 2 * cc->mss;
}

void synack_newreno_avoid(synack_cc *cc, uint32_t acked)
{
    cc->bytes_acked += acked;
    if (cc->bytes_acked < cc->cwnd)
        return;
    cc->bytes_acked -= cc->cwnd;
    if (cc->bytes_acked > cc->cwnd)
        cc->bytes_acked = cc->cwnd; /* one increment per ACK at most */
    if (cc->cwnd + cc->mss <= SYNACK_CC_CWND_MAX)
        cc->cwnd += cc->mss;
}

void synack_newreno_on_loss(synack_cc *cc, uint32_t inflight)
{
    /* RFC 6582 section 3.2 step 2 without the 3*SMSS inflation: the TCP
     * code paces recovery by its pipe estimate instead (see cc.h). */
    cc->ssthresh = half_flight(cc, inflight);
    cc->cwnd = cc->ssthresh;
}

void synack_newreno_on_rto(synack_cc *cc, uint32_t inflight)
{
    cc->ssthresh = half_flight(cc, inflight);
}
