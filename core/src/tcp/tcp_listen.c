/*
 * Passive open: listeners, the SYN queue and the accept queue.
 *
 * RFC 9293 3.10.7.2 (SEGMENT ARRIVES in LISTEN): RST ignored, ACK answered
 *   with <SEQ=SEG.ACK><CTL=RST>, SYN creates a connection in SYN-RECEIVED
 *   and is answered with <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. Data in a
 *   SYN is not queued: the peer sends it again after the handshake.
 * RFC 4987 3.6: when the SYN queue (embryonic connections, bounded by the
 *   backlog) is full, a SYN cookie answers without creating state; the
 *   ACK that returns it creates the connection (tcp_isn.c has the format).
 *   Cookie ACKs are checked only within SYNACK_TCP_COOKIE_WINDOW_MS of the
 *   last cookie the listener sent; otherwise an ACK gets RST as usual.
 * RFC 1122 4.2.2.13 / RFC 6191: a SYN that may reopen a TIME-WAIT pair
 *   (tcp_input.c decides) makes a child whose ISS lies above the old
 *   SND.MAX; TIME-WAIT is parked until the handshake completes and comes
 *   back if it fails (an old duplicate SYN). With the queues full, or no
 *   room for a child, TIME-WAIT stays and the SYN is dropped.
 * The accept queue (established, not yet accepted) is bounded by the
 *   backlog too; while it is full, final ACKs are ignored (the peer repeats
 *   them), as Linux does.
 */
#include "tcp/tcp_tcb.h"

/* A child inherits the listener's per-socket options. */
static synack_tcb *child_new(synack_stack *s, uint64_t now, synack_tcb *l,
                             const synack_ip_rx *ip, const synack_tcp_repr *seg)
{
    synack_tcb *c = synack_tcb_new(s, now);
    if (!c)
        return NULL;
    c->sndbuf = l->sndbuf;
    c->rcvbuf = l->rcvbuf;
    synack_tcb_bufs_init(c);
    c->rto_min = l->rto_min;
    c->rto_max = l->rto_max;
    c->rto = l->rto;
    c->delack_ms = l->delack_ms;
    c->msl_ms = l->msl_ms;
    c->keep_idle = l->keep_idle;
    c->keep_intvl = l->keep_intvl;
    c->keep_cnt = l->keep_cnt;
    c->cc_algo = l->cc_algo;
    c->fl |= (l->fl & (SYNACK_TF_NODELAY | SYNACK_TF_KEEPALIVE)) |
             SYNACK_TF_PASSIVE | SYNACK_TF_STARTED;
    c->laddr = ip->dst;
    c->lport = seg->dport;
    c->raddr = ip->src;
    c->rport = seg->sport;
    c->parent = l;
    c->state = SYNACK_TCP_LISTEN; /* so the trace reads LISTEN -> SYN-RECEIVED */
    l->syn_len++;
    return c;
}

/* The receive side of a child from the peer's SYN. */
static void child_syn(synack_stack *s, synack_tcb *c, const synack_tcp_repr *syn,
                      uint32_t irs)
{
    const synack_tcp_config *cfg = &s->cfg.tcp;
    if (cfg->window_scaling)
        c->fl |= SYNACK_TF_WS;
    if (cfg->sack)
        c->fl |= SYNACK_TF_SACK;
    if (cfg->timestamps)
        c->fl |= SYNACK_TF_TS;
    synack_tcp_apply_syn_options(s, c, syn);
    synack_tcp_conn_prepare(s, c);
    c->irs = irs;
    c->rcv_nxt = irs + 1;
    c->rcv_adv = c->rcv_nxt;
    c->last_ack_sent = c->rcv_nxt;
}

static void child_open(synack_stack *s, uint64_t now, synack_tcb *c,
                       synack_tcp_repr *seg, const synack_tcb *tw);

