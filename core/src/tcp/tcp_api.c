/*
 * The TCP user interface (RFC 9293 3.9.1: OPEN, SEND, RECEIVE, CLOSE,
 * ABORT, STATUS) as synack_tcp_* calls on small-integer handles, and the
 * state bookkeeping shared by the rest of TCP (RFC 9293 3.3.2).
 *
 * Choices documented here:
 * - close() with unread received data sends RST (RFC 9293 3.10.4, RFC 2525
 *   2.17); so does data arriving after close() (the receive side is gone).
 * - After close(), a connection stuck in FIN-WAIT-2 is dropped after 2*MSL
 *   (it uses the time-wait timer), as RFC 9293 3.10.4 allows implementations.
 * - Buffers are allocated lazily and grow with need (tcp_mem.c): the send
 *   ring with the first send(), the receive ring with the first data, so
 *   idle connections cost only a TCB.
 */
#include "tcp/tcp_tcb.h"

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- layer setup ---------------------------------------------------------- */

int synack_tcp_init(synack_stack *s)
{
    synack_tcp_priv *p = synack_mem_alloc(s, sizeof *p);
    if (!p)
        return SYNACK_ERR_NOMEM;
    p->nbuckets = 64;
    p->buckets = synack_mem_alloc(s, p->nbuckets * sizeof *p->buckets);
    if (!p->buckets) {
        synack_mem_free(s, p, sizeof *p);
        return SYNACK_ERR_NOMEM;
    }
    p->next_ephemeral = (uint32_t)synack_rng_next(&s->rng);
    s->tcp.priv = p;
    s->tcp.socks = NULL;
    s->tcp.nsocks = 0;
    s->tcp.nconns = 0;
    return SYNACK_OK;
}

void synack_tcp_fini(synack_stack *s)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (!p)
        return;
    /* forget listener links first: a listener may go before its children */
    for (uint32_t h = 0; h < s->tcp.nsocks; h++) {
        synack_tcb *t = s->tcp.socks[h];
        if (t && t->parent) {
            t->parent = NULL;
            t->fl &= ~(uint32_t)SYNACK_TF_ACCEPTQ;
        }
    }
    for (uint32_t h = 0; h < s->tcp.nsocks; h++)
        if (s->tcp.socks[h])
            synack_tcb_free(s, s->tcp.socks[h]);
    synack_mem_free(s, s->tcp.socks, (size_t)s->tcp.nsocks * sizeof *s->tcp.socks);
    synack_mem_free(s, p->free_h, (size_t)s->tcp.nsocks * sizeof *p->free_h);
    synack_mem_free(s, p->heap, (size_t)p->heap_cap * sizeof *p->heap);
    synack_mem_free(s, p->buckets, (size_t)p->nbuckets * sizeof *p->buckets);
    synack_mem_free(s, p, sizeof *p);
    s->tcp.priv = NULL;
    s->tcp.socks = NULL;
    s->tcp.nsocks = 0;
}

/* ---- state bookkeeping ---------------------------------------------------- */

void synack_tcb_set_state(synack_stack *s, uint64_t now, synack_tcb *t,
                          synack_tcp_state to)
{
    synack_tcp_state from = (synack_tcp_state)t->state;
    if (from == to)
        return;
    t->state = (uint8_t)to;
    synack_tcp_trace_state(s, t, from, to);
    switch (to) {
    case SYNACK_TCP_FIN_WAIT_2:
        /* RFC 9293 3.10.4: an orphan must not wait forever for the FIN. */
        if (!(t->fl & SYNACK_TF_USER))
            synack_tcp_timer_set(s, t, SYNACK_TIMER_TIME_WAIT,
                                 now + 2 * (uint64_t)t->msl_ms);
        break;
    case SYNACK_TCP_TIME_WAIT:
        /* RFC 9293 3.10.7.4 eighth: start the 2 MSL time-wait timer. */
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_REXMIT);
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_PERSIST);
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_KEEPALIVE);
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_DELACK);
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_RACK);
        synack_tcp_timer_clear(s, t, SYNACK_TIMER_TLP);
        synack_tcp_timer_set(s, t, SYNACK_TIMER_TIME_WAIT,
                             now + 2 * (uint64_t)t->msl_ms);
        synack_tcb_release_snd(s, t);
        if (!(t->fl & SYNACK_TF_USER) || t->rcv.len == 0)
            synack_tcb_release_rcv(s, t);
        synack_tcb_sb_free(s, t);
        synack_rack_free(s, t);
        /* only orphans may be reclaimed early (synack_tcb_new) */
        if (!(t->fl & SYNACK_TF_USER))
            synack_tcb_tw_add(s, t);
        break;
    case SYNACK_TCP_CLOSED:
        synack_tcp_timer_clear_all(s, t);
        if (t->fl & SYNACK_TF_HASHED)
            synack_tcb_hash_remove(s, t);
        if (t->fl & SYNACK_TF_TW_LIST)
            synack_tcb_tw_remove(s, t);
        synack_tcb_release_snd(s, t);
        if (!(t->fl & SYNACK_TF_USER) || t->rcv.len == 0 || t->err)
            synack_tcb_release_rcv(s, t);
        synack_tcb_sb_free(s, t);
        synack_rack_free(s, t);
        break;
    default:
        break;
    }
}

