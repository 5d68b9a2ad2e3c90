/*
 * Buffers that grow with need, and the stack-wide budget for them.
 *
 * A connection's send and receive rings start empty and are allocated, and
 * grown by doubling (starting at 4 KiB), only as data is queued; sndbuf and
 * rcvbuf are the most they may reach. Ring storage is never zero-filled.
 *
 * Receive side: the window is offered from rcv.limit, which starts at
 * 128 KiB (Linux's tcp_rmem default; our SYN offers 64 KiB of it) and is
 * tuned as Linux's dynamic right-sizing does: once per receiver-side RTT
 * the bytes the application read are compared with the most it read in
 * one RTT before; when it read more, rcv.limit becomes twice that plus
 * room for the sender's slow-start growth. The window scale is chosen at
 * the handshake from rcvbuf (RFC 7323 2.3), so the window can grow to the
 * maximum; the offered window never shrinks (RFC 7323 2.4, RFC 9293
 * 3.8.6.2.2). The receiver's RTT comes from TSecr (RFC 7323 4.1: a data
 * segment echoes the TSval of our ACK) or, without timestamps, from the
 * time a window's worth takes to arrive. The autotuning state (28 bytes)
 * is kept behind the receive ring's storage: a connection that has
 * received nothing pays nothing for it, and the TCB stays small (state
 * per idle connection <= 512 B).
 *
 * Send side: snd.limit starts at 64 KiB and grows to twice the smaller of
 * cwnd and the peer's largest window when the application finds it full
 * (Linux's tcp_sndbuf_expand), so a sender is not limited by its buffer
 * while the network would take more.
 *
 * Budget (cfg.tcp.mem_max, like Linux's tcp_mem): every ring and
 * out-of-order range array is charged.
 * - Always: the window is offered only as far as the ring can still grow
 *   within the budget.
 * - From 3/4 of the budget on ("under pressure"): rcv.limit and snd.limit
 *   stop growing; send rings do not grow (a quarter of the budget stays
 *   for received data); receive rings grow only by what an in-order
 *   segment needs, and out-of-order data is dropped unless the ring holds
 *   room for it already; new window is offered only from memory already
 *   held (at least four segments, so a reader keeps going); a ring the
 *   application has emptied, or whose data is all acknowledged, is given
 *   back.
 * - At the budget: in-order data first frees the out-of-order data
 *   (SYNACK_DROP_TCP_OOO_PRUNED; those bytes were never acknowledged, and
 *   RFC 2018 section 8 lets a receiver discard SACKed data); data that
 *   still finds no room is dropped unacknowledged
 *   (SYNACK_DROP_TCP_MEM_PRESSURE) and the sender repeats it.
 * Bytes already acknowledged are in the ring and are never touched.
 */
#include "tcp/tcp_tcb.h"

/* Smallest ring allocated when not under pressure. */
#define RING_MIN 4096u
/* Granule of a ring under pressure (grown only by what is needed). */
#define RING_GRAIN 1024u
/* Starting receive buffer (Linux's tcp_rmem default) and send buffer. */
#define RCV_SPACE_INIT (128u * 1024u)
#define SND_SPACE_INIT (64u * 1024u)
/* Initial congestion window in segments (RFC 6928), the first DRS mark. */
#define DRS_INIT_SEGS 10u

/* Receive autotuning state, stored behind the receive ring's bytes. */
typedef struct rcv_tune {
    uint32_t space;    /* most bytes the application read in one RTT */
    uint32_t seq;      /* bytes read (modulo 2^32) when this RTT started */
    uint32_t time;     /* ms when it started */
    uint32_t rtt8;     /* the receiver's RTT estimate, 1/8 ms (0: none) */
    uint32_t rtt_seq;  /* no timestamps: a window's end being timed */
    uint32_t rtt_time; /* and when it was offered */
    uint32_t flags;    /* TUNE_* */
} rcv_tune;

enum { TUNE_STARTED = 1u, TUNE_TIMING = 2u };

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

/* Offset of the autotuning state in the receive storage (aligned). */
static uint32_t tune_off(uint32_t cap)
{
    return (cap + 7u) & ~7u;
}

/* Bytes of storage behind a ring of `cap` bytes. */
static uint32_t ring_bytes(const synack_tcb *t, const synack_ring *r, uint32_t cap)
{
    return r == &t->rcv ? tune_off(cap) + (uint32_t)sizeof(rcv_tune) : cap;
}

