/*
 * The neighbour cache (see neigh.h), shared by the address families of
 * the Ethernet medium; the protocol that fills it is the family's
 * resolver (ARP for IPv4).
 *
 * Entry lifecycle: PENDING (solicitation sent, packets queued) -> RESOLVED
 * (valid for arp_timeout_ms). Expiry is lazy, so an idle cache sets no
 * timer: an expired entry is no longer reported by lookups, and the first
 * packet sent through it moves it to REFRESHING (the old link address is
 * still used while a new solicitation goes out, like a Linux STALE/PROBE
 * entry). Pending and refreshing entries give up after arp_retries
 * retransmissions (RFC 1122 2.3.2.1). Entries are reused least recently
 * used first.
 *
 * IPv6 entries follow RFC 4861 7.3 more closely: RESOLVED is REACHABLE
 * for ReachableTime (nd.c), an expired one is STALE, and the first packet
 * through a stale entry moves it to DELAY (5 s in which an upper layer may
 * confirm reachability, synack_neigh_confirm) before PROBE (REFRESHING:
 * unicast solicitations RetransTimer apart, MAX_UNICAST_SOLICIT of them).
 * When NDP gives up on a neighbour it is told (synack_nd_neigh_gone), so
 * that router selection avoids a dead router.
 *
 * Entries learnt from unsolicited messages (an NS or RA naming its
 * sender) are "weak" until a packet of ours uses them: they take only a
 * free or another weak slot and are the first to be replaced, so a flood
 * of solicitations from new addresses cannot push out entries in use.
 */
#include <string.h>

#include "net/neigh.h"
#include "net/addr.h"
#include "ipv4/arp.h"
#include "ipv4/ipv4.h"
#include "ipv6/ipv6.h"
#include "ipv6/nd.h"
#include "net/stack.h"

/* ---- the resolver interface: one case per family ------------------------ */

static void resolver_solicit(synack_stack *s, const synack_addr *target)
{
    switch (target->family) {
    case SYNACK_AF_IP4:
        synack_arp_solicit(s, synack_addr4_get(target));
        break;
    case SYNACK_AF_IP6:
        synack_nd_solicit(s, target);
        break;
    default:
        break;
    }
}

static void resolver_send(synack_stack *s, uint8_t family, const synack_mac *mac,
                          uint8_t *frame, size_t len, const synack_gso *gso)
{
    switch (family) {
    case SYNACK_AF_IP4:
        synack_ipv4_neigh_send(s, mac, frame, len, gso);
        break;
    case SYNACK_AF_IP6:
        synack_ipv6_neigh_send(s, mac, frame, len, gso);
        break;
    default:
        break;
    }
}

/* Per family: how long a confirmation holds, the interval between
 * solicitations, how many retransmissions before giving up. */
static uint32_t reach_ms(const synack_stack *s, uint8_t family)
{
    return family == SYNACK_AF_IP6 ? synack_nd_reachable_ms(s) : s->cfg.arp_timeout_ms;
}

static uint32_t retry_ms(const synack_stack *s, uint8_t family)
{
    return family == SYNACK_AF_IP6 ? synack_nd_retrans_ms(s) : s->cfg.arp_retry_ms;
}

/* RFC 4861 section 10: MAX_MULTICAST_SOLICIT and MAX_UNICAST_SOLICIT are
 * 3 solicitations, the first and two retransmissions */
#define ND_RETRIES 2u
/* RFC 4861 section 10: DELAY_FIRST_PROBE_TIME */
#define ND_DELAY_MS 5000u

static uint32_t retries(const synack_stack *s, uint8_t family)
{
    return family == SYNACK_AF_IP6 ? ND_RETRIES : s->cfg.arp_retries;
}

static void resolver_gone(synack_stack *s, uint64_t now, const synack_addr *addr)
{
    if (addr->family == SYNACK_AF_IP6)
        synack_nd_neigh_gone(s, now, addr);
}

static void resolver_failed(synack_stack *s, uint8_t family, const uint8_t *pkt,
                            size_t len)
{
    switch (family) {
    case SYNACK_AF_IP4:
        synack_ipv4_neigh_failed(s, pkt, len);
        break;
    case SYNACK_AF_IP6:
        synack_ipv6_neigh_failed(s, pkt, len);
        break;
    default:
        break;
    }
}

/* ---- trace events (DESIGN.md: neigh) -------------------------------------- */

/* The entry's state by RFC 4861 7.3.2's names (an expired RESOLVED one is
 * STALE: expiry is lazy). */