void synack_tcb_close_with(synack_stack *s, uint64_t now, synack_tcb *t, int err)
{
    if (err && !t->err) {
        t->err = (int8_t)err;
        synack_tcp_trace_error(s, t, err);
    }
    synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
    if (t->parent)
        synack_tcp_listen_child_gone(s, t);
}

void synack_tcb_established(synack_stack *s, uint64_t now, synack_tcb *t)
{
    t->fl |= SYNACK_TF_CONNECTED;
    /* RFC 6298 5.7: a SYN time-out without an RTT sample means RTO 3 s. */
    if ((t->fl & SYNACK_TF_SYN_REXMIT) && !(t->fl & SYNACK_TF_RTT_VALID))
        t->rto = clamp_u32(3000, t->rto_min, t->rto_max);
    t->nrexmit = 0;
    t->snd_sml = t->snd_una; /* no small segment sent yet (Minshall) */
    synack_cc_set_mss(&t->cc, synack_tcp_maxseg(t));
    synack_tcb_set_state(s, now, t, SYNACK_TCP_ESTABLISHED);
    if (t->fl & SYNACK_TF_PASSIVE)
        synack_tcp_listen_child_ready(s, t);
    if (t->fl & SYNACK_TF_SHUT_WR)
        synack_tcb_set_state(s, now, t, SYNACK_TCP_FIN_WAIT_1);
    if (t->fl & SYNACK_TF_KEEPALIVE)
        synack_tcp_keepalive_arm(s, now, t);
}

/* Receive window scale for a buffer (RFC 7323 2.3): smallest shift that fits. */
static uint8_t ws_for(uint32_t buf)
{
    uint8_t ws = 0;
    while (ws < SYNACK_TCP_MAX_WS && (buf >> ws) > 65535u)
        ws++;
    return ws;
}

void synack_tcp_conn_prepare(synack_stack *s, synack_tcb *t)
{
    uint32_t mss = synack_ip_mtu_payload(s, t->raddr.family);
    mss = mss > SYNACK_TCP_HDR_LEN ? mss - SYNACK_TCP_HDR_LEN : 1;
    t->adv_mss = (uint16_t)(mss > 65535 ? 65535 : mss);
    t->rcv_ws = (t->fl & SYNACK_TF_WS) ? ws_for(t->rcvbuf) : 0;
    synack_cc_init(&t->cc, (synack_cc_algo)t->cc_algo, SYNACK_TCP_DEFAULT_MSS);
}

/* ---- the API -------------------------------------------------------------- */

static synack_tcb *user_tcb(const synack_stack *s, int h)
{
    synack_tcb *t = s ? synack_tcb_get(s, h) : NULL;
    return (t && (t->fl & SYNACK_TF_USER)) ? t : NULL;
}

int synack_tcp_open(synack_stack *s)
{
    if (!s)
        return SYNACK_ERR_INVAL;
    synack_tcb *t = synack_tcb_new(s, s->now);
    if (!t)
        return SYNACK_ERR_NOMEM;
    t->fl |= SYNACK_TF_USER;
    return t->handle;
}