static rcv_tune *tune_of(const synack_tcb *t)
{
    return t->rcv.buf ? (rcv_tune *)(void *)(t->rcv.buf + tune_off(t->rcv.cap)) : NULL;
}

void *synack_tcp_buf_alloc(synack_stack *s, uint32_t size, bool zero)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    if (size == 0 || p->mem_used + size > s->cfg.tcp.mem_max)
        return NULL;
    void *b = zero ? synack_mem_alloc(s, size) : synack_mem_alloc_raw(s, size);
    if (b)
        p->mem_used += size;
    return b;
}

void synack_tcp_buf_free(synack_stack *s, void *b, uint32_t size)
{
    if (!b)
        return;
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    p->mem_used -= size;
    synack_mem_free(s, b, size);
}

bool synack_tcp_mem_pressure(const synack_stack *s)
{
    uint64_t max = s->cfg.tcp.mem_max;
    return synack_tcp_priv_of(s)->mem_used >= max - max / 4;
}

void synack_tcb_bufs_init(synack_tcb *t)
{
    t->rcv.limit = min_u32(t->rcvbuf, RCV_SPACE_INIT);
    t->snd.limit = min_u32(t->sndbuf, SND_SPACE_INIT);
}

uint32_t synack_tcb_rcv_reach(const synack_stack *s, const synack_tcb *t)
{
    /* the ring holds the whole buffer already: the budget cannot matter
       (the result below is never under rcv.cap) */
    if (t->rcv.cap >= t->rcv.limit)
        return t->rcv.limit;
    uint64_t max = s->cfg.tcp.mem_max;
    uint64_t used = synack_tcp_priv_of(s)->mem_used;
    uint64_t reach;
    if (used >= max - max / 4) {
        /* pressure: what is held, or four segments (as Linux clamps
           rcv_ssthresh) */
        reach = 4u * (uint64_t)t->adv_mss;
    } else {
        /* a ring moves to new storage before the old is freed: it can
           grow to what the budget has left */
        reach = used < max ? max - used : 0;
    }
    if (reach < t->rcv.cap)
        reach = t->rcv.cap;
    return reach < t->rcv.limit ? (uint32_t)reach : t->rcv.limit;
}

void synack_tcb_ring_free(synack_stack *s, synack_tcb *t, synack_ring *r)
{
    if (r->buf)
        synack_tcp_buf_free(s, r->buf, ring_bytes(t, r, r->cap));
    r->buf = NULL;
    r->cap = r->head = r->len = 0;
}

void synack_tcb_snd_drained(synack_stack *s, synack_tcb *t)
{
    if (t->snd.buf && synack_tcp_mem_pressure(s))
        synack_tcb_ring_free(s, t, &t->snd);
}

/*
 * Move t's ring `r` to storage of at least `need` bytes (at most `max`),
 * keeping the first `keep` bytes (and the receive ring's autotuning
 * state). Doubling when memory allows, else just enough.
 */
static bool ring_grow(synack_stack *s, synack_tcb *t, synack_ring *r,
                      uint32_t need, uint32_t max, uint32_t keep)
{
    uint32_t want;
    if (synack_tcp_mem_pressure(s)) {
        want = need + (RING_GRAIN - 1);
        want = want < need ? need : want - want % RING_GRAIN;
    } else {
        want = r->cap > UINT32_MAX / 2 ? UINT32_MAX : r->cap * 2;
        if (want < RING_MIN)
            want = RING_MIN;
        if (want < need)
            want = need;
    }
    if (want > max)
        want = max > need ? max : need;
    uint8_t *b = synack_tcp_buf_alloc(s, ring_bytes(t, r, want), false);
    if (!b && want > need) {
        want = need;
        b = synack_tcp_buf_alloc(s, ring_bytes(t, r, want), false);
    }
    if (!b)
        return false;
    if (r == &t->rcv) {
        rcv_tune *old = tune_of(t);
        rcv_tune *nt = (rcv_tune *)(void *)(b + tune_off(want));
        if (old)
            *nt = *old;
        else
            memset(nt, 0, sizeof *nt);
    }
    uint32_t old_bytes = ring_bytes(t, r, r->cap);
    synack_tcp_buf_free(s, synack_ring_move(r, b, want, keep), old_bytes);
    return true;
}

