/*
 * Neighbour Discovery for a host (RFC 4861): message validation (6.1.2,
 * 7.1.1, 7.1.2), neighbour solicitations and advertisements both ways
 * (7.2), the IPv6 resolver of the neighbour cache (7.2.2; unreachability
 * detection, 7.3, runs in net/neigh.c with this file's timers), router
 * solicitation at start (6.3.7), router advertisements (6.3.4): the
 * Default Router List with router selection (6.3.6, RFC 4191
 * preferences), the Prefix List for on-link determination, the MTU
 * option, hop limit / ReachableTime / RetransTimer; next-hop
 * determination (5.2); RDNSS (RFC 8106) into the DNS client's RA slot.
 * SLAAC and DAD are in slaac.c.
 *
 * Hostile input: every table is bounded (routers, prefixes, resolvers,
 * the neighbour entries unsolicited messages may create); what does not
 * fit is dropped and counted (ipv6/nd-routers-full, nd-prefixes-full,
 * nd-neigh-full), never by evicting state in use. Redirects are not
 * followed (counted as icmp6/unhandled).
 */
#include <string.h>

#include "app/dns.h"
#include "ipv6/ipv6.h"
#include "ipv6/mld.h"
#include "ipv6/nd.h"
#include "ipv6/slaac.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/stack.h"
#include "wire/wire_ndp.h"

/* RFC 4861 section 10 */
#define MAX_RTR_SOLICITATION_DELAY_MS 1000u
#define RTR_SOLICITATION_INTERVAL_MS 4000u
#define MAX_RTR_SOLICITATIONS 3u
#define REACHABLE_TIME_MS 30000u
#define RETRANS_TIMER_MS 1000u
/* 6.3.4: ReachableTime is re-randomised "at least every few hours" */
#define RERANDOM_MS (2u * 3600u * 1000u)
#define ND_HOP_LIMIT 255
#define MIN_REACHABLE_MS 100u
#define MIN_RETRANS_MS 10u

static const synack_addr unspecified = {SYNACK_AF_IP6, {0}};

static uint64_t life_deadline(uint64_t now, uint32_t secs)
{
    return secs == SYNACK_NDP_INFINITE ? UINT64_MAX : now + (uint64_t)secs * 1000u;
}

/* ReachableTime = BaseReachableTime x uniform [0.5, 1.5) (6.3.2). */
static void rerandomise(synack_stack *s, uint64_t now)
{
    uint32_t base = s->nd.base_reachable_ms;
    s->nd.reachable_ms = base / 2 + synack_rng_below(&s->rng, base > 0 ? base : 1);
    s->nd.rerandom_at = now + RERANDOM_MS;
}

int synack_nd_init(synack_stack *s)
{
    synack_nd *nd = &s->nd;
    nd->routers = synack_mem_alloc(s, sizeof *nd->routers * s->cfg.ipv6.max_routers);
    nd->prefixes = synack_mem_alloc(s, sizeof *nd->prefixes * s->cfg.ipv6.max_prefixes);
    if (nd->routers == NULL || nd->prefixes == NULL)
        return SYNACK_ERR_NOMEM;
    nd->base_reachable_ms = REACHABLE_TIME_MS;
    nd->retrans_ms = RETRANS_TIMER_MS;
    rerandomise(s, s->now);
    return SYNACK_OK;
}

void synack_nd_fini(synack_stack *s)
{
    synack_nd *nd = &s->nd;
    synack_mem_free(s, nd->routers, sizeof *nd->routers * s->cfg.ipv6.max_routers);
    synack_mem_free(s, nd->prefixes, sizeof *nd->prefixes * s->cfg.ipv6.max_prefixes);
    nd->routers = NULL;
    nd->prefixes = NULL;
}

static bool on_ethernet(const synack_stack *s)
{
    return s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET;
}

void synack_nd_start(synack_stack *s, uint64_t now)
{
    s->nd.started = true;
    if (!on_ethernet(s) || !s->cfg.ipv6.slaac)
        return;
    synack_slaac_start(s, now);
}

uint32_t synack_nd_reachable_ms(const synack_stack *s)
{
    return s->nd.reachable_ms ? s->nd.reachable_ms : REACHABLE_TIME_MS;
}

uint32_t synack_nd_retrans_ms(const synack_stack *s)
{
    return s->nd.retrans_ms ? s->nd.retrans_ms : RETRANS_TIMER_MS;
}

