/*
 * TCP bookkeeping: the handle table, TCB allocation, the demux hash on the
 * 4-tuple (keyed by the stack secret, so a peer cannot aim at one bucket),
 * the list of bound ports, the TIME-WAIT list and releasing the per-socket
 * buffers (tcp_mem.c allocates and grows them).
 *
 * RFC 9293 3.3.1 (the TCB), RFC 9293 3.6.1 / RFC 6191 (TIME-WAIT; here the
 * oldest TIME-WAIT connection is reclaimed when the connection limit is
 * reached, as Linux does with tcp_max_tw_buckets).
 */
#include "tcp/tcp_tcb.h"

#define INITIAL_HANDLES 16u
#define INITIAL_BUCKETS 64u

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static bool grow_handles(synack_stack *s)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    uint32_t limit = s->cfg.tcp.max_conns ? s->cfg.tcp.max_conns : 1;
    uint32_t old = s->tcp.nsocks;
    if (old >= limit)
        return false;
    uint32_t cap = old ? old * 2 : INITIAL_HANDLES;
    if (cap > limit || cap < old)
        cap = limit;
    synack_tcb **socks = synack_mem_alloc(s, (size_t)cap * sizeof *socks);
    int32_t *free_h = synack_mem_alloc(s, (size_t)cap * sizeof *free_h);
    if (!socks || !free_h || !synack_tcp_heap_reserve(s, cap)) {
        synack_mem_free(s, socks, (size_t)cap * sizeof *socks);
        synack_mem_free(s, free_h, (size_t)cap * sizeof *free_h);
        return false;
    }
    if (old)
        memcpy(socks, s->tcp.socks, (size_t)old * sizeof *socks);
    /* every old handle is in use (the free stack was empty) */
    uint32_t n = 0;
    for (uint32_t h = cap; h > old; h--)
        free_h[n++] = (int32_t)(h - 1);
    synack_mem_free(s, s->tcp.socks, (size_t)old * sizeof *socks);
    synack_mem_free(s, p->free_h, (size_t)old * sizeof *free_h);
    s->tcp.socks = socks;
    s->tcp.nsocks = cap;
    p->free_h = free_h;
    p->nfree = n;
    return true;
}

synack_tcb *synack_tcb_new(synack_stack *s, uint64_t now)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    const synack_tcp_config *c = &s->cfg.tcp;
    if (s->tcp.nconns >= (c->max_conns ? c->max_conns : 1)) {
        /* reclaim the oldest TIME-WAIT connection, if any */
        if (!p->tw_head)
            return NULL;
        synack_tcb_free(s, p->tw_head);
    }
    if (p->nfree == 0 && !grow_handles(s))
        return NULL;
    synack_tcb *t = synack_mem_alloc(s, sizeof *t);
    if (!t)
        return NULL;
    int32_t h = p->free_h[--p->nfree];
    s->tcp.socks[h] = t;
    s->tcp.nconns++;
    t->handle = h;
    t->heap_idx = UINT32_MAX;
    t->state = SYNACK_TCP_CLOSED;
    for (int i = 0; i < SYNACK_TCP_NTIMERS; i++)
        t->tm[i] = SYNACK_TCP_NEVER;
    t->tkey = SYNACK_TCP_NEVER;
    t->sndbuf = clamp_u32(c->sndbuf, SYNACK_TCP_MIN_BUF, SYNACK_TCP_MAX_BUF);
    t->rcvbuf = clamp_u32(c->rcvbuf, SYNACK_TCP_MIN_BUF, SYNACK_TCP_MAX_BUF);
    synack_tcb_bufs_init(t);
    t->rto_min = c->rto_min_ms ? c->rto_min_ms : 1;
    t->rto_max = c->rto_max_ms > t->rto_min ? c->rto_max_ms : t->rto_min;
    t->rto = clamp_u32(c->rto_initial_ms ? c->rto_initial_ms : 1000, t->rto_min,
                       t->rto_max);
    t->delack_ms = c->delack_ms < SYNACK_TCP_MAX_DELACK ? c->delack_ms : SYNACK_TCP_MAX_DELACK;
    t->msl_ms = c->msl_ms;
    t->keep_idle = c->keepalive_idle_ms ? c->keepalive_idle_ms : 1;
    t->keep_intvl = c->keepalive_intvl_ms ? c->keepalive_intvl_ms : 1;
    t->keep_cnt = (uint8_t)clamp_u32(c->keepalive_count, 1, 255);
    t->cc_algo = (uint8_t)c->cc;
    if (c->nodelay)
        t->fl |= SYNACK_TF_NODELAY;
    if (c->keepalive)
        t->fl |= SYNACK_TF_KEEPALIVE;
    t->snd_mss = SYNACK_TCP_DEFAULT_MSS;
    t->rcv_mss = SYNACK_TCP_DEFAULT_MSS;
    t->last_rcv = (uint32_t)now;
    return t;
}

