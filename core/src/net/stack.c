/*
 * The stack value: configuration, creation, the interface address, frame
 * input (Ethernet II demultiplexing, RFC 894 / IEEE 802.3, with IPv6
 * multicast MACs, RFC 2464; or raw IP by its version nibble),
 * the poll loop over every layer's timers, counters and the services all
 * layers share (allocation, drop counting, tracing, link output).
 */
#include <string.h>

#include "net/stack.h"
#include "app/dhcp.h"
#include "app/dns.h"
#include "app/he.h"
#include "ipv4/arp.h"
#include "net/neigh.h"
#include "ipv4/icmp.h"
#include "ipv4/ipv4.h"
#include "ipv6/ipv6.h"
#include "ipv6/mld.h"
#include "ipv6/nd.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

/* Defaults documented in synack.h. Buffers: 8 MiB each way is above the
 * 6.25 MB bandwidth-delay product of 1 Gbit/s x 50 ms (window scale 8);
 * that is the most a connection may grow to: rings start small and grow
 * with the measured bandwidth-delay product (tcp_mem.c), and all of them
 * together stay within the 64 MiB budget (eight such transfers at full
 * speed, or thousands of idle connections). */
#define DEFAULT_TCP_BUF (8u * 1024u * 1024u)
#define DEFAULT_TCP_MEM (64u * 1024u * 1024u)

void synack_config_default(synack_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ttl = 64;
    cfg->neigh_cache_size = 64;
    cfg->neigh_queue_len = 16;
    cfg->arp_timeout_ms = 60000;
    cfg->arp_retry_ms = 1000;
    cfg->arp_retries = 3;
    cfg->reasm_max_bytes = 256u * 1024u;
    cfg->reasm_timeout_ms = 30000;
    cfg->reasm_max_sets = 16;
    cfg->udp_max_sockets = 64;
    cfg->udp_queue_len = 64;
    cfg->icmp_max_sockets = 16;
    cfg->icmp_errors_per_s = 100;
    cfg->verify_checksums = true;

    synack_ipv6_config *v6 = &cfg->ipv6;
    v6->enable = true;
    v6->slaac = true;
    v6->hop_limit = 64;
    v6->max_addrs = 8;
    v6->max_routers = 4;
    v6->max_prefixes = 8;
    v6->pmtu_cache_size = 32;
    v6->pmtu_timeout_ms = 600000;
    v6->dad_transmits = 1;

    synack_tcp_config *t = &cfg->tcp;
    t->sndbuf = DEFAULT_TCP_BUF;
    t->rcvbuf = DEFAULT_TCP_BUF;
    t->rto_min_ms = 200;
    t->rto_max_ms = 60000;
    t->rto_initial_ms = 1000;
    t->syn_retries = 6;
    t->data_retries = 15;
    t->msl_ms = 30000;
    t->delack_ms = 40;
    t->keepalive_idle_ms = 7200000;
    t->keepalive_intvl_ms = 75000;
    t->keepalive_count = 9;
    t->max_conns = 1024;
    t->mem_max = DEFAULT_TCP_MEM;
    t->ooo_max_segments = 64;
    t->challenge_ack_per_s = 10;
    t->cc = SYNACK_CC_CUBIC;
    t->nodelay = false;
    t->keepalive = false;
    t->sack = true;
    t->rack = true;
    t->timestamps = true;
    t->window_scaling = true;
    t->syn_cookies = true;
}

/* A zero in a size or time limit means "the default" (a zeroed config
 * with only alloc and link set still makes a working stack). */