int synack_tcp_bind(synack_stack *s, int h, uint16_t port)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    if (t->state != SYNACK_TCP_CLOSED || (t->fl & SYNACK_TF_STARTED) || t->lport)
        return SYNACK_ERR_STATE;
    if (port == 0)
        return SYNACK_OK;
    if (synack_tcb_port_bound(s, port))
        return SYNACK_ERR_ADDRINUSE;
    /* Linux's bind(): a port in use by a connection needs SO_REUSEADDR */
    if (!(t->fl & SYNACK_TF_REUSEADDR) && synack_tcb_port_used(s, port))
        return SYNACK_ERR_ADDRINUSE;
    t->lport = port;
    synack_tcb_bound_add(s, t);
    return SYNACK_OK;
}

int synack_tcp_listen(synack_stack *s, int h, uint32_t backlog)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    if (t->state == SYNACK_TCP_LISTEN) {
        t->backlog = clamp_u32(backlog, 1, s->cfg.tcp.max_conns ? s->cfg.tcp.max_conns : 1);
        return SYNACK_OK;
    }
    if (t->state != SYNACK_TCP_CLOSED || (t->fl & SYNACK_TF_STARTED))
        return SYNACK_ERR_STATE;
    if (t->lport == 0) {
        uint16_t port;
        synack_addr any = synack_addr_from_ip4(s->addr);
        int rc = synack_tcp_ephemeral_port(s, &any, NULL, 0, &port);
        if (rc < 0)
            return rc;
        t->lport = port;
        synack_tcb_bound_add(s, t);
    }
    t->backlog = clamp_u32(backlog, 1, s->cfg.tcp.max_conns ? s->cfg.tcp.max_conns : 1);
    t->cookies_until = 0; /* no cookie sent yet */
    t->fl |= SYNACK_TF_STARTED;
    synack_tcb_set_state(s, s->now, t, SYNACK_TCP_LISTEN);
    return SYNACK_OK;
}

int synack_tcp_accept(synack_stack *s, uint64_t now, int h, synack_addr *addr,
                      uint16_t *port)
{
    synack_tcb *l = user_tcb(s, h);
    if (!l)
        return SYNACK_ERR_BADF;
    s->now = now;
    if (l->state != SYNACK_TCP_LISTEN)
        return SYNACK_ERR_STATE;
    synack_tcb *c = l->acc_head;
    if (!c)
        return SYNACK_ERR_AGAIN;
    synack_tcp_listen_child_gone(s, c);
    c->fl |= SYNACK_TF_USER;
    if (addr)
        *addr = c->raddr;
    if (port)
        *port = c->rport;
    return c->handle;
}

int synack_tcp_connect(synack_stack *s, uint64_t now, int h,
                       const synack_addr *dstp, uint16_t dport)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    if (t->state == SYNACK_TCP_LISTEN)
        return SYNACK_ERR_STATE;
    if (t->state != SYNACK_TCP_CLOSED)
        return SYNACK_ERR_ISCONN;
    if (t->fl & SYNACK_TF_STARTED)
        return SYNACK_ERR_STATE;
    if (dport == 0 || dstp == NULL ||
        (dstp->family != SYNACK_AF_IP4 && dstp->family != SYNACK_AF_IP6))
        return SYNACK_ERR_INVAL;
    synack_addr dst = *dstp;
    if (dst.family == SYNACK_AF_IP4) {
        synack_ip4 d4 = synack_addr_to_ip4(&dst);
        if (d4 == 0 || d4 == 0xffffffffu)
            return SYNACK_ERR_INVAL;
    }
    synack_addr src;
    int rc = synack_ip_route(s, &dst, &src);
    if (rc < 0)
        return rc;
    uint16_t lport = t->lport;
    if (lport == 0) {
        rc = synack_tcp_ephemeral_port(s, &src, &dst, dport, &lport);
        if (rc < 0)
            return rc;
    } else if (synack_tcb_lookup(s, &src, lport, &dst, dport)) {
        return SYNACK_ERR_ADDRINUSE;
    }
    if (t->fl & SYNACK_TF_BOUND)
        synack_tcb_bound_remove(s, t);
    t->laddr = src;
    t->lport = lport;
    t->raddr = dst;
    t->rport = dport;
    const synack_tcp_config *c = &s->cfg.tcp;
    if (c->window_scaling)
        t->fl |= SYNACK_TF_WS; /* offered; cleared if the peer does not */
    if (c->sack)
        t->fl |= SYNACK_TF_SACK;
    if (c->timestamps)
        t->fl |= SYNACK_TF_TS;
    synack_tcp_conn_prepare(s, t);
    t->iss = synack_tcp_isn(s, now, &src, lport, &dst, dport, &t->ts_offset);
    t->snd_una = t->snd_nxt = t->snd_max = t->iss;
    t->recover = t->high_rxt = t->iss;
    t->fl |= SYNACK_TF_STARTED | SYNACK_TF_RTT_TIMING;
    t->rtt_start = (uint32_t)now;
    synack_tcb_hash_insert(s, t);
    synack_tcb_set_state(s, now, t, SYNACK_TCP_SYN_SENT);
    synack_tcp_send_syn(s, now, t, false);
    synack_tcp_rexmit_arm(s, now, t);
    return SYNACK_OK;
}