synack_tcp_cold *synack_tcb_cold(synack_stack *s, synack_tcb *t)
{
    if (!t->cold)
        t->cold = synack_mem_alloc(s, sizeof *t->cold); /* zeroed */
    return t->cold;
}

void synack_tcb_sb_free(synack_stack *s, synack_tcb *t)
{
    if (t->cold && t->cold->sb) {
        synack_mem_free(s, t->cold->sb, sizeof *t->cold->sb);
        t->cold->sb = NULL;
    }
}

void synack_tcb_free(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (t->fl & SYNACK_TF_HASHED)
        synack_tcb_hash_remove(s, t);
    if (t->fl & SYNACK_TF_BOUND)
        synack_tcb_bound_remove(s, t);
    if (t->fl & SYNACK_TF_TW_LIST)
        synack_tcb_tw_remove(s, t);
    if (t->parent)
        synack_tcp_listen_child_gone(s, t);
    if (t->cold && t->cold->twin) {
        t->cold->twin->cold->twin = NULL;
        t->cold->twin = NULL;
    }
    synack_tcp_timer_clear_all(s, t);
    synack_tcb_release_snd(s, t);
    synack_tcb_release_rcv(s, t);
    synack_tcb_sb_free(s, t);
    synack_rack_free(s, t);
    synack_mem_free(s, t->cold, sizeof *t->cold);
    s->tcp.socks[t->handle] = NULL;
    p->free_h[p->nfree++] = t->handle;
    s->tcp.nconns--;
    synack_mem_free(s, t, sizeof *t);
}

synack_tcb *synack_tcb_get(const synack_stack *s, int h)
{
    if (h < 0 || (uint32_t)h >= s->tcp.nsocks)
        return NULL;
    return s->tcp.socks[h];
}

/* ---- demux hash ---------------------------------------------------------- */

static uint32_t tuple_hash(const synack_stack *s, const synack_addr *laddr,
                           uint16_t lport, const synack_addr *raddr, uint16_t rport)
{
    uint8_t k[37];
    size_t n = synack_tcp_put_addrs(k, laddr, raddr);
    synack_wr_be16(k + n, lport);
    synack_wr_be16(k + n + 2, rport);
    k[n + 4] = 'H'; /* domain separation from the ISN and cookie hashes */
    return (uint32_t)synack_siphash(s->secret, k, n + 5);
}

synack_tcb *synack_tcb_lookup(const synack_stack *s, const synack_addr *laddr,
                              uint16_t lport, const synack_addr *raddr, uint16_t rport)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    synack_tcb *t = p->last;
    if (t && t->lport == lport && t->rport == rport &&
        synack_addr_same(&t->raddr, raddr) && synack_addr_same(&t->laddr, laddr))
        return t;
    uint32_t b = tuple_hash(s, laddr, lport, raddr, rport) & (p->nbuckets - 1);
    for (t = p->buckets[b]; t; t = t->hnext) {
        if (t->lport == lport && t->rport == rport &&
            synack_addr_same(&t->raddr, raddr) &&
            synack_addr_same(&t->laddr, laddr)) {
            p->last = t;
            return t;
        }
    }
    return NULL;
}

static void rehash(synack_stack *s)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    uint32_t n = p->nbuckets * 2;
    if (n < p->nbuckets)
        return;
    synack_tcb **nb = synack_mem_alloc(s, (size_t)n * sizeof *nb);
    if (!nb)
        return; /* keep the old table: longer chains, still correct */
    for (uint32_t i = 0; i < p->nbuckets; i++) {
        synack_tcb *t = p->buckets[i];
        while (t) {
            synack_tcb *next = t->hnext;
            uint32_t b = tuple_hash(s, &t->laddr, t->lport, &t->raddr, t->rport) & (n - 1);
            t->hnext = nb[b];
            nb[b] = t;
            t = next;
        }
    }
    synack_mem_free(s, p->buckets, (size_t)p->nbuckets * sizeof *nb);
    p->buckets = nb;
    p->nbuckets = n;
}

