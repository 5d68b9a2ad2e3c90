/*
 * TCP output: building segments straight into the IP layer's frame scratch
 * (header, options, then the payload copied once from the send ring), and
 * deciding what may be sent.
 *
 * RFC 9293 3.8.6.2.1 (sender SWS avoidance), 3.7.4 (Nagle, in Minshall's
 *   variant, draft-minshall-nagle-01), 3.8.6.1 (zero window probing),
 *   3.10.7.1 (RST for segments with no connection)
 * RFC 9293 3.8.6.2.2 (receiver SWS avoidance), RFC 7323 2.4 (no shrinking)
 * RFC 5681 (slow start / congestion avoidance limit: cwnd), RFC 3042
 *   (limited transmit), RFC 6675 section 5 (loss recovery with SACK: pipe,
 *   NextSeg rules 1-4), RFC 6582 (NewReno: retransmit on partial ACK),
 *   RFC 8985 (with SACK, RACK's losses replace IsLost; the TLP probe)
 * RFC 6691 (MSS excludes options), RFC 7323 (timestamps on every segment)
 * RFC 2018 (SACK blocks sent), RFC 2883 (a D-SACK block first), RFC 5961 section 7 (challenge ACK limit)
 */
#include "tcp/tcp_tcb.h"

/* ---- segment emission ----------------------------------------------------- */

/* Options common to non-SYN segments: timestamps and SACK blocks. */
static void fill_options(const synack_tcb *t, uint64_t now, synack_tcp_repr *r,
                         bool with_sack)
{
    if (t->fl & SYNACK_TF_TS) {
        r->has_ts = true;
        r->tsval = synack_tcb_ts_now(t, now);
        r->tsecr = t->ts_recent;
    }
    if (with_sack && (t->fl & SYNACK_TF_SACK)) {
        uint8_t max = r->has_ts ? 3 : 4, n = 0;
        if (t->fl & SYNACK_TF_DSACK) { /* RFC 2883: the duplicate first */
            r->sack[0].left = t->cold->dsack_l; /* set with the flag */
            r->sack[0].right = t->cold->dsack_r;
            n = 1;
        }
        if (!synack_asm_empty(&t->ooo))
            n += synack_tcp_sack_blocks(t, r->sack + n, (uint8_t)(max - n));
        r->sack_count = n;
    }
}

uint32_t synack_tcp_rcv_window(const synack_stack *s, const synack_tcb *t)
{
    uint32_t used = t->rcv.buf ? t->rcv.len : 0;
    /* the buffer autotuning allows, as far as the memory budget lets
       the ring grow (tcp_mem.c) */
    uint32_t space = synack_tcb_rcv_reach(s, t);
    uint32_t free = space > used ? space - used : 0;
    uint32_t cur = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t win = free;
    /* RFC 9293 3.8.6.2.2: move the right edge only by a useful amount,
       min(RCV.BUFF / 2, the peer's segment size) */
    uint32_t sws = t->rcv.limit / 2 < t->rcv_mss ? t->rcv.limit / 2 : t->rcv_mss;
    if (win > cur && win - cur < sws)
        win = cur;
    /* RFC 9293 3.8.6.2.2 / RFC 7323 2.4: never shrink the window */
    if (win < cur)
        win = cur;
    uint32_t max = 65535u << t->rcv_ws;
    if (win > max)
        win = max;
    if (t->rcv_ws) {
        uint32_t unit = 1u << t->rcv_ws;
        uint32_t w = win & ~(unit - 1);
        if (w < cur)
            w = (cur + unit - 1) & ~(unit - 1);
        win = w > max ? max : w;
    }
    return win;
}

/*
 * Build and send one segment of `t`. `len` payload bytes are copied from the
 * send ring at offset `off` (relative to snd_una). Every segment except a
 * SYN and a RST carries our ACK and window.
 */
