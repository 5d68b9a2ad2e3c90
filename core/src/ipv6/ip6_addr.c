/*
 * IPv6 interface addresses: the bounded table that static configuration
 * (synack_add_ipv6), the link-local address and SLAAC (nd.c) share, the
 * public configuration calls, which destinations are ours (RFC 4291
 * section 2.8: our unicast addresses, all-nodes, the solicited-node
 * groups) and source address selection (RFC 6724 section 5, simplified
 * to the rules a one-interface host needs: prefer the same scope, a
 * preferred over a deprecated address, then the longest common prefix).
 */
#include <string.h>

#include "ipv6/ipv6.h"
#include "ipv6/nd.h"
#include "ipv6/mld.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/stack.h"

bool synack_ip6_is_unspecified(const synack_addr *a)
{
    static const uint8_t zero[16] = {0};
    return memcmp(a->b, zero, 16) == 0;
}

bool synack_ip6_is_loopback(const synack_addr *a)
{
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return memcmp(a->b, one, 16) == 0;
}

synack_addr synack_ip6_solicited_node(const synack_addr *addr)
{
    synack_addr g = {SYNACK_AF_IP6,
                     {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0}};
    memcpy(g.b + 13, addr->b + 13, 3);
    return g;
}

bool synack_ip6_prefix_match(const synack_addr *a, const synack_addr *b,
                             uint8_t plen)
{
    if (plen > 128)
        plen = 128;
    size_t bytes = plen / 8;
    if (memcmp(a->b, b->b, bytes) != 0)
        return false;
    unsigned bits = plen % 8;
    if (bits == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - bits));
    return (a->b[bytes] & mask) == (b->b[bytes] & mask);
}

/* Bits a and b have in common from the start (RFC 6724 2.2). */
static unsigned common_prefix(const synack_addr *a, const synack_addr *b)
{
    unsigned n = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t x = (uint8_t)(a->b[i] ^ b->b[i]);
        if (x == 0) {
            n += 8;
            continue;
        }
        while (!(x & 0x80)) {
            n++;
            x = (uint8_t)(x << 1);
        }
        break;
    }
    return n;
}

static const synack_addr all_nodes = {
    SYNACK_AF_IP6, {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};

synack_ip6_ifaddr *synack_ip6_addr_find(const synack_stack *s,
                                        const synack_addr *addr)
{
    if (s->ip6.addrs == NULL)
        return NULL;
    for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
        synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family == SYNACK_AF_IP6 && synack_addr_same(&a->addr, addr))
            return a;
    }
    return NULL;
}

/* An `addr` trace event: a went from `from` to `to` (SYNACK_IP6_NONE: not
 * in the table). */
static void trace_addr(synack_stack *s, const synack_ip6_ifaddr *a, uint8_t from, uint8_t to)
{
    if (!synack_tracing(s) || from == to)
        return;
    synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_ADDR;
    ev.conn = -1;
    ev.u.addr.addr = a->addr;
    ev.u.addr.prefix_len = a->prefix_len;
    ev.u.addr.origin = a->origin;
    ev.u.addr.from = from;
    ev.u.addr.to = to;
    synack_trace(s, &ev);
}

void synack_ip6_addr_set_state(synack_stack *s, synack_ip6_ifaddr *a, uint8_t state)
{
    uint8_t from = a->state;
    a->state = state;
    trace_addr(s, a, from, state);
}

static uint64_t deadline(uint64_t now, uint32_t ms)
{
    return ms == UINT32_MAX ? UINT64_MAX : now + ms;
}

synack_ip6_ifaddr *synack_ip6_addr_add(synack_stack *s, uint64_t now,
                                       const synack_addr *addr, uint8_t plen,
                                       uint8_t origin, uint32_t valid_ms,
                                       uint32_t preferred_ms)
{
    if (s->ip6.addrs == NULL || synack_ip6_addr_find(s, addr) != NULL)
        return NULL;
    for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
        synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != 0)
            continue;
        memset(a, 0, sizeof *a);
        a->addr = *addr;
        a->prefix_len = plen;
        a->origin = origin;
        a->state = SYNACK_IP6_TENTATIVE;
        a->valid_until = deadline(now, valid_ms);
        a->preferred_until = deadline(now, preferred_ms);
        trace_addr(s, a, SYNACK_IP6_NONE, SYNACK_IP6_TENTATIVE);
        s->ip6.route_gen++;
        synack_nd_addr_added(s, now, a);
        return a;
    }
    return NULL;
}

void synack_ip6_addr_remove(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    trace_addr(s, a, a->state, SYNACK_IP6_NONE);
    synack_nd_addr_removed(s, now, a);
    memset(a, 0, sizeof *a);
    s->ip6.route_gen++;
}

