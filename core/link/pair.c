/*
 * Memory pair: a virtual wire between two stacks in one process. Each end
 * queues (copies) what its stack sends; synack_pair_deliver() moves the
 * frames into the other stack, so no stack is re-entered from its own
 * send(). The queues are bounded (PAIR_MAX_FRAMES each way).
 *
 * Frame buffers come from two pools of fixed-size slots (small ones for
 * ACK-sized frames, full ones of MTU + header) and go back to them after
 * delivery, so a steady transfer calls the allocator only while the
 * pools warm up. Free slots kept are bounded by PAIR_POOL_MAX_BYTES; the
 * rest go back to the allocator.
 */
#include <string.h>

#include "synack_links.h"

#define PAIR_MAX_FRAMES 65536u
/* Hard bound on frames moved by one deliver call with budget 0. */
#define PAIR_DELIVER_MAX 4000000u
/* Capacity of a small slot (a pure ACK with options is under 100 bytes). */
#define PAIR_SMALL_SLOT 128u
/* Bytes of free slots kept for reuse. */
#define PAIR_POOL_MAX_BYTES (8u * 1024u * 1024u)

typedef struct pair_frame {
    struct pair_frame *next;
    size_t len;
    size_t cap;
    uint8_t data[];
} pair_frame;

typedef struct pair_queue {
    pair_frame *head, *tail;
    size_t count;
} pair_queue;

typedef struct pair_end {
    synack_pair *p;
    int idx;
} pair_end;

struct synack_pair {
    synack_allocator alloc;
    uint32_t mtu;
    synack_medium medium;
    pair_end ends[2];
    pair_queue q[2]; /* q[i]: frames sent by end i */
    pair_frame *pool_small, *pool_full; /* free slots */
    size_t pool_bytes;
};

static size_t frame_max(const synack_pair *p)
{
    return (size_t)p->mtu + (p->medium == SYNACK_MEDIUM_ETHERNET ? 14u : 0u);
}

/* A slot that holds `len` bytes: from its pool, else from the allocator. */
static pair_frame *frame_get(synack_pair *p, size_t len)
{
    bool small = len <= PAIR_SMALL_SLOT;
    pair_frame **pool = small ? &p->pool_small : &p->pool_full;
    size_t cap = small ? PAIR_SMALL_SLOT : frame_max(p);
    pair_frame *f = *pool;
    if (f != NULL) {
        *pool = f->next;
        p->pool_bytes -= sizeof *f + f->cap;
        return f;
    }
    f = p->alloc.alloc(p->alloc.ctx, sizeof *f + cap);
    if (f != NULL)
        f->cap = cap;
    return f;
}

/* Give a slot back to its pool, or to the allocator when the pools are full. */
static void frame_put(synack_pair *p, pair_frame *f)
{
    size_t size = sizeof *f + f->cap;
    if (p->pool_bytes + size > PAIR_POOL_MAX_BYTES) {
        p->alloc.free(p->alloc.ctx, f, size);
        return;
    }
    pair_frame **pool = f->cap == PAIR_SMALL_SLOT ? &p->pool_small : &p->pool_full;
    f->next = *pool;
    *pool = f;
    p->pool_bytes += size;
}

static int pair_send(void *ctx, const uint8_t *frame, size_t len)
{
    pair_end *e = ctx;
    synack_pair *p = e->p;
    pair_queue *q = &p->q[e->idx];
    if (len == 0 || len > frame_max(p) || q->count >= PAIR_MAX_FRAMES)
        return -1;
    pair_frame *f = frame_get(p, len);
    if (f == NULL)
        return -1;
    f->next = NULL;
    f->len = len;
    memcpy(f->data, frame, len);
    if (q->tail != NULL)
        q->tail->next = f;
    else
        q->head = f;
    q->tail = f;
    q->count++;
    return 0;
}

int synack_pair_new(synack_pair **out, synack_allocator alloc, uint32_t mtu,
                    synack_medium medium)
{
    if (out == NULL || alloc.alloc == NULL || alloc.free == NULL ||
        mtu < 68 || mtu > 65535)
        return SYNACK_ERR_INVAL;
    synack_pair *p = alloc.alloc(alloc.ctx, sizeof *p);
    if (p == NULL)
        return SYNACK_ERR_NOMEM;
    memset(p, 0, sizeof *p);
    p->alloc = alloc;
    p->mtu = mtu;
    p->medium = medium;
    for (int i = 0; i < 2; i++) {
        p->ends[i].p = p;
        p->ends[i].idx = i;
    }
    *out = p;
    return SYNACK_OK;
}

static pair_frame *queue_pop(pair_queue *q)
{
    pair_frame *f = q->head;
    if (f == NULL)
        return NULL;
    q->head = f->next;
    if (q->head == NULL)
        q->tail = NULL;
    q->count--;
    return f;
}

static void frame_free(synack_pair *p, pair_frame *f)
{
    p->alloc.free(p->alloc.ctx, f, sizeof *f + f->cap);
}

void synack_pair_free(synack_pair *p)
{
    if (p == NULL)
        return;
    for (int i = 0; i < 2; i++) {
        pair_frame *f;
        while ((f = queue_pop(&p->q[i])) != NULL)
            frame_free(p, f);
    }
    for (int i = 0; i < 2; i++) {
        pair_frame *f = i == 0 ? p->pool_small : p->pool_full;
        while (f != NULL) {
            pair_frame *next = f->next;
            frame_free(p, f);
            f = next;
        }
    }
    p->alloc.free(p->alloc.ctx, p, sizeof *p);
}

synack_link synack_pair_link(synack_pair *p, int end)
{
    synack_link l;
    memset(&l, 0, sizeof l);
    l.send = pair_send;
    l.ctx = &p->ends[end != 0 ? 1 : 0];
    l.mtu = p->mtu;
    l.medium = p->medium;
    return l;
}

size_t synack_pair_deliver(synack_pair *p, uint64_t now, synack_stack *a,
                           synack_stack *b, size_t budget)
{
    size_t limit = budget != 0 ? budget : PAIR_DELIVER_MAX;
    size_t moved = 0;
    /* Alternate directions one frame at a time, as a full-duplex wire. */
    while (moved < limit && (p->q[0].count > 0 || p->q[1].count > 0)) {
        for (int i = 0; i < 2 && moved < limit; i++) {
            pair_frame *f = queue_pop(&p->q[i]);
            if (f == NULL)
                continue;
            synack_stack *to = i == 0 ? b : a;
            if (to != NULL)
                synack_input(to, now, f->data, f->len);
            frame_put(p, f);
            moved++;
        }
    }
    return moved;
}

size_t synack_pair_pending(const synack_pair *p)
{
    return p->q[0].count + p->q[1].count;
}
