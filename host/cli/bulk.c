/*
 * The `send` stream (splitmix64 in counter mode: Steele, Lea and Flood,
 * "Fast splittable pseudorandom number generators", OOPSLA 2014) and the
 * send/sink JSON summary (DESIGN.md, CONTRACT: `synack` command-line tool).
 */
#include <stdio.h>

#include "bulk.h"

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void synack_cli_stream_init(synack_cli_stream *g, uint64_t seed)
{
    g->seed = seed;
    g->pos = 0;
}

void synack_cli_stream_fill(synack_cli_stream *g, uint8_t *buf, size_t len)
{
    size_t i = 0;
    /* Whole words while the position is word-aligned: one splitmix64 call
     * and eight stores each, no per-byte position arithmetic (this loop
     * was 15 % of the tool's cycles byte by byte). */
    if (g->pos % 8u == 0) {
        uint64_t n = g->pos / 8u;
        for (; len - i >= 8; i += 8, n++) {
            uint64_t w = splitmix64(g->seed + n * 0x9e3779b97f4a7c15ull);
            for (unsigned k = 0; k < 8; k++)
                buf[i + k] = (uint8_t)(w >> (8u * k));
        }
        g->pos = n * 8u;
    }
    while (i < len) {
        uint64_t word = splitmix64(g->seed + (g->pos / 8u) * 0x9e3779b97f4a7c15ull);
        unsigned at = (unsigned)(g->pos % 8u);
        while (at < 8 && i < len) {
            buf[i++] = (uint8_t)(word >> (8u * at));
            at++;
            g->pos++;
        }
    }
}

int synack_cli_summary(char *buf, size_t cap, uint64_t bytes, uint64_t ms,
                       const char sha256_hex[65], uint64_t retransmits)
{
    double seconds = (double)ms / 1000.0;
    double rate = ms > 0 ? (double)bytes * 8.0 / ((double)ms * 1000.0) : 0.0;
    int n = snprintf(buf, cap,
                     "{\"bytes\":%llu,\"seconds\":%.3f,\"mbit_per_s\":%.2f,"
                     "\"sha256\":\"%s\",\"retransmits\":%llu}",
                     (unsigned long long)bytes, seconds, rate, sha256_hex,
                     (unsigned long long)retransmits);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return n;
}
