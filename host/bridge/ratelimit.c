/*
 * Token bucket rate limiter (RFC 2697 section 1, a single bucket of depth
 * `burst` filled at `rate` tokens per second).
 */
#include "ratelimit.h"

/* Ten minutes of refill fills any bucket; capping keeps the product small. */
#define MAX_ELAPSED_MS 600000u

void synack_br_bucket_init(synack_br_bucket *b, uint64_t rate, uint64_t burst,
                           uint64_t now)
{
    b->rate = rate;
    b->burst = burst;
    b->milli = burst * 1000u;
    b->last = now;
}

bool synack_br_bucket_take(synack_br_bucket *b, uint64_t cost, uint64_t now)
{
    if (b->rate == 0)
        return true;
    if (now > b->last) {
        uint64_t elapsed = now - b->last;
        if (elapsed > MAX_ELAPSED_MS)
            elapsed = MAX_ELAPSED_MS;
        /* rate tokens per second is rate thousandths per millisecond. */
        b->milli += elapsed * b->rate;
        if (b->milli > b->burst * 1000u)
            b->milli = b->burst * 1000u;
        b->last = now;
    }
    if (cost * 1000u > b->milli)
        return false;
    b->milli -= cost * 1000u;
    return true;
}