/* End of the out-of-order data held in the receive ring (from its read
   position): the unread bytes plus the last range. */
static uint32_t rcv_extent(const synack_tcb *t)
{
    uint32_t e = t->rcv.len;
    if (t->ooo.count)
        e += t->ooo.ranges[t->ooo.count - 1].end;
    return e;
}

bool synack_tcb_rcv_reserve(synack_stack *s, synack_tcb *t, uint32_t end,
                            bool in_order)
{
    uint32_t keep = rcv_extent(t);
    uint32_t need = end > keep ? end : keep;
    if (need <= t->rcv.cap)
        return true;
    /* under pressure out-of-order data goes only where memory is held:
       it is the first to be dropped */
    if ((in_order || !synack_tcp_mem_pressure(s)) &&
        ring_grow(s, t, &t->rcv, need, t->rcvbuf, keep))
        return true;
    if (in_order && t->ooo.count) {
        /* in-order data before out-of-order data: free what was never
           acknowledged (its sender still holds it) */
        synack_count_drop(s, SYNACK_DROP_TCP_OOO_PRUNED);
        t->ooo.count = 0;
        synack_tcp_buf_free(s, t->ooo.ranges, t->ooo.max * (uint32_t)sizeof *t->ooo.ranges);
        memset(&t->ooo, 0, sizeof t->ooo);
        t->fl &= ~(uint32_t)SYNACK_TF_OOO_FIN;
        if (end <= t->rcv.cap || ring_grow(s, t, &t->rcv, end, t->rcvbuf, t->rcv.len))
            return true;
    }
    synack_count_drop(s, SYNACK_DROP_TCP_MEM_PRESSURE);
    return false;
}

/* Linux's tcp_sndbuf_expand: room for twice what the network takes per RTT. */
static void snd_expand(synack_stack *s, synack_tcb *t)
{
    if (!synack_tcb_synchronized(t) || synack_tcp_mem_pressure(s))
        return;
    uint32_t wnd = t->max_sndwnd > t->snd_wnd ? t->max_sndwnd : t->snd_wnd;
    uint64_t target = 2 * (uint64_t)min_u32(t->cc.cwnd, wnd);
    if (target > t->sndbuf)
        target = t->sndbuf;
    if (target > t->snd.limit)
        t->snd.limit = (uint32_t)target;
}

/*
 * Size the send ring may grow to now (>= cap). Send rings grow only below
 * the pressure mark, so that a quarter of the budget stays for received
 * data (an application waits; a dropped segment costs the network a
 * retransmission); a connection without a ring may still take the
 * smallest one. The new storage must fit next to the old (moved, then
 * freed), so that an allowed growth never fails on the budget.
 */
static uint32_t snd_top(const synack_stack *s, const synack_tcb *t)
{
    uint64_t max = s->cfg.tcp.mem_max, mark = max - max / 4;
    uint64_t used = synack_tcp_priv_of(s)->mem_used;
    uint32_t cap = t->snd.cap;
    uint64_t top = used < mark ? mark - used + cap : cap;
    if (cap == 0 && top < RING_MIN)
        top = RING_MIN;
    uint64_t hard = used < max ? max - used : 0;
    if (top > hard)
        top = hard;
    if (top > t->snd.limit)
        top = t->snd.limit;
    return top > cap ? (uint32_t)top : cap;
}

bool synack_tcb_snd_writable(const synack_stack *s, const synack_tcb *t)
{
    uint32_t len = t->snd.len;
    return len < t->snd.cap || (len < t->snd.limit && snd_top(s, t) > len);
}

uint32_t synack_tcb_snd_reserve(synack_stack *s, synack_tcb *t, uint32_t want)
{
    uint32_t len = t->snd.len;
    if (len >= t->snd.limit || want > t->snd.limit - len)
        snd_expand(s, t);
    uint32_t room = t->snd.limit > len ? t->snd.limit - len : 0;
    if (want > room)
        want = room;
    if (want == 0)
        return 0;
    if (want <= t->snd.cap - len)
        return want;
    uint32_t limit = snd_top(s, t);
    if (limit <= t->snd.cap)
        return t->snd.cap - len; /* what the ring holds already */
    if (len + want > limit)
        want = limit - len;
    if (!ring_grow(s, t, &t->snd, len + want, limit, len))
        return t->snd.cap - len;
    return want;
}

