/*
 * synack_bench datapath [--seconds S] [--len N]: the two per-byte costs
 * of a segment on their own, so native and wasm builds can be compared
 * without the per-segment control code (README.md, "Targets"): the
 * core's Internet checksum (synack_csum_add, SIMD in wasm builds) and
 * memcpy (memory.copy in wasm builds), each over N-byte pieces (default
 * 1460, a full segment) taken from a 1 MiB buffer at moving offsets.
 * Prints {"bench":"datapath","len":N,"csum_gbyte_per_s":X,
 * "copy_gbyte_per_s":Y} (10^9 bytes per second, best of three rounds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "wire/wire.h"

#define DP_BUF (1u << 20)

typedef enum dp_kind { DP_CSUM, DP_COPY } dp_kind;

/* Bytes per second for `secs` seconds of one kind of work. */
static double dp_round(dp_kind k, const uint8_t *src, uint8_t *dst, size_t len,
                       double secs, uint64_t *sink)
{
    size_t span = DP_BUF - len - 64;
    size_t off = 0;
    uint64_t bytes = 0, acc = 0;
    double t0 = bench_seconds(), t = t0;
    while (t - t0 < secs) {
        for (int i = 0; i < 4096; i++) {
            if (k == DP_CSUM) {
                acc += synack_csum_add(0, src + off, len);
            } else {
                memcpy(dst + off, src + off, len);
                acc += dst[off];
            }
            bytes += len;
            off += len + 8;
            if (off > span)
                off = (off - span) & 63;
        }
        t = bench_seconds();
    }
    *sink += acc;
    return (double)bytes / (t - t0);
}

int bench_datapath(int argc, char **argv)
{
    double secs = bench_opt(argc, argv, "--seconds", 1.0) / 3.0;
    double lenf = bench_opt(argc, argv, "--len", 1460);
    if (lenf < 1 || lenf > 65536 || secs <= 0) {
        fprintf(stderr, "datapath: --len 1..65536, --seconds > 0\n");
        return 2;
    }
    size_t len = (size_t)lenf;
    uint8_t *src = malloc(DP_BUF), *dst = malloc(DP_BUF);
    if (src == NULL || dst == NULL) {
        free(src);
        free(dst);
        return 1;
    }
    for (size_t i = 0; i < DP_BUF; i++)
        src[i] = (uint8_t)(i * 31u + (i >> 9));
    memset(dst, 0, DP_BUF);
    uint64_t sink = 0;
    double best_csum = 0, best_copy = 0;
    for (int r = 0; r < 3; r++) {
        /* interleaved, so both see the same moments of a noisy machine */
        double c = dp_round(DP_CSUM, src, dst, len, secs / 2, &sink);
        double m = dp_round(DP_COPY, src, dst, len, secs / 2, &sink);
        if (c > best_csum)
            best_csum = c;
        if (m > best_copy)
            best_copy = m;
    }
    printf("{\"bench\":\"datapath\",\"len\":%zu,\"csum_gbyte_per_s\":%.3f,"
           "\"copy_gbyte_per_s\":%.3f,\"check\":%u}\n",
           len, best_csum / 1e9, best_copy / 1e9, (unsigned)(sink & 1u));
    free(src);
    free(dst);
    return 0;
}
