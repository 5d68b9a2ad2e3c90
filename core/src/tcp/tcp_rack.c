/*
 * RACK-TLP loss detection (RFC 8985), used whenever the peer offered SACK;
 * without SACK the duplicate-ACK rules of tcp_ack.c (RFC 5681 / RFC 6582)
 * stay in charge.
 *
 * RFC 8985 5.2 / 6.1: every transmission is recorded with its send time
 *   (a record per segment or send-offload packet, split where a SACK block
 *   or a retransmission cuts it), so that "a segment sent before one that
 *   has been delivered, and older than RTT + reo_wnd" can be judged.
 * RFC 8985 6.2: RACK_update (steps 1-2), reordering detection (step 3),
 *   the reordering window (step 4: min_RTT / 4 scaled by reo_wnd_mult,
 *   which grows by one per round trip that sees a D-SACK and falls back to
 *   1 after 16 recoveries without one; 0 before reordering was seen when
 *   in recovery or DupThresh segments are SACKed), loss detection (step 5)
 *   and the reordering timer (6.3).
 * RFC 2883: a D-SACK is the first SACK block when it lies below the
 *   cumulative ACK or inside the second block (section 4); it is not
 *   data newly SACKed. Any D-SACK counts as reordering seen here (the
 *   retransmission it reports was spurious), except the one for a TLP
 *   retransmission, which is TLP's "no loss" signal.
 * RFC 8985 7: the tail loss probe: PTO = 2 * SRTT (+ a worst-case delayed
 *   ACK when one segment is in flight, + 2 ms of clock granularity
 *   otherwise; at least 10 ms, as Linux), 1 s without an RTT sample,
 *   never later than the RTO; the probe is one segment of new data when
 *   the windows allow, else the last segment. TLP loss detection (7.4): an episode that ends (an ACK
 *   above TLP.end_seq) without a D-SACK or a duplicate ACK for the probe
 *   repaired a real loss, and gets one congestion response. When the PTO
 *   would come no sooner than the RTO it takes the RTO's place (7.2).
 *
 * Choices beyond the RFC text, each explained where it is made:
 * - RACK_update asks min_RTT only, not TSecr, for retransmitted segments
 *   (as Linux): receivers echo in-order segments only (RFC 7323 4.3).
 * - The reordering window is at least one 1 ms tick of our clock, and a
 *   retransmission sent in the tick of RACK.xmit_ts is not judged by
 *   sequence order (within a tick that order is only right for first
 *   transmissions).
 * - Recovery entry sends the first lost segment at once (RFC 6675 4.3);
 *   a retransmission of the head restarts the RTO (as Linux); a lost
 *   retransmission sent after the last reduction brings one more
 *   reduction (there is no PRR to pace the recovery, see RFC 6937).
 *
 * Records are the only per-segment state on the send side. They live in a
 * power-of-two ring allocated on the first send (SYNACK_TCP_RACK_MIN_CAP),
 * doubled on demand up to SYNACK_TCP_RACK_MAX_CAP, and given back when the
 * flight drains (an idle connection keeps the 72-byte RACK state only);
 * when the ring is full a new send is folded into the last
 * record (a later send time: losses there are found later, never early).
 */
#include "tcp/tcp_tcb.h"

/* Worst-case delayed ACK of a peer (RFC 8985 7.2 WCDelAckT), ms. */
#define RACK_WCDELACK_MS 200u
/* Shortest probe timeout, ms (Linux: 10 ms): below it scheduling jitter of
   the host, not loss, would fire the probe on short paths. */
#define RACK_PTO_MIN_MS 10u
/* Recoveries a widened reordering window persists (RFC 8985 6.2 step 4). */
#define RACK_REO_PERSIST 16u
/* Bound on reo_wnd_mult (the window is capped by SRTT long before). */
#define RACK_REO_MULT_MAX 64u
/* A static function kept out of line: the per-segment common cases stay
   small leaves (gcc and clang; elsewhere the compiler decides). */
#if defined(__GNUC__)
#define RACK_COLD static __attribute__((noinline))
#else
#define RACK_COLD static
#endif

