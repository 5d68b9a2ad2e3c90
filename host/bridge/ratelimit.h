/*
 * Token bucket (the shaping model of RFC 2697 section 1, one bucket):
 * `rate` tokens per second flow in, at most `burst` are kept, and an event
 * of cost n passes only when n tokens are there. Time is an argument.
 */
#ifndef SYNACK_BR_RATELIMIT_H
#define SYNACK_BR_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct synack_br_bucket {
    uint64_t rate;   /* tokens per second; 0 = unlimited */
    uint64_t burst;  /* bucket depth in tokens */
    uint64_t milli;  /* tokens held, in thousandths */
    uint64_t last;   /* ms of the last refill */
} synack_br_bucket;

/* A full bucket at `now`. rate 0 disables the limit. */
void synack_br_bucket_init(synack_br_bucket *b, uint64_t rate, uint64_t burst,
                           uint64_t now);

/* Take `cost` tokens at `now`: true when they were there (and are gone). */
bool synack_br_bucket_take(synack_br_bucket *b, uint64_t cost, uint64_t now);

#endif