int synack_tcp_send(synack_stack *s, uint64_t now, int h, const void *data,
                    size_t len)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    if (t->err)
        return t->err;
    if (t->fl & SYNACK_TF_SHUT_WR)
        return SYNACK_ERR_CLOSED;
    switch (t->state) {
    case SYNACK_TCP_SYN_SENT:
    case SYNACK_TCP_SYN_RECEIVED:
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_CLOSE_WAIT:
        break;
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_LISTEN:
        return (t->fl & SYNACK_TF_CONNECTED) ? SYNACK_ERR_CLOSED : SYNACK_ERR_NOTCONN;
    default:
        return SYNACK_ERR_CLOSED;
    }
    if (len == 0)
        return 0;
    if (!data)
        return SYNACK_ERR_INVAL;
    if (len > INT32_MAX)
        len = INT32_MAX;
    uint32_t room = synack_tcb_snd_reserve(s, t, (uint32_t)len);
    if (room == 0)
        return t->snd.len ? SYNACK_ERR_AGAIN : SYNACK_ERR_NOMEM;
    synack_tcp_winsnap w;
    bool tr = synack_tracing(s);
    if (tr)
        synack_tcp_win_snap(t, &w);
    uint32_t n = synack_ring_write(&t->snd, data, room);
    if (synack_tcb_synchronized(t))
        synack_tcp_output(s, now, t);
    if (tr)
        synack_tcp_trace_win(s, t, &w);
    return (int)n;
}

int synack_tcp_recv(synack_stack *s, uint64_t now, int h, void *buf, size_t cap)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    if (t->rcv.len > 0) {
        if (cap == 0)
            return 0;
        if (!buf)
            return SYNACK_ERR_INVAL;
        if (cap > INT32_MAX)
            cap = INT32_MAX;
        synack_tcp_winsnap w;
        bool tr = synack_tracing(s);
        if (tr)
            synack_tcp_win_snap(t, &w);
        uint32_t n = synack_ring_read(&t->rcv, buf, (uint32_t)cap);
        synack_tcp_rcv_space_adjust(s, now, t);
        if (t->state == SYNACK_TCP_ESTABLISHED || t->state == SYNACK_TCP_FIN_WAIT_1 ||
            t->state == SYNACK_TCP_FIN_WAIT_2)
            synack_tcp_window_update(s, now, t);
        else if (t->rcv.len == 0 && (t->fl & SYNACK_TF_RCV_FIN))
            synack_tcb_release_rcv(s, t);
        if (tr)
            synack_tcp_trace_win(s, t, &w);
        return (int)n;
    }
    if (t->fl & SYNACK_TF_RCV_FIN)
        return 0;
    if (t->err)
        return t->err;
    switch (t->state) {
    case SYNACK_TCP_CLOSED:
        return (t->fl & SYNACK_TF_CONNECTED) ? 0 : SYNACK_ERR_NOTCONN;
    case SYNACK_TCP_LISTEN:
        return SYNACK_ERR_NOTCONN;
    default:
        return SYNACK_ERR_AGAIN;
    }
}