static void config_fill_zeros(synack_config *c)
{
    synack_config d;
    synack_config_default(&d);
#define FILL(f)                                                                \
    do {                                                                       \
        if (c->f == 0)                                                         \
            c->f = d.f;                                                        \
    } while (0)
    FILL(ttl);
    FILL(neigh_cache_size);
    FILL(neigh_queue_len);
    FILL(arp_timeout_ms);
    FILL(arp_retry_ms);
    FILL(arp_retries);
    FILL(reasm_max_bytes);
    FILL(reasm_timeout_ms);
    FILL(reasm_max_sets);
    FILL(udp_max_sockets);
    FILL(udp_queue_len);
    FILL(icmp_max_sockets);
    FILL(icmp_errors_per_s);
    FILL(tcp.sndbuf);
    FILL(tcp.rcvbuf);
    FILL(tcp.rto_min_ms);
    FILL(tcp.rto_max_ms);
    FILL(tcp.rto_initial_ms);
    FILL(tcp.syn_retries);
    FILL(tcp.data_retries);
    FILL(tcp.msl_ms);
    FILL(tcp.delack_ms);
    FILL(tcp.keepalive_idle_ms);
    FILL(tcp.keepalive_intvl_ms);
    FILL(tcp.keepalive_count);
    FILL(tcp.max_conns);
    FILL(tcp.mem_max);
    FILL(tcp.ooo_max_segments);
    FILL(tcp.challenge_ack_per_s);
    FILL(ipv6.hop_limit);
    FILL(ipv6.max_addrs);
    FILL(ipv6.max_routers);
    FILL(ipv6.max_prefixes);
    FILL(ipv6.pmtu_cache_size);
    FILL(ipv6.pmtu_timeout_ms);
    FILL(ipv6.dad_transmits);
#undef FILL
}

/*
 * Retry limits above SYNACK_TCP_MAX_RETRIES are lowered to it: the TCB
 * counts retransmissions and probes in 8 bits, and 127 (Linux's bound
 * for SYN retries) at the longest RTO is already over two hours.
 */
static void config_clamp(synack_config *c)
{
    if (c->tcp.syn_retries > SYNACK_TCP_MAX_RETRIES)
        c->tcp.syn_retries = SYNACK_TCP_MAX_RETRIES;
    if (c->tcp.data_retries > SYNACK_TCP_MAX_RETRIES)
        c->tcp.data_retries = SYNACK_TCP_MAX_RETRIES;
}

static bool config_valid(const synack_config *c)
{
    if (c->alloc.alloc == NULL || c->alloc.free == NULL)
        return false;
    if (c->link.send == NULL)
        return false;
    if (c->link.mtu < 68 || c->link.mtu > 65535)
        return false;
    if (c->link.gso_max != 0 &&
        (c->link.gso_max > 65535 || c->link.send_gso == NULL))
        return false;
    if (c->link.medium != SYNACK_MEDIUM_ETHERNET &&
        c->link.medium != SYNACK_MEDIUM_IP)
        return false;
    return true;
}

static bool mac_is_zero(const synack_mac *m)
{
    for (int i = 0; i < 6; i++)
        if (m->b[i] != 0)
            return false;
    return true;
}

int synack_stack_new(synack_stack **out, const synack_config *cfg, uint64_t now)
{
    if (out == NULL || cfg == NULL)
        return SYNACK_ERR_INVAL;
    *out = NULL;
    if (!config_valid(cfg))
        return SYNACK_ERR_INVAL;

    synack_stack *s = cfg->alloc.alloc(cfg->alloc.ctx, sizeof *s);
    if (s == NULL)
        return SYNACK_ERR_NOMEM;
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    config_fill_zeros(&s->cfg);
    config_clamp(&s->cfg);
    s->now = now;

    /* Randomness: the caller's entropy source, or the seed. */
    if (cfg->random != NULL) {
        uint8_t b[8];
        cfg->random(cfg->random_ctx, b, sizeof b);
        uint64_t seed = 0;
        for (int i = 0; i < 8; i++)
            seed = seed << 8 | b[i];
        synack_rng_seed(&s->rng, seed);
        cfg->random(cfg->random_ctx, s->secret, sizeof s->secret);
    } else {
        synack_rng_seed(&s->rng, cfg->seed);
        synack_rng_fill(&s->rng, s->secret, sizeof s->secret);
    }

    /* No MAC given: a random locally administered unicast one; with a
     * stable secret one derived from it, since RFC 7217 keys the IPv6
     * identifiers with the MAC too and a new one per start would move
     * the addresses the secret is meant to keep. */
    if (s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET && mac_is_zero(&s->cfg.mac)) {
        if (s->cfg.ipv6.has_stable_secret) {
            static const uint8_t label[] = "synack stable MAC";
            uint64_t h = synack_siphash(s->cfg.ipv6.stable_secret, label, sizeof label - 1);
            for (int i = 0; i < 6; i++)
                s->cfg.mac.b[i] = (uint8_t)(h >> (8 * i));
        } else {
            synack_rng_fill(&s->rng, s->cfg.mac.b, 6);
        }
        s->cfg.mac.b[0] = (uint8_t)((s->cfg.mac.b[0] & 0xfe) | 0x02);
    }

    s->tx_cap = SYNACK_ETH_HDR_LEN + 65535;
    s->tx = synack_mem_alloc(s, s->tx_cap);
    if (s->tx == NULL)
        goto nomem;
    if (synack_neigh_init(s) != 0 || synack_ipv4_init(s) != 0 ||
        synack_icmp_init(s) != 0 || synack_ipv6_init(s) != 0 ||
        synack_nd_init(s) != 0 || synack_mld_init(s) != 0 ||
        synack_udp_init(s) != 0 || synack_tcp_init(s) != 0)
        goto nomem;
    *out = s;
    if (s->cfg.ipv6.enable)
        synack_nd_start(s, now);
    return SYNACK_OK;

nomem:
    synack_stack_free(s);
    return SYNACK_ERR_NOMEM;
}