static void xmit(synack_stack *s, uint64_t now, synack_tcb *t, uint32_t seq,
                 uint8_t flags, uint32_t off, uint32_t len, bool rexmit,
                 uint32_t gso_seg)
{
    size_t cap = 0;
    uint8_t *p = synack_ip_tx_buf(s, t->raddr.family, &cap);
    if (!p)
        return;
    synack_tcp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = t->lport;
    r.dport = t->rport;
    r.seq = seq;
    r.flags = flags;
    uint32_t win = 0;
    if (flags & SYNACK_TCP_SYN) {
        /* RFC 7323 2.2: the window in a SYN is never scaled */
        win = t->rcv.limit > 65535u ? 65535u : t->rcv.limit;
        r.win = (uint16_t)win;
        r.has_mss = true;
        r.mss = t->adv_mss;
        if (t->fl & SYNACK_TF_WS) {
            r.has_ws = true;
            r.ws = t->rcv_ws;
        }
        r.sack_ok = (t->fl & SYNACK_TF_SACK) != 0;
        fill_options(t, now, &r, false);
    } else if (!(flags & SYNACK_TCP_RST)) {
        win = synack_tcp_rcv_window(s, t);
        r.win = (uint16_t)(win >> t->rcv_ws);
        fill_options(t, now, &r, true);
    }
    if (flags & SYNACK_TCP_ACK)
        r.ack = t->rcv_nxt;
    size_t hl = synack_tcp_header_len(&r);
    if (hl + len > cap)
        len = cap > hl ? (uint32_t)(cap - hl) : 0;
    synack_tcp_emit(&r, p);
    if (len)
        synack_ring_peek(&t->snd, off, p + hl, len);
    /* A segment for the link's send offload: the link finishes the
     * checksum of each piece (synack_link.send_gso). */
    bool gso = gso_seg && len > gso_seg;
    uint32_t phsum = synack_addr_pseudo_sum(&t->laddr, &t->raddr, SYNACK_IPPROTO_TCP);
    if (gso)
        synack_tcp_fill_checksum_partial(p, hl + len, phsum);
    else
        synack_tcp_fill_checksum(p, hl + len, phsum);
    if (synack_tracing(s))
        synack_tcp_trace_seg(s, t->handle, true, &r, len, rexmit,
                             (flags & SYNACK_TCP_SYN) ? 0 : t->rcv_ws);
    /* a send-offload packet becomes len / gso_seg segments on the wire */
    s->cnt.tcp_segs_out += gso ? (len + gso_seg - 1) / gso_seg : 1u;
    if (rexmit) {
        s->cnt.tcp_rexmit_segs++;
        s->cnt.tcp_rexmit_bytes += len;
        synack_tcp_cold *c = synack_tcb_cold(s, t);
        if (c) {
            c->rexmit_segs++;
            c->rexmit_bytes += len;
        }
    }
    if (flags & SYNACK_TCP_ACK) {
        t->last_ack_sent = t->rcv_nxt;
        if (synack_seq_gt(t->rcv_nxt + win, t->rcv_adv))
            t->rcv_adv = t->rcv_nxt + win;
        t->ack_pending = 0;
        t->fl &= ~(uint32_t)(SYNACK_TF_ACK_NOW | SYNACK_TF_DSACK);
        if (t->tm[SYNACK_TIMER_DELACK] != SYNACK_TCP_NEVER)
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_DELACK);
    }
    /* the offload's L4 half (synack_ip_tx): where TCP's checksum field
     * and header end are, so no layer below parses them again */
    synack_ip_tx tx = {.gso_seg = gso ? gso_seg : 0, .src = &t->laddr,
                       .csum_off = gso ? SYNACK_TCP_CSUM_OFF : 0,
                       .l4_hdr_len = gso ? (uint16_t)hl : 0};
    synack_ip_send(s, now, &t->raddr, SYNACK_IPPROTO_TCP, hl + len, &tx);
}

/* Payload that fits one segment with the options it will carry. */
static uint32_t seg_payload_max(const synack_tcb *t)
{
    uint32_t m = synack_tcp_maxseg(t);
    uint32_t blocks = t->ooo.count + ((t->fl & SYNACK_TF_DSACK) ? 1u : 0u);
    if ((t->fl & SYNACK_TF_SACK) && blocks) {
        uint32_t n = blocks < ((t->fl & SYNACK_TF_TS) ? 3u : 4u)
                         ? blocks : ((t->fl & SYNACK_TF_TS) ? 3u : 4u);
        uint32_t sack = (2 + 8 * n + 3) & ~3u;
        m = m > sack + 1 ? m - sack : 1;
    }
    return m;
}

