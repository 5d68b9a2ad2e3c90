/*
 * Shared pieces of the synack benchmarks (bench/): a counting allocator,
 * the clock, two stacks wired by a memory pair, and one-line JSON output.
 * Benchmarks measure; none of them is a pass/fail test. Each prints one
 * JSON object per result line on stdout (bench/run.sh collects them).
 */
#ifndef SYNACK_BENCH_H
#define SYNACK_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "synack_links.h"

/* Counting allocator. Blocks of exactly `buf_size` bytes are counted as
   socket buffers too, so per-connection state can be told apart from them. */
typedef struct bench_mem {
    size_t in_use, peak, allocs;
    size_t buf_size, buf_in_use;
} bench_mem;

synack_allocator bench_allocator(bench_mem *m);

/* Monotonic wall clock. */
double bench_seconds(void);
/* CPU time of this process (seconds), or -1 where the platform has no such
 * clock (WASI, Emscripten): on a shared machine, time the others take
 * from us does not count in it, as it does in the wall clock. */
double bench_cpu_seconds(void);
uint64_t bench_ms(void);

/* Two stacks A (10.0.0.1) and B (10.0.0.2) on one memory pair. */
typedef struct bench_net {
    bench_mem mem_a, mem_b, mem_link;
    synack_pair *pair;
    synack_stack *a, *b;
    uint64_t now;
    bool ip6; /* set before bench_net_new: also fd00::1 and fd00::2, and
                 bench_connect goes over IPv6 */
} bench_net;

#define BENCH_IP_A SYNACK_IP4(10, 0, 0, 1)
#define BENCH_IP_B SYNACK_IP4(10, 0, 0, 2)
/* An IPv4 address where the API takes a `const synack_addr *` (a
 * compound literal, alive until the end of the enclosing block). */
#define BENCH_ADDR(ip) ((const synack_addr[1]){synack_addr_from_ip4(ip)})

/* B's address: IPv4, or IPv6 with n->ip6. */
synack_addr bench_peer(const bench_net *n);

/* Defaults for a bench stack: `tcp` may be edited before bench_net_new. */
void bench_config(synack_config *cfg);

/* Create both stacks with config `cfg` (alloc/link/mac/seed are set here). */
int bench_net_new(bench_net *n, const synack_config *cfg, uint32_t mtu, uint64_t now);
void bench_net_free(bench_net *n);

/* Move frames both ways until the wire is quiet. */
void bench_net_settle(bench_net *n);

/*
 * Open a connection from A to a listener `lh` on B port `port`; returns the
 * handles in *ha and *hb, or a negative error.
 */
int bench_connect(bench_net *n, int lh, uint16_t port, int *ha, int *hb);

/* A static pattern buffer for senders. */
extern const uint8_t *bench_pattern(void);
#define BENCH_CHUNK 65536u

/* JSON line output: bench_json_begin("throughput"); fields; bench_json_end(). */
void bench_json_begin(const char *name);
void bench_json_num(const char *key, double v);
void bench_json_int(const char *key, uint64_t v);
void bench_json_str(const char *key, const char *v);
void bench_json_end(void);

/* The benchmarks; argc/argv are the options after the benchmark's name. */
int bench_throughput(int argc, char **argv);
int bench_handshake(int argc, char **argv);
int bench_scale(int argc, char **argv);
int bench_lossy(int argc, char **argv);
int bench_cycles(int argc, char **argv);
int bench_datapath(int argc, char **argv);
int bench_tls(int argc, char **argv);
int bench_tls_tcp(int argc, char **argv);

/* Option lookup: "--name VALUE" in argv, else `def`. */
double bench_opt(int argc, char **argv, const char *name, double def);
const char *bench_opt_str(int argc, char **argv, const char *name, const char *def);
/* "--repeat N": how many trials to run, 1..BENCH_MAX_REPEAT (else 1). */
#define BENCH_MAX_REPEAT 99
int bench_repeat(int argc, char **argv);
/* The median of the n >= 1 values in v, which are sorted in place. */
double bench_median(double *v, int n);

#endif
