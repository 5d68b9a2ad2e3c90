/*
 * TCP input: parsing, demultiplexing and SEGMENT ARRIVES.
 *
 * RFC 9293 3.10.7.1 (CLOSED: RST reply), 3.10.7.3 (SYN-SENT), 3.10.7.4
 *   (the other states, steps "first" to "eighth" in that order; the ACK
 *   field is in tcp_ack.c, text and FIN in tcp_rcv.c, LISTEN in
 *   tcp_listen.c)
 * RFC 7323 5.3 (PAWS), 4.3 (TS.Recent), 2.2 (SYN windows are unscaled)
 * RFC 5961 3.2 (RST: exact match or challenge ACK), 4.2 (SYN: challenge ACK)
 * ACKs to out-of-window and PAWS-rejected segments: at most one per
 *   SYNACK_TCP_INVALID_ACK_MS unless the segment carries data (as Linux)
 * RFC 6191 / RFC 1122 4.2.2.13 (a new SYN may reopen a TIME-WAIT pair)
 * RFC 1122 4.2.3.10 (no segments to broadcast/multicast addresses)
 * RFC 1122 4.2.3.9 and RFC 5927 (ICMP errors: hard in SYN-SENT for port and
 *   protocol unreachable, soft otherwise; quoted sequence number checked)
 * ARP failure for the next hop (RFC 1122 2.3.2.1 gives up after a few
 *   requests): hard in SYN-SENT (error "unreachable" right after ARP's own
 *   retries, not after the SYN retries), soft otherwise.
 *
 * Leniency (as Linux): a segment without timestamps on a connection that
 * negotiated them is accepted (RFC 7323 3.2 says SHOULD drop).
 */
#include "tcp/tcp_tcb.h"

/* 24 days in ms: an older TS.Recent is not used for PAWS (RFC 7323 5.5). */
#define PAWS_IDLE_MS 2073600000u

void synack_tcp_apply_syn_options(synack_stack *s, synack_tcb *t,
                                  const synack_tcp_repr *syn)
{
    uint32_t link = synack_ip_path_payload(s, &t->raddr);
    link = link > SYNACK_TCP_HDR_LEN ? link - SYNACK_TCP_HDR_LEN : 1;
    uint32_t peer = syn->has_mss ? syn->mss : SYNACK_TCP_DEFAULT_MSS;
    uint32_t floor = SYNACK_TCP_MIN_MSS < link ? SYNACK_TCP_MIN_MSS : link;
    uint32_t mss = peer < link ? peer : link;
    if (mss < floor)
        mss = floor;
    t->snd_mss = (uint16_t)(mss > 65535 ? 65535 : mss);
    t->peer_mss = (uint16_t)peer;
    /* RFC 7323 2.2/2.3: scaling only when both sides sent the option */
    if ((t->fl & SYNACK_TF_WS) && syn->has_ws) {
        t->snd_ws = syn->ws > SYNACK_TCP_MAX_WS ? SYNACK_TCP_MAX_WS : syn->ws;
    } else {
        t->fl &= ~(uint32_t)SYNACK_TF_WS;
        t->snd_ws = 0;
        t->rcv_ws = 0;
    }
    if (!syn->sack_ok)
        t->fl &= ~(uint32_t)SYNACK_TF_SACK;
    if ((t->fl & SYNACK_TF_TS) && syn->has_ts) {
        t->ts_recent = syn->tsval;
        t->ts_recent_at = (uint32_t)s->now;
    } else {
        t->fl &= ~(uint32_t)SYNACK_TF_TS;
    }
}

/*
 * RTT of the handshake, when our SYN (or SYN-ACK) was timed: from TSecr
 * (unambiguous, RFC 7323 4.1) or the clock if it was sent once (Karn).
 * A connection rebuilt from a SYN cookie is not timed.
 */
static void handshake_rtt(synack_tcb *t, uint64_t now, const synack_tcp_repr *seg)
{
    if (!(t->fl & SYNACK_TF_RTT_TIMING))
        return;
    t->fl &= ~(uint32_t)SYNACK_TF_RTT_TIMING;
    if ((t->fl & SYNACK_TF_TS) && seg->has_ts && seg->tsecr)
        synack_tcp_rtt_sample(t, synack_tcb_ts_now(t, now) - seg->tsecr);
    else if (!(t->fl & SYNACK_TF_SYN_REXMIT))
        synack_tcp_rtt_sample(t, (uint32_t)now - t->rtt_start);
}