void synack_tcp_send_ack(synack_stack *s, uint64_t now, synack_tcb *t)
{
    xmit(s, now, t, t->snd_max, SYNACK_TCP_ACK, 0, 0, false, 0);
}

void synack_tcp_send_syn(synack_stack *s, uint64_t now, synack_tcb *t, bool rexmit)
{
    uint8_t flags = SYNACK_TCP_SYN;
    if (t->state == SYNACK_TCP_SYN_RECEIVED)
        flags |= SYNACK_TCP_ACK;
    if (rexmit)
        t->fl |= SYNACK_TF_SYN_REXMIT;
    xmit(s, now, t, t->iss, flags, 0, 0, rexmit, 0);
    t->snd_nxt = t->iss + 1;
    if (synack_seq_lt(t->snd_max, t->snd_nxt))
        t->snd_max = t->snd_nxt;
}

void synack_tcp_send_rst(synack_stack *s, uint64_t now, synack_tcb *t)
{
    xmit(s, now, t, t->snd_max, SYNACK_TCP_RST, 0, 0, false, 0);
}

void synack_tcp_send_keepalive(synack_stack *s, uint64_t now, synack_tcb *t)
{
    /* RFC 9293 3.8.4 / RFC 1122 4.2.3.6: an old sequence number elicits an ACK */
    xmit(s, now, t, t->snd_una - 1, SYNACK_TCP_ACK, 0, 0, false, 0);
}

void synack_tcp_challenge_ack(synack_stack *s, uint64_t now, synack_tcb *t)
{
    /* RFC 5961 section 7: a per-connection budget per second */
    uint32_t sec = (uint32_t)(now / 1000);
    synack_tcp_cold *c = synack_tcb_cold(s, t);
    if (c && sec != c->chal_time) {
        c->chal_time = sec;
        c->chal_count = 0;
    }
    /* without memory for the budget's count: as if it were spent */
    if (!c || c->chal_count >= s->cfg.tcp.challenge_ack_per_s) {
        synack_count_drop(s, SYNACK_DROP_TCP_CHALLENGE_LIMIT);
        return;
    }
    c->chal_count++;
    s->cnt.tcp_challenge_acks++;
    synack_tcp_send_ack(s, now, t);
}

void synack_tcp_invalid_ack(synack_stack *s, uint64_t now, synack_tcb *t,
                            const synack_tcp_repr *seg)
{
    uint32_t ms = (uint32_t)now;
    bool data = seg->payload_len > 0 && !(seg->flags & SYNACK_TCP_SYN);
    if (!data) {
        /* without memory for the stamp: as if the limit were reached */
        synack_tcp_cold *c = synack_tcb_cold(s, t);
        if (!c || (c->oow_ack_at != 0 && ms - c->oow_ack_at < SYNACK_TCP_INVALID_ACK_MS)) {
            synack_count_drop(s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT);
            return;
        }
        c->oow_ack_at = ms ? ms : 1;
    }
    synack_tcp_send_ack(s, now, t);
}

/* Segment for an address pair with no TCB (RST replies, cookie SYN-ACKs). */
static void xmit_raw(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                     synack_tcp_repr *r)
{
    size_t cap = 0;
    uint8_t *p = synack_ip_tx_buf(s, ip->src.family, &cap);
    if (!p)
        return;
    size_t hl = synack_tcp_header_len(r);
    if (hl > cap)
        return;
    synack_tcp_emit(r, p);
    synack_tcp_fill_checksum(p, hl,
                             synack_addr_pseudo_sum(&ip->dst, &ip->src, SYNACK_IPPROTO_TCP));
    if (synack_tracing(s))
        synack_tcp_trace_seg(s, -1, true, r, 0, false, 0);
    s->cnt.tcp_segs_out++;
    synack_ip_tx tx = {false, 0, &ip->dst, 0, 0};
    synack_ip_send(s, now, &ip->src, SYNACK_IPPROTO_TCP, hl, &tx);
}

