/*
 * A token bucket counted in thousandths of a token, so that a rate of
 * `per_s` tokens per second refills `per_s` milli-tokens per millisecond
 * with integers only. Used for the ICMP and ICMPv6 error limits (RFC 1812
 * 4.3.2.8, RFC 4443 2.4(f)). Internal to core/.
 */
#ifndef SYNACK_UTIL_RATE_H
#define SYNACK_UTIL_RATE_H

#include <stdbool.h>
#include <stdint.h>

typedef struct synack_rate {
    uint64_t tokens_milli; /* up to per_s * 1000 (one second's worth) */
    uint64_t time;         /* ms of the last refill */
} synack_rate;

/* A full bucket at `now`. */
static inline void synack_rate_init(synack_rate *r, uint32_t per_s, uint64_t now)
{
    r->tokens_milli = (uint64_t)per_s * 1000u;
    r->time = now;
}

/* Take one token if there is one at `now` (refilling first). */
static inline bool synack_rate_take(synack_rate *r, uint32_t per_s, uint64_t now)
{
    uint64_t cap = (uint64_t)per_s * 1000u;
    if (now > r->time) {
        uint64_t add = (now - r->time) * per_s;
        r->tokens_milli = r->tokens_milli + add > cap ? cap : r->tokens_milli + add;
        r->time = now;
    }
    if (r->tokens_milli < 1000)
        return false;
    r->tokens_milli -= 1000;
    return true;
}

#endif
