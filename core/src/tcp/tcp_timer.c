/*
 * TCP timers as deadlines stored in the TCB, kept in one binary min-heap of
 * TCBs keyed on their earliest deadline, so poll_at() is O(1) and a timer
 * change O(log n) however many connections exist.
 *
 * RFC 6298 (retransmission timer: 5.1-5.7, backoff, give-up limits)
 * RFC 9293 3.8.6.1 (persist timer, zero window probes), 3.8.4 and RFC 1122
 *   4.2.3.6 (keepalive), 3.8.6.3 and RFC 1122 4.2.3.2 (delayed ACK),
 *   3.6.1 / 3.10.8 (TIME-WAIT 2*MSL)
 * RFC 6582 3.2 step 4 and RFC 6675 5.1 (an RTO ends recovery; recover is
 *   set to the highest sequence number sent)
 * RFC 1122 4.2.3.9 (an ICMP soft error is reported on give-up)
 * RFC 8985 6.3 and 7 (the RACK reordering timer and the probe timeout,
 *   handled in tcp_rack.c)
 */
#include "tcp/tcp_tcb.h"

/* ---- the heap ------------------------------------------------------------- */

static void heap_place(synack_tcp_priv *p, uint32_t i, synack_tcb *t)
{
    p->heap[i] = t;
    t->heap_idx = i;
}

static void sift_up(synack_tcp_priv *p, uint32_t i)
{
    synack_tcb *t = p->heap[i];
    while (i > 0) {
        uint32_t up = (i - 1) / 2;
        if (p->heap[up]->tkey <= t->tkey)
            break;
        heap_place(p, i, p->heap[up]);
        i = up;
    }
    heap_place(p, i, t);
}

static void sift_down(synack_tcp_priv *p, uint32_t i)
{
    synack_tcb *t = p->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= p->heap_len)
            break;
        if (c + 1 < p->heap_len && p->heap[c + 1]->tkey < p->heap[c]->tkey)
            c++;
        if (p->heap[c]->tkey >= t->tkey)
            break;
        heap_place(p, i, p->heap[c]);
        i = c;
    }
    heap_place(p, i, t);
}

static void heap_remove(synack_tcp_priv *p, synack_tcb *t)
{
    uint32_t i = t->heap_idx;
    t->heap_idx = UINT32_MAX;
    synack_tcb *last = p->heap[--p->heap_len];
    if (last == t)
        return;
    heap_place(p, i, last);
    sift_up(p, i);
    sift_down(p, last->heap_idx);
}

bool synack_tcp_heap_reserve(synack_stack *s, uint32_t cap)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (cap <= p->heap_cap)
        return true;
    synack_tcb **h = synack_mem_alloc(s, (size_t)cap * sizeof *h);
    if (!h)
        return false;
    if (p->heap_len)
        memcpy(h, p->heap, (size_t)p->heap_len * sizeof *h);
    synack_mem_free(s, p->heap, (size_t)p->heap_cap * sizeof *h);
    p->heap = h;
    p->heap_cap = cap;
    return true;
}

static void rekey(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    uint64_t k = SYNACK_TCP_NEVER;
    for (int i = 0; i < SYNACK_TCP_NTIMERS; i++)
        if (t->tm[i] < k)
            k = t->tm[i];
    if (k == t->tkey)
        return;
    t->tkey = k;
    if (k == SYNACK_TCP_NEVER) {
        if (t->heap_idx != UINT32_MAX)
            heap_remove(p, t);
    } else if (t->heap_idx == UINT32_MAX) {
        /* capacity is reserved with the handle table */
        heap_place(p, p->heap_len++, t);
        sift_up(p, t->heap_idx);
    } else {
        sift_up(p, t->heap_idx);
        sift_down(p, t->heap_idx);
    }
}

void synack_tcp_timer_set(synack_stack *s, synack_tcb *t, synack_timer_name n,
                          uint64_t at)
{
    uint64_t old = t->tm[n];
    if (old == at)
        return;
    t->tm[n] = at;
    if (synack_tracing(s)) {
        if (at == SYNACK_TCP_NEVER)
            synack_tcp_trace_timer(s, t, n, SYNACK_TIMER_CLEARED, old);
        else
            synack_tcp_trace_timer(s, t, n, SYNACK_TIMER_SET, at);
    }
    rekey(s, t);
}

void synack_tcp_timer_clear_all(synack_stack *s, synack_tcb *t)
{
    for (int i = 0; i < SYNACK_TCP_NTIMERS; i++)
        synack_tcp_timer_clear(s, t, (synack_timer_name)i);
    t->fl &= ~(uint32_t)SYNACK_TF_PERSIST;
}

