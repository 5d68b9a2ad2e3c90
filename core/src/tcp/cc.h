/*
 * Congestion control: NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438),
 * behind one small interface so the TCP code does not care which runs.
 * The TCP code owns loss detection (dupacks, SACK scoreboard, RTO) and
 * calls these hooks; the controller owns cwnd and ssthresh.
 * All sizes are bytes; time is the stack's clock in ms.
 */
#ifndef SYNACK_TCP_CC_H
#define SYNACK_TCP_CC_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

typedef struct synack_cc {
    /* (ordered by size, 72 bytes: it is part of every TCB) */
    synack_cc_algo algo;
    uint32_t mss;       /* sender MSS used for increments */
    uint32_t cwnd;
    uint32_t ssthresh;
    uint32_t recover;   /* NewReno: snd_nxt when recovery began (RFC 6582) */
    uint32_t bytes_acked; /* avoidance byte counting (RFC 3465 style) */
    /* CUBIC state (RFC 9438 section 4) */
    uint64_t epoch_start;  /* ms; meaningful when epoch_valid */
    uint32_t w_max;        /* bytes */
    uint32_t w_last_max;   /* W_max before the last reduction (fast convergence) */
    uint32_t k_ms;         /* time to reach w_max */
    uint32_t w_est;        /* Reno-friendly estimate, bytes */
    uint32_t cwnd_epoch;   /* cwnd at epoch start */
    /* private to the cc_*.c files */
    uint32_t cwnd_prior;   /* CUBIC: cwnd before the last reduction */
    uint64_t est_acked;    /* CUBIC: W_est byte counter, scaled by 17 */
    bool in_recovery;
    bool initial;          /* still the RFC 6928 initial window (set_mss rescales) */
    bool after_rto;        /* RTO seen, no new data acked since (RFC 5681 3.1) */
    bool epoch_valid;      /* CUBIC: an epoch is running (epoch_start is set) */
} synack_cc;

/* Start a controller: cwnd = initial window (RFC 6928: min(10*mss, max(2*mss, 14600))). */
void synack_cc_init(synack_cc *cc, synack_cc_algo algo, uint32_t mss);

/* Switch algorithm keeping cwnd/ssthresh. */
void synack_cc_set_algo(synack_cc *cc, synack_cc_algo algo);

/* The MSS changed (after the handshake): rescale the initial window. */
void synack_cc_set_mss(synack_cc *cc, uint32_t mss);

/*
 * New data acknowledged outside recovery: `acked` bytes, with `inflight`
 * bytes outstanding before this ACK and the current smoothed RTT (ms, 0 if
 * unknown). Slow start or congestion avoidance; no growth when the sender
 * was not cwnd-limited (inflight < cwnd / 2 is treated as app-limited).
 */
void synack_cc_on_ack(synack_cc *cc, uint64_t now, uint32_t acked,
                      uint32_t inflight, uint32_t srtt_ms);

/*
 * Loss detected by duplicate ACKs or SACK (fast retransmit): enter
 * recovery. `inflight` is FlightSize; `snd_nxt` marks the recovery point.
 * Sets ssthresh (NewReno: max(inflight/2, 2*mss); CUBIC: beta 0.7) and
 * cwnd = ssthresh.
 */
void synack_cc_on_loss(synack_cc *cc, uint64_t now, uint32_t inflight,
                       uint32_t snd_nxt);

/* Recovery ended (cumulative ACK reached `recover`). */
void synack_cc_on_recovery_end(synack_cc *cc, uint64_t now);

/* Retransmission timeout: ssthresh from inflight, cwnd = 1 MSS, leave recovery. */
void synack_cc_on_rto(synack_cc *cc, uint64_t now, uint32_t inflight);

/* Phase for trace events. */
synack_cc_phase synack_cc_phase_of(const synack_cc *cc);

/*
 * What the controller expects from the TCP code during recovery (RFC 6582
 * without window inflation): after synack_cc_on_loss, cwnd stays at
 * ssthresh for the whole recovery. The TCP code retransmits the first hole
 * at once and on every partial ACK (RFC 6582 section 3.2 step 5), and sends
 * while its pipe estimate (RFC 6675; without SACK, FlightSize minus the
 * duplicate ACKs seen times SMSS) is below cwnd. It calls neither
 * synack_cc_on_ack nor synack_cc_on_loss again until the cumulative ACK
 * passes `recover`; then it calls synack_cc_on_recovery_end (cwnd = ssthresh,
 * RFC 6582 section 3.2 step 3 option 2).
 */

/* The RFC 6928 initial window for `mss`: min(10*MSS, max(2*MSS, 14600)). */
uint32_t synack_cc_initial_window(uint32_t mss);

#endif