void synack_tcp_reply_rst(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                          const synack_tcp_repr *seg)
{
    /* RFC 9293 3.10.7.1: never answer a RST */
    if (seg->flags & SYNACK_TCP_RST)
        return;
    synack_tcp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = seg->dport;
    r.dport = seg->sport;
    if (seg->flags & SYNACK_TCP_ACK) {
        r.seq = seg->ack;
        r.flags = SYNACK_TCP_RST;
    } else {
        uint32_t seglen = (uint32_t)seg->payload_len +
                          ((seg->flags & SYNACK_TCP_SYN) ? 1u : 0u) +
                          ((seg->flags & SYNACK_TCP_FIN) ? 1u : 0u);
        r.seq = 0;
        r.ack = seg->seq + seglen;
        r.flags = SYNACK_TCP_RST | SYNACK_TCP_ACK;
    }
    xmit_raw(s, now, ip, &r);
}

void synack_tcp_send_cookie_synack(synack_stack *s, uint64_t now,
                                   const synack_ip_rx *ip,
                                   const synack_tcp_repr *syn, uint32_t iss,
                                   uint32_t rcvbuf)
{
    const synack_tcp_config *c = &s->cfg.tcp;
    synack_tcp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = syn->dport;
    r.dport = syn->sport;
    r.seq = iss;
    r.ack = syn->seq + 1;
    r.flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK;
    r.win = (uint16_t)(rcvbuf > 65535u ? 65535u : rcvbuf);
    uint32_t our = synack_ip_mtu_payload(s, ip->dst.family);
    our = our > SYNACK_TCP_HDR_LEN ? our - SYNACK_TCP_HDR_LEN : 1;
    r.has_mss = true;
    r.mss = (uint16_t)(our > 65535 ? 65535 : our);
    /*
     * Without a TCB, window scaling and SACK survive only inside our
     * timestamp (see tcp_isn.c); a SYN without timestamps gets neither.
     */
    if (syn->has_ts && c->timestamps) {
        uint32_t ts_off;
        (void)synack_tcp_isn(s, now, &ip->dst, syn->dport, &ip->src, syn->sport, &ts_off);
        uint32_t bits = 0x20u;
        if (syn->has_ws && c->window_scaling) {
            uint8_t ws = 0;
            while (ws < SYNACK_TCP_MAX_WS && (rcvbuf >> ws) > 65535u)
                ws++;
            r.has_ws = true;
            r.ws = ws;
            bits |= syn->ws > SYNACK_TCP_MAX_WS ? SYNACK_TCP_MAX_WS : syn->ws;
        } else {
            bits |= 0x0fu;
        }
        if (syn->sack_ok && c->sack) {
            r.sack_ok = true;
            bits |= 0x10u;
        }
        uint32_t ts = (uint32_t)now + ts_off;
        r.has_ts = true;
        r.tsval = ((ts - 64u) & ~63u) | bits;
        r.tsecr = syn->tsval;
    }
    s->cnt.tcp_syn_cookies_sent++;
    xmit_raw(s, now, ip, &r);
}

/* ---- what to send --------------------------------------------------------- */

/* Data in the network as loss recovery counts it (RFC 6675 pipe). */
static uint32_t pipe_estimate(const synack_tcb *t)
{
    if (!(t->fl & SYNACK_TF_RECOVERY))
        return t->snd_nxt - t->snd_una;
    if (t->rack) /* RFC 6675 pipe with RACK's losses (RFC 8985) */
        return synack_rack_pipe(t);
    if (synack_tcb_sb(t)) /* the peer sends SACK blocks: RFC 6675 */
        return synack_tcp_sb_pipe(t);
    /* NewReno: every duplicate ACK is a segment that left the network */
    uint32_t flight = t->snd_max - t->snd_una;
    uint32_t gone = (uint32_t)t->dupacks * synack_tcp_maxseg(t);
    return gone < flight ? flight - gone : 0;
}

/*
 * Send the next new segment (or resend after an RTO, from snd_nxt) if the
 * send rules allow. Returns the sequence space sent (0: nothing).
 */