static synack_nud_state nud_state(const synack_neigh_entry *e, uint64_t now)
{
    switch (e->state) {
    case SYNACK_NEIGH_PENDING:    return SYNACK_NUD_INCOMPLETE;
    case SYNACK_NEIGH_RESOLVED:
        return e->deadline > now ? SYNACK_NUD_REACHABLE : SYNACK_NUD_STALE;
    case SYNACK_NEIGH_REFRESHING: return SYNACK_NUD_PROBE;
    case SYNACK_NEIGH_DELAY:      return SYNACK_NUD_DELAY;
    default:                      return SYNACK_NUD_NONE;
    }
}

/* A `neigh` event when e went from `from` to `to` (nothing when the same
 * or when nobody traces). */
static void note(synack_stack *s, const synack_neigh_entry *e, synack_nud_state from,
                 synack_nud_state to)
{
    if (from == to || !synack_tracing(s))
        return;
    synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_NEIGH;
    ev.conn = -1;
    ev.u.neigh.addr = e->addr;
    ev.u.neigh.mac = e->mac;
    ev.u.neigh.from = from;
    ev.u.neigh.to = to;
    synack_trace(s, &ev);
}

/* An entry's slot is reused or cleared: its end, for the trace. */
static void note_gone(synack_stack *s, const synack_neigh_entry *e, synack_nud_state to)
{
    if (e->state != SYNACK_NEIGH_FREE)
        note(s, e, nud_state(e, s->now), to);
}

/* ---- the cache ------------------------------------------------------------ */

int synack_neigh_init(synack_stack *s)
{
    synack_neigh *n = &s->neigh;
    n->cache = synack_mem_alloc(s, sizeof *n->cache * s->cfg.neigh_cache_size);
    n->queue = synack_mem_alloc(s, sizeof *n->queue * s->cfg.neigh_queue_len);
    if (n->cache == NULL || n->queue == NULL)
        return SYNACK_ERR_NOMEM;
    return SYNACK_OK;
}

static void queued_free(synack_stack *s, synack_neigh_queued *q)
{
    synack_mem_free(s, q->frame, q->len);
    memset(q, 0, sizeof *q);
}

/* Drop every entry and queued packet of `family` (0: all). */
static void flush_family(synack_stack *s, uint8_t family, bool count)
{
    synack_neigh *n = &s->neigh;
    if (n->queue != NULL)
        for (uint32_t i = 0; i < s->cfg.neigh_queue_len; i++) {
            synack_neigh_queued *q = &n->queue[i];
            if (q->frame == NULL || (family != 0 && q->nexthop.family != family))
                continue;
            if (count)
                synack_count_drop(s, SYNACK_DROP_NEIGH_FAILED);
            queued_free(s, q);
        }
    if (n->cache != NULL)
        for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++)
            if (family == 0 || n->cache[i].addr.family == family) {
                if (count)
                    note_gone(s, &n->cache[i], SYNACK_NUD_NONE);
                memset(&n->cache[i], 0, sizeof n->cache[i]);
            }
}

void synack_neigh_flush(synack_stack *s, uint8_t family)
{
    flush_family(s, family, true);
}

void synack_neigh_fini(synack_stack *s)
{
    synack_neigh *n = &s->neigh;
    flush_family(s, 0, false);
    synack_mem_free(s, n->cache, sizeof *n->cache * s->cfg.neigh_cache_size);
    synack_mem_free(s, n->queue, sizeof *n->queue * s->cfg.neigh_queue_len);
    n->cache = NULL;
    n->queue = NULL;
}

synack_neigh_entry *synack_neigh_find(const synack_stack *s, const synack_addr *addr)
{
    if (s->neigh.cache == NULL)
        return NULL;
    synack_neigh_entry *h = &s->neigh.cache[s->neigh.hint];
    if (h->state != SYNACK_NEIGH_FREE && synack_addr_same(&h->addr, addr))
        return h;
    for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++) {
        synack_neigh_entry *e = &s->neigh.cache[i];
        if (e->state != SYNACK_NEIGH_FREE && synack_addr_same(&e->addr, addr))
            return e;
    }
    return NULL;
}

/* Drop the packets queued for addr; `notify` tells their senders. */
static void drop_queued(synack_stack *s, const synack_addr *addr, bool notify)
{
    for (uint32_t i = 0; i < s->cfg.neigh_queue_len; i++) {
        synack_neigh_queued *q = &s->neigh.queue[i];
        if (q->frame == NULL || !synack_addr_same(&q->nexthop, addr))
            continue;
        if (notify)
            resolver_failed(s, addr->family, q->frame + synack_l2_len(s),
                            q->len - synack_l2_len(s));
        synack_count_drop(s, SYNACK_DROP_NEIGH_FAILED);
        queued_free(s, q);
    }
}