/* ---- records --------------------------------------------------------------- */

/* The i-th record from the oldest (i < n). */
static synack_rack_seg *rec(const synack_tcp_rack *k, uint32_t i)
{
    return &k->r[(k->head + i) & (k->cap - 1)];
}

/* Double the ring (or create it); false at the bound or on NOMEM. */
static bool ring_grow(synack_stack *s, synack_tcp_rack *k)
{
    uint32_t cap = k->cap ? k->cap * 2 : SYNACK_TCP_RACK_MIN_CAP;
    if (cap > SYNACK_TCP_RACK_MAX_CAP)
        return false;
    synack_rack_seg *r = synack_mem_alloc(s, (size_t)cap * sizeof *r);
    if (!r)
        return false;
    for (uint32_t i = 0; i < k->n; i++)
        r[i] = *rec(k, i);
    synack_mem_free(s, k->r, (size_t)k->cap * sizeof *k->r);
    k->r = r;
    k->cap = cap;
    k->head = 0;
    return true;
}

/* Insert v at position i (0..n), shifting later records; false when full. */
static bool ring_insert(synack_stack *s, synack_tcp_rack *k, uint32_t i,
                        const synack_rack_seg *v)
{
    if (k->n == k->cap && !ring_grow(s, k))
        return false;
    for (uint32_t j = k->n; j > i; j--)
        *rec(k, j) = *rec(k, j - 1);
    k->n++;
    *rec(k, i) = *v;
    return true;
}