static uint32_t send_next(synack_stack *s, uint64_t now, synack_tcb *t,
                          uint32_t cwnd_avail, bool force)
{
    uint32_t end = synack_tcb_data_end(t);
    bool fin_wanted = (t->fl & SYNACK_TF_SHUT_WR) != 0;
    uint32_t seq = t->snd_nxt;
    if (synack_tcb_sb(t) && synack_tcb_sb(t)->n && synack_seq_lt(seq, t->snd_max)) {
        uint32_t skip = synack_tcp_sb_skip(t, seq);
        if (skip != seq) {
            seq = synack_seq_min(skip, end);
            t->snd_nxt = seq;
        }
    }
    if (synack_seq_gt(seq, end))
        return 0; /* FIN already out */
    uint32_t avail = end - seq;
    if (avail == 0 && !fin_wanted)
        return 0;
    uint32_t edge = t->snd_una + t->snd_wnd;
    uint32_t usable = synack_seq_lt(seq, edge) ? edge - seq : 0;
    uint32_t u = usable < cwnd_avail ? usable : cwnd_avail;
    uint32_t maxseg = seg_payload_max(t);
    uint32_t len = avail < maxseg ? avail : maxseg;
    if (len > u)
        len = u;
    bool rexmit = synack_seq_lt(seq, t->snd_max);
    /* Send offload (synack_link.gso_max): new data only, a whole number of
     * segments, at least two; a remainder goes through the rules below in
     * the next round, as it would without offload. */
    uint32_t gso_seg = 0;
    /* IPv6 only where the link says send_gso takes it (synack_link.gso_ip6) */
    uint32_t iph = t->raddr.family == SYNACK_AF_IP6 ? SYNACK_IP6_HDR_LEN
                                                    : SYNACK_IP4_HDR_LEN;
    if (!rexmit && s->cfg.link.gso_max > s->cfg.link.mtu &&
        s->cfg.link.gso_max > iph + 60u + 2 * maxseg &&
        (t->raddr.family == SYNACK_AF_IP4 || s->cfg.link.gso_ip6)) {
        /* 60: the longest TCP header */
        uint32_t room = s->cfg.link.gso_max - iph - 60u;
        uint32_t lim = avail < u ? avail : u;
        if (lim > room)
            lim = room;
        if (lim >= 2 * maxseg) {
            len = lim / maxseg * maxseg;
            gso_seg = maxseg;
        }
    }
    if (avail > 0 && !force && !rexmit) {
        /* RFC 9293 3.8.6.2.1 with Nagle's bracketed conditions (3.7.4),
           in Minshall's variant (as Linux): a small segment waits only
           while an earlier small segment is unacknowledged, so a reply
           that ends in a partial segment is not held for a round trip */
        uint32_t du = avail < u ? avail : u;
        bool small_out = synack_seq_gt(t->snd_sml, t->snd_una) &&
                         synack_seq_le(t->snd_sml, t->snd_nxt);
        bool nagle_ok = !small_out || (t->fl & SYNACK_TF_NODELAY) || fin_wanted;
        bool ok = du >= maxseg || (nagle_ok && avail <= u) ||
                  (nagle_ok && t->max_sndwnd && du >= t->max_sndwnd / 2);
        if (!ok)
            return 0;
    }
    bool fin = fin_wanted && seq + len == end;
    if (len == 0 && !fin)
        return 0;
    uint8_t flags = SYNACK_TCP_ACK;
    if (fin)
        flags |= SYNACK_TCP_FIN;
    if (len && seq + len == end)
        flags |= SYNACK_TCP_PSH;
    xmit(s, now, t, seq, flags, seq - t->snd_una, len, rexmit, gso_seg);
    uint32_t seq_end = seq + len + (fin ? 1u : 0u);
    if (t->fl & SYNACK_TF_SACK)
        synack_rack_on_send(s, now, t, seq, seq_end, rexmit);
    t->snd_nxt = seq_end;
    if (synack_seq_gt(seq_end, t->snd_max))
        t->snd_max = seq_end;
    if (fin) {
        t->fl |= SYNACK_TF_FIN_SENT;
        t->snd_fin = end;
    }
    if (len)
        t->fl &= ~(uint32_t)SYNACK_TF_PROBE_OUT;
    if (rexmit) {
        t->fl &= ~(uint32_t)SYNACK_TF_RTT_TIMING; /* Karn */
    } else {
        if (len < maxseg)
            t->snd_sml = seq_end;
        t->bytes_sent += len;
        if (!(t->fl & (SYNACK_TF_RTT_TIMING | SYNACK_TF_TS)) && len) {
            t->fl |= SYNACK_TF_RTT_TIMING;
            t->rtt_seq = seq;
            t->rtt_start = (uint32_t)now;
        }
    }
    return len + (fin ? 1u : 0u);
}

