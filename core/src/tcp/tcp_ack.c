/*
 * The ACK field of an arriving segment (RFC 9293 3.10.7.4 "fifth").
 *
 * RFC 5961 5.2: ACK values outside [SND.UNA - MAX.SND.WND, SND.NXT] are
 *   answered with a (rate-limited) ACK and dropped.
 * RFC 9293: SND.UNA advances, the send window follows the SND.WL1/SND.WL2
 *   rule, our FIN being acknowledged moves FIN-WAIT-1, CLOSING and LAST-ACK.
 * RFC 6298: RTT samples (2.2, 2.3) from TSecr (RFC 7323 4.1) or from one
 *   timed segment per RTT with Karn's rule; the timer is stopped (5.2) or
 *   restarted (5.3) on new acknowledgments.
 * RFC 5681 2 (duplicate ACK definition), 3.2 (fast retransmit), RFC 3042
 *   (limited transmit, in tcp_output.c), RFC 6582 (NewReno: recover,
 *   partial and full ACKs), RFC 6675 section 5 (entering SACK loss recovery
 *   on DupThresh duplicate ACKs or IsLost(HighACK + 1)); with SACK, RACK
 *   (RFC 8985, tcp_rack.c) decides instead of the duplicate-ACK count.
 */
#include "tcp/tcp_tcb.h"

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

uint32_t synack_tcp_rto_calc(const synack_tcb *t)
{
    /* RFC 6298 2.3: RTO = SRTT + max(G, K*RTTVAR), G = 1 ms here */
    uint32_t var = t->rttvar4 ? t->rttvar4 : 1;
    uint64_t rto = (uint64_t)(t->srtt8 >> 3) + var;
    return clamp_u32(rto > UINT32_MAX ? UINT32_MAX : (uint32_t)rto, t->rto_min, t->rto_max);
}

void synack_tcp_rtt_sample(synack_tcb *t, uint32_t rtt)
{
    if (rtt > 0x7fffffffu)
        return; /* a TSecr from the future: not a sample */
    if (rtt > 600000u)
        rtt = 600000u;
    if (!(t->fl & SYNACK_TF_RTT_VALID)) {
        /* RFC 6298 2.2: first measurement */
        t->srtt8 = rtt << 3;
        t->rttvar4 = rtt << 1;
        t->fl |= SYNACK_TF_RTT_VALID;
    } else {
        /* RFC 6298 2.3 with alpha = 1/8, beta = 1/4, in fixed point */
        int32_t err8 = (int32_t)(rtt << 3) - (int32_t)t->srtt8;
        uint32_t abs4 = (uint32_t)(err8 < 0 ? -err8 : err8) >> 1;
        t->srtt8 = (uint32_t)((int32_t)t->srtt8 + err8 / 8);
        t->rttvar4 = (uint32_t)((int32_t)t->rttvar4 +
                                ((int32_t)abs4 - (int32_t)t->rttvar4) / 4);
    }
    t->rto = synack_tcp_rto_calc(t);
}

void synack_tcp_enter_recovery(synack_stack *s, uint64_t now, synack_tcb *t,
                               bool rexmit_head)
{
    t->fl |= SYNACK_TF_RECOVERY;
    t->recover = t->snd_max;
    t->high_rxt = t->snd_una;
    /* RFC 6675 leaves RescueRxt undefined here, allowing the rescue at
       once; we wait for the first partial ACK (HighACK > RescueRxt), the
       point where NewReno resends too: at entry the tail is usually
       still in flight, and resending it then is waste. */
    if ((t->fl & SYNACK_TF_SACK) && !t->rack) {
        /* no memory for RescueRxt: no rescue retransmission (a MAY) */
        synack_tcp_cold *c = synack_tcb_cold(s, t);
        if (c)
            c->rescue_rxt = t->snd_una;
    }
    synack_cc_on_loss(&t->cc, now, t->snd_max - t->snd_una, t->snd_max);
    synack_tcp_trace_cc(s, t);
    if (rexmit_head)
        synack_tcp_retransmit_head(s, now, t);
    synack_tcp_rexmit_arm(s, now, t);
}