/* A SYN-ACK has just established `t`: process the text and FIN that follow
 * its SYN (RFC 9293 3.10.7.3: "continue processing at the sixth step" of
 * 3.10.7.4), then send what is owed. */
static void opened_text_and_output(synack_stack *s, uint64_t now, synack_tcb *t,
                                   const synack_tcp_repr *seg)
{
    if (seg->payload_len || (seg->flags & SYNACK_TCP_FIN))
        synack_tcp_rcv_text(s, now, t, seg, seg->seq + 1, seg->payload,
                            (uint32_t)seg->payload_len,
                            (seg->flags & SYNACK_TCP_FIN) != 0);
    if (t->state != SYNACK_TCP_CLOSED)
        synack_tcp_output(s, now, t);
}

/* RFC 9293 3.10.7.3: SEGMENT ARRIVES in SYN-SENT. */
static void syn_sent(synack_stack *s, uint64_t now, synack_tcb *t,
                     const synack_ip_rx *ip, synack_tcp_repr *seg)
{
    bool ack = (seg->flags & SYNACK_TCP_ACK) != 0;
    /* first: check the ACK bit */
    if (ack && (synack_seq_le(seg->ack, t->iss) || synack_seq_gt(seg->ack, t->snd_max))) {
        synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
        if (!(seg->flags & SYNACK_TCP_RST))
            synack_tcp_reply_rst(s, now, ip, seg);
        return;
    }
    /* second: check the RST bit (RFC 5961 3.2: only with an acceptable ACK) */
    if (seg->flags & SYNACK_TCP_RST) {
        if (ack)
            synack_tcb_close_with(s, now, t, SYNACK_ERR_REFUSED);
        else
            synack_count_drop(s, SYNACK_DROP_TCP_RST_IGNORED);
        return;
    }
    /* third: security and precedence are not used */
    /* fourth: check the SYN bit */
    if (!(seg->flags & SYNACK_TCP_SYN)) {
        /* fifth: neither SYN nor RST */
        synack_count_drop(s, SYNACK_DROP_TCP_MALFORMED);
        return;
    }
    t->irs = seg->seq;
    t->rcv_nxt = seg->seq + 1;
    t->rcv_adv = t->rcv_nxt;
    t->last_ack_sent = t->rcv_nxt;
    synack_tcp_apply_syn_options(s, t, seg);
    t->snd_wnd = seg->win; /* RFC 7323 2.2: unscaled in a SYN */
    t->max_sndwnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    if (!ack) {
        /* simultaneous open (RFC 9293 3.5, figure 8) */
        synack_tcb_set_state(s, now, t, SYNACK_TCP_SYN_RECEIVED);
        synack_tcp_send_syn(s, now, t, false);
        return;
    }
    t->snd_una = seg->ack;
    if (synack_seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    handshake_rtt(t, now, seg);
    synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
    synack_tcb_established(s, now, t);
    t->fl |= SYNACK_TF_ACK_NOW;
    opened_text_and_output(s, now, t, seg);
}

/* RFC 9293 3.10.7.4 first: the four acceptability cases, as an overlap test. */
static bool seq_acceptable(const synack_tcb *t, uint32_t seq, uint32_t seglen,
                           uint32_t wnd)
{
    if (seglen == 0) {
        if (wnd == 0)
            return seq == t->rcv_nxt;
        return synack_seq_le(t->rcv_nxt, seq) && synack_seq_lt(seq, t->rcv_nxt + wnd);
    }
    if (wnd == 0)
        return false;
    return synack_seq_lt(seq, t->rcv_nxt + wnd) &&
           synack_seq_gt(seq + seglen, t->rcv_nxt);
}

/* RFC 9293 3.10.7.4 second: an acceptable RST with the exact sequence number. */
static void reset_received(synack_stack *s, uint64_t now, synack_tcb *t)
{
    switch (t->state) {
    case SYNACK_TCP_SYN_RECEIVED:
        /* passive: back to LISTEN (the child goes); active: refused */
        synack_tcb_close_with(s, now, t,
                              (t->fl & SYNACK_TF_PASSIVE) ? 0 : SYNACK_ERR_REFUSED);
        break;
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_CLOSE_WAIT:
        synack_tcb_close_with(s, now, t, SYNACK_ERR_RESET);
        break;
    default: /* CLOSING, LAST-ACK, TIME-WAIT */
        synack_tcb_close_with(s, now, t, 0);
        break;
    }
}

/* RFC 6191: may this SYN reopen a connection in TIME-WAIT? */
static bool tw_reopen(const synack_tcb *t, const synack_tcp_repr *seg)
{
    if (!(seg->flags & SYNACK_TCP_SYN) ||
        (seg->flags & (SYNACK_TCP_ACK | SYNACK_TCP_RST)))
        return false;
    bool ts = (t->fl & SYNACK_TF_TS) && seg->has_ts;
    if (ts && synack_seq_lt(seg->tsval, t->ts_recent))
        return false; /* PAWS */
    return synack_seq_gt(seg->seq, t->rcv_nxt) ||
           (ts && synack_seq_gt(seg->tsval, t->ts_recent));
}

/*
 * Simultaneous open (RFC 9293 figure 8, line 6): in SYN-RECEIVED after an
 * active open, the peer's SYN-ACK repeats the SYN we already have and
 * acknowledges ours. The acceptability test of 3.10.7.4 would reject it
 * (its SYN lies below RCV.NXT) and leave us waiting for another ACK, so it
 * is taken as the acknowledgment it carries, as Linux does. Its window is
 * that of a SYN: unscaled (RFC 7323 2.2).
 */
static bool simultaneous_synack(synack_stack *s, uint64_t now, synack_tcb *t,
                                synack_tcp_repr *seg)
{
    if (t->state != SYNACK_TCP_SYN_RECEIVED || (t->fl & SYNACK_TF_PASSIVE) ||
        (seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) !=
            (SYNACK_TCP_SYN | SYNACK_TCP_ACK) ||
        seg->seq != t->irs || !synack_seq_lt(t->snd_una, seg->ack) ||
        !synack_seq_le(seg->ack, t->snd_max))
        return false;
    if ((t->fl & SYNACK_TF_TS) && seg->has_ts && synack_seq_ge(seg->tsval, t->ts_recent)) {
        t->ts_recent = seg->tsval;
        t->ts_recent_at = (uint32_t)now;
    }
    t->last_rcv = (uint32_t)now;
    handshake_rtt(t, now, seg);
    t->snd_una = seg->ack;
    if (synack_seq_lt(t->snd_nxt, t->snd_una))
        t->snd_nxt = t->snd_una;
    t->snd_wnd = seg->win;
    t->max_sndwnd = t->snd_wnd;
    t->snd_wl1 = seg->seq;
    t->snd_wl2 = seg->ack;
    synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
    synack_tcb_established(s, now, t);
    opened_text_and_output(s, now, t, seg);
    return true;
}

/* RFC 9293 3.10.7.4: SEGMENT ARRIVES in a synchronized state or SYN-RECEIVED. */
static void synchronized(synack_stack *s, uint64_t now, synack_tcb *t,
                         const synack_ip_rx *ip, synack_tcp_repr *seg)
{
    bool syn = (seg->flags & SYNACK_TCP_SYN) != 0;
    bool rst = (seg->flags & SYNACK_TCP_RST) != 0;
    bool fin = (seg->flags & SYNACK_TCP_FIN) != 0;
    uint32_t seq = seg->seq;
    uint32_t dlen = (uint32_t)seg->payload_len;
    uint32_t seglen = dlen + (syn ? 1u : 0u) + (fin ? 1u : 0u);

    if (t->state == SYNACK_TCP_TIME_WAIT && tw_reopen(t, seg)) {
        synack_tcb *l = synack_tcb_find_listener(s, t->lport);
        if (l) {
            /* a child in SYN-RECEIVED takes over the 4-tuple; t waits out
               of the hash until the handshake shows whether the SYN was
               new. Without a child (queues full...) t stays as it was and
               the peer repeats its SYN. */
            (void)synack_tcp_listen_reopen(s, now, l, t, ip, seg);
            return;
        }
    }
    /* our SYN-ACK was lost and the peer repeats its SYN: answer at once */
    if (t->state == SYNACK_TCP_SYN_RECEIVED && syn && !rst &&
        !(seg->flags & SYNACK_TCP_ACK) && seq == t->irs) {
        synack_tcp_send_syn(s, now, t, true);
        return;
    }
    if (simultaneous_synack(s, now, t, seg))
        return;
    /* RFC 7323 5.3 R1: PAWS, before the sequence number check */
    if ((t->fl & SYNACK_TF_TS) && seg->has_ts && !rst &&
        synack_seq_lt(seg->tsval, t->ts_recent) &&
        (uint32_t)now - t->ts_recent_at < PAWS_IDLE_MS) {
        synack_count_drop(s, SYNACK_DROP_TCP_PAWS);
        synack_tcp_invalid_ack(s, now, t, seg);
        return;
    }
    /* first: check the sequence number */
    uint32_t wnd = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    bool ok = seq_acceptable(t, seq, seglen, wnd);
    if (!ok && wnd == 0 && seq == t->rcv_nxt && !syn)
        ok = true; /* zero window: still process ACK, RST and URG; text is trimmed */
    if (!ok) {
        if (!rst) {
            /* RFC 9293: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; a repeated FIN
               in TIME-WAIT also restarts the 2 MSL wait */
            if (t->state == SYNACK_TCP_TIME_WAIT && fin)
                synack_tcp_timer_set(s, t, SYNACK_TIMER_TIME_WAIT,
                                     now + 2 * (uint64_t)t->msl_ms);
            /* RFC 2883: data we had already, reported as a D-SACK (the
               ACK below carries data's answer past the rate limit) */
            if (dlen && synack_seq_le(seq + dlen, t->rcv_nxt))
                synack_tcp_dsack_note(s, t, seq, seq + dlen);
        }
        synack_count_drop(s, rst ? SYNACK_DROP_TCP_RST_IGNORED
                                 : SYNACK_DROP_TCP_OUT_OF_WINDOW);
        if (!rst)
            synack_tcp_invalid_ack(s, now, t, seg);
        return;
    }
    /* RFC 7323 4.3 (2): remember the peer's timestamp */
    if ((t->fl & SYNACK_TF_TS) && seg->has_ts && synack_seq_ge(seg->tsval, t->ts_recent) &&
        synack_seq_le(seq, t->last_ack_sent)) {
        t->ts_recent = seg->tsval;
        t->ts_recent_at = (uint32_t)now;
    }
    t->last_rcv = (uint32_t)now;
    t->nkeep = 0;
    t->nprobe = 0;
    /* second: check the RST bit (RFC 5961 3.2) */
    if (rst) {
        if (seq == t->rcv_nxt)
            reset_received(s, now, t);
        else
            synack_tcp_challenge_ack(s, now, t);
        return;
    }
    /* third: security and precedence are not used (RFC 9293 3.10.7.4) */
    /* fourth: check the SYN bit (RFC 5961 4.2: challenge ACK) */
    if (syn) {
        if (t->state == SYNACK_TCP_SYN_RECEIVED && (t->fl & SYNACK_TF_PASSIVE)) {
            synack_tcb_close_with(s, now, t, 0); /* "return to LISTEN" */
            return;
        }
        synack_tcp_challenge_ack(s, now, t);
        return;
    }
    /* fifth: check the ACK field */
    if (!(seg->flags & SYNACK_TCP_ACK)) {
        synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
        return;
    }
    if (t->state == SYNACK_TCP_SYN_RECEIVED) {
        if (!(synack_seq_lt(t->snd_una, seg->ack) && synack_seq_le(seg->ack, t->snd_max))) {
            synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
            synack_tcp_reply_rst(s, now, ip, seg);
            return;
        }
        if (t->parent && t->parent->acc_len >= t->parent->backlog) {
            /* accept queue full: ignore the ACK, the peer will repeat it */
            synack_count_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL);
            return;
        }
        handshake_rtt(t, now, seg);
        t->snd_una = t->iss + 1;
        t->snd_wnd = (uint32_t)seg->win << t->snd_ws;
        t->max_sndwnd = t->snd_wnd;
        t->snd_wl1 = seq;
        t->snd_wl2 = seg->ack;
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
        synack_tcb_established(s, now, t);
    }
    if (!synack_tcp_ack_process(s, now, t, seg))
        return;
    /* sixth: the URG bit. The urgent pointer is accepted and ignored: urgent
       data is delivered in line with the rest (RFC 6093 recommends this) */
    /* seventh and eighth: segment text and FIN */
    if (dlen || fin) {
        switch (t->state) {
        case SYNACK_TCP_ESTABLISHED:
        case SYNACK_TCP_FIN_WAIT_1:
        case SYNACK_TCP_FIN_WAIT_2:
            synack_tcp_rcv_text(s, now, t, seg, seq, seg->payload, dlen, fin);
            break;
        case SYNACK_TCP_TIME_WAIT:
            /* only a retransmitted FIN can get here: ACK it, restart 2 MSL */
            if (fin) {
                synack_tcp_timer_set(s, t, SYNACK_TIMER_TIME_WAIT,
                                     now + 2 * (uint64_t)t->msl_ms);
                t->fl |= SYNACK_TF_ACK_NOW;
            }
            break;
        default:
            /* CLOSE-WAIT, CLOSING, LAST-ACK: the FIN was already received */
            break;
        }
    }
    if (t->state != SYNACK_TCP_CLOSED)
        synack_tcp_output(s, now, t);
}