uint32_t synack_nd_link_mtu(const synack_stack *s)
{
    return s->nd.link_mtu ? s->nd.link_mtu : s->cfg.link.mtu;
}

/* ---- sending ------------------------------------------------------------------ */

/* Send an NDP message with hop limit 255 (RFC 4861: every receiver checks
 * it, so it cannot come from off-link). */
static int nd_send(synack_stack *s, uint64_t now, const synack_ndp_repr *r,
                   const synack_addr *src, const synack_addr *dst, const synack_mac *dst_mac)
{
    size_t cap;
    uint8_t *buf = synack_ipv6_tx_buf(s, &cap);
    size_t n = synack_ndp_len(r);
    if (buf == NULL || n > cap)
        return SYNACK_ERR_NOMEM;
    synack_ndp_emit(r, buf, 0);
    buf[2] = buf[3] = 0; /* the IPv6 output sums over the final addresses */
    synack_ip6_out o;
    memset(&o, 0, sizeof o);
    o.src = src;
    o.dst = dst;
    o.next = SYNACK_IPPROTO_ICMPV6;
    o.hop_limit = ND_HOP_LIMIT;
    o.dst_mac = dst_mac;
    return synack_ipv6_output(s, now, &o, n);
}

/* Our link-local address once DAD has passed (RFC 4861 6.3.7 / RFC 3810
 * 5.2.13 use it as the source), or false. */
bool synack_nd_linklocal(const synack_stack *s, synack_addr *out)
{
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family == SYNACK_AF_IP6 && synack_ip6_is_linklocal(&a->addr) &&
            (a->state == SYNACK_IP6_PREFERRED || a->state == SYNACK_IP6_DEPRECATED)) {
            if (out != NULL)
                *out = a->addr;
            return true;
        }
    }
    return false;
}

void synack_nd_solicit(synack_stack *s, const synack_addr *target)
{
    if (!on_ethernet(s))
        return;
    synack_addr src;
    /* 7.2.2: a source of ours, chosen for the target (a link-local
     * target gets our link-local one) */
    if (synack_ipv6_select_source(s, target, &src) != SYNACK_OK)
        return;
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_NS;
    r.target = *target;
    r.has_slla = true;
    r.slla = s->cfg.mac;
    /* 7.3.3: a probe of an entry we still hold goes unicast to it;
     * resolution goes to the target's solicited-node group */
    const synack_neigh_entry *e = synack_neigh_find(s, target);
    if (e != NULL && e->state == SYNACK_NEIGH_REFRESHING) {
        nd_send(s, s->now, &r, &src, target, &e->mac);
        return;
    }
    synack_addr group = synack_ip6_solicited_node(target);
    nd_send(s, s->now, &r, &src, &group, NULL);
}

/* A DAD probe (RFC 4862 5.4.2): from ::, to the solicited-node group, no
 * source link-layer address. */
void synack_nd_send_dad(synack_stack *s, uint64_t now, const synack_addr *target)
{
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_NS;
    r.target = *target;
    synack_addr group = synack_ip6_solicited_node(target);
    nd_send(s, now, &r, &unspecified, &group, NULL);
}

static void send_rs(synack_stack *s, uint64_t now)
{
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RS;
    synack_addr ll;
    bool have = synack_nd_linklocal(s, &ll);
    /* 6.3.7 / 4.1: with the unspecified source, no SLLA */
    r.has_slla = have;
    r.slla = s->cfg.mac;
    synack_addr dst = synack_ndp_all_routers();
    nd_send(s, now, &r, have ? &ll : &unspecified, &dst, NULL);
}

void synack_nd_linklocal_ready(synack_stack *s, uint64_t now)
{
    /* 6.3.7: the first solicitation after a random delay */
    if (!s->nd.ra_heard && s->nd.rs_sent == 0 && s->nd.rs_at == 0)
        s->nd.rs_at = now + 1 + synack_rng_below(&s->rng, MAX_RTR_SOLICITATION_DELAY_MS);
}

/* ---- the neighbour cache: what NDP messages teach it ----------------------------- */

/* How learn() may create an entry. */
enum { LEARN_UPDATE, LEARN_WEAK, LEARN_ROUTER };

/* 7.2.3 / 6.3.4: a neighbour spoke with its link-layer address. A new
 * entry (unless LEARN_UPDATE) or a changed address is STALE; an entry
 * waiting for resolution gets the address and sends what waited. An
 * unsolicited solicitation creates an entry only in a free or itself
 * unsolicited, unused slot (synack_neigh_add_weak), never evicting one in
 * use; a router of the (bounded) Default Router List gets a full entry. */