/* New data acknowledged: snd_una moves to `ack`. */
static void ack_advance(synack_stack *s, uint64_t now, synack_tcb *t,
                        const synack_tcp_repr *seg)
{
    uint32_t ack = seg->ack;
    uint32_t acked = ack - t->snd_una;
    uint32_t flight = t->snd_max - t->snd_una;
    uint32_t data = acked;
    if ((t->fl & SYNACK_TF_FIN_SENT) && synack_seq_gt(ack, t->snd_fin))
        data--; /* our FIN */
    if (data > t->snd.len)
        data = t->snd.len;
    synack_ring_consume(&t->snd, data);
    if (t->snd.len == 0)
        synack_tcb_snd_drained(s, t);
    t->snd_una = ack;
    if (t->raddr.family == SYNACK_AF_IP6)
        synack_ip_confirm(s, now, &t->raddr); /* forward progress, RFC 4861 7.3.1 */
    if (synack_seq_lt(t->snd_nxt, ack))
        t->snd_nxt = ack;
    if (synack_seq_lt(t->high_rxt, ack))
        t->high_rxt = ack;
    /* RFC 6582 3.2 step 1 compares SND.UNA with recover modulo 2^32: once
       passed, recover moves with SND.UNA, else after 2^31 octets without
       a loss it would seem ahead again and refuse fast retransmit */
    if (synack_seq_lt(t->recover, ack))
        t->recover = ack;
    /* RTT: RFC 7323 4.1 (TSecr) or the timed segment (RFC 6298 3, Karn) */
    if ((t->fl & SYNACK_TF_TS) && seg->has_ts && seg->tsecr) {
        synack_tcp_rtt_sample(t, synack_tcb_ts_now(t, now) - seg->tsecr);
    } else if ((t->fl & SYNACK_TF_RTT_TIMING) && synack_seq_gt(ack, t->rtt_seq)) {
        t->fl &= ~(uint32_t)SYNACK_TF_RTT_TIMING;
        synack_tcp_rtt_sample(t, (uint32_t)now - t->rtt_start);
    }
    t->nrexmit = 0;
    synack_tcp_sb_advance(t);
    uint32_t cwnd = t->cc.cwnd;
    if (t->fl & SYNACK_TF_RECOVERY) {
        if (synack_seq_ge(ack, t->recover)) {
            /* full acknowledgment: recovery ends (RFC 6582 3.2 step 6) */
            t->fl &= ~(uint32_t)SYNACK_TF_RECOVERY;
            t->dupacks = 0;
            synack_cc_on_recovery_end(&t->cc, now);
            synack_tcp_trace_cc(s, t);
            synack_rack_recovery_end(t);
        } else if (!synack_tcb_sb(t) && !t->rack) {
            /* NewReno partial acknowledgment (RFC 6582 3.2 step 5): the
               acknowledged segments beyond the first had been counted as
               duplicate ACKs already */
            uint32_t mss = synack_tcp_maxseg(t);
            uint32_t segs = (acked + mss - 1) / mss;
            t->dupacks = (uint16_t)(t->dupacks > segs - 1 ? t->dupacks - (segs - 1) : 0);
            t->high_rxt = t->snd_una;
            synack_tcp_retransmit_head(s, now, t);
        }
    } else {
        t->dupacks = 0;
        synack_cc_on_ack(&t->cc, now, data, flight,
                         (t->fl & SYNACK_TF_RTT_VALID) ? t->srtt8 >> 3 : 0);
        if (t->cc.cwnd != cwnd)
            synack_tcp_trace_cc(s, t);
    }
    /* RFC 6298 5.2 / 5.3 */
    if (t->snd_una == t->snd_max)
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
    else if (!(t->fl & SYNACK_TF_PERSIST))
        synack_tcp_rexmit_arm(s, now, t);
}

