/*
 * Seeded pseudo-random numbers (xoshiro256** seeded by splitmix64) and
 * SipHash-2-4 for keyed hashes (RFC 6528 ISNs, RFC 6056 port offsets,
 * IP IDs, SYN cookies). All state lives in the caller's struct.
 */
#ifndef SYNACK_UTIL_RNG_H
#define SYNACK_UTIL_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct synack_rng {
    uint64_t s[4];
} synack_rng;

/* Seed the generator (any seed, including 0, gives a valid state). */
void synack_rng_seed(synack_rng *r, uint64_t seed);

/* Next 64 random bits. */
uint64_t synack_rng_next(synack_rng *r);

/* Uniform value in [0, bound) (bound > 0), without modulo bias. */
uint32_t synack_rng_below(synack_rng *r, uint32_t bound);

/* Fill buf with random bytes. */
void synack_rng_fill(synack_rng *r, void *buf, size_t len);

/* SipHash-2-4 of `len` bytes with a 128-bit key. */
uint64_t synack_siphash(const uint8_t key[16], const void *data, size_t len);

#endif