synack_neigh_entry *synack_neigh_add(synack_stack *s, uint64_t now,
                                     const synack_addr *addr)
{
    synack_neigh_entry *victim = synack_neigh_add_weak(s, now, addr);
    if (victim != NULL) {
        victim->flags = 0;
        return victim;
    }
    bool victim_pending = true;
    for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++) {
        synack_neigh_entry *e = &s->neigh.cache[i];
        bool pending = e->state == SYNACK_NEIGH_PENDING;
        if (victim == NULL || (victim_pending && !pending) ||
            (victim_pending == pending && e->used < victim->used)) {
            victim = e;
            victim_pending = pending;
        }
    }
    if (victim_pending)
        drop_queued(s, &victim->addr, false);
    note_gone(s, victim, SYNACK_NUD_NONE); /* evicted */
    memset(victim, 0, sizeof *victim);
    victim->addr = *addr;
    victim->used = now;
    return victim;
}

synack_neigh_entry *synack_neigh_add_weak(synack_stack *s, uint64_t now,
                                          const synack_addr *addr)
{
    synack_neigh_entry *victim = NULL;
    for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++) {
        synack_neigh_entry *e = &s->neigh.cache[i];
        if (e->state == SYNACK_NEIGH_FREE) {
            victim = e;
            break;
        }
        if ((e->flags & SYNACK_NEIGH_F_WEAK) && (victim == NULL || e->used < victim->used))
            victim = e;
    }
    if (victim == NULL)
        return NULL;
    note_gone(s, victim, SYNACK_NUD_NONE); /* evicted */
    memset(victim, 0, sizeof *victim);
    victim->addr = *addr;
    victim->used = now;
    victim->flags = SYNACK_NEIGH_F_WEAK;
    return victim;
}

void synack_neigh_stale(synack_stack *s, uint64_t now, synack_neigh_entry *e)
{
    synack_nud_state from = nud_state(e, now);
    e->state = SYNACK_NEIGH_RESOLVED;
    e->tries = 0;
    e->deadline = now; /* expired: the next use revalidates it */
    note(s, e, from, SYNACK_NUD_STALE);
}

void synack_neigh_confirm(synack_stack *s, uint64_t now, synack_neigh_entry *e)
{
    synack_nud_state from = nud_state(e, now);
    e->state = SYNACK_NEIGH_RESOLVED;
    e->tries = 0;
    e->deadline = now + reach_ms(s, e->addr.family);
    note(s, e, from, SYNACK_NUD_REACHABLE);
}

void synack_neigh_resolved(synack_stack *s, uint64_t now, synack_neigh_entry *e,
                           const synack_mac *mac, bool stale)
{
    synack_nud_state from = nud_state(e, now);
    e->mac = *mac;
    e->state = SYNACK_NEIGH_RESOLVED;
    e->tries = 0;
    e->deadline = stale ? now : now + reach_ms(s, e->addr.family);
    note(s, e, from, stale ? SYNACK_NUD_STALE : SYNACK_NUD_REACHABLE);
    /* send everything that waited for it: an offload packet whole, to
       send_gso, which cuts it at the MSS */
    for (uint32_t i = 0; i < s->cfg.neigh_queue_len; i++) {
        synack_neigh_queued *q = &s->neigh.queue[i];
        if (q->frame == NULL || !synack_addr_same(&q->nexthop, &e->addr))
            continue;
        resolver_send(s, e->addr.family, &e->mac, q->frame, q->len,
                      q->gso.seg ? &q->gso : NULL);
        queued_free(s, q);
    }
}

static int queue_frame(synack_stack *s, const synack_addr *nexthop,
                       const uint8_t *frame, size_t len, const synack_gso *gso)
{
    for (uint32_t i = 0; i < s->cfg.neigh_queue_len; i++) {
        synack_neigh_queued *q = &s->neigh.queue[i];
        if (q->frame != NULL)
            continue;
        q->frame = synack_mem_alloc(s, len);
        if (q->frame == NULL)
            break;
        memcpy(q->frame, frame, len);
        q->len = len;
        q->nexthop = *nexthop;
        if (gso != NULL)
            q->gso = *gso;
        else
            memset(&q->gso, 0, sizeof q->gso);
        return SYNACK_OK;
    }
    synack_count_drop(s, SYNACK_DROP_NEIGH_QUEUE_FULL);
    return SYNACK_ERR_NOMEM;
}

