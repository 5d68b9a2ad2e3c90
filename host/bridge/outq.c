/*
 * Bounded output ring of stream-framed frames (DESIGN.md, CONTRACT: stream
 * framing: a 4-byte big-endian length, then the frame).
 */
#include "outq.h"

#include <string.h>

#include "framing.h"

void synack_br_outq_init(synack_br_outq *q, uint8_t *buf, size_t cap)
{
    q->buf = buf;
    q->cap = cap;
    q->head = 0;
    q->len = 0;
}

/* Copy into the ring at the tail; the caller checked the space. */
static void put(synack_br_outq *q, const uint8_t *data, size_t n)
{
    size_t tail = (q->head + q->len) % q->cap;
    size_t first = q->cap - tail;
    if (first > n)
        first = n;
    memcpy(q->buf + tail, data, first);
    memcpy(q->buf, data + first, n - first);
    q->len += n;
}

bool synack_br_outq_push_raw(synack_br_outq *q, const uint8_t *data, size_t len)
{
    if (len > q->cap - q->len)
        return false;
    put(q, data, len);
    return true;
}

bool synack_br_outq_push_frame(synack_br_outq *q, const uint8_t *frame,
                               size_t len)
{
    uint8_t hdr[SYNACK_FRAME_HDR_LEN];
    if (synack_frame_header(hdr, len) < 0 ||
        len + SYNACK_FRAME_HDR_LEN > q->cap - q->len)
        return false;
    put(q, hdr, SYNACK_FRAME_HDR_LEN);
    put(q, frame, len);
    return true;
}

int synack_br_outq_peek(const synack_br_outq *q, const uint8_t *piece[2],
                        size_t piece_len[2])
{
    if (q->len == 0)
        return 0;
    size_t first = q->cap - q->head;
    if (first >= q->len) {
        piece[0] = q->buf + q->head;
        piece_len[0] = q->len;
        return 1;
    }
    piece[0] = q->buf + q->head;
    piece_len[0] = first;
    piece[1] = q->buf;
    piece_len[1] = q->len - first;
    return 2;
}

void synack_br_outq_consume(synack_br_outq *q, size_t n)
{
    if (n > q->len)
        n = q->len;
    q->head = (q->head + n) % q->cap;
    q->len -= n;
    if (q->len == 0)
        q->head = 0;
}
