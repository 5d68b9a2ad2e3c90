/* Two stacks over a memory pair on a virtual clock; see net_fixture.h. */
#include "net_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NET_MAX_ITERATIONS 2000000u
#define NET_SETTLE_ROUNDS 1000u

static void *count_alloc(void *ctx, size_t size)
{
    net_fixture *f = ctx;
    if (f->mem_limit != 0 && f->mem_in_use + size > f->mem_limit)
        return NULL;
    void *p = malloc(size);
    if (p == NULL)
        return NULL;
    f->mem_in_use += size;
    if (f->mem_in_use > f->mem_peak)
        f->mem_peak = f->mem_in_use;
    return p;
}

static void count_free(void *ctx, void *p, size_t size)
{
    net_fixture *f = ctx;
    if (p == NULL)
        return;
    f->mem_in_use -= size;
    free(p);
}

static int tap_send(void *ctx, const uint8_t *frame, size_t len)
{
    net_tap_end *e = ctx;
    net_fixture *f = e->f;
    f->tapped[e->side]++;
    if (f->pcap != NULL) {
        synack_pcap_set_time(f->pcap, f->now);
        synack_pcap_record_in(f->pcap, frame, len);
    }
    if (f->tap != NULL && !f->tap(f->tap_ctx, f, e->side, frame, len)) {
        f->tap_dropped[e->side]++;
        return 0;
    }
    synack_link *w = &f->wire[e->side];
    return w->send(w->ctx, frame, len);
}

static int file_write(void *ctx, const void *data, size_t len)
{
    return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static int open_pcap(net_fixture *f)
{
    FILE *fp = fopen(f->opts.pcap_path, "wb");
    if (fp == NULL)
        return -1;
    f->pcap_file = fp;
    synack_link none = {.mtu = f->opts.mtu, .medium = f->opts.medium};
    return synack_pcap_new(&f->pcap, f->alloc, none, file_write, fp);
}

net_fixture_opts net_fixture_defaults(void)
{
    net_fixture_opts o;
    memset(&o, 0, sizeof o);
    o.medium = SYNACK_MEDIUM_ETHERNET;
    o.mtu = 1500;
    o.seed_a = 1;
    o.seed_b = 2;
    return o;
}

static int make_stack(net_fixture *f, int side, synack_stack **out)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.alloc = f->alloc;
    cfg.link.send = tap_send;
    cfg.link.ctx = &f->tap_end[side];
    cfg.link.mtu = f->opts.mtu;
    cfg.link.medium = f->opts.medium;
    /* IPv4 tests count frames: no IPv6 start-up traffic (link-local
     * DAD, MLD reports, router solicitations) unless a test turns it on
     * in its tune callback */
    cfg.ipv6.slaac = false;
    memset(cfg.mac.b, 0, 6);
    cfg.mac.b[0] = 0x02;
    cfg.mac.b[5] = (uint8_t)(side + 1);
    cfg.seed = side == 0 ? f->opts.seed_a : f->opts.seed_b;
    if (f->opts.tune != NULL)
        f->opts.tune(f->opts.tune_ctx, side, &cfg);
    int rc = synack_stack_new(out, &cfg, f->now);
    if (rc != 0)
        return rc;
    if (!f->opts.no_addresses) {
        synack_ip4 gw = side == 0 ? f->opts.gateway_a : f->opts.gateway_b;
        rc = synack_set_ipv4(*out, f->now, SYNACK_IP4(10, 0, 0, side + 1), 24,
                             gw);
        if (rc == 0 && f->opts.ipv6) {
            synack_addr a = net_ip6(side);
            rc = synack_add_ipv6(*out, f->now, &a, 64);
        }
    }
    return rc;
}

net_fixture *net_fixture_new(const net_fixture_opts *opts)
{
    net_fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->opts = opts != NULL ? *opts : net_fixture_defaults();
    if (f->opts.mtu == 0)
        f->opts.mtu = 1500;
    f->alloc.alloc = count_alloc;
    f->alloc.free = count_free;
    f->alloc.ctx = f;
    f->now = f->opts.start_ms;

    if (f->opts.pcap_path != NULL && open_pcap(f) != 0)
        goto fail;
    if (synack_pair_new(&f->pair, f->alloc, f->opts.mtu, f->opts.medium) != 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        f->tap_end[i].f = f;
        f->tap_end[i].side = i;
        f->wire[i] = synack_pair_link(f->pair, i);
        if (f->opts.impair[i]) {
            if (synack_impair_new(&f->imp[i], f->alloc, &f->opts.impair_cfg[i],
                                  f->wire[i]) != 0)
                goto fail;
            synack_impair_poll(f->imp[i], f->now);
            f->wire[i] = synack_impair_link(f->imp[i]);
        }
    }
    if (make_stack(f, 0, &f->a) != 0 || make_stack(f, 1, &f->b) != 0)
        goto fail;
    return f;

fail:
    net_fixture_free(f);
    return NULL;
}

size_t net_fixture_free(net_fixture *f)
{
    if (f == NULL)
        return 0;
    synack_stack_free(f->a);
    synack_stack_free(f->b);
    for (int i = 0; i < 2; i++)
        synack_impair_free(f->imp[i]);
    synack_pair_free(f->pair);
    synack_pcap_free(f->pcap);
    if (f->pcap_file != NULL)
        fclose(f->pcap_file);
    size_t leaked = f->mem_in_use;
    free(f);
    return leaked;
}

synack_stack *net_stack(net_fixture *f, int side)
{
    return side == 0 ? f->a : f->b;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t net_next_deadline(const net_fixture *f)
{
    uint64_t t = UINT64_MAX;
    if (f->a != NULL)
        t = min64(t, synack_poll_at(f->a));
    if (f->b != NULL)
        t = min64(t, synack_poll_at(f->b));
    for (int i = 0; i < 2; i++)
        if (f->imp[i] != NULL)
            t = min64(t, synack_impair_poll_at(f->imp[i]));
    return t;
}

void net_settle(net_fixture *f)
{
    for (unsigned round = 0; round < NET_SETTLE_ROUNDS; round++) {
        for (int i = 0; i < 2; i++)
            if (f->imp[i] != NULL)
                synack_impair_poll(f->imp[i], f->now);
        synack_pair_deliver(f->pair, f->now, f->a, f->b, 0);
        synack_poll(f->a, f->now);
        synack_poll(f->b, f->now);
        if (synack_pair_pending(f->pair) == 0 &&
            net_next_deadline(f) > f->now)
            return;
    }
}

bool net_run_until(net_fixture *f, net_cond_fn cond, void *ctx,
                   uint64_t max_ms)
{
    uint64_t end = f->now + max_ms;
    for (unsigned it = 0; it < NET_MAX_ITERATIONS; it++) {
        net_settle(f);
        if (cond != NULL && cond(f, ctx))
            return true;
        if (f->now >= end)
            break;
        uint64_t next = net_next_deadline(f);
        if (next <= f->now)
            next = f->now + 1; /* something keeps asking for now: step */
        f->now = next < end ? next : end;
    }
    return cond == NULL ? true : cond(f, ctx);
}

void net_run_for(net_fixture *f, uint64_t ms)
{
    net_run_until(f, NULL, NULL, ms);
}

synack_addr net_ip6(int side)
{
    synack_addr a = {SYNACK_AF_IP6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                     (uint8_t)(side + 1)}};
    return a;
}