static void learn(synack_stack *s, uint64_t now, const synack_addr *addr,
                  const synack_mac *mac, int how)
{
    synack_neigh_entry *e = synack_neigh_find(s, addr);
    if (e == NULL) {
        if (how == LEARN_UPDATE)
            return;
        e = how == LEARN_ROUTER ? synack_neigh_add(s, now, addr)
                                : synack_neigh_add_weak(s, now, addr);
        if (e == NULL) {
            synack_count_drop(s, SYNACK_DROP_ND_TABLE_FULL);
            return;
        }
        synack_neigh_resolved(s, now, e, mac, true);
        return;
    }
    if (e->state == SYNACK_NEIGH_PENDING) {
        synack_neigh_resolved(s, now, e, mac, true);
        return;
    }
    if (!synack_mac_equal(&e->mac, mac)) {
        e->mac = *mac;
        synack_neigh_stale(s, now, e);
    }
}

/* ---- routers, prefixes, resolvers ---------------------------------------------- */

static synack_nd_router *router_find(const synack_stack *s, const synack_addr *addr)
{
    for (uint32_t i = 0; s->nd.routers != NULL && i < s->cfg.ipv6.max_routers; i++) {
        synack_nd_router *r = &s->nd.routers[i];
        if (r->addr.family != 0 && synack_addr_same(&r->addr, addr))
            return r;
    }
    return NULL;
}

/* A `router` trace event for r (added: with its lifetime). */
static void trace_router(synack_stack *s, const synack_nd_router *r, bool added,
                         uint32_t lifetime_s)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_ROUTER;
    ev.conn = -1;
    ev.u.router.addr = r->addr;
    ev.u.router.added = added;
    ev.u.router.lifetime = added ? lifetime_s : 0;
    ev.u.router.pref = r->pref;
    synack_trace(s, &ev);
}

/* Take r off the Default Router List. */
static void router_remove(synack_stack *s, synack_nd_router *r)
{
    if (r->addr.family != 0)
        trace_router(s, r, false, 0);
    memset(r, 0, sizeof *r);
}

static void router_update(synack_stack *s, uint64_t now, const synack_addr *addr,
                          uint16_t lifetime_s, int8_t pref)
{
    synack_nd_router *r = router_find(s, addr);
    if (lifetime_s == 0) { /* 6.3.4: no longer a default router */
        if (r != NULL)
            router_remove(s, r);
        return;
    }
    bool added = r == NULL;
    if (r == NULL) {
        /* a free slot, else one NUD gave up on; never a working one */
        for (uint32_t i = 0; i < s->cfg.ipv6.max_routers; i++) {
            synack_nd_router *c = &s->nd.routers[i];
            if (c->addr.family == 0 || c->expires <= now) {
                r = c;
                break;
            }
            if (c->unreach_at != 0 && (r == NULL || c->unreach_at < r->unreach_at))
                r = c;
        }
        if (r == NULL) {
            synack_count_drop(s, SYNACK_DROP_ND_ROUTERS_FULL);
            return;
        }
        router_remove(s, r); /* an expired one, or one NUD gave up on */
        r->addr = *addr;
    }
    r->expires = now + (uint64_t)lifetime_s * 1000u;
    r->pref = pref;
    r->unreach_at = 0;
    if (added)
        trace_router(s, r, true, lifetime_s);
}

static synack_nd_prefix *prefix_find(const synack_stack *s, const synack_addr *p, uint8_t len)
{
    for (uint32_t i = 0; s->nd.prefixes != NULL && i < s->cfg.ipv6.max_prefixes; i++) {
        synack_nd_prefix *e = &s->nd.prefixes[i];
        if (e->prefix.family != 0 && e->len == len && synack_ip6_prefix_match(&e->prefix, p, len))
            return e;
    }
    return NULL;
}