int synack_tcp_shutdown(synack_stack *s, uint64_t now, int h)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    if (t->fl & SYNACK_TF_SHUT_WR)
        return SYNACK_OK;
    switch (t->state) {
    case SYNACK_TCP_SYN_SENT:
    case SYNACK_TCP_SYN_RECEIVED:
        /* RFC 9293 3.10.4: queued until the connection is established */
        t->fl |= SYNACK_TF_SHUT_WR;
        return SYNACK_OK;
    case SYNACK_TCP_ESTABLISHED:
        t->fl |= SYNACK_TF_SHUT_WR;
        synack_tcb_set_state(s, now, t, SYNACK_TCP_FIN_WAIT_1);
        break;
    case SYNACK_TCP_CLOSE_WAIT:
        t->fl |= SYNACK_TF_SHUT_WR;
        synack_tcb_set_state(s, now, t, SYNACK_TCP_LAST_ACK);
        break;
    case SYNACK_TCP_CLOSED:
    case SYNACK_TCP_LISTEN:
        return t->err ? t->err : SYNACK_ERR_NOTCONN;
    default:
        return SYNACK_OK;
    }
    synack_tcp_output(s, now, t);
    return SYNACK_OK;
}

/* Release the application's hold; the TCB lives on until CLOSED. */
static void orphan(synack_stack *s, uint64_t now, synack_tcb *t)
{
    t->fl &= ~(uint32_t)SYNACK_TF_USER;
    t->fl |= SYNACK_TF_RCV_SHUT;
    if (t->state == SYNACK_TCP_FIN_WAIT_2 && t->tm[SYNACK_TIMER_TIME_WAIT] == SYNACK_TCP_NEVER)
        synack_tcp_timer_set(s, t, SYNACK_TIMER_TIME_WAIT, now + 2 * (uint64_t)t->msl_ms);
    if (t->state == SYNACK_TCP_TIME_WAIT) {
        synack_tcb_release_rcv(s, t);
        if (!(t->fl & SYNACK_TF_TW_LIST))
            synack_tcb_tw_add(s, t);
    }
    synack_tcb_reap(s, t);
}

int synack_tcp_close(synack_stack *s, uint64_t now, int h)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    switch (t->state) {
    case SYNACK_TCP_LISTEN:
        synack_tcp_listen_close(s, now, t);
        synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
        synack_tcb_free(s, t);
        return SYNACK_OK;
    case SYNACK_TCP_CLOSED:
        synack_tcb_free(s, t);
        return SYNACK_OK;
    case SYNACK_TCP_SYN_SENT:
        /* RFC 9293 3.10.4: delete the TCB */
        synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
        synack_tcb_free(s, t);
        return SYNACK_OK;
    default:
        break;
    }
    if (t->rcv.len > 0 && t->state != SYNACK_TCP_TIME_WAIT) {
        /* unread data: abort with RST (RFC 2525 2.17) */
        synack_tcp_send_rst(s, now, t);
        synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
        synack_tcb_free(s, t);
        return SYNACK_OK;
    }
    int rc = synack_tcp_shutdown(s, now, h);
    (void)rc;
    orphan(s, now, t);
    return SYNACK_OK;
}

int synack_tcp_abort(synack_stack *s, uint64_t now, int h)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    s->now = now;
    switch (t->state) {
    case SYNACK_TCP_SYN_RECEIVED:
    case SYNACK_TCP_ESTABLISHED:
    case SYNACK_TCP_FIN_WAIT_1:
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_CLOSE_WAIT:
        /* RFC 9293 3.10.5 */
        synack_tcp_send_rst(s, now, t);
        break;
    case SYNACK_TCP_LISTEN:
        synack_tcp_listen_close(s, now, t);
        break;
    default:
        break;
    }
    synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSED);
    synack_tcb_free(s, t);
    return SYNACK_OK;
}

int synack_tcp_copy_options(synack_stack *s, int dst, int src)
{
    synack_tcb *d = user_tcb(s, dst);
    const synack_tcb *o = user_tcb(s, src);
    if (!d || !o || d->state != SYNACK_TCP_CLOSED || d->rcv.buf || d->snd.buf)
        return SYNACK_ERR_BADF;
    /* the same fields a listener's child inherits (tcp_listen.c) */
    d->sndbuf = o->sndbuf;
    d->rcvbuf = o->rcvbuf;
    synack_tcb_bufs_init(d);
    d->rto_min = o->rto_min;
    d->rto_max = o->rto_max;
    d->rto = o->rto;
    d->delack_ms = o->delack_ms;
    d->msl_ms = o->msl_ms;
    d->keep_idle = o->keep_idle;
    d->keep_intvl = o->keep_intvl;
    d->keep_cnt = o->keep_cnt;
    d->cc_algo = o->cc_algo;
    d->fl |= o->fl & (SYNACK_TF_NODELAY | SYNACK_TF_KEEPALIVE);
    return SYNACK_OK;
}

