/*
 * The outgoing byte queue of a stream link: a ring of bytes with
 * whole-frame admission (see cli_txq.h).
 */
#include <string.h>

#include "cli_txq.h"

void synack_cli_txq_init(synack_cli_txq *q, uint8_t *buf, size_t cap)
{
    q->buf = buf;
    q->cap = cap;
    q->head = 0;
    q->len = 0;
}

static void put(synack_cli_txq *q, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    size_t tail = (q->head + q->len) % q->cap;
    size_t first = q->cap - tail < n ? q->cap - tail : n;
    memcpy(q->buf + tail, p, first);
    memcpy(q->buf, p + first, n - first);
    q->len += n;
}

int synack_cli_txq_push(synack_cli_txq *q, const uint8_t *a, size_t alen,
                        const uint8_t *b, size_t blen)
{
    if (alen + blen > q->cap - q->len)
        return -1;
    put(q, a, alen);
    put(q, b, blen);
    return 0;
}

const uint8_t *synack_cli_txq_peek(const synack_cli_txq *q, size_t *len)
{
    size_t run = q->cap - q->head;
    *len = q->len < run ? q->len : run;
    return q->buf + q->head;
}

void synack_cli_txq_consume(synack_cli_txq *q, size_t n)
{
    if (n > q->len)
        n = q->len;
    q->head = (q->head + n) % q->cap;
    q->len -= n;
    if (q->len == 0)
        q->head = 0;
}