/* 6.3.4: the on-link flag of a Prefix Information option. */
static void prefix_update(synack_stack *s, uint64_t now, const synack_ndp_prefix *p)
{
    if (!p->onlink || synack_ip6_is_linklocal(&p->prefix))
        return;
    synack_nd_prefix *e = prefix_find(s, &p->prefix, p->len);
    if (p->valid_s == 0) { /* time it out at once */
        if (e != NULL)
            memset(e, 0, sizeof *e);
        return;
    }
    if (e == NULL) {
        for (uint32_t i = 0; i < s->cfg.ipv6.max_prefixes; i++) {
            synack_nd_prefix *c = &s->nd.prefixes[i];
            if (c->prefix.family == 0 || c->expires <= now) {
                e = c;
                break;
            }
        }
        if (e == NULL) {
            synack_count_drop(s, SYNACK_DROP_ND_PREFIXES_FULL);
            return;
        }
        memset(e, 0, sizeof *e);
        e->prefix = p->prefix;
        /* keep only the prefix's bits: lookups compare len bits anyway */
        e->len = p->len;
    }
    e->expires = life_deadline(now, p->valid_s);
}

/* Offer the DNS client the preferred resolver: the newest advertised,
 * the first of its option among equals (RFC 8106 5.3.1). */
static void rdnss_offer(synack_stack *s, uint64_t now)
{
    const synack_nd_rdnss *best = NULL;
    for (int i = 0; i < SYNACK_ND_MAX_RDNSS; i++) {
        const synack_nd_rdnss *d = &s->nd.rdnss[i];
        if (d->addr.family == 0 || d->expires <= now)
            continue;
        if (best == NULL || d->heard > best->heard)
            best = d;
    }
    synack_dns_offer(s, SYNACK_DNS_FROM_RA, best != NULL ? &best->addr : NULL);
}

static void rdnss_update(synack_stack *s, uint64_t now, const synack_addr *addr,
                         uint32_t lifetime_s, uint64_t heard)
{
    if (synack_ip6_is_multicast(addr) || synack_ip6_is_unspecified(addr) ||
        synack_ip6_is_loopback(addr))
        return;
    synack_nd_rdnss *d = NULL;
    for (int i = 0; i < SYNACK_ND_MAX_RDNSS; i++)
        if (s->nd.rdnss[i].addr.family != 0 && synack_addr_same(&s->nd.rdnss[i].addr, addr))
            d = &s->nd.rdnss[i];
    if (lifetime_s == 0) { /* RFC 8106 5.1: lifetime 0 withdraws it */
        if (d != NULL)
            memset(d, 0, sizeof *d);
        return;
    }
    if (d == NULL) {
        /* a free slot, else the one heard longest ago: the newest
         * advertisement wins (RFC 8106 5.3.1), and the list stays at
         * SYNACK_ND_MAX_RDNSS whatever a flood brings */
        for (int i = 0; i < SYNACK_ND_MAX_RDNSS; i++) {
            synack_nd_rdnss *c = &s->nd.rdnss[i];
            if (c->addr.family == 0 || c->expires <= now) {
                d = c;
                break;
            }
            if (d == NULL || c->heard < d->heard)
                d = c;
        }
        memset(d, 0, sizeof *d);
        d->addr = *addr;
    }
    d->expires = life_deadline(now, lifetime_s);
    d->heard = heard;
}

/* ---- input ------------------------------------------------------------------------ */

