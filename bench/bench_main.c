/*
 * synack_bench: the in-process benchmarks (README.md, "Benchmarks").
 *   synack_bench throughput [--mtu N] [--seconds S] [--bytes N] [--buf N] [--repeat N]
 *   synack_bench handshake  [--seconds S] [--cycles N] [--repeat N]
 *   synack_bench scale      [--conns N] [--bytes N] [--buf N]
 *   synack_bench lossy      [--cc cubic|newreno] [--seconds S] [--loss P] ...
 *   synack_bench cycles     [--segments N]   (for callgrind)
 *   synack_bench datapath   [--seconds S] [--len N]  (checksum and memcpy)
 *   synack_bench tls        [--cipher aes|chacha] [--seconds S] [--bytes N] [--handshakes N]
 * Each prints one JSON object per line on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: synack_bench throughput|handshake|scale|lossy|cycles|datapath|tls [options]\n");
        return 2;
    }
    const char *b = argv[1];
    argc -= 2;
    argv += 2;
    if (strcmp(b, "throughput") == 0)
        return bench_throughput(argc, argv);
    if (strcmp(b, "handshake") == 0)
        return bench_handshake(argc, argv);
    if (strcmp(b, "scale") == 0)
        return bench_scale(argc, argv);
    if (strcmp(b, "lossy") == 0)
        return bench_lossy(argc, argv);
    if (strcmp(b, "cycles") == 0)
        return bench_cycles(argc, argv);
    if (strcmp(b, "datapath") == 0)
        return bench_datapath(argc, argv);
    if (strcmp(b, "tls") == 0)
        return bench_tls(argc, argv);
    fprintf(stderr, "synack_bench: unknown benchmark '%s'\n", b);
    return 2;
}