bool synack_ipv6_is_ours(const synack_stack *s, const synack_addr *dst,
                         bool *tentative)
{
    if (tentative != NULL)
        *tentative = false;
    if (synack_ip6_is_multicast(dst)) {
        if (synack_addr_same(dst, &all_nodes))
            return true;
        /* ff02::1:ffXX:XXXX of any of our addresses, tentative ones too
           (DAD's solicitations arrive there, RFC 4862 5.4.3) */
        static const uint8_t sn[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0x01, 0xff};
        if (memcmp(dst->b, sn, 13) == 0) {
            for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
                const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
                if (a->addr.family == SYNACK_AF_IP6 &&
                    a->state != SYNACK_IP6_DUPLICATE &&
                    memcmp(a->addr.b + 13, dst->b + 13, 3) == 0)
                    return true;
            }
            return false;
        }
        return synack_mld_listening(s, dst);
    }
    const synack_ip6_ifaddr *a = synack_ip6_addr_find(s, dst);
    if (a == NULL || a->state == SYNACK_IP6_DUPLICATE)
        return false;
    if (a->state == SYNACK_IP6_TENTATIVE && tentative != NULL)
        *tentative = true;
    return true;
}

/* 2: link-local (and link-scope multicast), 14: global; enough for the
 * "same scope" rule (RFC 6724 5 rule 2) of one interface. */
static int scope_of(const synack_addr *a)
{
    if (synack_ip6_is_multicast(a))
        return a->b[1] & 0x0f;
    return synack_ip6_is_linklocal(a) ? 2 : 14;
}

int synack_ipv6_select_source(const synack_stack *s, const synack_addr *dst,
                              synack_addr *src)
{
    const synack_ip6_ifaddr *best = NULL;
    int dscope = scope_of(dst);
    int best_rank = -1;
    unsigned best_len = 0;
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6 ||
            (a->state != SYNACK_IP6_PREFERRED && a->state != SYNACK_IP6_DEPRECATED))
            continue;
        if (synack_addr_same(&a->addr, dst)) { /* rule 1 */
            best = a;
            break;
        }
        int sc = scope_of(&a->addr);
        /* rank: same scope (rule 2: else a larger one), then preferred
           (rule 3) */
        int rank = (sc == dscope ? 4 : sc > dscope ? 2 : 0) +
                   (a->state == SYNACK_IP6_PREFERRED ? 1 : 0);
        unsigned len = common_prefix(&a->addr, dst); /* rule 8 */
        if (rank > best_rank || (rank == best_rank && len > best_len)) {
            best = a;
            best_rank = rank;
            best_len = len;
        }
    }
    if (best == NULL)
        return SYNACK_ERR_UNREACHABLE;
    if (src != NULL)
        *src = best->addr;
    return SYNACK_OK;
}

/* ---- public configuration ------------------------------------------------ */

int synack_add_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr,
                    uint8_t prefix_len)
{
    if (now > s->now)
        s->now = now;
    if (!s->cfg.ipv6.enable || addr == NULL || addr->family != SYNACK_AF_IP6 ||
        prefix_len == 0 || prefix_len > 128 || synack_ip6_is_multicast(addr) ||
        synack_ip6_is_unspecified(addr) || synack_ip6_is_loopback(addr))
        return SYNACK_ERR_INVAL;
    if (synack_ip6_addr_find(s, addr) != NULL)
        return SYNACK_ERR_ADDRINUSE;
    if (synack_ip6_addr_add(s, now, addr, prefix_len, SYNACK_IP6_ORIGIN_STATIC,
                            UINT32_MAX, UINT32_MAX) == NULL)
        return SYNACK_ERR_NOMEM;
    return SYNACK_OK;
}

int synack_del_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr)
{
    if (now > s->now)
        s->now = now;
    synack_ip6_ifaddr *a = addr != NULL ? synack_ip6_addr_find(s, addr) : NULL;
    if (a == NULL)
        return SYNACK_ERR_NOTFOUND;
    synack_ip6_addr_remove(s, now, a);
    return SYNACK_OK;
}

int synack_set_gateway6(synack_stack *s, uint64_t now, const synack_addr *gw)
{
    if (now > s->now)
        s->now = now;
    s->ip6.route_gen++;
    if (gw == NULL || gw->family == 0) {
        memset(&s->ip6.gateway, 0, sizeof s->ip6.gateway);
        return SYNACK_OK;
    }
    if (!s->cfg.ipv6.enable || gw->family != SYNACK_AF_IP6 ||
        synack_ip6_is_multicast(gw) || synack_ip6_is_unspecified(gw) ||
        synack_ip6_is_loopback(gw))
        return SYNACK_ERR_INVAL;
    s->ip6.gateway = *gw;
    return SYNACK_OK;
}

synack_addr synack_get_gateway6(const synack_stack *s)
{
    return s->ip6.gateway;
}

size_t synack_get_ipv6(const synack_stack *s, synack_ip6_addr_info *out,
                       size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6)
            continue;
        if (out != NULL && n < max) {
            synack_ip6_addr_info *o = &out[n];
            memset(o, 0, sizeof *o);
            o->addr = a->addr;
            o->prefix_len = a->prefix_len;
            o->origin = a->origin;
            o->state = a->state;
            o->valid_until = a->valid_until;
            o->preferred_until = a->preferred_until;
        }
        n++;
    }
    return n;
}