static void ra_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const synack_ndp_repr *r)
{
    /* 6.1.2: from a link-local address */
    if (!synack_ip6_is_linklocal(&m->src)) {
        synack_count_drop(s, SYNACK_DROP_ND_MALFORMED);
        return;
    }
    s->nd.ra_heard = true;
    s->nd.rs_at = 0;
    /* 6.3.4: the parameters a router sets */
    if (r->cur_hop_limit != 0)
        s->ip6.cur_hop_limit = r->cur_hop_limit;
    /* floors as Linux keeps them (100 ms, 10 ms): a hostile RA of 1 ms
     * would otherwise make every resolution give up at once */
    uint32_t reach = r->reachable_ms < MIN_REACHABLE_MS ? MIN_REACHABLE_MS : r->reachable_ms;
    if (r->reachable_ms != 0 && reach != s->nd.base_reachable_ms &&
        reach <= 3600000u) { /* MAX_REACHABLE_TIME */
        s->nd.base_reachable_ms = reach;
        rerandomise(s, now);
    }
    if (r->retrans_ms != 0)
        s->nd.retrans_ms = r->retrans_ms < MIN_RETRANS_MS ? MIN_RETRANS_MS : r->retrans_ms;
    if (r->has_mtu && r->mtu >= SYNACK_IP6_MIN_MTU && r->mtu <= s->cfg.link.mtu)
        s->nd.link_mtu = r->mtu;
    /* RFC 4191 2.2: a lifetime of 0 carries no preference */
    router_update(s, now, &m->src, r->router_lifetime, r->preference);
    if (r->has_slla)
        learn(s, now, &m->src, &r->slla,
              router_find(s, &m->src) != NULL ? LEARN_ROUTER : LEARN_UPDATE);

    synack_ndp_opt_iter it = synack_ndp_opts(r);
    synack_ndp_opt o;
    bool dns = false;
    uint64_t order = 0;
    while (synack_ndp_opt_next(&it, &o)) {
        if (o.type == SYNACK_NDP_OPT_PREFIX) {
            prefix_update(s, now, &o.prefix);
            synack_slaac_prefix(s, now, &o.prefix);
        } else if (o.type == SYNACK_NDP_OPT_RDNSS) {
            /* the first address of the first option is the most
             * preferred: later ones count as heard a little earlier */
            for (size_t i = 0; i < o.count && i < SYNACK_ND_MAX_RDNSS; i++) {
                synack_addr a = synack_ndp_rdnss_addr(&o, i);
                rdnss_update(s, now, &a, o.lifetime_s, now * 16u + 15u - order);
                if (order < 15)
                    order++;
            }
            dns = true;
        }
        /* DNSSL (RFC 8106 5.2): parsed and checked; the DNS client has no
         * search list to put it in */
    }
    if (dns)
        rdnss_offer(s, now);
}

static void ns_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const synack_ndp_repr *r)
{
    bool from_dad = synack_ip6_is_unspecified(&m->src);
    synack_addr sn = synack_ip6_solicited_node(&r->target);
    /* 7.1.1: the target is not multicast; a DAD probe goes to the
     * solicited-node group and carries no SLLA */
    if (synack_ip6_is_multicast(&r->target) ||
        (from_dad && (r->has_slla || !synack_addr_same(&m->dst, &sn))) ||
        synack_ip6_is_multicast(&m->src)) {
        synack_count_drop(s, SYNACK_DROP_ND_MALFORMED);
        return;
    }
    synack_ip6_ifaddr *a = synack_ip6_addr_find(s, &r->target);
    if (a == NULL || a->state == SYNACK_IP6_DUPLICATE) {
        synack_count_drop(s, SYNACK_DROP_IPV6_NOT_FOR_US);
        return;
    }
    if (a->state == SYNACK_IP6_TENTATIVE) {
        /* RFC 4862 5.4.3: another node's probe for our tentative address
         * means it is a duplicate; a solicitation from an address is not
         * answered while tentative */
        if (from_dad)
            synack_slaac_dad_conflict(s, now, a);
        return;
    }
    if (!from_dad && r->has_slla)
        learn(s, now, &m->src, &r->slla, LEARN_WEAK);
    synack_ndp_repr na;
    memset(&na, 0, sizeof na);
    na.type = SYNACK_ICMP6_NA;
    na.target = r->target;
    na.override = true; /* not an anycast address (7.2.4) */
    na.has_tlla = true;
    na.tlla = s->cfg.mac;
    if (from_dad) {
        /* 7.2.4: to all-nodes, not solicited */
        synack_addr all = synack_ndp_all_nodes();
        nd_send(s, now, &na, &r->target, &all, NULL);
        return;
    }
    na.solicited = true;
    nd_send(s, now, &na, &r->target, &m->src, r->has_slla ? &r->slla : NULL);
}