void synack_tcp_segment(synack_stack *s, uint64_t now, synack_tcb *t,
                        const synack_ip_rx *ip, synack_tcp_repr *seg)
{
    synack_tcp_winsnap w;
    bool tr = synack_tracing(s);
    if (tr)
        synack_tcp_win_snap(t, &w);
    switch (t->state) {
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_LISTEN:
        synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
        synack_tcp_reply_rst(s, now, ip, seg);
        return;
    case SYNACK_TCP_SYN_SENT:
        syn_sent(s, now, t, ip, seg);
        break;
    default:
        synchronized(s, now, t, ip, seg);
        break;
    }
    if (tr && t->state != SYNACK_TCP_CLOSED)
        synack_tcp_trace_win(s, t, &w);
}

static synack_drop parse_drop(int rc)
{
    switch (rc) {
    case SYNACK_WIRE_BAD_CHECKSUM:
        return SYNACK_DROP_TCP_BAD_CHECKSUM;
    case SYNACK_WIRE_BAD_OPTION:
        return SYNACK_DROP_TCP_BAD_OPTION;
    default:
        return SYNACK_DROP_TCP_MALFORMED;
    }
}

void synack_tcp_input(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                      const uint8_t *seg, size_t len)
{
    synack_tcp_repr r;
    int rc = synack_tcp_parse(seg, len, ip->phsum, s->cfg.verify_checksums, &r);
    if (rc < 0) {
        synack_count_drop(s, parse_drop(rc));
        return;
    }
    s->cnt.tcp_segs_in++;
    /* RFC 1122 4.2.3.10: nothing to or from broadcast/multicast (the IP
     * layer delivers only our unicast address, from a valid unicast
     * source: RFC 1122 3.2.1.3), no port 0 */
    if (ip->bcast || r.sport == 0 || r.dport == 0) {
        synack_count_drop(s, SYNACK_DROP_TCP_MALFORMED);
        return;
    }
    synack_tcb *t = synack_tcb_lookup(s, &ip->dst, r.dport, &ip->src, r.sport);
    if (t) {
        if (synack_tracing(s))
            synack_tcp_trace_seg(s, t->handle, false, &r, (uint32_t)r.payload_len, false,
                                 (r.flags & SYNACK_TCP_SYN) ? 0 : t->snd_ws);
        synack_tcp_segment(s, now, t, ip, &r);
        synack_tcb_reap(s, t);
        return;
    }
    synack_tcb *l = synack_tcb_find_listener(s, r.dport);
    /* a V6ONLY listener (IPV6_V6ONLY) does not see IPv4 */
    if (l && !((l->fl & SYNACK_TF_V6ONLY) && ip->src.family != SYNACK_AF_IP6)) {
        synack_tcp_listen_input(s, now, l, ip, &r);
        return;
    }
    if (synack_tracing(s))
        synack_tcp_trace_seg(s, -1, false, &r, (uint32_t)r.payload_len, false, 0);
    synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
    synack_tcp_reply_rst(s, now, ip, &r);
}