/* First record whose end is above seq (n when none). */
static uint32_t ring_find(const synack_tcp_rack *k, uint32_t seq)
{
    uint32_t lo = 0, hi = k->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (synack_seq_le(rec(k, mid)->end, seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Cut record i at seq (strictly inside it); false when the ring is full. */
static bool ring_split(synack_stack *s, synack_tcp_rack *k, uint32_t i, uint32_t seq)
{
    synack_rack_seg v = *rec(k, i);
    v.start = seq;
    if (!ring_insert(s, k, i + 1, &v))
        return false;
    rec(k, i)->end = seq;
    return true;
}

/* Give the ring back (the flight is empty, or the connection ends). */
static void ring_release(synack_stack *s, synack_tcp_rack *k)
{
    synack_mem_free(s, k->r, (size_t)k->cap * sizeof *k->r);
    k->r = NULL;
    k->cap = k->n = k->head = 0;
}

/* RFC 8985 6.2 RACK_sent_after: (t1, s1) was sent after (t2, s2). */
static bool sent_after(uint32_t t1, uint32_t s1, uint32_t t2, uint32_t s2)
{
    return (int32_t)(t1 - t2) > 0 || (t1 == t2 && synack_seq_gt(s1, s2));
}

/* ---- state ----------------------------------------------------------------- */

bool synack_rack_init(synack_stack *s, synack_tcb *t)
{
    if (t->rack)
        return true;
    if (!(t->fl & SYNACK_TF_SACK) || !s->cfg.tcp.rack)
        return false;
    synack_tcp_rack *k = synack_mem_alloc(s, sizeof *k);
    if (!k)
        return false;
    memset(k, 0, sizeof *k);
    k->min_rtt = UINT32_MAX;
    k->reo_wnd_mult = 1;
    k->fack = t->snd_una;
    k->rexmit_high = t->snd_una;
    t->rack = k;
    return true;
}

void synack_rack_free(synack_stack *s, synack_tcb *t)
{
    if (!t->rack)
        return;
    ring_release(s, t->rack);
    synack_mem_free(s, t->rack, sizeof *t->rack);
    t->rack = NULL;
}

/* synack_rack_on_send beyond its common case: the first record, a full
   ring, retransmissions (kept out of line so that the common case stays
   a leaf without a stack frame). */
RACK_COLD void on_send_slow(synack_stack *s, uint64_t now, synack_tcb *t,
                                   uint32_t seq, uint32_t end, bool rexmit)
{
    if (!t->rack && !synack_rack_init(s, t))
        return;
    synack_tcp_rack *k = t->rack;
    uint32_t ts = (uint32_t)now;
    uint32_t fl = rexmit ? SYNACK_RS_REXMIT : 0u;
    /* the head resent: the retransmission timer restarts for it (as
       Linux), else a long recovery ends in a needless time-out */
    if (rexmit && seq == t->snd_una && (t->fl & SYNACK_TF_RECOVERY))
        synack_tcp_rexmit_arm(s, now, t);
    if (rexmit && synack_seq_gt(end, k->rexmit_high))
        k->rexmit_high = end;
    if (k->n == 0 || synack_seq_ge(seq, rec(k, k->n - 1)->end)) {
        synack_rack_seg v = {seq, end, ts, fl};
        if (ring_insert(s, k, k->n, &v))
            return;
        if (k->n) {
            /* full: fold into the last record, with the later time */
            synack_rack_seg *l = rec(k, k->n - 1);
            l->end = end;
            l->xmit_ts = ts;
            l->fl = (l->fl & ~(uint32_t)SYNACK_RS_LOST) | fl;
        }
        return;
    }
    /* a retransmission over recorded data: its pieces get the new time */
    uint32_t i = ring_find(k, seq);
    if (i < k->n && synack_seq_gt(seq, rec(k, i)->start) && ring_split(s, k, i, seq))
        i++;
    for (; i < k->n && synack_seq_lt(rec(k, i)->start, end); i++) {
        synack_rack_seg *r = rec(k, i);
        if (synack_seq_gt(r->end, end))
            ring_split(s, k, i, end);
        r = rec(k, i);
        r->xmit_ts = ts;
        r->fl = (r->fl & SYNACK_RS_SACKED) | SYNACK_RS_REXMIT;
    }
    synack_rack_seg *l = rec(k, k->n - 1);
    if (synack_seq_gt(end, l->end)) {
        synack_rack_seg v = {l->end, end, ts, SYNACK_RS_REXMIT};
        if (!ring_insert(s, k, k->n, &v))
            l->end = end;
    }
}

void synack_rack_on_send(synack_stack *s, uint64_t now, synack_tcb *t,
                         uint32_t seq, uint32_t end, bool rexmit)
{
    synack_tcp_rack *k = t->rack;
    if (seq == end)
        return;
    /* the common case: new data after the last record, with room */
    if (k && !rexmit && k->n < k->cap &&
        (k->n == 0 || synack_seq_ge(seq, rec(k, k->n - 1)->end))) {
        synack_rack_seg *v = rec(k, k->n++);
        v->start = seq;
        v->end = end;
        v->xmit_ts = (uint32_t)now;
        v->fl = 0;
        return;
    }
    on_send_slow(s, now, t, seq, end, rexmit);
}

/*
 * RFC 8985 6.2 steps 1-3 for one record delivered up to end_seq. fack is
 * RACK.fack as it was before this ACK: the ACK's blocks come most recent
 * first, and judging a lower block against the fack the same ACK just
 * raised would call in-order deliveries reordered (as Linux, prior_fack).
 */
static void delivered(synack_tcp_rack *k, const synack_rack_seg *r, uint32_t end_seq,
                      uint32_t now32, uint32_t fack)
{
    uint32_t rtt = now32 - r->xmit_ts;
    if (rtt > 0x7fffffffu)
        return;
    /* step 2: a retransmitted segment delivered sooner than min_RTT after
       its retransmission was the original's delivery. RFC 8985 also asks
       TSecr, but a receiver echoes only in-order segments (RFC 7323 4.3),
       so a retransmission SACKed out of order (a TLP that plugs the last
       of several holes) would never count; Linux checks min_RTT only. */
    if ((r->fl & SYNACK_RS_REXMIT) && rtt < k->min_rtt)
        return;
    if (rtt < k->min_rtt)
        k->min_rtt = rtt;
    if (!(k->fl & SYNACK_RK_VALID) ||
        sent_after(r->xmit_ts, end_seq, k->xmit_ts, k->end_seq)) {
        k->xmit_ts = r->xmit_ts;
        k->end_seq = end_seq;
        k->rtt = rtt;
        k->fl |= SYNACK_RK_VALID;
    }
    /* step 3: delivered below the forward-most delivery, never resent */
    if (synack_seq_gt(end_seq, k->fack))
        k->fack = end_seq;
    if (synack_seq_lt(end_seq, fack) && !(r->fl & SYNACK_RS_REXMIT))
        k->fl |= SYNACK_RK_REORDER;
}

/* RFC 2883 section 4: the first block reports a duplicate. */
static bool dsack_block(const synack_tcp_repr *seg, uint32_t *l, uint32_t *r)
{
    if (seg->sack_count == 0)
        return false;
    *l = seg->sack[0].left;
    *r = seg->sack[0].right;
    if (!synack_seq_lt(*l, *r))
        return false;
    if (synack_seq_le(*r, seg->ack))
        return true;
    return seg->sack_count > 1 && synack_seq_ge(*l, seg->sack[1].left) &&
           synack_seq_le(*r, seg->sack[1].right);
}

/* TLP found a repaired loss (RFC 8985 7.4.2): one congestion response. */
static void tlp_loss(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (t->fl & SYNACK_TF_RECOVERY)
        return; /* the recovery reduced cwnd already */
    synack_cc_on_loss(&t->cc, now, t->snd_max - t->snd_una, t->snd_max);
    synack_cc_on_recovery_end(&t->cc, now);
    synack_tcp_trace_cc(s, t);
}

/* synack_rack_on_ack in general: SACK and D-SACK blocks, TLP episodes,
   retransmitted records. */
RACK_COLD void on_ack_full(synack_stack *s, uint64_t now, synack_tcb *t,
                           const synack_tcp_repr *seg, uint32_t newly_sacked)
{
    synack_tcp_rack *k = t->rack;
    uint32_t now32 = (uint32_t)now, ack = seg->ack, fack = k->fack;
    bool advanced = synack_seq_gt(ack, t->snd_una);
    uint32_t dl = 0, dr = 0;
    bool dsack = (t->fl & SYNACK_TF_SACK) && dsack_block(seg, &dl, &dr);
    if (advanced)
        k->fl |= SYNACK_RK_ADVANCED;
    /* cumulatively acknowledged records not SACKed before */
    for (uint32_t i = 0; advanced && i < k->n && synack_seq_lt(rec(k, i)->start, ack); i++) {
        synack_rack_seg *r = rec(k, i);
        if (!(r->fl & SYNACK_RS_SACKED))
            delivered(k, r, synack_seq_lt(ack, r->end) ? ack : r->end, now32, fack);
    }
    /* SACK blocks: mark whole records, cutting them at the block edges */
    for (uint8_t b = dsack ? 1 : 0; b < seg->sack_count && b < SYNACK_TCP_MAX_SACK; b++) {
        uint32_t l = seg->sack[b].left, r = seg->sack[b].right;
        if (!synack_seq_lt(l, r) || synack_seq_gt(r, t->snd_max))
            continue;
        uint32_t i = ring_find(k, l);
        if (i < k->n && synack_seq_gt(l, rec(k, i)->start)) {
            if (!ring_split(s, k, i, l))
                continue;
            i++;
        }
        for (; i < k->n && synack_seq_lt(rec(k, i)->start, r); i++) {
            if (synack_seq_gt(rec(k, i)->end, r) && !ring_split(s, k, i, r))
                break;
            synack_rack_seg *x = rec(k, i);
            if (x->fl & SYNACK_RS_SACKED)
                continue;
            x->fl = (x->fl | SYNACK_RS_SACKED) & ~(uint32_t)SYNACK_RS_LOST;
            delivered(k, x, x->end, now32, fack);
        }
    }
    /* records below the new cumulative ACK leave */
    while (k->n && synack_seq_le(rec(k, 0)->end, ack)) {
        k->head = (k->head + 1) & (k->cap - 1);
        k->n--;
    }
    if (k->n && synack_seq_lt(rec(k, 0)->start, ack))
        rec(k, 0)->start = ack;
    if (synack_seq_lt(k->rexmit_high, ack))
        k->rexmit_high = ack;
    if (synack_seq_lt(k->fack, ack))
        k->fack = ack;
    /* RFC 8985 6.2 step 4: one reo_wnd_mult step per round with a D-SACK */
    if ((k->fl & SYNACK_RK_DSACK_ROUND) && synack_seq_ge(ack, k->dsack_round))
        k->fl &= ~(uint32_t)SYNACK_RK_DSACK_ROUND;
    bool tlp_dup = false;
    if (dsack) {
        k->dsacks++;
        if ((k->fl & SYNACK_RK_TLP_OUT) && (k->fl & SYNACK_RK_TLP_REXMIT) &&
            synack_seq_ge(dl, k->tlp_start) && synack_seq_le(dr, k->tlp_end))
            tlp_dup = true;
        else
            k->fl |= SYNACK_RK_REORDER;
        if (!(k->fl & SYNACK_RK_DSACK_ROUND)) {
            k->fl |= SYNACK_RK_DSACK_ROUND;
            k->dsack_round = t->snd_max;
            if (k->reo_wnd_mult < RACK_REO_MULT_MAX)
                k->reo_wnd_mult++;
            k->reo_wnd_persist = RACK_REO_PERSIST;
        }
    }
    /* TLP episode (RFC 8985 7.4): ends without loss on a D-SACK or a
       duplicate ACK for the probe, with a loss on an ACK above it */
    if (k->fl & SYNACK_RK_TLP_OUT) {
        bool end = false;
        if (tlp_dup)
            end = true;
        else if (synack_seq_ge(ack, k->tlp_end)) {
            if (!(k->fl & SYNACK_RK_TLP_REXMIT))
                end = true; /* new data probed: RACK sees any loss */
            else if (synack_seq_gt(ack, k->tlp_end)) {
                tlp_loss(s, now, t);
                end = true;
            } else if (!advanced && newly_sacked == 0 && !seg->payload_len)
                end = true; /* the probe's duplicate ACK */
        }
        if (end)
            k->fl &= ~(uint32_t)(SYNACK_RK_TLP_OUT | SYNACK_RK_TLP_REXMIT);
    }
}

void synack_rack_on_ack(synack_stack *s, uint64_t now, synack_tcb *t,
                        const synack_tcp_repr *seg, uint32_t newly_sacked)
{
    synack_tcp_rack *k = t->rack;
    if (!k)
        return;
    /* The common ACK, with what on_ack_full would do: no SACK block (so
       no D-SACK), no TLP episode, no D-SACK round, nothing SACKed
       (RACK.fack = SND.UNA) nor resent (rexmit_high = SND.UNA) at or
       above SND.UNA. The records it covers are first transmissions in
       send order; delivering the newest alone leaves the state
       delivering each in turn leaves (see on_ack_full). */
    uint32_t ack = seg->ack, una = t->snd_una;
    if (seg->sack_count != 0 || (k->fl & (SYNACK_RK_TLP_OUT | SYNACK_RK_DSACK_ROUND)) ||
        k->fack != una || synack_seq_gt(k->rexmit_high, una)) {
        on_ack_full(s, now, t, seg, newly_sacked);
        return;
    }
    if (!synack_seq_gt(ack, una))
        return; /* nothing delivered, nothing to update */
    uint32_t i = 0;
    while (i + 1 < k->n && synack_seq_lt(rec(k, i + 1)->start, ack))
        i++;
    if (i < k->n && synack_seq_lt(rec(k, i)->start, ack)) {
        synack_rack_seg *r = rec(k, i);
        if (r->fl & SYNACK_RS_SACKED) { /* SACKed yet not counted */
            on_ack_full(s, now, t, seg, newly_sacked);
            return;
        }
        delivered(k, r, synack_seq_lt(ack, r->end) ? ack : r->end, (uint32_t)now, una);
    }
    k->fl |= SYNACK_RK_ADVANCED;
    while (k->n && synack_seq_le(rec(k, 0)->end, ack)) {
        k->head = (k->head + 1) & (k->cap - 1);
        k->n--;
    }
    if (k->n && synack_seq_lt(rec(k, 0)->start, ack))
        rec(k, 0)->start = ack;
    k->rexmit_high = ack;
    if (synack_seq_lt(k->fack, ack))
        k->fack = ack;
}

/* RFC 8985 6.2 step 4: the reordering window, ms. */
static uint32_t reo_wnd(const synack_tcb *t, const synack_tcp_rack *k)
{
    if (!(k->fl & SYNACK_RK_REORDER)) {
        if (t->fl & SYNACK_TF_RECOVERY)
            return 0;
        if (synack_tcb_sb(t) && synack_tcb_sb(t)->sacked >= SYNACK_TCP_DUPTHRESH * synack_tcp_maxseg(t))
            return 0;
    }
    uint32_t srtt = (t->fl & SYNACK_TF_RTT_VALID) ? t->srtt8 >> 3 : 0;
    uint32_t base = k->min_rtt != UINT32_MAX ? k->min_rtt : srtt;
    uint64_t w = (uint64_t)k->reo_wnd_mult * (base / 4);
    if (w > srtt)
        w = srtt;
    /* our clock ticks in ms: a window below one tick would be none at
       all on a path with a sub-millisecond RTT */
    return w < 1 ? 1 : (uint32_t)w;
}

/*
 * RFC 8985 6.2 step 5: mark records lost; returns the time (ms) until the
 * next record could be, 0 for none. *lost says whether any was marked.
 */
static uint32_t detect_loss(uint64_t now, synack_tcb *t, synack_tcp_rack *k, bool *lost,
                            bool *lost_rexmit)
{
    *lost = *lost_rexmit = false;
    if (!(k->fl & SYNACK_RK_VALID))
        return 0;
    uint32_t reo = UINT32_MAX, now32 = (uint32_t)now, timeout = 0;
    for (uint32_t i = 0; i < k->n; i++) {
        synack_rack_seg *r = rec(k, i);
        if (r->fl & (SYNACK_RS_SACKED | SYNACK_RS_LOST))
            continue;
        /* within one clock tick, sequence order is send order for first
           transmissions only: a retransmission of that tick may be newer */
        if ((r->fl & SYNACK_RS_REXMIT) && r->xmit_ts == k->xmit_ts)
            continue;
        if (!sent_after(k->xmit_ts, k->end_seq, r->xmit_ts, r->end)) {
            /* beyond every retransmission, records are in send order:
               the rest was sent later still */
            if (synack_seq_ge(r->start, k->rexmit_high))
                break;
            continue;
        }
        if (reo == UINT32_MAX)
            reo = reo_wnd(t, k); /* only when a candidate exists (per ACK) */
        int32_t remaining = (int32_t)(r->xmit_ts + k->rtt + reo - now32);
        if (remaining <= 0) {
            r->fl |= SYNACK_RS_LOST;
            *lost = true;
            if ((r->fl & SYNACK_RS_REXMIT) && (int32_t)(r->xmit_ts - k->cut_ts) >= 0)
                *lost_rexmit = true;
        } else if ((uint32_t)remaining > timeout) {
            timeout = (uint32_t)remaining;
        }
    }
    return timeout;
}

/*
 * The common case of detect_and_arm, decided as detect_loss would: the
 * timer is off and nothing was resent at or above SND.UNA, so records are
 * first transmissions in send order, and the oldest was not sent before
 * RACK's newest delivery: nothing is lost, no record waits, the timer
 * stays off. True when detect_and_arm would change nothing.
 */
static inline bool nothing_to_detect(const synack_tcb *t, const synack_tcp_rack *k)
{
    if (t->tm[SYNACK_TIMER_RACK] != SYNACK_TCP_NEVER ||
        synack_seq_gt(k->rexmit_high, t->snd_una))
        return false;
    if (k->n == 0 || !(k->fl & SYNACK_RK_VALID))
        return true;
    const synack_rack_seg *r = rec(k, 0);
    return !(r->fl & (SYNACK_RS_SACKED | SYNACK_RS_LOST)) &&
           !sent_after(k->xmit_ts, k->end_seq, r->xmit_ts, r->end);
}

/* Loss detection and the reordering timer (RFC 8985 6.2 step 5, 6.3). */
RACK_COLD void detect_and_arm(synack_stack *s, uint64_t now, synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    bool lost, lost_rexmit;
    uint32_t to = detect_loss(now, t, k, &lost, &lost_rexmit);
    if (lost_rexmit && (t->fl & SYNACK_TF_RECOVERY)) {
        /* A retransmission sent after the last reduction was lost: the
           path is still overloaded (RFC 5681 3.1 reads a lost
           retransmission as congestion; without RACK it would take an
           RTO). One more reduction, from what is really in flight. */
        k->cut_ts = (uint32_t)now;
        t->recover = t->snd_max;
        synack_cc_on_recovery_end(&t->cc, now);
        synack_cc_on_loss(&t->cc, now, synack_rack_pipe(t), t->snd_max);
        synack_tcp_trace_cc(s, t);
    }
    /* RFC 6675 5 / RFC 6582 3.2 step 1: one recovery per window; after an
       RTO, go-back-N resends what is marked here */
    if (lost && !(t->fl & SYNACK_TF_RECOVERY) && synack_seq_ge(t->snd_una, t->recover)) {
        k->fl &= ~(uint32_t)(SYNACK_RK_TLP_OUT | SYNACK_RK_TLP_REXMIT);
        k->cut_ts = (uint32_t)now;
        synack_tcp_enter_recovery(s, now, t, false);
        /* RFC 6675 5 (4.3): the first lost segment goes at once, whatever
           pipe says (fast retransmit); NextSeg paces the rest */
        uint32_t seq, len;
        if (synack_rack_next_lost(t, synack_tcp_maxseg(t), &seq, &len))
            synack_tcp_resend(s, now, t, seq, len);
    }
    synack_tcp_timer_set(s, t, SYNACK_TIMER_RACK, to ? now + to : SYNACK_TCP_NEVER);
}

void synack_rack_after_ack(synack_stack *s, uint64_t now, synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    if (!k)
        return;
    if (t->snd_una == t->snd_max) {
        k->fl &= ~(uint32_t)SYNACK_RK_ADVANCED;
        if (t->tm[SYNACK_TIMER_RACK] != SYNACK_TCP_NEVER)
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_RACK);
        if (t->tm[SYNACK_TIMER_TLP] != SYNACK_TCP_NEVER)
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_TLP);
        /* a TLP episode stays open: the first ACK above its end, or a
           D-SACK for the probe, tells whether there was a loss. The ring
           goes: an idle connection keeps only the RACK state. */
        if (k->r)
            ring_release(s, k);
        return;
    }
    if (!nothing_to_detect(t, k))
        detect_and_arm(s, now, t);
    /* RFC 8985 7.2: the probe timeout restarts on an ACK that advances
       SND.UNA only (the peer's data would push it away forever) */
    if ((k->fl & SYNACK_RK_ADVANCED) || (t->fl & SYNACK_TF_RECOVERY))
        synack_rack_tlp_arm(s, now, t);
    k->fl &= ~(uint32_t)SYNACK_RK_ADVANCED;
}

void synack_rack_on_timer(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!t->rack || t->snd_una == t->snd_max)
        return;
    detect_and_arm(s, now, t);
    synack_tcp_output(s, now, t);
}

