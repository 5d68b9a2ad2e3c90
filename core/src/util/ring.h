/*
 * A byte ring buffer with a fixed capacity, used for TCP send and receive
 * buffers. The storage is allocated by the owner; the ring never allocates.
 * Offsets passed to peek/write_at are relative to the current read position.
 */
#ifndef SYNACK_UTIL_RING_H
#define SYNACK_UTIL_RING_H

#include <stddef.h>
#include <stdint.h>

typedef struct synack_ring {
    uint8_t *buf;
    uint32_t cap;
    uint32_t head; /* read position */
    uint32_t len;  /* bytes stored */
    uint32_t limit;/* the owner's: most it lets the ring grow to (the ring
                      functions never read or change it) */
} synack_ring;

/* Use `buf` of `cap` bytes as an empty ring. */
void synack_ring_init(synack_ring *r, uint8_t *buf, uint32_t cap);

static inline uint32_t synack_ring_len(const synack_ring *r) { return r->len; }
static inline uint32_t synack_ring_free(const synack_ring *r) { return r->cap - r->len; }

/*
 * Move the ring into new storage `nbuf` of `ncap` bytes (a ring grows or
 * shrinks by moving): the first `keep` bytes after the read position, the
 * stored bytes and any data placed beyond them with write_at, are copied
 * to the start of nbuf (keep >= len, keep <= cap and keep <= ncap). The
 * read position becomes 0. Returns the old storage for the owner to free.
 */
uint8_t *synack_ring_move(synack_ring *r, uint8_t *nbuf, uint32_t ncap, uint32_t keep);

/* Append up to n bytes; returns the number appended. */
uint32_t synack_ring_write(synack_ring *r, const void *src, uint32_t n);

/*
 * Copy n bytes to offset `off` from the read position without changing len
 * (out-of-order data placed beyond the stored bytes). Requires
 * off + n <= cap; returns n, or 0 when it does not fit.
 */
uint32_t synack_ring_write_at(synack_ring *r, uint32_t off, const void *src, uint32_t n);

/* Grow len by n bytes already placed by write_at (n <= free). */
void synack_ring_commit(synack_ring *r, uint32_t n);

/* Copy up to n bytes starting `off` bytes after the read position; returns count. */
uint32_t synack_ring_peek(const synack_ring *r, uint32_t off, void *dst, uint32_t n);

/* Discard n bytes (n <= len) from the read position. */
void synack_ring_consume(synack_ring *r, uint32_t n);

/* Read and consume up to n bytes; returns count. */
uint32_t synack_ring_read(synack_ring *r, void *dst, uint32_t n);

/*
 * Contiguous view of stored data starting `off` after the read position:
 * returns a pointer and sets *n to the contiguous length available
 * (0 when off >= len).
 */
const uint8_t *synack_ring_view(const synack_ring *r, uint32_t off, uint32_t *n);

#endif