void synack_tcp_ip_error(synack_stack *s, uint64_t now, const synack_ip_err *e)
{
    if (e->l4len < 8)
        return;
    uint16_t sport = synack_ld_be16(e->l4);
    uint16_t dport = synack_ld_be16(e->l4 + 2);
    uint32_t seq = synack_ld_be32(e->l4 + 4);
    synack_tcb *t = synack_tcb_lookup(s, &e->src, sport, &e->dst, dport);
    if (!t)
        return;
    if (e->nexthop && t->state == SYNACK_TCP_SYN_SENT && seq == t->iss) {
        synack_tcb_close_with(s, now, t, SYNACK_ERR_UNREACHABLE);
        synack_tcb_reap(s, t);
        return;
    }
    /* RFC 5927 4.1: the quoted segment must be one we have outstanding */
    if (!(synack_seq_le(t->snd_una, seq) && synack_seq_lt(seq, t->snd_max)))
        return;
    bool early = t->state == SYNACK_TCP_SYN_SENT || t->state == SYNACK_TCP_SYN_RECEIVED;
    if (early && e->err == SYNACK_ERR_REFUSED) {
        /* RFC 1122 4.2.3.9: port/protocol unreachable are hard errors */
        synack_tcb_close_with(s, now, t, (t->fl & SYNACK_TF_PASSIVE) ? 0 : e->err);
        synack_tcb_reap(s, t);
        return;
    }
    /* soft error: kept, and reported if the connection times out */
    t->soft_err = (int8_t)e->err;
}