void synack_rack_recovery_end(synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    if (!k || k->reo_wnd_persist == 0)
        return;
    if (--k->reo_wnd_persist == 0)
        k->reo_wnd_mult = 1;
}

void synack_rack_on_rto(synack_stack *s, synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    if (!k)
        return;
    /* go-back-N resends everything: records start again from snd_una */
    k->n = 0;
    k->head = 0;
    k->rexmit_high = t->snd_una;
    k->fl &= ~(uint32_t)(SYNACK_RK_TLP_OUT | SYNACK_RK_TLP_REXMIT);
    synack_tcp_timer_clear(s, t, SYNACK_TIMER_RACK);
    synack_tcp_timer_clear(s, t, SYNACK_TIMER_TLP);
}

uint32_t synack_rack_pipe(const synack_tcb *t)
{
    const synack_tcp_rack *k = t->rack;
    uint32_t pipe = 0, top = t->snd_una;
    for (uint32_t i = 0; i < k->n; i++) {
        const synack_rack_seg *r = rec(k, i);
        if (!(r->fl & (SYNACK_RS_SACKED | SYNACK_RS_LOST)))
            pipe += r->end - r->start;
        top = r->end;
    }
    if (synack_seq_gt(t->snd_max, top))
        pipe += t->snd_max - top;
    return pipe;
}