/* An ACK that does not advance snd_una. */
static void ack_duplicate(synack_stack *s, uint64_t now, synack_tcb *t,
                          const synack_tcp_repr *seg, uint32_t wnd,
                          uint32_t newly_sacked)
{
    /* RFC 5681 2: outstanding data, no data, no SYN/FIN, same window;
       with SACK (RFC 6675 2) the ACK must SACK new data */
    if (t->snd_max == t->snd_una || seg->payload_len ||
        (seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN)))
        return;
    bool sack = (t->fl & SYNACK_TF_SACK) && seg->sack_count;
    if (sack ? newly_sacked == 0 : wnd != t->snd_wnd)
        return;
    if (t->dupacks < UINT16_MAX)
        t->dupacks++;
    if (t->fl & SYNACK_TF_RECOVERY)
        return; /* pipe shrinks; tcp_output sends what it allows */
    if (t->rack && sack)
        return; /* RACK (tcp_rack.c) judges losses from SACK blocks */
    if (t->dupacks < SYNACK_TCP_DUPTHRESH && !synack_tcp_sb_head_lost(t))
        return; /* limited transmit (RFC 3042) is done by tcp_output */
    /* RFC 6582 3.2 step 1 / RFC 6675 5.1: not again before `recover` */
    if (synack_seq_lt(t->snd_una, t->recover))
        return;
    synack_tcp_enter_recovery(s, now, t, true);
}

bool synack_tcp_ack_process(synack_stack *s, uint64_t now, synack_tcb *t,
                            const synack_tcp_repr *seg)
{
    uint32_t ack = seg->ack;
    /* a zero window probe carried the octet at snd_max and it was taken.
       The flag stays until then (or until sending moves snd_max past the
       octet, tcp_output.c): an older segment arriving in between must not
       make the probe's ACK look like an ACK of unsent data. */
    if ((t->fl & SYNACK_TF_PROBE_OUT) && ack == t->snd_max + 1) {
        t->snd_max = ack;
        t->snd_nxt = ack;
        t->fl &= ~(uint32_t)SYNACK_TF_PROBE_OUT;
    }
    /* RFC 5961 5.2 / RFC 9293: ACK of something not yet sent */
    if (synack_seq_gt(ack, t->snd_max)) {
        synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
        synack_tcp_challenge_ack(s, now, t);
        return false;
    }
    if (synack_seq_lt(ack, t->snd_una - t->max_sndwnd)) {
        synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
        synack_tcp_challenge_ack(s, now, t);
        return false;
    }
    uint32_t wnd = (uint32_t)seg->win << t->snd_ws;
    uint32_t newly_sacked = synack_tcp_sb_update(s, t, seg);
    if (t->rack) /* (checked here: a call costs even when it returns at once) */
        synack_rack_on_ack(s, now, t, seg, newly_sacked);
    if (synack_seq_gt(ack, t->snd_una))
        ack_advance(s, now, t, seg);
    else if (ack == t->snd_una)
        ack_duplicate(s, now, t, seg, wnd, newly_sacked);
    if (t->rack)
        synack_rack_after_ack(s, now, t);
    /* window update: SND.UNA =< SEG.ACK =< SND.NXT and the WL1/WL2 rule */
    if (synack_seq_ge(ack, t->snd_una) &&
        (synack_seq_lt(t->snd_wl1, seg->seq) ||
         (t->snd_wl1 == seg->seq && synack_seq_le(t->snd_wl2, ack)))) {
        t->snd_wnd = wnd;
        t->snd_wl1 = seg->seq;
        t->snd_wl2 = ack;
        if (wnd > t->max_sndwnd)
            t->max_sndwnd = wnd;
        if (wnd > 0 && (t->fl & SYNACK_TF_PERSIST)) {
            t->fl &= ~(uint32_t)SYNACK_TF_PERSIST;
            t->npersist = 0;
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_PERSIST);
            if (t->snd_max != t->snd_una)
                synack_tcp_rexmit_arm(s, now, t);
        }
    }
    bool fin_acked = (t->fl & SYNACK_TF_FIN_SENT) && synack_seq_gt(t->snd_una, t->snd_fin);
    switch (t->state) {
    case SYNACK_TCP_FIN_WAIT_1:
        if (fin_acked)
            synack_tcb_set_state(s, now, t, SYNACK_TCP_FIN_WAIT_2);
        break;
    case SYNACK_TCP_CLOSING:
        if (fin_acked)
            synack_tcb_set_state(s, now, t, SYNACK_TCP_TIME_WAIT);
        break;
    case SYNACK_TCP_LAST_ACK:
        if (fin_acked) {
            synack_tcb_close_with(s, now, t, 0);
            return false;
        }
        break;
    default:
        break;
    }
    return true;
}
