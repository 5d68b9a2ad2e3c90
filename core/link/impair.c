/*
 * Impair: wraps a link and makes it behave like a bad network, from a seed
 * of its own (so a run is reproducible): loss, duplication, corruption of
 * one byte, serialization at a given rate behind a tail-drop queue, a fixed
 * delay, uniform jitter, and reordering (a frame held back by an extra
 * 1..max(delay, 10) ms).
 *
 * Frames wait in a min-heap ordered by (due time, arrival order), bounded
 * in frames and bytes; synack_impair_poll() forwards those that are due.
 * A frame due at once (nothing held before it) is forwarded from send().
 */
#include <string.h>

#include "synack_links.h"
#include "../src/util/rng.h"

#define IMPAIR_MAX_FRAMES 65536u
#define IMPAIR_MAX_BYTES (256u * 1024u * 1024u)
#define IMPAIR_DEFAULT_QUEUE (1024u * 1024u)

typedef struct held_frame {
    uint64_t due;
    uint64_t order;
    size_t len;
    uint8_t *data;
} held_frame;

struct synack_impair {
    synack_allocator alloc;
    synack_impair_config cfg;
    synack_link inner;
    synack_rng rng;
    uint64_t now;
    double busy_until_us;  /* when the rate limiter's wire becomes free */
    held_frame *heap;
    size_t n, cap;
    size_t held_bytes;
    uint64_t order;
    synack_impair_stats st;
};

static bool chance(synack_impair *im, double p)
{
    if (!(p > 0.0))
        return false;
    if (p >= 1.0)
        return true;
    double u = (double)(synack_rng_next(&im->rng) >> 11) * (1.0 / 9007199254740992.0);
    return u < p;
}

static bool held_before(const held_frame *a, const held_frame *b)
{
    return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void heap_swap(held_frame *a, held_frame *b)
{
    held_frame t = *a;
    *a = *b;
    *b = t;
}

static bool heap_push(synack_impair *im, held_frame f)
{
    if (im->n == im->cap) {
        size_t ncap = im->cap == 0 ? 64 : im->cap * 2;
        if (ncap > IMPAIR_MAX_FRAMES)
            ncap = IMPAIR_MAX_FRAMES;
        if (ncap == im->cap)
            return false;
        held_frame *nh = im->alloc.alloc(im->alloc.ctx, ncap * sizeof *nh);
        if (nh == NULL)
            return false;
        if (im->heap != NULL) {
            memcpy(nh, im->heap, im->n * sizeof *nh);
            im->alloc.free(im->alloc.ctx, im->heap, im->cap * sizeof *nh);
        }
        im->heap = nh;
        im->cap = ncap;
    }
    size_t i = im->n++;
    im->heap[i] = f;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!held_before(&im->heap[i], &im->heap[parent]))
            break;
        heap_swap(&im->heap[i], &im->heap[parent]);
        i = parent;
    }
    return true;
}

static held_frame heap_pop(synack_impair *im)
{
    held_frame top = im->heap[0];
    im->heap[0] = im->heap[--im->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < im->n && held_before(&im->heap[l], &im->heap[m]))
            m = l;
        if (r < im->n && held_before(&im->heap[r], &im->heap[m]))
            m = r;
        if (m == i)
            break;
        heap_swap(&im->heap[i], &im->heap[m]);
        i = m;
    }
    return top;
}

static void forward_due(synack_impair *im)
{
    /* Bounded by the heap size: each pass removes one frame, and frames
     * sent meanwhile by inner.send (none for our drivers) are due later. */
    size_t budget = im->n;
    while (im->n > 0 && im->heap[0].due <= im->now && budget-- > 0) {
        held_frame f = heap_pop(im);
        im->held_bytes -= f.len;
        im->inner.send(im->inner.ctx, f.data, f.len);
        im->alloc.free(im->alloc.ctx, f.data, f.len);
    }
}

/* Departure time (ms) after serialization at the configured rate, or
 * UINT64_MAX when the rate queue is full (tail drop). */