int synack_tcp_setopt(synack_stack *s, int h, synack_tcp_opt opt, int64_t value)
{
    synack_tcb *t = user_tcb(s, h);
    if (!t)
        return SYNACK_ERR_BADF;
    if (value < 0 || value > (int64_t)UINT32_MAX)
        return SYNACK_ERR_INVAL;
    uint32_t v = (uint32_t)value;
    bool fresh = t->state == SYNACK_TCP_CLOSED || t->state == SYNACK_TCP_LISTEN;
    switch (opt) {
    case SYNACK_TCPOPT_SNDBUF:
        if (t->snd.buf && t->snd.len)
            return SYNACK_ERR_INVAL;
        synack_tcb_release_snd(s, t);
        t->sndbuf = clamp_u32(v, SYNACK_TCP_MIN_BUF, SYNACK_TCP_MAX_BUF);
        t->snd.limit = t->snd.limit < t->sndbuf ? t->snd.limit : t->sndbuf;
        if (!synack_tcb_synchronized(t))
            synack_tcb_bufs_init(t);
        return SYNACK_OK;
    case SYNACK_TCPOPT_RCVBUF:
        if (!fresh || t->rcv.buf)
            return SYNACK_ERR_INVAL; /* the window scale is already announced */
        t->rcvbuf = clamp_u32(v, SYNACK_TCP_MIN_BUF, SYNACK_TCP_MAX_BUF);
        synack_tcb_bufs_init(t);
        return SYNACK_OK;
    case SYNACK_TCPOPT_NODELAY:
        if (v)
            t->fl |= SYNACK_TF_NODELAY;
        else
            t->fl &= ~(uint32_t)SYNACK_TF_NODELAY;
        if (v && synack_tcb_synchronized(t))
            synack_tcp_output(s, s->now, t);
        return SYNACK_OK;
    case SYNACK_TCPOPT_KEEPALIVE:
        if (v) {
            t->fl |= SYNACK_TF_KEEPALIVE;
            if (synack_tcb_synchronized(t))
                synack_tcp_keepalive_arm(s, s->now, t);
        } else {
            t->fl &= ~(uint32_t)SYNACK_TF_KEEPALIVE;
            synack_tcp_timer_clear(s, t, SYNACK_TIMER_KEEPALIVE);
        }
        return SYNACK_OK;
    case SYNACK_TCPOPT_KEEPIDLE_MS:
        t->keep_idle = v ? v : 1;
        return SYNACK_OK;
    case SYNACK_TCPOPT_KEEPINTVL_MS:
        t->keep_intvl = v ? v : 1;
        return SYNACK_OK;
    case SYNACK_TCPOPT_KEEPCNT:
        t->keep_cnt = (uint8_t)clamp_u32(v, 1, 255);
        return SYNACK_OK;
    case SYNACK_TCPOPT_CC:
        if (v > SYNACK_CC_NEWRENO)
            return SYNACK_ERR_INVAL;
        t->cc_algo = (uint8_t)v;
        if (t->state != SYNACK_TCP_CLOSED && t->state != SYNACK_TCP_LISTEN)
            synack_cc_set_algo(&t->cc, (synack_cc_algo)v);
        return SYNACK_OK;
    case SYNACK_TCPOPT_RTO_MIN_MS:
        if (v == 0 || v > t->rto_max)
            return SYNACK_ERR_INVAL;
        t->rto_min = v;
        t->rto = clamp_u32(t->rto, t->rto_min, t->rto_max);
        return SYNACK_OK;
    case SYNACK_TCPOPT_RTO_MAX_MS:
        if (v < t->rto_min)
            return SYNACK_ERR_INVAL;
        t->rto_max = v;
        t->rto = clamp_u32(t->rto, t->rto_min, t->rto_max);
        return SYNACK_OK;
    case SYNACK_TCPOPT_DELACK_MS:
        /* RFC 1122 4.2.3.2: the delay MUST be less than 0.5 seconds */
        if (v > SYNACK_TCP_MAX_DELACK)
            return SYNACK_ERR_INVAL;
        t->delack_ms = v;
        return SYNACK_OK;
    case SYNACK_TCPOPT_MSL_MS:
        t->msl_ms = v;
        return SYNACK_OK;
    case SYNACK_TCPOPT_REUSEADDR:
        if (v)
            t->fl |= SYNACK_TF_REUSEADDR;
        else
            t->fl &= ~(uint32_t)SYNACK_TF_REUSEADDR;
        return SYNACK_OK;
    case SYNACK_TCPOPT_V6ONLY:
        if (v)
            t->fl |= SYNACK_TF_V6ONLY;
        else
            t->fl &= ~(uint32_t)SYNACK_TF_V6ONLY;
        return SYNACK_OK;
    }
    return SYNACK_ERR_INVAL;
}