void synack_tcp_pmtu_raised(synack_stack *s, const synack_addr *dst)
{
    uint32_t link = synack_ip_path_payload(s, dst);
    link = link > SYNACK_TCP_HDR_LEN ? link - SYNACK_TCP_HDR_LEN : 1;
    for (uint32_t h = 0; h < s->tcp.nsocks; h++) {
        synack_tcb *c = synack_tcb_get(s, (int)h);
        if (c == NULL || c->peer_mss == 0 || !synack_addr_same(&c->raddr, dst))
            continue;
        /* as at the handshake (synack_tcp_apply_syn_options), without
           its floor: only ever up from what a PTB left */
        uint32_t mss = c->peer_mss < link ? c->peer_mss : link;
        if (mss > c->snd_mss)
            c->snd_mss = (uint16_t)mss;
    }
}

bool synack_tcp_pmtu(synack_stack *s, uint64_t now, const synack_ip_err *e,
                     uint32_t l4max)
{
    if (e->l4len < 8)
        return false;
    uint16_t sport = synack_ld_be16(e->l4);
    uint16_t dport = synack_ld_be16(e->l4 + 2);
    uint32_t seq = synack_ld_be32(e->l4 + 4);
    synack_tcb *t = synack_tcb_lookup(s, &e->src, sport, &e->dst, dport);
    if (!t || !(synack_seq_le(t->snd_una, seq) && synack_seq_lt(seq, t->snd_max)))
        return false;
    uint32_t mss = l4max > SYNACK_TCP_HDR_LEN ? l4max - SYNACK_TCP_HDR_LEN : 1;
    /* The path is the destination's: every connection to it from this
       address gets the smaller MSS (their segments above it could never
       leave), the one quoted first. RFC 8201 5.4: what was too big is
       lost: send it again at the new size without waiting for the
       retransmission timer. */
    for (uint32_t h = 0; h <= s->tcp.nsocks; h++) {
        synack_tcb *c = h == 0 ? t : synack_tcb_get(s, (int)h - 1);
        if (c == NULL || (h > 0 && c == t) || mss >= c->snd_mss ||
            !synack_addr_same(&c->raddr, &e->dst) ||
            !synack_addr_same(&c->laddr, &e->src))
            continue;
        c->snd_mss = (uint16_t)mss;
        if (c->state >= SYNACK_TCP_ESTABLISHED && c->snd_una != c->snd_max)
            synack_tcp_retransmit_head(s, now, c);
    }
    return true;
}