/* The ACK of a SYN cookie: rebuild the connection and let it complete. */
static void cookie_ack(synack_stack *s, uint64_t now, synack_tcb *l,
                       const synack_ip_rx *ip, synack_tcp_repr *seg)
{
    /* no cookie sent lately: a plain ACK to a listener (RFC 9293
       3.10.7.2 second), as Linux when no SYN queue overflowed recently */
    if (now >= l->cookies_until) {
        synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
        synack_tcp_reply_rst(s, now, ip, seg);
        return;
    }
    uint16_t mss = synack_tcp_cookie_check(s, now, ip, seg);
    if (mss == 0) {
        synack_count_drop(s, SYNACK_DROP_TCP_BAD_ACK);
        synack_tcp_reply_rst(s, now, ip, seg);
        return;
    }
    if (l->acc_len >= l->backlog) {
        synack_count_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL);
        return;
    }
    synack_tcb *c = child_new(s, now, l, ip, seg);
    if (!c) {
        synack_count_drop(s, SYNACK_DROP_TCP_CONN_LIMIT);
        return;
    }
    /* the SYN as the cookie recorded it */
    synack_tcp_repr syn;
    memset(&syn, 0, sizeof syn);
    syn.has_mss = true;
    syn.mss = mss;
    uint32_t bits = seg->has_ts ? (seg->tsecr & 63u) : 0;
    if (bits & 0x20u) {
        syn.has_ts = true;
        syn.tsval = seg->tsval;
        syn.sack_ok = (bits & 0x10u) != 0;
        if ((bits & 0x0fu) != 0x0fu) {
            syn.has_ws = true;
            syn.ws = (uint8_t)(bits & 0x0fu);
        }
    }
    child_syn(s, c, &syn, seg->seq - 1);
    c->iss = seg->ack - 1;
    (void)synack_tcp_isn(s, now, &c->laddr, c->lport, &c->raddr, c->rport, &c->ts_offset);
    c->snd_una = c->iss;
    c->snd_nxt = c->snd_max = c->iss + 1;
    c->recover = c->high_rxt = c->iss;
    c->rcv_adv = c->rcv_nxt + (c->rcvbuf > 65535u ? 65535u : c->rcvbuf);
    c->snd_wl1 = seg->seq;
    synack_tcb_hash_insert(s, c);
    synack_tcb_set_state(s, now, c, SYNACK_TCP_SYN_RECEIVED);
    if (synack_tracing(s))
        synack_tcp_trace_seg(s, c->handle, false, seg, (uint32_t)seg->payload_len,
                             false, c->snd_ws);
    synack_tcp_segment(s, now, c, ip, seg);
    synack_tcb_reap(s, c);
}

void synack_tcp_listen_input(synack_stack *s, uint64_t now, synack_tcb *l,
                             const synack_ip_rx *ip, synack_tcp_repr *seg)
{
    bool syn_only = (seg->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) ==
                    SYNACK_TCP_SYN;
    if (!syn_only && synack_tracing(s))
        synack_tcp_trace_seg(s, l->handle, false, seg, (uint32_t)seg->payload_len, false, 0);
    /* first: check for a RST */
    if (seg->flags & SYNACK_TCP_RST) {
        synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
        return;
    }
    /* second: check for an ACK (or a SYN cookie coming back) */
    if (seg->flags & SYNACK_TCP_ACK) {
        if (s->cfg.tcp.syn_cookies && !(seg->flags & SYNACK_TCP_SYN)) {
            cookie_ack(s, now, l, ip, seg);
            return;
        }
        synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
        synack_tcp_reply_rst(s, now, ip, seg);
        return;
    }
    /* third: check for a SYN */
    if (!(seg->flags & SYNACK_TCP_SYN)) {
        synack_count_drop(s, SYNACK_DROP_TCP_NO_SOCKET);
        return;
    }
    if (l->syn_len >= l->backlog || l->acc_len >= l->backlog) {
        if (s->cfg.tcp.syn_cookies && l->acc_len < l->backlog) {
            if (synack_tracing(s))
                synack_tcp_trace_seg(s, -1, false, seg, (uint32_t)seg->payload_len, false, 0);
            uint32_t iss = synack_tcp_cookie_make(s, now, ip, seg, NULL);
            synack_tcp_send_cookie_synack(s, now, ip, seg, iss, l->rcvbuf);
            l->cookies_until = now + SYNACK_TCP_COOKIE_WINDOW_MS;
            return;
        }
        synack_count_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL);
        return;
    }
    synack_tcb *c = child_new(s, now, l, ip, seg);
    if (!c) {
        synack_count_drop(s, SYNACK_DROP_TCP_CONN_LIMIT);
        return;
    }
    child_open(s, now, c, seg, NULL);
}

bool synack_tcp_listen_reopen(synack_stack *s, uint64_t now, synack_tcb *l,
                              synack_tcb *tw, const synack_ip_rx *ip,
                              synack_tcp_repr *seg)
{
    /* no SYN cookie here: its ACK would meet TIME-WAIT, not the listener */
    if (l->syn_len >= l->backlog || l->acc_len >= l->backlog) {
        synack_count_drop(s, SYNACK_DROP_TCP_BACKLOG_FULL);
        return false;
    }
    /* the twin links live in the cold state of both (taken before the
       child exists, so that no memory means no child: TIME-WAIT stays) */
    synack_tcp_cold *cold = synack_mem_alloc(s, sizeof *cold);
    if (!cold || !synack_tcb_cold(s, tw)) {
        synack_mem_free(s, cold, sizeof *cold);
        synack_count_drop(s, SYNACK_DROP_TCP_CONN_LIMIT);
        return false;
    }
    /* tw must not be reclaimed to make room for its own successor */
    bool listed = (tw->fl & SYNACK_TF_TW_LIST) != 0;
    if (listed)
        synack_tcb_tw_remove(s, tw);
    synack_tcb *c = child_new(s, now, l, ip, seg);
    if (listed)
        synack_tcb_tw_add(s, tw);
    if (!c) {
        synack_mem_free(s, cold, sizeof *cold);
        synack_count_drop(s, SYNACK_DROP_TCP_CONN_LIMIT);
        return false;
    }
    if (tw->fl & SYNACK_TF_HASHED)
        synack_tcb_hash_remove(s, tw);
    c->cold = cold;
    c->cold->twin = tw;
    tw->cold->twin = c;
    child_open(s, now, c, seg, tw);
    return true;
}