static void na_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const synack_ndp_repr *r)
{
    /* 7.1.2 */
    if (synack_ip6_is_multicast(&r->target) ||
        (r->solicited && synack_ip6_is_multicast(&m->dst))) {
        synack_count_drop(s, SYNACK_DROP_ND_MALFORMED);
        return;
    }
    synack_ip6_ifaddr *a = synack_ip6_addr_find(s, &r->target);
    if (a != NULL) {
        /* RFC 4862 5.4.4: someone else holds our address */
        if (a->state == SYNACK_IP6_TENTATIVE)
            synack_slaac_dad_conflict(s, now, a);
        else
            synack_count_drop(s, SYNACK_DROP_ND_DAD_CONFLICT);
        return;
    }
    synack_neigh_entry *e = synack_neigh_find(s, &r->target);
    if (e == NULL) { /* 7.2.5: no entry, nothing to learn */
        synack_count_drop(s, SYNACK_DROP_ND_UNSOLICITED);
        return;
    }
    synack_nd_router *rt = router_find(s, &r->target);
    if (e->state == SYNACK_NEIGH_PENDING) {
        if (!r->has_tlla) {
            synack_count_drop(s, SYNACK_DROP_ND_MALFORMED);
            return;
        }
        synack_neigh_resolved(s, now, e, &r->tlla, !r->solicited);
    } else {
        bool differs = r->has_tlla && !synack_mac_equal(&r->tlla, &e->mac);
        if (!r->override && differs) {
            /* 7.2.5: keep the address we have; a reachable entry turns
             * stale so that it is checked */
            synack_neigh_stale(s, now, e);
            return;
        }
        if (r->has_tlla)
            e->mac = r->tlla;
        if (r->solicited)
            synack_neigh_confirm(s, now, e);
        else if (differs)
            synack_neigh_stale(s, now, e);
    }
    if (rt != NULL) {
        if (!r->router) /* 7.2.5: IsRouter went false */
            router_remove(s, rt);
        else if (r->solicited)
            rt->unreach_at = 0;
    }
    (void)m;
}

void synack_nd_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const uint8_t *msg, size_t len)
{
    if (!on_ethernet(s)) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
        return;
    }
    synack_ndp_repr r;
    /* 6.1 / 7.1: hop limit 255 (the packet was not forwarded), code 0,
     * the fixed part and every option well formed */
    if (m->hop_limit != ND_HOP_LIMIT || synack_ndp_parse(msg, len, &r) < 0 || r.code != 0) {
        synack_count_drop(s, SYNACK_DROP_ND_MALFORMED);
        return;
    }
    switch (r.type) {
    case SYNACK_ICMP6_RA:
        ra_input(s, now, m, &r);
        break;
    case SYNACK_ICMP6_NS:
        ns_input(s, now, m, &r);
        break;
    case SYNACK_ICMP6_NA:
        na_input(s, now, m, &r);
        break;
    default: /* RS (6.2.6: for routers) and Redirect (not followed) */
        synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
        break;
    }
}

/* ---- next hop (5.2) and router selection (6.3.6) ------------------------------ */

/* The router to use: not known unreachable before suspect ones, then
 * the highest preference, then the first in the list (so a working
 * router keeps being used); among routers NUD gave up on, the one that
 * failed longest ago (a round robin through them). */
static const synack_nd_router *router_pick(const synack_stack *s, uint64_t now)
{
    const synack_nd_router *best = NULL;
    for (uint32_t i = 0; s->nd.routers != NULL && i < s->cfg.ipv6.max_routers; i++) {
        const synack_nd_router *r = &s->nd.routers[i];
        if (r->addr.family == 0 || r->expires <= now)
            continue;
        if (best == NULL) {
            best = r;
            continue;
        }
        bool ok = r->unreach_at == 0, bok = best->unreach_at == 0;
        if (ok != bok) {
            if (ok)
                best = r;
            continue;
        }
        if (ok ? r->pref > best->pref : r->unreach_at < best->unreach_at)
            best = r;
    }
    return best;
}

int synack_nd_next_hop(const synack_stack *s, const synack_addr *dst,
                       synack_addr *nexthop)
{
    uint64_t now = s->now;
    /* on-link: the prefixes of configured addresses (a SLAAC address's
     * prefix is on-link only when advertised so, RFC 5942) ... */
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family == SYNACK_AF_IP6 && a->origin != SYNACK_IP6_ORIGIN_SLAAC &&
            a->prefix_len < 128 && synack_ip6_prefix_match(&a->addr, dst, a->prefix_len)) {
            *nexthop = *dst;
            return SYNACK_OK;
        }
    }
    /* ... and the Prefix List */
    for (uint32_t i = 0; s->nd.prefixes != NULL && i < s->cfg.ipv6.max_prefixes; i++) {
        const synack_nd_prefix *p = &s->nd.prefixes[i];
        if (p->prefix.family != 0 && p->expires > now &&
            synack_ip6_prefix_match(&p->prefix, dst, p->len)) {
            *nexthop = *dst;
            return SYNACK_OK;
        }
    }
    /* a router: the static gateway first, then the advertised ones */
    if (s->ip6.gateway.family == SYNACK_AF_IP6) {
        *nexthop = s->ip6.gateway;
        return SYNACK_OK;
    }
    const synack_nd_router *r = router_pick(s, now);
    if (r == NULL)
        return SYNACK_ERR_UNREACHABLE;
    *nexthop = r->addr;
    return SYNACK_OK;
}