/* Retransmit [seq, seq+len) (a hole, RFC 6675 NextSeg). */
static void resend(synack_stack *s, uint64_t now, synack_tcb *t, uint32_t seq,
                   uint32_t len)
{
    uint32_t end = synack_tcb_data_end(t);
    uint8_t flags = SYNACK_TCP_ACK;
    /* never above the effective MSS with the options this segment carries
       (RFC 9293 3.7.1): SACK blocks to report take payload room, and a
       lost segment may have been sent when there were none; the rest of
       the range stays lost and goes next */
    uint32_t room = seg_payload_max(t);
    if (len > room)
        len = room;
    if (synack_seq_gt(seq + len, end))
        len = synack_seq_gt(end, seq) ? end - seq : 0;
    if ((t->fl & SYNACK_TF_FIN_SENT) && seq + len == end)
        flags |= SYNACK_TCP_FIN;
    if (len == 0 && !(flags & SYNACK_TCP_FIN))
        return;
    xmit(s, now, t, seq, flags, seq - t->snd_una, len, true, 0);
    t->fl &= ~(uint32_t)SYNACK_TF_RTT_TIMING;
    uint32_t e = seq + len + ((flags & SYNACK_TCP_FIN) ? 1u : 0u);
    if (synack_seq_gt(e, t->high_rxt))
        t->high_rxt = e;
    if (t->fl & SYNACK_TF_SACK)
        synack_rack_on_send(s, now, t, seq, e, true);
}

void synack_tcp_resend(synack_stack *s, uint64_t now, synack_tcb *t, uint32_t seq,
                       uint32_t len)
{
    resend(s, now, t, seq, len);
}

void synack_tcp_retransmit_head(synack_stack *s, uint64_t now, synack_tcb *t)
{
    uint32_t len = seg_payload_max(t);
    uint32_t end = synack_tcb_data_end(t);
    uint32_t avail = synack_seq_gt(end, t->snd_una) ? end - t->snd_una : 0;
    if (len > avail)
        len = avail;
    resend(s, now, t, t->snd_una, len);
}

static bool sending_state(const synack_tcb *t)
{
    switch (t->state) {
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_CLOSE_WAIT:
    case SYNACK_TCP_CLOSING:
    case SYNACK_TCP_LAST_ACK:
        return true;
    default:
        return false;
    }
}

/* Something is queued that has not been sent (data, or the FIN). */
static bool unsent(const synack_tcb *t)
{
    uint32_t end = synack_tcb_data_end(t);
    if (synack_seq_lt(t->snd_max, end))
        return true;
    return (t->fl & SYNACK_TF_SHUT_WR) && !(t->fl & SYNACK_TF_FIN_SENT);
}

uint32_t synack_tcp_send_new(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!sending_state(t) || !unsent(t) || t->snd_nxt != t->snd_max)
        return 0;
    return send_next(s, now, t, seg_payload_max(t), true);
}