bool synack_rack_next_lost(const synack_tcb *t, uint32_t maxseg, uint32_t *seq,
                           uint32_t *len)
{
    const synack_tcp_rack *k = t->rack;
    for (uint32_t i = 0; i < k->n; i++) {
        const synack_rack_seg *r = rec(k, i);
        if ((r->fl & (SYNACK_RS_LOST | SYNACK_RS_SACKED)) == SYNACK_RS_LOST) {
            uint32_t n = r->end - r->start;
            *seq = r->start;
            *len = n < maxseg ? n : maxseg;
            return true;
        }
    }
    return false;
}

/* RFC 8985 7.2: the probe timeout, ms. */
static uint32_t pto_ms(const synack_tcb *t)
{
    if (!(t->fl & SYNACK_TF_RTT_VALID))
        return 1000;
    uint32_t srtt = t->srtt8 >> 3;
    uint32_t pto = 2 * srtt;
    if (t->snd_max - t->snd_una <= synack_tcp_maxseg(t))
        pto += RACK_WCDELACK_MS; /* the peer may delay its only ACK */
    else
        pto += 2; /* the ACK of the last segment may land a tick late */
    return pto < RACK_PTO_MIN_MS ? RACK_PTO_MIN_MS : pto;
}

void synack_rack_tlp_arm(synack_stack *s, uint64_t now, synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    if (!k)
        return;
    if ((t->fl & (SYNACK_TF_RECOVERY | SYNACK_TF_PERSIST)) || t->snd_una == t->snd_max ||
        (k->fl & SYNACK_RK_TLP_OUT)) {
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_TLP);
        return;
    }
    uint64_t at = now + pto_ms(t);
    /* RFC 8985 7.2: never later than the RTO; at the RTO's time the probe
       goes instead of the time-out, which the probe re-arms (7.3) */
    if (at >= t->tm[SYNACK_TIMER_REXMIT]) {
        at = t->tm[SYNACK_TIMER_REXMIT];
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
    }
    synack_tcp_timer_set(s, t, SYNACK_TIMER_TLP, at);
}

