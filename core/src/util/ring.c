/*
 * Fixed-capacity byte ring for TCP send and receive buffers (the RFC 9293
 * section 3.3.1 send and receive sequence spaces map onto it: SND.UNA or
 * RCV.NXT is the read position). Out-of-order data is written beyond the
 * stored bytes with write_at and made visible with commit once the hole
 * before it is filled, so the receive path copies each byte once.
 */
#include <string.h>

#include "util/ring.h"

/*
 * Index into buf of the byte `off` past the read position (cap > 0). Every
 * caller has off <= cap and head < cap, so one conditional subtraction
 * does the wrap (no division on the per-segment path).
 */
static uint32_t ring_pos(const synack_ring *r, uint32_t off)
{
    uint64_t pos = (uint64_t)r->head + off;
    return (uint32_t)(pos >= r->cap ? pos - r->cap : pos);
}

/* Copy n bytes (n <= cap) into the ring starting at index pos, wrapping. */
static void ring_copy_in(synack_ring *r, uint32_t pos, const uint8_t *src,
                         uint32_t n)
{
    uint32_t first = r->cap - pos;
    if (first > n)
        first = n;
    memcpy(r->buf + pos, src, first);
    if (n > first)
        memcpy(r->buf, src + first, n - first);
}

void synack_ring_init(synack_ring *r, uint8_t *buf, uint32_t cap)
{
    r->buf = buf;
    r->cap = buf != NULL ? cap : 0;
    r->head = 0;
    r->len = 0;
}

uint8_t *synack_ring_move(synack_ring *r, uint8_t *nbuf, uint32_t ncap,
                          uint32_t keep)
{
    uint8_t *old = r->buf;
    if (keep > 0 && old != NULL) {
        uint32_t first = r->cap - r->head;
        if (first > keep)
            first = keep;
        memcpy(nbuf, old + r->head, first);
        if (keep > first)
            memcpy(nbuf + first, old, keep - first);
    }
    r->buf = nbuf;
    r->cap = nbuf != NULL ? ncap : 0;
    r->head = 0;
    return old;
}

uint32_t synack_ring_write(synack_ring *r, const void *src, uint32_t n)
{
    uint32_t room = synack_ring_free(r);
    if (n > room)
        n = room;
    if (n == 0)
        return 0;
    ring_copy_in(r, ring_pos(r, r->len), (const uint8_t *)src, n);
    r->len += n;
    return n;
}

uint32_t synack_ring_write_at(synack_ring *r, uint32_t off, const void *src,
                              uint32_t n)
{
    if ((uint64_t)off + n > r->cap)
        return 0;
    if (n == 0)
        return 0;
    ring_copy_in(r, ring_pos(r, off), (const uint8_t *)src, n);
    return n;
}

void synack_ring_commit(synack_ring *r, uint32_t n)
{
    uint32_t room = synack_ring_free(r);
    r->len += n < room ? n : room;
}

uint32_t synack_ring_peek(const synack_ring *r, uint32_t off, void *dst,
                          uint32_t n)
{
    if (off >= r->len)
        return 0;
    if (n > r->len - off)
        n = r->len - off;
    uint8_t *d = (uint8_t *)dst;
    uint32_t pos = ring_pos(r, off);
    uint32_t first = r->cap - pos;
    if (first > n)
        first = n;
    memcpy(d, r->buf + pos, first);
    if (n > first)
        memcpy(d + first, r->buf, n - first);
    return n;
}

void synack_ring_consume(synack_ring *r, uint32_t n)
{
    if (n > r->len)
        n = r->len;
    if (n == 0)
        return;
    /*
     * The read position keeps moving even when the ring empties: bytes
     * placed by write_at beyond len stay where the next commit expects them.
     */
    r->head = ring_pos(r, n);
    r->len -= n;
}

uint32_t synack_ring_read(synack_ring *r, void *dst, uint32_t n)
{
    uint32_t got = synack_ring_peek(r, 0, dst, n);
    synack_ring_consume(r, got);
    return got;
}

const uint8_t *synack_ring_view(const synack_ring *r, uint32_t off,
                                uint32_t *n)
{
    if (off >= r->len) {
        *n = 0;
        return r->buf;
    }
    uint32_t pos = ring_pos(r, off);
    uint32_t avail = r->len - off;
    uint32_t first = r->cap - pos;
    *n = avail < first ? avail : first;
    return r->buf + pos;
}