void synack_stack_free(synack_stack *s)
{
    if (s == NULL)
        return;
    /* Each fini tolerates a layer whose init never ran (zeroed state). */
    synack_tcp_fini(s);
    synack_udp_fini(s);
    synack_mld_fini(s);
    synack_nd_fini(s);
    synack_ipv6_fini(s);
    synack_icmp_fini(s);
    synack_ipv4_fini(s);
    synack_neigh_fini(s);
    synack_mem_free(s, s->tx, s->tx_cap);
    synack_allocator a = s->cfg.alloc;
    a.free(a.ctx, s, sizeof *s);
}

int synack_set_ipv4(synack_stack *s, uint64_t now, synack_ip4 addr,
                    uint8_t prefix_len, synack_ip4 gateway)
{
    if (prefix_len > 32)
        return SYNACK_ERR_INVAL;
    if (now > s->now)
        s->now = now;
    bool changed = s->addr != addr;
    s->addr = addr;
    s->prefix_len = prefix_len;
    s->gateway = gateway;
    s->has_addr = addr != 0;
    if (s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET && s->has_addr) {
        if (changed)
            synack_neigh_flush(s, SYNACK_AF_IP4);
        synack_arp_announce(s, now);
    }
    return SYNACK_OK;
}

void synack_get_ipv4(const synack_stack *s, synack_ip4 *addr,
                     uint8_t *prefix_len, synack_ip4 *gateway)
{
    if (addr != NULL)
        *addr = s->addr;
    if (prefix_len != NULL)
        *prefix_len = s->prefix_len;
    if (gateway != NULL)
        *gateway = s->gateway;
}

synack_mac synack_get_mac(const synack_stack *s)
{
    return s->cfg.mac;
}

/* Ethernet II: accept frames to our MAC or broadcast, demux by EtherType. */
static void eth_input(synack_stack *s, uint64_t now, const uint8_t *frame,
                      size_t len)
{
    synack_eth_repr eth;
    if (synack_eth_parse(frame, len, &eth) < 0) {
        synack_count_drop(s, SYNACK_DROP_ETH_RUNT);
        return;
    }
    bool bcast = synack_mac_is_broadcast(&eth.dst);
    /* IPv6 multicast (RFC 2464 7): the IPv6 layer filters by group */
    bool mcast6 = eth.dst.b[0] == 0x33 && eth.dst.b[1] == 0x33;
    /* Not ours, or our own frame looped back by the link. */
    if ((!bcast && !mcast6 && !synack_mac_equal(&eth.dst, &s->cfg.mac)) ||
        synack_mac_equal(&eth.src, &s->cfg.mac)) {
        synack_count_drop(s, SYNACK_DROP_ETH_NOT_FOR_US);
        return;
    }
    const uint8_t *payload = frame + SYNACK_ETH_HDR_LEN;
    size_t plen = len - SYNACK_ETH_HDR_LEN;
    switch (eth.ethertype) {
    case SYNACK_ETHERTYPE_ARP:
        synack_arp_input(s, now, &eth, payload, plen);
        break;
    case SYNACK_ETHERTYPE_IPV4:
        if (mcast6) {
            synack_count_drop(s, SYNACK_DROP_ETH_NOT_FOR_US);
            break;
        }
        synack_ipv4_input_frame(s, now, payload, plen, bcast);
        break;
    case SYNACK_ETHERTYPE_IPV6:
        synack_ipv6_input(s, now, payload, plen, bcast || mcast6);
        break;
    default:
        synack_count_drop(s, SYNACK_DROP_ETH_ETHERTYPE);
        break;
    }
}