static uint64_t serialize(synack_impair *im, size_t len)
{
    if (!(im->cfg.rate_mbit > 0.0))
        return im->now;
    double now_us = (double)im->now * 1000.0;
    double start = im->busy_until_us > now_us ? im->busy_until_us : now_us;
    /* rate in Mbit/s is bits per microsecond */
    double backlog = (start - now_us) * im->cfg.rate_mbit / 8.0;
    uint32_t qmax = im->cfg.queue_bytes != 0 ? im->cfg.queue_bytes : IMPAIR_DEFAULT_QUEUE;
    if (backlog + (double)len > (double)qmax)
        return UINT64_MAX;
    im->busy_until_us = start + (double)len * 8.0 / im->cfg.rate_mbit;
    uint64_t done_ms = (uint64_t)(im->busy_until_us / 1000.0);
    if ((double)done_ms * 1000.0 < im->busy_until_us)
        done_ms++;
    return done_ms;
}

static void hold_copy(synack_impair *im, const uint8_t *frame, size_t len)
{
    uint64_t depart = serialize(im, len);
    if (depart == UINT64_MAX || im->n >= IMPAIR_MAX_FRAMES ||
        im->held_bytes + len > IMPAIR_MAX_BYTES) {
        im->st.queue_drops++;
        return;
    }
    uint8_t *data = im->alloc.alloc(im->alloc.ctx, len);
    if (data == NULL) {
        im->st.queue_drops++;
        return;
    }
    memcpy(data, frame, len);
    if (chance(im, im->cfg.corrupt)) {
        size_t at = synack_rng_below(&im->rng, (uint32_t)len);
        data[at] ^= (uint8_t)(1 + synack_rng_below(&im->rng, 255));
        im->st.corrupted++;
    }
    uint64_t due = depart + im->cfg.delay_ms;
    if (im->cfg.jitter_ms > 0)
        due += synack_rng_below(&im->rng, im->cfg.jitter_ms + 1);
    if (chance(im, im->cfg.reorder)) {
        uint32_t span = im->cfg.delay_ms > 10 ? im->cfg.delay_ms : 10;
        due += 1 + synack_rng_below(&im->rng, span);
        im->st.reordered++;
    }
    held_frame f = {due, im->order++, len, data};
    if (!heap_push(im, f)) {
        im->alloc.free(im->alloc.ctx, data, len);
        im->st.queue_drops++;
        return;
    }
    im->held_bytes += len;
}

static int impair_send(void *ctx, const uint8_t *frame, size_t len)
{
    synack_impair *im = ctx;
    if (len == 0)
        return -1;
    im->st.frames++;
    if (chance(im, im->cfg.loss)) {
        im->st.lost++;
        return 0; /* lost on the wire: the sender cannot tell */
    }
    int copies = 1;
    if (chance(im, im->cfg.duplicate)) {
        im->st.duplicated++;
        copies = 2;
    }
    for (int i = 0; i < copies; i++)
        hold_copy(im, frame, len);
    forward_due(im);
    return 0;
}

int synack_impair_new(synack_impair **out, synack_allocator alloc,
                      const synack_impair_config *cfg, synack_link inner)
{
    if (out == NULL || cfg == NULL || alloc.alloc == NULL ||
        alloc.free == NULL || inner.send == NULL)
        return SYNACK_ERR_INVAL;
    synack_impair *im = alloc.alloc(alloc.ctx, sizeof *im);
    if (im == NULL)
        return SYNACK_ERR_NOMEM;
    memset(im, 0, sizeof *im);
    im->alloc = alloc;
    im->cfg = *cfg;
    im->inner = inner;
    synack_rng_seed(&im->rng, cfg->seed);
    *out = im;
    return SYNACK_OK;
}

void synack_impair_free(synack_impair *im)
{
    if (im == NULL)
        return;
    for (size_t i = 0; i < im->n; i++)
        im->alloc.free(im->alloc.ctx, im->heap[i].data, im->heap[i].len);
    if (im->heap != NULL)
        im->alloc.free(im->alloc.ctx, im->heap, im->cap * sizeof *im->heap);
    im->alloc.free(im->alloc.ctx, im, sizeof *im);
}

synack_link synack_impair_link(synack_impair *im)
{
    synack_link l = im->inner;
    l.send = impair_send;
    l.ctx = im;
    /* it handles frames of at most the MTU: no send offload through it */
    l.gso_max = 0;
    l.send_gso = NULL;
    return l;
}

void synack_impair_poll(synack_impair *im, uint64_t now)
{
    if (now > im->now)
        im->now = now;
    forward_due(im);
}

uint64_t synack_impair_poll_at(const synack_impair *im)
{
    return im->n > 0 ? im->heap[0].due : UINT64_MAX;
}

void synack_impair_get_stats(const synack_impair *im, synack_impair_stats *out)
{
    *out = im->st;
}