int synack_neigh_output(synack_stack *s, uint64_t now, const synack_addr *nexthop,
                        uint8_t *frame, size_t len, const synack_gso *gso)
{
    synack_neigh_entry *e = synack_neigh_find(s, nexthop);
    if (e != NULL && e->state != SYNACK_NEIGH_PENDING) {
        s->neigh.hint = (uint32_t)(e - s->neigh.cache);
        e->used = now;
        e->flags &= (uint8_t)~SYNACK_NEIGH_F_WEAK;
        if (e->state == SYNACK_NEIGH_RESOLVED && e->deadline <= now &&
            nexthop->family == SYNACK_AF_IP6) {
            /* RFC 4861 7.3.3: STALE -> DELAY, no solicitation yet */
            e->state = SYNACK_NEIGH_DELAY;
            e->deadline = now + ND_DELAY_MS;
            note(s, e, SYNACK_NUD_STALE, SYNACK_NUD_DELAY);
        } else if (e->state == SYNACK_NEIGH_RESOLVED && e->deadline <= now) {
            /* RFC 1122 2.3.2.1: revalidate an entry still in use. */
            e->state = SYNACK_NEIGH_REFRESHING;
            e->tries = 0;
            e->deadline = now + s->cfg.arp_retry_ms;
            note(s, e, SYNACK_NUD_STALE, SYNACK_NUD_PROBE);
            resolver_send(s, nexthop->family, &e->mac, frame, len, gso);
            resolver_solicit(s, &e->addr);
            return SYNACK_OK;
        }
        resolver_send(s, nexthop->family, &e->mac, frame, len, gso);
        return SYNACK_OK;
    }
    if (e == NULL) {
        e = synack_neigh_add(s, now, nexthop);
        e->state = SYNACK_NEIGH_PENDING;
        e->flags = 0;
        e->deadline = now + retry_ms(s, nexthop->family);
        note(s, e, SYNACK_NUD_NONE, SYNACK_NUD_INCOMPLETE);
        /* Queue first: the frame may live in a buffer the request reuses. */
        int rc = queue_frame(s, nexthop, frame, len, gso);
        resolver_solicit(s, nexthop);
        return rc;
    }
    e->used = now;
    return queue_frame(s, nexthop, frame, len, gso);
}

bool synack_neigh_lookup(const synack_stack *s, uint64_t now,
                         const synack_addr *addr, synack_mac *mac)
{
    const synack_neigh_entry *e = synack_neigh_find(s, addr);
    if (e == NULL || e->state == SYNACK_NEIGH_PENDING ||
        (e->state == SYNACK_NEIGH_RESOLVED && e->deadline <= now))
        return false;
    if (mac != NULL)
        *mac = e->mac;
    return true;
}

void synack_neigh_poll(synack_stack *s, uint64_t now)
{
    if (s->neigh.cache == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++) {
        synack_neigh_entry *e = &s->neigh.cache[i];
        if (e->state == SYNACK_NEIGH_DELAY && e->deadline <= now) {
            /* RFC 4861 7.3.3: no confirmation came: PROBE, unicast */
            e->state = SYNACK_NEIGH_REFRESHING;
            e->tries = 0;
            e->deadline = now + retry_ms(s, e->addr.family);
            note(s, e, SYNACK_NUD_DELAY, SYNACK_NUD_PROBE);
            resolver_solicit(s, &e->addr);
            continue;
        }
        if (!synack_neigh_waiting(e) || e->deadline > now)
            continue;
        /* Retransmit, or give up (RFC 1122 2.3.2.1). */
        if (e->tries >= retries(s, e->addr.family)) {
            synack_addr a = e->addr;
            note(s, e, nud_state(e, now), SYNACK_NUD_FAILED);
            drop_queued(s, &a, true);
            memset(e, 0, sizeof *e);
            resolver_gone(s, now, &a);
            continue;
        }
        e->tries++;
        e->deadline = now + retry_ms(s, e->addr.family);
        resolver_solicit(s, &e->addr);
    }
}

uint64_t synack_neigh_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->neigh.cache == NULL)
        return t;
    for (uint32_t i = 0; i < s->cfg.neigh_cache_size; i++) {
        const synack_neigh_entry *e = &s->neigh.cache[i];
        if ((synack_neigh_waiting(e) || e->state == SYNACK_NEIGH_DELAY) && e->deadline < t)
            t = e->deadline;
    }
    return t;
}
