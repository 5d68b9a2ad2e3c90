/*
 * The outgoing byte queue of a stream link: when the stream cannot take a
 * frame now, its bytes wait here, so the loop never blocks on a write
 * (two tools on one pipe would deadlock, each blocked writing to the
 * other). Whole frames go in or are dropped, like a full transmit ring;
 * a frame once started is always finished, so the framing stays intact.
 */
#ifndef SYNACK_CLI_TXQ_H
#define SYNACK_CLI_TXQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct synack_cli_txq {
    uint8_t *buf; /* cap bytes, caller-owned */
    size_t cap;
    size_t head;  /* first queued byte */
    size_t len;   /* bytes queued */
} synack_cli_txq;

/* Use `cap` bytes at buf (cap must hold at least one largest frame). */
void synack_cli_txq_init(synack_cli_txq *q, uint8_t *buf, size_t cap);

/* Queue a + b (either may be empty) whole. Returns 0, or -1 when it does
 * not fit (nothing queued). */
int synack_cli_txq_push(synack_cli_txq *q, const uint8_t *a, size_t alen,
                        const uint8_t *b, size_t blen);

/* The queued bytes that are contiguous from the head: *len of them. */
const uint8_t *synack_cli_txq_peek(const synack_cli_txq *q, size_t *len);

/* Drop n bytes from the head (n at most the peeked length). */
void synack_cli_txq_consume(synack_cli_txq *q, size_t n);

#endif