void synack_input(synack_stack *s, uint64_t now, const uint8_t *frame,
                  size_t len)
{
    if (now > s->now)
        s->now = now;
    s->cnt.frames_in++;
    s->cnt.bytes_in += len;
    if (frame == NULL)
        len = 0;
    if (s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET)
        eth_input(s, now, frame, len);
    else if (len > 0 && (frame[0] >> 4) == 6) /* raw IP: the version nibble */
        synack_ipv6_input(s, now, frame, len, false);
    else
        synack_ipv4_input_frame(s, now, frame, len, false);
}

void synack_poll(synack_stack *s, uint64_t now)
{
    if (now > s->now)
        s->now = now;
    synack_neigh_poll(s, now);
    synack_ipv4_poll(s, now);
    synack_ipv6_poll(s, now);
    synack_nd_poll(s, now);
    synack_mld_poll(s, now);
    synack_icmp_poll(s, now);
    synack_udp_poll(s, now);
    synack_tcp_poll(s, now);
    synack_dhcp_poll(s, now);
    synack_dns_poll(s, now);
    synack_he_poll(s, now);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t synack_poll_at(const synack_stack *s)
{
    uint64_t t = synack_neigh_poll_at(s);
    t = min64(t, synack_ipv4_poll_at(s));
    t = min64(t, synack_ipv6_poll_at(s));
    t = min64(t, synack_nd_poll_at(s));
    t = min64(t, synack_mld_poll_at(s));
    t = min64(t, synack_icmp_poll_at(s));
    t = min64(t, synack_udp_poll_at(s));
    t = min64(t, synack_tcp_poll_at(s));
    t = min64(t, synack_dhcp_poll_at(s));
    t = min64(t, synack_dns_poll_at(s));
    t = min64(t, synack_he_poll_at(s));
    return t;
}

uint64_t synack_drops(const synack_stack *s, synack_drop d)
{
    if ((unsigned)d >= SYNACK_DROP__COUNT)
        return 0;
    return s->drops[d];
}

void synack_get_counters(const synack_stack *s, synack_counters *out)
{
    *out = s->cnt;
}

void synack_set_trace(synack_stack *s, synack_trace_fn fn, void *ctx)
{
    s->cfg.trace = fn;
    s->cfg.trace_ctx = ctx;
}

void *synack_mem_alloc(synack_stack *s, size_t size)
{
    void *p = synack_mem_alloc_raw(s, size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

void *synack_mem_alloc_raw(synack_stack *s, size_t size)
{
    if (size == 0)
        return NULL;
    return s->cfg.alloc.alloc(s->cfg.alloc.ctx, size);
}

void synack_mem_free(synack_stack *s, void *p, size_t size)
{
    if (p != NULL)
        s->cfg.alloc.free(s->cfg.alloc.ctx, p, size);
}

void synack_count_drop(synack_stack *s, synack_drop d)
{
    if ((unsigned)d >= SYNACK_DROP__COUNT)
        return;
    s->drops[d]++;
    s->cnt.drops_total++;
    if (synack_tracing(s)) {
        synack_trace_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = SYNACK_TRACE_DROP;
        ev.conn = -1;
        ev.u.drop.layer = synack_drop_layer(d);
        ev.u.drop.reason = synack_drop_reason(d);
        synack_trace(s, &ev);
    }
}

void synack_trace(synack_stack *s, synack_trace_event *ev)
{
    if (s->cfg.trace == NULL)
        return;
    ev->t = s->now;
    s->cfg.trace(s->cfg.trace_ctx, ev);
}

int synack_link_output(synack_stack *s, const uint8_t *frame, size_t len,
                       const synack_gso *gso)
{
    bool big = gso != NULL && gso->seg != 0 && len > synack_l2_len(s) + s->cfg.link.mtu;
    int rc = big ? s->cfg.link.send_gso(s->cfg.link.ctx, frame, len, gso)
                 : s->cfg.link.send(s->cfg.link.ctx, frame, len);
    if (rc < 0) {
        synack_count_drop(s, SYNACK_DROP_LINK_SEND);
        return rc;
    }
    s->cnt.frames_out++;
    s->cnt.bytes_out += len;
    return 0;
}
