/*
 * A client's bounded output queue: a byte ring holding whole stream-framed
 * frames (4-byte big-endian length, then the frame; DESIGN.md "stream
 * framing"). A frame goes in whole or not at all, so a slow reader loses
 * frames, never the framing. The caller gives the storage.
 */
#ifndef SYNACK_BR_OUTQ_H
#define SYNACK_BR_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct synack_br_outq {
    uint8_t *buf;
    size_t cap;
    size_t head; /* next byte to send */
    size_t len;  /* bytes queued */
} synack_br_outq;

/* An empty queue over buf[0, cap). */
void synack_br_outq_init(synack_br_outq *q, uint8_t *buf, size_t cap);

/* Queue the length prefix and the frame; false (nothing queued) when full
 * or when len is 0 or above 65535. */
bool synack_br_outq_push_frame(synack_br_outq *q, const uint8_t *frame,
                               size_t len);

/* Queue raw bytes as they are; false (nothing queued) when they don't fit. */
bool synack_br_outq_push_raw(synack_br_outq *q, const uint8_t *data, size_t len);

/*
 * The queued bytes as at most two contiguous pieces (the second is empty
 * unless the data wraps). Returns the number of pieces (0, 1 or 2).
 */
int synack_br_outq_peek(const synack_br_outq *q, const uint8_t *piece[2],
                        size_t piece_len[2]);

/* Drop n bytes (n <= len) from the front after they were sent. */
void synack_br_outq_consume(synack_br_outq *q, size_t n);

#endif