/* ---- arming --------------------------------------------------------------- */

void synack_tcp_rexmit_arm(synack_stack *s, uint64_t now, synack_tcb *t)
{
    synack_tcp_timer_set(s, t, SYNACK_TIMER_REXMIT, now + (t->rto ? t->rto : 1));
}

void synack_tcp_persist_arm(synack_stack *s, uint64_t now, synack_tcb *t)
{
    uint32_t shift = t->npersist < 16 ? t->npersist : 16;
    uint64_t iv = (uint64_t)t->rto << shift;
    if (iv < t->rto_min)
        iv = t->rto_min;
    if (iv > t->rto_max)
        iv = t->rto_max;
    t->fl |= SYNACK_TF_PERSIST;
    synack_tcp_timer_set(s, t, SYNACK_TIMER_PERSIST, now + (iv ? iv : 1));
}

void synack_tcp_keepalive_arm(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!(t->fl & SYNACK_TF_KEEPALIVE))
        return;
    uint32_t idle = (uint32_t)now - t->last_rcv;
    uint64_t at = idle < t->keep_idle ? now + (t->keep_idle - idle) : now + 1;
    if (t->nkeep)
        at = now + t->keep_intvl;
    synack_tcp_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, at);
}

/* ---- expiry --------------------------------------------------------------- */

static void give_up(synack_stack *s, uint64_t now, synack_tcb *t)
{
    int err = t->soft_err ? t->soft_err : SYNACK_ERR_TIMEOUT;
    if (t->state == SYNACK_TCP_SYN_RECEIVED && (t->fl & SYNACK_TF_PASSIVE))
        err = 0; /* an embryonic child just goes away */
    synack_tcb_close_with(s, now, t, err);
}

static void on_rexmit(synack_stack *s, uint64_t now, synack_tcb *t)
{
    bool syn = t->state == SYNACK_TCP_SYN_SENT || t->state == SYNACK_TCP_SYN_RECEIVED;
    uint32_t limit = syn ? s->cfg.tcp.syn_retries : s->cfg.tcp.data_retries;
    if (!syn && t->snd_max == t->snd_una)
        return; /* nothing outstanding any more */
    if (t->nrexmit >= limit) {
        give_up(s, now, t);
        return;
    }
    /*
     * A peer that shrank its window to zero under our outstanding data is
     * alive while it answers: probe it instead of counting toward give-up.
     */
    if (!syn && t->snd_wnd == 0 &&
        (uint32_t)now - t->last_rcv < t->rto_max) {
        t->snd_nxt = t->snd_una;
        synack_tcp_persist_arm(s, now, t);
        synack_tcp_send_probe(s, now, t);
        return;
    }
    t->nrexmit++;
    /* RFC 6298 5.5: back off the timer */
    uint64_t rto = (uint64_t)t->rto * 2;
    t->rto = rto > t->rto_max ? t->rto_max : (uint32_t)rto;
    if (syn) {
        /* Karn for the handshake is SYNACK_TF_SYN_REXMIT: the clock is not
           used any more, but an echoed timestamp still names its SYN */
        synack_tcp_send_syn(s, now, t, true);
        synack_tcp_rexmit_arm(s, now, t);
        return;
    }
    t->fl &= ~(uint32_t)SYNACK_TF_RTT_TIMING; /* Karn */
    /* RFC 6298 5.4 / RFC 5681 3.1: retransmit the earliest segment, cwnd 1 */
    synack_cc_on_rto(&t->cc, now, t->snd_max - t->snd_una);
    t->fl &= ~(uint32_t)SYNACK_TF_RECOVERY;
    t->recover = t->snd_max;
    t->dupacks = 0;
    synack_tcp_sb_clear(t);
    synack_rack_on_rto(s, t);
    t->high_rxt = t->snd_una;
    t->snd_nxt = t->snd_una;
    synack_tcp_trace_cc(s, t);
    synack_tcp_rexmit_arm(s, now, t);
    synack_tcp_output(s, now, t);
}

