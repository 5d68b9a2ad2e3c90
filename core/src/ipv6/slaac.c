/*
 * Stateless address autoconfiguration (RFC 4862): the link-local address
 * at start (5.3), duplicate address detection (5.4: DupAddrDetectTransmits
 * probes RetransTimer apart after a random delay; a probe or an
 * advertisement for the tentative address makes it a duplicate, which is
 * never used), addresses from advertised /64 prefixes (5.5.3) with their
 * preferred and valid lifetimes, the two-hour rule (5.5.3(e)) and
 * deprecation (5.5.4). Identifiers are RFC 7217's (slaac_iid.c); after a
 * duplicate the next DAD counter is tried, SYNACK_SLAAC_IDGEN_RETRIES times
 * (RFC 7217 section 6).
 */
#include <string.h>

#include "ipv6/ipv6.h"
#include "ipv6/mld.h"
#include "ipv6/nd.h"
#include "ipv6/slaac.h"
#include "ipv6/slaac_iid.h"
#include "net/addr.h"
#include "net/stack.h"

/* RFC 4861 section 10: the random delay before the first probe */
#define MAX_RTR_SOLICITATION_DELAY_MS 1000u
/* RFC 4862 5.5.3(e) */
#define TWO_HOURS_MS (2u * 3600u * 1000u)

static uint64_t life_deadline(uint64_t now, uint32_t secs)
{
    return secs == SYNACK_NDP_INFINITE ? UINT64_MAX : now + (uint64_t)secs * 1000u;
}

static void settle(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    a->dad_at = 0;
    synack_ip6_addr_set_state(s, a, a->preferred_until > now ? SYNACK_IP6_PREFERRED
                                                             : SYNACK_IP6_DEPRECATED);
    if (a->origin == SYNACK_IP6_ORIGIN_LINKLOCAL)
        synack_nd_linklocal_ready(s, now);
}

void synack_nd_addr_added(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    a->dad_sent = 0;
    if (s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET) {
        settle(s, now, a); /* no neighbours to ask */
        return;
    }
    /* join the solicited-node group before probing (RFC 4862 5.4.2) */
    synack_mld_sync(s, now, NULL);
    if (s->cfg.ipv6.dad_transmits == 0) {
        settle(s, now, a);
        return;
    }
    synack_ip6_addr_set_state(s, a, SYNACK_IP6_TENTATIVE);
    /* 5.4.2: the first message after the interface starts (the
     * link-local address's probe) waits a random delay, so that hosts
     * starting together do not probe together; later addresses probe at
     * once (after the report joining their group) */
    a->dad_at = now + 1;
    if (a->origin == SYNACK_IP6_ORIGIN_LINKLOCAL)
        a->dad_at += synack_rng_below(&s->rng, MAX_RTR_SOLICITATION_DELAY_MS);
}

void synack_nd_addr_removed(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    synack_mld_sync(s, now, a);
}

const uint8_t *synack_slaac_key(const synack_stack *s)
{
    return s->cfg.ipv6.has_stable_secret ? s->cfg.ipv6.stable_secret : s->secret;
}

/* Add prefix/64 + RFC 7217 identifier with `counter`, with lifetimes as
 * stack times (the table's add takes 32-bit milliseconds). */
static synack_ip6_ifaddr *add_address(synack_stack *s, uint64_t now, const synack_addr *prefix,
                                      uint8_t origin, uint8_t counter, uint64_t valid_until,
                                      uint64_t preferred_until)
{
    synack_addr addr = synack_slaac_address(synack_slaac_key(s), prefix, &s->cfg.mac, counter);
    if (addr.family != SYNACK_AF_IP6)
        return NULL;
    if (synack_ip6_addr_find(s, &addr) != NULL)
        return NULL;
    synack_ip6_ifaddr *a = synack_ip6_addr_add(s, now, &addr, 64, origin, UINT32_MAX, UINT32_MAX);
    if (a == NULL) {
        synack_count_drop(s, SYNACK_DROP_ND_ADDRS_FULL);
        return NULL;
    }
    a->valid_until = valid_until;
    a->preferred_until = preferred_until;
    return a;
}

void synack_slaac_start(synack_stack *s, uint64_t now)
{
    static const synack_addr ll = {SYNACK_AF_IP6, {0xfe, 0x80}};
    add_address(s, now, &ll, SYNACK_IP6_ORIGIN_LINKLOCAL, 0, UINT64_MAX, UINT64_MAX);
}

/* Addresses of `origin` in prefix/64: the one in use (not duplicate),
 * and how many duplicates (the DAD counter for the next try). */
static synack_ip6_ifaddr *find_in_prefix(synack_stack *s, const synack_addr *prefix,
                                         uint8_t origin, unsigned *dups)
{
    synack_ip6_ifaddr *found = NULL;
    *dups = 0;
    for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
        synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6 || a->origin != origin ||
            !synack_ip6_prefix_match(&a->addr, prefix, 64))
            continue;
        if (a->state == SYNACK_IP6_DUPLICATE)
            (*dups)++;
        else
            found = a;
    }
    return found;
}

