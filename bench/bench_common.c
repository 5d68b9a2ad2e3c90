/* Shared bench helpers; see bench.h. */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synack_libc.h"

static void *mem_alloc(void *ctx, size_t size)
{
    bench_mem *m = ctx;
    void *p = malloc(size);
    if (p == NULL)
        return NULL;
    m->in_use += size;
    m->allocs++;
    if (m->in_use > m->peak)
        m->peak = m->in_use;
    if (m->buf_size != 0 && size == m->buf_size)
        m->buf_in_use += size;
    return p;
}

static void mem_free(void *ctx, void *p, size_t size)
{
    bench_mem *m = ctx;
    if (p == NULL)
        return;
    m->in_use -= size;
    if (m->buf_size != 0 && size == m->buf_size)
        m->buf_in_use -= size;
    free(p);
}

synack_allocator bench_allocator(bench_mem *m)
{
    synack_allocator a = {mem_alloc, mem_free, m};
    return a;
}

double bench_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_cpu_seconds(void)
{
#if defined(CLOCK_PROCESS_CPUTIME_ID) && !defined(__wasi__) && !defined(__EMSCRIPTEN__)
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
#endif
    return -1.0;
}

uint64_t bench_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void bench_config(synack_config *cfg)
{
    synack_config_default(cfg);
}

synack_addr bench_peer(const bench_net *n)
{
    if (!n->ip6)
        return synack_addr_from_ip4(BENCH_IP_B);
    synack_addr a = {SYNACK_AF_IP6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};
    return a;
}

/* Until both stacks' IPv6 addresses are usable (duplicate address
 * detection, when the stack runs it, takes about a second). */
static void bench_ip6_ready(bench_net *n)
{
    uint64_t start = bench_ms();
    while (bench_ms() - start < 3000) {
        synack_ip6_addr_info ia[8], ib[8];
        size_t na = synack_get_ipv6(n->a, ia, 8), nb = synack_get_ipv6(n->b, ib, 8);
        bool ready = true;
        for (size_t k = 0; k < na && k < 8; k++)
            ready = ready && ia[k].state != SYNACK_IP6_TENTATIVE;
        for (size_t k = 0; k < nb && k < 8; k++)
            ready = ready && ib[k].state != SYNACK_IP6_TENTATIVE;
        if (ready)
            return;
        n->now = bench_ms();
        synack_poll(n->a, n->now);
        synack_poll(n->b, n->now);
        bench_net_settle(n);
    }
}

int bench_net_new(bench_net *n, const synack_config *cfg, uint32_t mtu, uint64_t now)
{
    size_t bufa = n->mem_a.buf_size, bufb = n->mem_b.buf_size;
    bool ip6 = n->ip6;
    memset(n, 0, sizeof *n);
    n->mem_a.buf_size = bufa;
    n->mem_b.buf_size = bufb;
    n->ip6 = ip6;
    n->now = now;
    int rc = synack_pair_new(&n->pair, bench_allocator(&n->mem_link), mtu,
                             SYNACK_MEDIUM_ETHERNET);
    if (rc < 0)
        return rc;
    synack_config c = *cfg;
    c.alloc = bench_allocator(&n->mem_a);
    c.link = synack_pair_link(n->pair, 0);
    c.mac = (synack_mac){{0x02, 0, 0, 0, 0, 1}};
    c.seed = 1;
    if ((rc = synack_stack_new(&n->a, &c, now)) < 0)
        return rc;
    c.alloc = bench_allocator(&n->mem_b);
    c.link = synack_pair_link(n->pair, 1);
    c.mac = (synack_mac){{0x02, 0, 0, 0, 0, 2}};
    c.seed = 2;
    if ((rc = synack_stack_new(&n->b, &c, now)) < 0)
        return rc;
    if ((rc = synack_set_ipv4(n->a, now, BENCH_IP_A, 24, 0)) < 0 ||
        (rc = synack_set_ipv4(n->b, now, BENCH_IP_B, 24, 0)) < 0)
        return rc;
    if (n->ip6) {
        synack_addr a6 = bench_peer(n);
        a6.b[15] = 1;
        synack_addr b6 = bench_peer(n);
        if ((rc = synack_add_ipv6(n->a, now, &a6, 64)) < 0 ||
            (rc = synack_add_ipv6(n->b, now, &b6, 64)) < 0)
            return rc;
        bench_ip6_ready(n);
    }
    /* resolve each other's MAC now (one ping), so no benchmark starts with
       its first packets waiting in the ARP (or NDP) queue */
    int ph = synack_ping_open(n->a);
    if (ph >= 0) {
        synack_addr peer = bench_peer(n);
        synack_ping_send(n->a, now, ph, &peer, 1, "x", 1);
        bench_net_settle(n);
        synack_ping_close(n->a, ph);
    }
    bench_net_settle(n);
    return 0;
}

void bench_net_free(bench_net *n)
{
    synack_stack_free(n->a);
    synack_stack_free(n->b);
    synack_pair_free(n->pair);
    n->a = n->b = NULL;
    n->pair = NULL;
}

void bench_net_settle(bench_net *n)
{
    synack_pair_deliver(n->pair, n->now, n->a, n->b, 0);
}

int bench_connect(bench_net *n, int lh, uint16_t port, int *ha, int *hb)
{
    int h = synack_tcp_open(n->a);
    if (h < 0)
        return h;
    synack_addr peer = bench_peer(n);
    int rc = synack_tcp_connect(n->a, n->now, h, &peer, port);
    if (rc < 0)
        return rc;
    bench_net_settle(n);
    int c = synack_tcp_accept(n->b, n->now, lh, NULL, NULL);
    if (c < 0)
        return c;
    if (!(synack_tcp_events(n->a, h) & SYNACK_EV_CONNECTED))
        return SYNACK_ERR_STATE;
    *ha = h;
    *hb = c;
    return 0;
}

const uint8_t *bench_pattern(void)
{
    static uint8_t buf[BENCH_CHUNK];
    static int ready;
    if (!ready) {
        uint32_t x = 0x12345678u;
        for (size_t i = 0; i < sizeof buf; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 24);
        }
        ready = 1;
    }
    return buf;
}

void bench_json_begin(const char *name)
{
    printf("{\"bench\":\"%s\"", name);
}

void bench_json_num(const char *key, double v)
{
    printf(",\"%s\":%.6g", key, v);
}

void bench_json_int(const char *key, uint64_t v)
{
    printf(",\"%s\":%llu", key, (unsigned long long)v);
}

void bench_json_str(const char *key, const char *v)
{
    printf(",\"%s\":\"%s\"", key, v);
}

void bench_json_end(void)
{
    printf("}\n");
    fflush(stdout);
}

double bench_opt(int argc, char **argv, const char *name, double def)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return atof(argv[i + 1]);
    return def;
}

const char *bench_opt_str(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 0; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

int bench_repeat(int argc, char **argv)
{
    int repeat = (int)bench_opt(argc, argv, "--repeat", 1);
    return repeat >= 1 && repeat <= BENCH_MAX_REPEAT ? repeat : 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return v[n / 2];
}