void synack_nd_confirm(synack_stack *s, uint64_t now, const synack_addr *peer)
{
    /* The entry the last output used is almost always this peer's next
     * hop: while it has more than half its reachable time left there is
     * nothing to do, and no route to compute on each ACK. */
    const synack_neigh *n = &s->neigh;
    if (n->cache == NULL)
        return;
    const synack_neigh_entry *h = &n->cache[n->hint];
    if (h->state == SYNACK_NEIGH_RESOLVED && h->deadline > now &&
        h->deadline - now > synack_nd_reachable_ms(s) / 2 && h->addr.family == SYNACK_AF_IP6)
        return;
    synack_addr hop = *peer;
    if (!synack_ip6_is_linklocal(peer) && synack_nd_next_hop(s, peer, &hop) != SYNACK_OK)
        return;
    synack_neigh_entry *e = synack_neigh_find(s, &hop);
    if (e != NULL && e->state != SYNACK_NEIGH_PENDING)
        synack_neigh_confirm(s, now, e);
}

void synack_nd_neigh_gone(synack_stack *s, uint64_t now, const synack_addr *addr)
{
    synack_nd_router *r = router_find(s, addr);
    if (r != NULL)
        r->unreach_at = now ? now : 1;
}

size_t synack_nd_get_routers(const synack_stack *s, synack_addr *out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; s->nd.routers != NULL && i < s->cfg.ipv6.max_routers; i++) {
        const synack_nd_router *r = &s->nd.routers[i];
        if (r->addr.family == 0 || r->expires <= s->now)
            continue;
        if (n < max)
            out[n] = r->addr;
        n++;
    }
    return n;
}

/* ---- timers ---------------------------------------------------------------------- */

void synack_nd_poll(synack_stack *s, uint64_t now)
{
    synack_nd *nd = &s->nd;
    if (!nd->started)
        return;
    if (now >= nd->rerandom_at)
        rerandomise(s, now);
    if (nd->rs_at != 0 && now >= nd->rs_at) {
        if (nd->ra_heard || nd->rs_sent >= MAX_RTR_SOLICITATIONS) {
            nd->rs_at = 0;
        } else {
            send_rs(s, now);
            nd->rs_sent++;
            nd->rs_at = nd->rs_sent < MAX_RTR_SOLICITATIONS ? now + RTR_SOLICITATION_INTERVAL_MS
                                                             : 0;
        }
    }
    for (uint32_t i = 0; nd->routers != NULL && i < s->cfg.ipv6.max_routers; i++)
        if (nd->routers[i].addr.family != 0 && nd->routers[i].expires <= now)
            router_remove(s, &nd->routers[i]);
    for (uint32_t i = 0; nd->prefixes != NULL && i < s->cfg.ipv6.max_prefixes; i++)
        if (nd->prefixes[i].prefix.family != 0 && nd->prefixes[i].expires <= now)
            memset(&nd->prefixes[i], 0, sizeof nd->prefixes[i]);
    bool dns = false;
    for (int i = 0; i < SYNACK_ND_MAX_RDNSS; i++)
        if (nd->rdnss[i].addr.family != 0 && nd->rdnss[i].expires <= now) {
            memset(&nd->rdnss[i], 0, sizeof nd->rdnss[i]);
            dns = true;
        }
    if (dns)
        rdnss_offer(s, now);
    synack_slaac_poll(s, now);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t synack_nd_poll_at(const synack_stack *s)
{
    const synack_nd *nd = &s->nd;
    if (!nd->started)
        return UINT64_MAX;
    uint64_t t = nd->rs_at != 0 ? nd->rs_at : UINT64_MAX;
    for (uint32_t i = 0; nd->routers != NULL && i < s->cfg.ipv6.max_routers; i++)
        if (nd->routers[i].addr.family != 0)
            t = min64(t, nd->routers[i].expires);
    for (uint32_t i = 0; nd->prefixes != NULL && i < s->cfg.ipv6.max_prefixes; i++)
        if (nd->prefixes[i].prefix.family != 0)
            t = min64(t, nd->prefixes[i].expires);
    for (int i = 0; i < SYNACK_ND_MAX_RDNSS; i++)
        if (nd->rdnss[i].addr.family != 0)
            t = min64(t, nd->rdnss[i].expires);
    return min64(t, synack_slaac_poll_at(s));
}