void synack_slaac_prefix(synack_stack *s, uint64_t now, const synack_ndp_prefix *p)
{
    /* 5.5.3 (a)-(c): autonomous, not link-local, preferred <= valid */
    if (!s->cfg.ipv6.slaac || s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET ||
        !p->autonomous || synack_ip6_is_linklocal(&p->prefix) ||
        p->preferred_s > p->valid_s)
        return;
    /* (d): the prefix and a 64-bit identifier must make 128 bits */
    if (p->len != 64)
        return;
    unsigned dups;
    synack_ip6_ifaddr *a = find_in_prefix(s, &p->prefix, SYNACK_IP6_ORIGIN_SLAAC, &dups);
    if (a == NULL) {
        if (p->valid_s == 0 || dups > SYNACK_SLAAC_IDGEN_RETRIES)
            return;
        add_address(s, now, &p->prefix, SYNACK_IP6_ORIGIN_SLAAC, (uint8_t)dups,
                    life_deadline(now, p->valid_s), life_deadline(now, p->preferred_s));
        return;
    }
    /* (e): an address we formed before. The preferred lifetime is reset
     * (un-deprecating it), the valid one only so far as the two-hour
     * rule allows, so that an unauthenticated RA cannot make an address
     * die sooner than in two hours. */
    a->preferred_until = life_deadline(now, p->preferred_s);
    if (a->state == SYNACK_IP6_DEPRECATED && a->preferred_until > now)
        synack_ip6_addr_set_state(s, a, SYNACK_IP6_PREFERRED);
    uint64_t remaining = a->valid_until > now ? a->valid_until - now : 0;
    uint64_t valid = p->valid_s == SYNACK_NDP_INFINITE ? UINT64_MAX : (uint64_t)p->valid_s * 1000u;
    if (valid > TWO_HOURS_MS || valid > remaining)
        a->valid_until = life_deadline(now, p->valid_s);
    else if (remaining > TWO_HOURS_MS)
        a->valid_until = now + TWO_HOURS_MS;
    /* else: remaining <= 2 h and valid <= remaining: ignored */
    if (a->preferred_until > a->valid_until)
        a->preferred_until = a->valid_until;
}

void synack_slaac_dad_conflict(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    /* 5.4.5: the address is not used; it stays in the table, marked, so
     * that synack_get_ipv6 reports it */
    synack_ip6_addr_set_state(s, a, SYNACK_IP6_DUPLICATE);
    a->dad_at = 0;
    s->nd.dad_conflicts++;
    synack_count_drop(s, SYNACK_DROP_ND_DAD_CONFLICT);
    synack_mld_sync(s, now, NULL);
    if (a->origin != SYNACK_IP6_ORIGIN_LINKLOCAL && a->origin != SYNACK_IP6_ORIGIN_SLAAC)
        return;
    /* RFC 7217 6: another identifier, with the next DAD counter */
    unsigned dups;
    synack_addr prefix = a->addr;
    memset(prefix.b + 8, 0, 8);
    if (find_in_prefix(s, &prefix, a->origin, &dups) != NULL ||
        dups > SYNACK_SLAAC_IDGEN_RETRIES)
        return;
    add_address(s, now, &prefix, a->origin, (uint8_t)dups, a->valid_until, a->preferred_until);
}

void synack_slaac_poll(synack_stack *s, uint64_t now)
{
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6)
            continue;
        if (a->valid_until <= now) { /* 5.5.4: invalid, removed */
            synack_ip6_addr_remove(s, now, a);
            continue;
        }
        if (a->state == SYNACK_IP6_TENTATIVE && a->dad_at != 0 && a->dad_at <= now) {
            if (a->dad_sent < s->cfg.ipv6.dad_transmits) {
                /* the report joining the group goes first */
                synack_mld_poll(s, now);
                synack_nd_send_dad(s, now, &a->addr);
                a->dad_sent++;
                a->dad_at = now + synack_nd_retrans_ms(s);
            } else {
                settle(s, now, a); /* RetransTimer after the last probe */
            }
            continue;
        }
        if (a->state == SYNACK_IP6_PREFERRED && a->preferred_until <= now)
            synack_ip6_addr_set_state(s, a, SYNACK_IP6_DEPRECATED); /* 5.5.4 */
    }
}

uint64_t synack_slaac_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    for (uint32_t i = 0; s->ip6.addrs != NULL && i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6)
            continue;
        if (a->valid_until < t)
            t = a->valid_until;
        if (a->state == SYNACK_IP6_TENTATIVE && a->dad_at != 0 && a->dad_at < t)
            t = a->dad_at;
        if (a->state == SYNACK_IP6_PREFERRED && a->preferred_until < t)
            t = a->preferred_until;
    }
    return t;
}
