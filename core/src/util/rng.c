/*
 * Pseudo-random numbers and keyed hashing.
 *
 * - xoshiro256** (Blackman and Vigna, "Scrambled linear pseudorandom number
 *   generators", 2018), seeded with splitmix64 as its authors recommend so
 *   that any 64-bit seed, 0 included, gives a non-zero state.
 * - Bounded integers by Lemire's multiply-and-reject ("Fast random integer
 *   generation in an interval", 2019): no modulo bias.
 * - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 *   2012), the keyed hash behind RFC 6528 ISNs and RFC 6056 port offsets.
 *
 * Not a cryptographic generator: unpredictability comes from the secret key
 * given to SipHash, which the stack draws from the seed or entropy callback.
 */
#include <string.h>

#include "util/rng.h"

static uint64_t rotl64(uint64_t x, unsigned k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void synack_rng_seed(synack_rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&sm);
}

uint64_t synack_rng_next(synack_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Rejection rounds before giving up; each succeeds with probability > 1/2. */
#define RNG_BELOW_MAX_ROUNDS 64

uint32_t synack_rng_below(synack_rng *r, uint32_t bound)
{
    if (bound == 0)
        return 0;
    /*
     * Lemire: the high 32 bits of x * bound are uniform in [0, bound) once
     * the products whose low half falls below 2^32 mod bound are rejected.
     * The round cap only bounds the loop; reaching it has probability
     * below 2^-64.
     */
    uint32_t threshold = (uint32_t)(0u - bound) % bound;
    uint64_t m = 0;
    for (int i = 0; i < RNG_BELOW_MAX_ROUNDS; i++) {
        uint32_t x = (uint32_t)(synack_rng_next(r) >> 32);
        m = (uint64_t)x * bound;
        if ((uint32_t)m >= threshold)
            break;
    }
    return (uint32_t)(m >> 32);
}

void synack_rng_fill(synack_rng *r, void *buf, size_t len)
{
    uint8_t *p = (uint8_t *)buf;
    while (len > 0) {
        uint64_t v = synack_rng_next(r);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        p += n;
        len -= n;
    }
}

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* One SipRound on the four state words. */
static void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl64(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl64(v[0], 32);
    v[2] += v[3];
    v[3] = rotl64(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl64(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl64(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl64(v[2], 32);
}

static void sip_compress(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v); /* c = 2 compression rounds */
    sip_round(v);
    v[0] ^= m;
}

uint64_t synack_siphash(const uint8_t key[16], const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;
    const uint64_t k0 = load_le64(key);
    const uint64_t k1 = load_le64(key + 8);
    uint64_t v[4] = {
        k0 ^ 0x736f6d6570736575u, /* "somepseudorandomlygeneratedbytes" */
        k1 ^ 0x646f72616e646f6du,
        k0 ^ 0x6c7967656e657261u,
        k1 ^ 0x7465646279746573u,
    };

    size_t full = len / 8;
    for (size_t i = 0; i < full; i++)
        sip_compress(v, load_le64(p + 8 * i));

    /* Last block: the leftover bytes little-endian, length in the top byte. */
    uint8_t tail[8] = {0};
    if (len % 8 != 0)
        memcpy(tail, p + 8 * full, len % 8);
    uint64_t b = load_le64(tail) | ((uint64_t)(len & 0xff) << 56);
    sip_compress(v, b);

    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++) /* d = 4 finalization rounds */
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