static void on_persist(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!(t->fl & SYNACK_TF_PERSIST))
        return;
    if (t->npersist < 255)
        t->npersist++;
    if (t->nprobe < 255)
        t->nprobe++;
    /*
     * RFC 1122 4.2.2.17: the window may stay closed as long as the peer
     * answers the probes; data_retries probes in a row without any answer
     * mean the peer is gone. An orphan cannot wait forever for a window
     * even when answered (Linux: orphan retries).
     */
    if (t->nprobe > s->cfg.tcp.data_retries ||
        (!(t->fl & SYNACK_TF_USER) && t->npersist > s->cfg.tcp.data_retries)) {
        synack_tcp_send_rst(s, now, t);
        synack_tcb_close_with(s, now, t, t->soft_err ? t->soft_err : SYNACK_ERR_TIMEOUT);
        return;
    }
    synack_tcp_send_probe(s, now, t);
    if (t->snd_max != t->snd_una && t->snd_wnd > 0) {
        /* the probe went out as real data: the retransmission timer owns it */
        t->fl &= ~(uint32_t)SYNACK_TF_PERSIST;
        t->npersist = 0;
        if (t->tm[SYNACK_TIMER_REXMIT] == SYNACK_TCP_NEVER)
            synack_tcp_rexmit_arm(s, now, t);
        return;
    }
    synack_tcp_persist_arm(s, now, t);
}

static void on_keepalive(synack_stack *s, uint64_t now, synack_tcb *t)
{
    if (!(t->fl & SYNACK_TF_KEEPALIVE) || !synack_tcb_synchronized(t) ||
        t->state == SYNACK_TCP_TIME_WAIT)
        return;
    uint32_t idle = (uint32_t)now - t->last_rcv;
    if (t->nkeep == 0 && idle < t->keep_idle) {
        synack_tcp_keepalive_arm(s, now, t);
        return;
    }
    if (t->snd_max != t->snd_una) {
        /* data outstanding: the retransmission timer watches the peer */
        t->nkeep = 0;
        synack_tcp_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, now + t->keep_idle);
        return;
    }
    if (t->nkeep >= t->keep_cnt) {
        synack_tcp_send_rst(s, now, t);
        synack_tcb_close_with(s, now, t, t->soft_err ? t->soft_err : SYNACK_ERR_TIMEOUT);
        return;
    }
    t->nkeep++;
    synack_tcp_send_keepalive(s, now, t);
    synack_tcp_timer_set(s, t, SYNACK_TIMER_KEEPALIVE, now + t->keep_intvl);
}

static void fire(synack_stack *s, uint64_t now, synack_tcb *t, synack_timer_name n)
{
    uint64_t at = t->tm[n];
    t->tm[n] = SYNACK_TCP_NEVER;
    if (synack_tracing(s))
        synack_tcp_trace_timer(s, t, n, SYNACK_TIMER_FIRED, at);
    rekey(s, t);
    synack_tcp_winsnap w;
    bool tr = synack_tracing(s);
    if (tr)
        synack_tcp_win_snap(t, &w);
    switch (n) {
    case SYNACK_TIMER_REXMIT:
        on_rexmit(s, now, t);
        break;
    case SYNACK_TIMER_PERSIST:
        on_persist(s, now, t);
        break;
    case SYNACK_TIMER_KEEPALIVE:
        on_keepalive(s, now, t);
        break;
    case SYNACK_TIMER_DELACK:
        if (synack_tcb_synchronized(t) && t->state != SYNACK_TCP_TIME_WAIT)
            synack_tcp_send_ack(s, now, t);
        break;
    case SYNACK_TIMER_TIME_WAIT:
        if (t->state == SYNACK_TCP_TIME_WAIT || t->state == SYNACK_TCP_FIN_WAIT_2)
            synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
        break;
    case SYNACK_TIMER_RACK:
        synack_rack_on_timer(s, now, t);
        break;
    case SYNACK_TIMER_TLP:
        synack_rack_on_tlp_timer(s, now, t);
        break;
    }
    if (tr && t->state != SYNACK_TCP_CLOSED)
        synack_tcp_trace_win(s, t, &w);
}

void synack_tcp_poll(synack_stack *s, uint64_t now)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (!p)
        return;
    s->now = now;
    /* each round fires at least one timer; bound the rounds all the same */
    uint32_t budget = 4 * p->heap_len + 16;
    while (p->heap_len && p->heap[0]->tkey <= now && budget--) {
        synack_tcb *t = p->heap[0];
        for (int n = 0; n < SYNACK_TCP_NTIMERS; n++) {
            if (t->tm[n] > now)
                continue;
            fire(s, now, t, (synack_timer_name)n);
            if (t->state == SYNACK_TCP_CLOSED)
                break;
        }
        if (t->state == SYNACK_TCP_CLOSED) {
            synack_tcp_timer_clear_all(s, t);
            synack_tcb_reap(s, t);
        }
    }
}

uint64_t synack_tcp_poll_at(const synack_stack *s)
{
    const synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (!p || p->heap_len == 0)
        return UINT64_MAX;
    return p->heap[0]->tkey;
}