/*
 * A new child c for the SYN seg: options, ISS, SYN-RECEIVED and the
 * SYN-ACK. When it replaces the TIME-WAIT connection tw, its ISS lies
 * above tw's SND.MAX (RFC 1122 4.2.2.13 (1); RFC 6191 4 when timestamps
 * cannot tell the incarnations apart): if the ISN clock has not passed
 * it (a fast connection), one largest unscaled window beyond it.
 */
static void child_open(synack_stack *s, uint64_t now, synack_tcb *c,
                       synack_tcp_repr *seg, const synack_tcb *tw)
{
    if (synack_tracing(s))
        synack_tcp_trace_seg(s, c->handle, false, seg, (uint32_t)seg->payload_len, false, 0);
    child_syn(s, c, seg, seg->seq);
    c->iss = synack_tcp_isn(s, now, &c->laddr, c->lport, &c->raddr, c->rport, &c->ts_offset);
    if (tw && !synack_seq_gt(c->iss, tw->snd_max))
        c->iss = tw->snd_max + 65536u;
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->recover = c->high_rxt = c->iss;
    c->snd_wnd = seg->win; /* unscaled in a SYN (RFC 7323 2.2) */
    c->max_sndwnd = c->snd_wnd;
    c->snd_wl1 = seg->seq;
    synack_tcb_hash_insert(s, c);
    synack_tcb_set_state(s, now, c, SYNACK_TCP_SYN_RECEIVED);
    c->fl |= SYNACK_TF_RTT_TIMING;
    c->rtt_start = (uint32_t)now;
    synack_tcp_send_syn(s, now, c, false);
    synack_tcp_rexmit_arm(s, now, c);
}

void synack_tcp_listen_child_ready(synack_stack *s, synack_tcb *c)
{
    synack_tcb *tw = synack_tcb_twin(c);
    if (tw) {
        /* the SYN that reopened TIME-WAIT was new: the old one goes */
        c->cold->twin = tw->cold->twin = NULL;
        synack_tcb_set_state(s, s->now, tw, SYNACK_TCP_CLOSED);
        synack_tcb_reap(s, tw);
    }
    synack_tcb *l = c->parent;
    if (!l || (c->fl & SYNACK_TF_ACCEPTQ))
        return;
    if (l->syn_len)
        l->syn_len--;
    c->fl |= SYNACK_TF_ACCEPTQ;
    c->next = NULL;
    c->prev = l->acc_tail;
    if (l->acc_tail)
        l->acc_tail->next = c;
    else
        l->acc_head = c;
    l->acc_tail = c;
    l->acc_len++;
}

void synack_tcp_listen_child_gone(synack_stack *s, synack_tcb *c)
{
    synack_tcb *tw = synack_tcb_twin(c);
    if (tw) {
        /* RFC 1122 4.2.2.13 (2): the SYN that reopened TIME-WAIT was an
           old duplicate (reset, or never completed): TIME-WAIT comes back.
           The child has left the hash already (CLOSED). */
        c->cold->twin = tw->cold->twin = NULL;
        if (tw->state == SYNACK_TCP_TIME_WAIT && synack_tcb_hash_insert(s, tw) != 0) {
            synack_tcb_set_state(s, s->now, tw, SYNACK_TCP_CLOSED);
            synack_tcb_reap(s, tw);
        }
    }
    synack_tcb *l = c->parent;
    if (!l)
        return;
    if (c->fl & SYNACK_TF_ACCEPTQ) {
        if (c->prev)
            c->prev->next = c->next;
        else
            l->acc_head = c->next;
        if (c->next)
            c->next->prev = c->prev;
        else
            l->acc_tail = c->prev;
        l->acc_len--;
        c->prev = c->next = NULL;
        c->fl &= ~(uint32_t)SYNACK_TF_ACCEPTQ;
    } else if (l->syn_len) {
        l->syn_len--;
    }
    c->parent = NULL;
}

void synack_tcp_listen_close(synack_stack *s, uint64_t now, synack_tcb *l)
{
    /* children are found through the handle table: closing is rare */
    for (uint32_t h = 0; h < s->tcp.nsocks; h++) {
        synack_tcb *c = s->tcp.socks[h];
        if (!c || c->parent != l)
            continue;
        synack_tcp_send_rst(s, now, c);
        synack_tcb_close_with(s, now, c, 0);
        synack_tcb_free(s, c);
    }
    l->acc_head = l->acc_tail = NULL;
    l->acc_len = l->syn_len = 0;
}