void synack_rack_on_tlp_timer(synack_stack *s, uint64_t now, synack_tcb *t)
{
    synack_tcp_rack *k = t->rack;
    if (t->snd_una != t->snd_max && t->tm[SYNACK_TIMER_REXMIT] == SYNACK_TCP_NEVER)
        synack_tcp_rexmit_arm(s, now, t); /* it may have stood aside */
    if (!k || t->snd_una == t->snd_max || (t->fl & SYNACK_TF_RECOVERY) ||
        (k->fl & SYNACK_RK_TLP_OUT))
        return;
    /* RFC 8985 7.3: new data if the windows allow, else the last segment */
    uint32_t before = t->snd_max, seq, len;
    if (synack_tcp_send_new(s, now, t)) {
        k->fl &= ~(uint32_t)SYNACK_RK_TLP_REXMIT;
        k->tlp_start = before;
    } else if (synack_tcp_sb_rescue(t, synack_tcp_maxseg(t), &seq, &len)) {
        synack_tcp_resend(s, now, t, seq, len);
        k->fl |= SYNACK_RK_TLP_REXMIT;
        k->tlp_start = seq;
    } else {
        return;
    }
    k->fl |= SYNACK_RK_TLP_OUT;
    k->tlp_end = t->snd_max;
    k->tlp_probes++;
    synack_tcp_rexmit_arm(s, now, t);
}