void synack_tcp_output(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!sending_state(t)) {
        if ((t->fl & SYNACK_TF_ACK_NOW) && t->state != SYNACK_TCP_CLOSED &&
            t->state != SYNACK_TCP_LISTEN && t->state != SYNACK_TCP_SYN_SENT)
            synack_tcp_send_ack(s, now, t);
        return;
    }
    bool recovery = (t->fl & SYNACK_TF_RECOVERY) != 0;
    bool rack = t->rack != NULL;
    bool sack = recovery && (synack_tcb_sb(t) || rack);
    uint32_t snd_max = t->snd_max;
    uint32_t maxseg = synack_tcp_maxseg(t);
    uint32_t cwnd = t->cc.cwnd;
    /* RFC 3042: the first two duplicate ACKs each release one new segment */
    if (!recovery && t->dupacks > 0 && t->dupacks < SYNACK_TCP_DUPTHRESH)
        cwnd += (uint32_t)t->dupacks * maxseg;
    uint32_t pipe = pipe_estimate(t);
    for (uint32_t i = 0; i < SYNACK_TCP_MAX_BURST; i++) {
        uint32_t avail = cwnd > pipe ? cwnd - pipe : 0;
        uint32_t seq, len, n;
        /* RFC 6675 NextSeg (1): lost holes first (RACK's losses with SACK) */
        if (sack && avail >= maxseg &&
            (rack ? synack_rack_next_lost(t, seg_payload_max(t), &seq, &len)
                  : synack_tcp_sb_next_hole(t, seg_payload_max(t), false, &seq, &len))) {
            resend(s, now, t, seq, len);
            pipe += len;
            continue;
        }
        /* NextSeg (2): new data */
        n = send_next(s, now, t, avail, false);
        if (n) {
            pipe += n;
            continue;
        }
        /* NextSeg (3): a hole that is not yet deemed lost; not with RACK,
           whose reordering window is there to wait for such holes */
        if (sack && !rack && avail >= maxseg &&
            synack_tcp_sb_next_hole(t, seg_payload_max(t), true, &seq, &len)) {
            resend(s, now, t, seq, len);
            pipe += len;
            continue;
        }
        /* NextSeg (4): the rescue retransmission of the highest unSACKed
           segment, once per recovery (HighACK > RescueRxt); it does not
           move HighRxt. Without it a lost tail with nothing SACKed above
           it waits for the retransmission timer. RACK needs no rescue:
           the tail is marked lost once a later send is delivered, or
           probed by TLP. */
        if (sack && !rack && avail >= maxseg && t->cold &&
            synack_seq_gt(t->snd_una, t->cold->rescue_rxt) &&
            synack_tcp_sb_rescue(t, seg_payload_max(t), &seq, &len)) {
            uint32_t high_rxt = t->high_rxt;
            resend(s, now, t, seq, len);
            t->high_rxt = high_rxt;
            t->cold->rescue_rxt = t->recover;
            pipe += len;
            continue;
        }
        break;
    }
    if (t->fl & SYNACK_TF_ACK_NOW)
        synack_tcp_send_ack(s, now, t);
    /* timers: RFC 6298 5.1 (retransmission), RFC 9293 3.8.6.1 (persist) */
    if (t->snd_max != t->snd_una && !(t->fl & SYNACK_TF_PERSIST)) {
        /* (a probe timeout standing in for the RTO re-arms it itself) */
        if (t->tm[SYNACK_TIMER_REXMIT] == SYNACK_TCP_NEVER &&
            t->tm[SYNACK_TIMER_TLP] == SYNACK_TCP_NEVER)
            synack_tcp_rexmit_arm(s, now, t);
    } else if (t->snd_max == t->snd_una && unsent(t)) {
        if (t->tm[SYNACK_TIMER_PERSIST] == SYNACK_TCP_NEVER)
            synack_tcp_persist_arm(s, now, t);
    } else if (t->snd_max == t->snd_una) {
        if (t->tm[SYNACK_TIMER_REXMIT] != SYNACK_TCP_NEVER)
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
    }
    /* RFC 8985 7.2: new data went out, the probe timeout restarts */
    if (t->rack && t->snd_max != snd_max)
        synack_rack_tlp_arm(s, now, t);
}

void synack_tcp_send_probe(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!sending_state(t))
        return;
    /* RFC 9293 3.8.6.2.1 (4): the override time-out sends what fits */
    if (synack_seq_lt(t->snd_nxt, t->snd_una + t->snd_wnd) &&
        send_next(s, now, t, UINT32_MAX, true))
        return;
    uint32_t end = synack_tcb_data_end(t);
    if (synack_seq_lt(t->snd_una, end)) {
        /* RFC 9293 3.8.6.1: a zero window probe carries one octet */
        xmit(s, now, t, t->snd_una, SYNACK_TCP_ACK, 0, 1, t->snd_una != t->snd_max, 0);
        if (t->snd_una == t->snd_max)
            t->fl |= SYNACK_TF_PROBE_OUT;
    } else if ((t->fl & SYNACK_TF_SHUT_WR)) {
        send_next(s, now, t, UINT32_MAX, true);
    }
}

void synack_tcp_window_update(synack_stack *s, uint64_t now, synack_tcb *t)
{
    uint32_t cur = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    uint32_t free = t->rcv.limit > t->rcv.len ? t->rcv.limit - t->rcv.len : 0;
    if (free <= cur)
        return;
    uint32_t half = t->rcv.limit / 2;
    uint32_t mss = t->rcv_mss;
    uint32_t thresh = cur == 0 ? (mss < half ? mss : half)
                               : (2 * mss < half ? 2 * mss : half);
    if (free - cur >= thresh && synack_tcp_rcv_window(s, t) > cur)
        synack_tcp_send_ack(s, now, t);
}