int synack_tcb_hash_insert(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (p->nhashed >= p->nbuckets)
        rehash(s);
    uint32_t b = tuple_hash(s, &t->laddr, t->lport, &t->raddr, t->rport) &
                 (p->nbuckets - 1);
    t->hnext = p->buckets[b];
    p->buckets[b] = t;
    p->nhashed++;
    t->fl |= SYNACK_TF_HASHED;
    return SYNACK_OK;
}

void synack_tcb_hash_remove(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    uint32_t b = tuple_hash(s, &t->laddr, t->lport, &t->raddr, t->rport) &
                 (p->nbuckets - 1);
    for (synack_tcb **pp = &p->buckets[b]; *pp; pp = &(*pp)->hnext) {
        if (*pp == t) {
            *pp = t->hnext;
            p->nhashed--;
            break;
        }
    }
    t->hnext = NULL;
    t->fl &= ~(uint32_t)SYNACK_TF_HASHED;
    if (p->last == t)
        p->last = NULL;
}

/* ---- bound ports --------------------------------------------------------- */

synack_tcb *synack_tcb_find_listener(const synack_stack *s, uint16_t lport)
{
    for (synack_tcb *t = synack_tcp_priv_of(s)->bound; t; t = t->next)
        if (t->lport == lport && t->state == SYNACK_TCP_LISTEN)
            return t;
    return NULL;
}

bool synack_tcb_port_bound(const synack_stack *s, uint16_t lport)
{
    for (synack_tcb *t = synack_tcp_priv_of(s)->bound; t; t = t->next)
        if (t->lport == lport)
            return true;
    return false;
}

bool synack_tcb_port_used(const synack_stack *s, uint16_t lport)
{
    for (uint32_t h = 0; h < s->tcp.nsocks; h++) {
        const synack_tcb *t = s->tcp.socks[h];
        if (t && (t->fl & SYNACK_TF_HASHED) && t->lport == lport)
            return true;
    }
    return false;
}

void synack_tcb_bound_add(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    t->prev = NULL;
    t->next = p->bound;
    if (p->bound)
        p->bound->prev = t;
    p->bound = t;
    t->fl |= SYNACK_TF_BOUND;
}

void synack_tcb_bound_remove(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (t->prev)
        t->prev->next = t->next;
    else
        p->bound = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    t->fl &= ~(uint32_t)SYNACK_TF_BOUND;
}

/* ---- TIME-WAIT list ------------------------------------------------------ */

void synack_tcb_tw_add(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    t->next = NULL;
    t->prev = p->tw_tail;
    if (p->tw_tail)
        p->tw_tail->next = t;
    else
        p->tw_head = t;
    p->tw_tail = t;
    t->fl |= SYNACK_TF_TW_LIST;
}

void synack_tcb_tw_remove(synack_stack *s, synack_tcb *t)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (t->prev)
        t->prev->next = t->next;
    else
        p->tw_head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        p->tw_tail = t->prev;
    t->prev = t->next = NULL;
    t->fl &= ~(uint32_t)SYNACK_TF_TW_LIST;
}

/* ---- buffers ------------------------------------------------------------- */

void synack_tcb_release_snd(synack_stack *s, synack_tcb *t)
{
    synack_tcb_ring_free(s, t, &t->snd);
}

void synack_tcb_release_rcv(synack_stack *s, synack_tcb *t)
{
    synack_tcb_ring_free(s, t, &t->rcv);
    synack_tcp_buf_free(s, t->ooo.ranges, t->ooo.max * (uint32_t)sizeof *t->ooo.ranges);
    memset(&t->ooo, 0, sizeof t->ooo);
}

void synack_tcb_reap(synack_stack *s, synack_tcb *t)
{
    if (t && t->state == SYNACK_TCP_CLOSED && !(t->fl & SYNACK_TF_USER))
        synack_tcb_free(s, t);
}
