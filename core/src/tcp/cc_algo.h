/*
 * Internal to the congestion controllers: what cc.c (dispatch, slow start,
 * the initial window) calls in cc_newreno.c (RFC 5681, RFC 6582) and
 * cc_cubic.c (RFC 9438). Exposed for the unit tests; TCP uses cc.h only.
 */
#ifndef SYNACK_TCP_CC_ALGO_H
#define SYNACK_TCP_CC_ALGO_H

#include <stdint.h>

#include "tcp/cc.h"

/* Upper bound of cwnd (bytes), far above any buffer, so sums cannot wrap. */
#define SYNACK_CC_CWND_MAX 0x40000000u

/* NewReno congestion avoidance (RFC 5681 section 3.1, byte counting). */
void synack_newreno_avoid(synack_cc *cc, uint32_t acked);
/* NewReno reduction on fast retransmit (RFC 5681 equation 4, RFC 6582). */
void synack_newreno_on_loss(synack_cc *cc, uint32_t inflight);
/* NewReno reduction on RTO (RFC 5681 section 3.1, equation 4). */
void synack_newreno_on_rto(synack_cc *cc, uint32_t inflight);

/* CUBIC congestion avoidance (RFC 9438 sections 4.2 to 4.5). */
void synack_cubic_avoid(synack_cc *cc, uint64_t now, uint32_t acked,
                        uint32_t srtt_ms);
/* CUBIC reduction with fast convergence (RFC 9438 sections 4.6, 4.7). */
void synack_cubic_on_loss(synack_cc *cc, uint32_t inflight);
/* CUBIC reaction to RTO (RFC 9438 section 4.8). */
void synack_cubic_on_rto(synack_cc *cc, uint32_t inflight);
/* The sender is application-limited: end the epoch (no growth from idle). */
void synack_cubic_app_limited(synack_cc *cc);

/* Floor of the cube root of x. */
uint32_t synack_cc_cbrt64(uint64_t x);

/*
 * K of RFC 9438 equation 2 in ms: cbrt((w_max - cwnd_epoch) / C) with
 * C = 0.4 segments/s^3, windows in bytes of `mss`. 0 when w_max <= cwnd_epoch.
 */
uint32_t synack_cubic_k_ms(uint32_t w_max, uint32_t cwnd_epoch, uint32_t mss);

/*
 * W_cubic(t) of RFC 9438 equation 1 in bytes for the running epoch:
 * C * (t - K)^3 + W_max, with t in ms since the epoch began.
 */
uint32_t synack_cubic_window(const synack_cc *cc, uint64_t t_ms);

#endif