uint32_t synack_tcp_events(const synack_stack *s, int h)
{
    const synack_tcb *t = user_tcb(s, h);
    if (!t)
        return 0;
    uint32_t ev = 0;
    if (t->state == SYNACK_TCP_LISTEN)
        return t->acc_head ? SYNACK_EV_ACCEPT : 0;
    bool fin = (t->fl & SYNACK_TF_RCV_FIN) != 0;
    if (t->rcv.len > 0 || fin || t->err)
        ev |= SYNACK_EV_READABLE;
    if (fin && t->rcv.len == 0)
        ev |= SYNACK_EV_EOF;
    /* room in the ring, or room to grow it within the budget (tcp_mem.c) */
    if ((t->state == SYNACK_TCP_ESTABLISHED || t->state == SYNACK_TCP_CLOSE_WAIT) &&
        !(t->fl & SYNACK_TF_SHUT_WR) && synack_tcb_snd_writable(s, t))
        ev |= SYNACK_EV_WRITABLE;
    if (t->fl & SYNACK_TF_CONNECTED)
        ev |= SYNACK_EV_CONNECTED;
    if ((t->state == SYNACK_TCP_CLOSED || t->state == SYNACK_TCP_TIME_WAIT) &&
        (t->fl & SYNACK_TF_STARTED))
        ev |= SYNACK_EV_CLOSED;
    if (t->err)
        ev |= SYNACK_EV_ERROR | SYNACK_EV_WRITABLE;
    return ev;
}

int synack_tcp_error(const synack_stack *s, int h)
{
    const synack_tcb *t = user_tcb(s, h);
    return t ? t->err : SYNACK_ERR_BADF;
}

int synack_tcp_get_info(const synack_stack *s, int h, synack_tcp_info *out)
{
    const synack_tcb *t = user_tcb(s, h);
    if (!t || !out)
        return SYNACK_ERR_BADF;
    memset(out, 0, sizeof *out);
    out->state = (synack_tcp_state)t->state;
    out->local_addr = t->laddr;
    out->remote_addr = t->raddr;
    out->local_port = t->lport;
    out->remote_port = t->rport;
    out->snd_una = t->snd_una;
    out->snd_nxt = t->snd_nxt;
    out->snd_wnd = t->snd_wnd;
    out->rcv_nxt = t->rcv_nxt;
    out->rcv_wnd = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    if (t->state != SYNACK_TCP_LISTEN) {
        out->cwnd = t->cc.cwnd;
        out->ssthresh = t->cc.ssthresh;
    }
    out->srtt_ms = t->srtt8 >> 3;
    out->rttvar_ms = t->rttvar4 >> 2;
    out->rto_ms = t->rto;
    out->mss = synack_tcp_maxseg(t);
    out->sndbuf_used = t->snd.len;
    out->rcvbuf_used = t->rcv.len;
    out->bytes_sent = t->bytes_sent;
    out->bytes_received = t->bytes_received;
    if (t->cold) {
        out->rexmit_segs = t->cold->rexmit_segs;
        out->rexmit_bytes = t->cold->rexmit_bytes;
    }
    return SYNACK_OK;
}