/* Bytes the application has read, modulo 2^32 (the FIN is not a byte). */
static uint32_t copied_seq(const synack_tcb *t)
{
    uint32_t fin = (t->fl & SYNACK_TF_RCV_FIN) ? 1u : 0u;
    return t->rcv_nxt - fin - t->rcv.len;
}

/*
 * Start measuring once the connection has a receive ring (Linux starts at
 * the initial window: a sender in slow start doubles it each RTT, and the
 * buffer must keep ahead of that).
 */
static void tune_start(const synack_tcb *t, rcv_tune *k, uint64_t now)
{
    k->flags |= TUNE_STARTED;
    k->space = min_u32(t->rcv.limit, DRS_INIT_SEGS * (uint32_t)t->adv_mss);
    k->seq = copied_seq(t);
    k->time = (uint32_t)now;
}

void synack_tcp_rcv_rtt_sample(const synack_tcb *t, uint64_t now,
                               const synack_tcp_repr *seg, uint32_t len)
{
    rcv_tune *k = tune_of(t);
    if (!k)
        return;
    if (!(k->flags & TUNE_STARTED))
        tune_start(t, k, now);
    uint32_t m8;
    if (t->fl & SYNACK_TF_TS) {
        /* RFC 7323 4.1: TSecr is the TSval of an ACK of ours; only full
           segments, as a short one may have waited for the application */
        if (!seg->has_ts || seg->tsecr == 0 || len < t->rcv_mss)
            return;
        uint32_t d = synack_tcb_ts_now(t, now) - seg->tsecr;
        if (d > 0x7fffffffu)
            return;
        m8 = d > 600000u ? 600000u << 3 : d << 3;
        /* smoothed, gain 1/8 */
        if (k->rtt8)
            m8 = k->rtt8 + (uint32_t)(((int32_t)m8 - (int32_t)k->rtt8) / 8);
    } else {
        /* without timestamps: the time to receive the window we offered
           (an upper bound, so the smallest sample is kept) */
        bool timing = (k->flags & TUNE_TIMING) != 0;
        if (timing && synack_seq_lt(t->rcv_nxt, k->rtt_seq))
            return;
        m8 = k->rtt8;
        if (timing) {
            uint32_t d = (uint32_t)now - k->rtt_time;
            uint32_t d8 = d > 600000u ? 600000u << 3 : d << 3;
            if (m8 == 0 || d8 < m8)
                m8 = d8;
        }
        uint32_t wnd = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
        k->rtt_seq = t->rcv_nxt + (wnd ? wnd : 1);
        k->rtt_time = (uint32_t)now;
        k->flags |= TUNE_TIMING;
        if (!timing)
            return; /* timing started, no sample yet */
    }
    k->rtt8 = m8 ? m8 : 1; /* 0 means "none" */
}

void synack_tcp_rcv_space_adjust(synack_stack *s, uint64_t now, synack_tcb *t)
{
    bool pressure = synack_tcp_mem_pressure(s);
    if (pressure && t->rcv.len == 0 && t->ooo.count == 0 && t->rcv.buf) {
        /* an emptied ring goes back to the budget (the offered window
           stays; the next data finds a new ring if memory allows) */
        synack_tcb_ring_free(s, t, &t->rcv);
    }
    rcv_tune *k = tune_of(t);
    if (!k)
        return;
    uint32_t seq = copied_seq(t);
    if (!(k->flags & TUNE_STARTED)) {
        tune_start(t, k, now);
        return;
    }
    if (k->rtt8 == 0)
        return;
    uint32_t rtt = k->rtt8 >> 3;
    if ((uint32_t)now - k->time < (rtt ? rtt : 1))
        return;
    uint32_t copied = seq - k->seq;
    if (copied > k->space) {
        /* Linux tcp_rcv_space_adjust: twice a round's reading plus 16
           segments, plus twice the growth over the last round (the
           sender may be in slow start) */
        uint64_t win = 2 * (uint64_t)copied + 16u * (uint64_t)t->adv_mss;
        uint32_t base = k->space ? k->space : 1;
        uint64_t grow = win * (copied - k->space) / base;
        win += grow > win * 4 ? win * 8 : 2 * grow;
        if (win > t->rcvbuf)
            win = t->rcvbuf;
        if (!pressure && win > t->rcv.limit)
            t->rcv.limit = (uint32_t)win;
        k->space = copied;
    }
    k->seq = seq;
    k->time = (uint32_t)now;
}
