/*
 * ARP for IPv4 over Ethernet.
 *
 * RFC 826 (packet reception, the merge step), RFC 1122 section 2.3.2.1
 * (cache timeout, retransmission limits), section 2.3.2.2 (queue packets
 * waiting for resolution), RFC 5227 section 2.3 (announcements).
 *
 * Update rule (our defence against cache poisoning, stricter than RFC 826's
 * merge step): an existing entry's MAC may change only
 *   - through a reply while we have a request outstanding for that address
 *     (entry PENDING or REFRESHING), or
 *   - through a request whose sender address is that address (the host
 *     speaking for itself, including RFC 5227 announcements).
 * An unsolicited reply that names a different MAC for a known address is
 * dropped and counted as SYNACK_DROP_ARP_SPOOF; with the same MAC it only
 * refreshes the entry. New entries are created by requests addressed to us
 * (RFC 826) and by replies to our own requests, never by unsolicited
 * replies. A packet claiming our own address from another MAC is a
 * conflict and is dropped as a spoof too.
 *
 * Entry lifecycle: PENDING (request sent, packets queued) -> RESOLVED
 * (valid for arp_timeout_ms). Expiry is lazy, so an idle cache sets no
 * timer: an expired entry is no longer reported by lookups, and the first
 * packet sent through it moves it to REFRESHING (the old MAC is still used
 * while a new request goes out, like a Linux STALE/PROBE entry). Pending
 * and refreshing entries give up after arp_retries retransmissions.
 * Entries are reused least recently used first.
 */
#include <string.h>

#include "ipv4/arp.h"
#include "net/stack.h"
#include "ipv4/ipv4.h"

enum { ARP_REFRESHING = SYNACK_ARP_RESOLVED + 1 };

static const synack_mac mac_bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

int synack_arp_init(synack_stack *s)
{
    synack_arp *a = &s->arp;
    a->cache = synack_mem_alloc(s, sizeof *a->cache * s->cfg.arp_cache_size);
    a->queue = synack_mem_alloc(s, sizeof *a->queue * s->cfg.arp_queue_len);
    if (a->cache == NULL || a->queue == NULL)
        return SYNACK_ERR_NOMEM;
    return SYNACK_OK;
}

static void queued_free(synack_stack *s, synack_arp_queued *q)
{
    synack_mem_free(s, q->frame, q->len);
    q->frame = NULL;
    q->len = 0;
    q->nexthop = 0;
}

static void flush_all(synack_stack *s, bool count)
{
    synack_arp *a = &s->arp;
    if (a->queue != NULL)
        for (uint32_t i = 0; i < s->cfg.arp_queue_len; i++) {
            if (a->queue[i].frame == NULL)
                continue;
            if (count)
                synack_count_drop(s, SYNACK_DROP_ARP_FAILED);
            queued_free(s, &a->queue[i]);
        }
    if (a->cache != NULL)
        memset(a->cache, 0, sizeof *a->cache * s->cfg.arp_cache_size);
}

void synack_arp_flush(synack_stack *s)
{
    flush_all(s, true);
}

void synack_arp_fini(synack_stack *s)
{
    synack_arp *a = &s->arp;
    flush_all(s, false);
    synack_mem_free(s, a->cache, sizeof *a->cache * s->cfg.arp_cache_size);
    synack_mem_free(s, a->queue, sizeof *a->queue * s->cfg.arp_queue_len);
    a->cache = NULL;
    a->queue = NULL;
}

static synack_arp_entry *entry_find(const synack_stack *s, synack_ip4 ip)
{
    if (s->arp.cache == NULL)
        return NULL;
    synack_arp_entry *h = &s->arp.cache[s->arp.hint];
    if (h->state != SYNACK_ARP_FREE && h->ip == ip)
        return h;
    for (uint32_t i = 0; i < s->cfg.arp_cache_size; i++) {
        synack_arp_entry *e = &s->arp.cache[i];
        if (e->state != SYNACK_ARP_FREE && e->ip == ip)
            return e;
    }
    return NULL;
}

static void entry_drop_queued(synack_stack *s, synack_ip4 ip, bool notify)
{
    for (uint32_t i = 0; i < s->cfg.arp_queue_len; i++) {
        synack_arp_queued *q = &s->arp.queue[i];
        if (q->frame == NULL || q->nexthop != ip)
            continue;
        if (notify)
            synack_ipv4_arp_failed(s, q->frame + SYNACK_ETH_HDR_LEN,
                                   q->len - SYNACK_ETH_HDR_LEN);
        synack_count_drop(s, SYNACK_DROP_ARP_FAILED);
        queued_free(s, q);
    }
}

/* A free slot, else the least recently used resolved entry, else the
 * oldest pending one (its queued packets are dropped). */
static synack_arp_entry *entry_alloc(synack_stack *s)
{
    synack_arp_entry *victim = NULL;
    bool victim_pending = true;
    for (uint32_t i = 0; i < s->cfg.arp_cache_size; i++) {
        synack_arp_entry *e = &s->arp.cache[i];
        if (e->state == SYNACK_ARP_FREE)
            return e;
        bool pending = e->state == SYNACK_ARP_PENDING;
        if (victim == NULL || (victim_pending && !pending) ||
            (victim_pending == pending && e->used < victim->used)) {
            victim = e;
            victim_pending = pending;
        }
    }
    if (victim_pending)
        entry_drop_queued(s, victim->ip, false);
    memset(victim, 0, sizeof *victim);
    return victim;
}

static void arp_send(synack_stack *s, uint16_t op, const synack_mac *eth_dst,
                     const synack_mac *tha, synack_ip4 tpa)
{
    uint8_t frame[SYNACK_ETH_HDR_LEN + SYNACK_ARP_LEN];
    synack_eth_repr eth = {*eth_dst, s->cfg.mac, SYNACK_ETHERTYPE_ARP};
    synack_arp_repr arp = {op, s->cfg.mac, *tha, s->addr, tpa};
    size_t n = synack_eth_emit(&eth, frame);
    n += synack_arp_emit(&arp, frame + n);
    synack_link_output(s, frame, n);
}

static void send_request(synack_stack *s, synack_ip4 ip)
{
    static const synack_mac zero = {{0}};
    arp_send(s, SYNACK_ARP_REQUEST, &mac_bcast, &zero, ip);
}

void synack_arp_announce(synack_stack *s, uint64_t now)
{
    (void)now;
    if (!s->has_addr || s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET)
        return;
    send_request(s, s->addr);
}

/* Fragmentation happens after resolution, so a datagram waits as one. */
static void frame_send(synack_stack *s, const synack_mac *dst, uint8_t *frame,
                       size_t len)
{
    synack_ipv4_output_frame(s, dst, frame, len);
}

/* The address is resolved: send everything that waited for it. */
static void flush_queued(synack_stack *s, const synack_arp_entry *e)
{
    for (uint32_t i = 0; i < s->cfg.arp_queue_len; i++) {
        synack_arp_queued *q = &s->arp.queue[i];
        if (q->frame == NULL || q->nexthop != e->ip)
            continue;
        /* an offload packet leaves as it would have without the wait:
           whole, to send_gso, which cuts it at the MSS */
        uint32_t gso_seg = s->ip.gso_seg;
        s->ip.gso_seg = q->gso_seg;
        frame_send(s, &e->mac, q->frame, q->len);
        s->ip.gso_seg = gso_seg;
        queued_free(s, q);
    }
}

static void entry_resolve(synack_stack *s, uint64_t now, synack_arp_entry *e,
                          const synack_mac *mac)
{
    e->mac = *mac;
    e->state = SYNACK_ARP_RESOLVED;
    e->tries = 0;
    e->deadline = now + s->cfg.arp_timeout_ms;
    flush_queued(s, e);
}

void synack_arp_input(synack_stack *s, uint64_t now, const synack_eth_repr *eth,
                      const uint8_t *pkt, size_t len)
{
    (void)eth;
    synack_arp_repr r;
    if (synack_arp_parse(pkt, len, &r) < 0 ||
        (r.op != SYNACK_ARP_REQUEST && r.op != SYNACK_ARP_REPLY) ||
        synack_mac_is_multicast(&r.sha)) {
        synack_count_drop(s, SYNACK_DROP_ARP_MALFORMED);
        return;
    }
    if (!s->has_addr) {
        synack_count_drop(s, SYNACK_DROP_ARP_NOT_FOR_US);
        return;
    }
    if (r.spa == s->addr && !synack_mac_equal(&r.sha, &s->cfg.mac)) {
        synack_count_drop(s, SYNACK_DROP_ARP_SPOOF); /* address conflict */
        return;
    }
    if (synack_mac_equal(&r.sha, &s->cfg.mac)) {
        synack_count_drop(s, SYNACK_DROP_ARP_NOT_FOR_US); /* our own echo */
        return;
    }

    bool for_us = r.tpa == s->addr;
    bool request = r.op == SYNACK_ARP_REQUEST;
    /* RFC 5227 probes have sender address 0: nothing to learn. */
    synack_arp_entry *e = r.spa != 0 ? entry_find(s, r.spa) : NULL;

    /* RFC 826 merge step, with the update rule described above. */
    if (e != NULL) {
        bool outstanding =
            e->state == SYNACK_ARP_PENDING || e->state == ARP_REFRESHING;
        bool same = e->state != SYNACK_ARP_PENDING &&
                    synack_mac_equal(&e->mac, &r.sha);
        if (same || request || outstanding) {
            entry_resolve(s, now, e, &r.sha);
        } else {
            synack_count_drop(s, SYNACK_DROP_ARP_SPOOF);
            return;
        }
    } else if (for_us && request && r.spa != 0) {
        e = entry_alloc(s);
        e->ip = r.spa;
        e->used = now;
        entry_resolve(s, now, e, &r.sha);
    }

    if (!for_us) {
        if (e == NULL)
            synack_count_drop(s, SYNACK_DROP_ARP_NOT_FOR_US);
        return;
    }
    if (request)
        arp_send(s, SYNACK_ARP_REPLY, &r.sha, &r.sha, r.spa);
}

static int queue_frame(synack_stack *s, synack_ip4 nexthop,
                       const uint8_t *frame, size_t len)
{
    for (uint32_t i = 0; i < s->cfg.arp_queue_len; i++) {
        synack_arp_queued *q = &s->arp.queue[i];
        if (q->frame != NULL)
            continue;
        q->frame = synack_mem_alloc(s, len);
        if (q->frame == NULL)
            break;
        memcpy(q->frame, frame, len);
        q->len = len;
        q->nexthop = nexthop;
        q->gso_seg = s->ip.gso_seg;
        return SYNACK_OK;
    }
    synack_count_drop(s, SYNACK_DROP_ARP_QUEUE_FULL);
    return SYNACK_ERR_NOMEM;
}

int synack_arp_output(synack_stack *s, uint64_t now, synack_ip4 nexthop,
                      bool bcast, uint8_t *frame, size_t len)
{
    if (bcast) {
        frame_send(s, &mac_bcast, frame, len);
        return SYNACK_OK;
    }
    synack_arp_entry *e = entry_find(s, nexthop);
    if (e != NULL && e->state != SYNACK_ARP_PENDING) {
        s->arp.hint = (uint32_t)(e - s->arp.cache);
        e->used = now;
        if (e->state == SYNACK_ARP_RESOLVED && e->deadline <= now) {
            /* RFC 1122 2.3.2.1: revalidate an entry still in use. */
            e->state = ARP_REFRESHING;
            e->tries = 0;
            e->deadline = now + s->cfg.arp_retry_ms;
            frame_send(s, &e->mac, frame, len);
            send_request(s, e->ip);
            return SYNACK_OK;
        }
        frame_send(s, &e->mac, frame, len);
        return SYNACK_OK;
    }
    if (e == NULL) {
        e = entry_alloc(s);
        e->ip = nexthop;
        e->state = SYNACK_ARP_PENDING;
        e->tries = 0;
        e->deadline = now + s->cfg.arp_retry_ms;
        e->used = now;
        /* Queue first: the frame may live in a buffer the request reuses. */
        int rc = queue_frame(s, nexthop, frame, len);
        send_request(s, nexthop);
        return rc;
    }
    e->used = now;
    return queue_frame(s, nexthop, frame, len);
}

bool synack_arp_lookup(const synack_stack *s, uint64_t now, synack_ip4 ip,
                       synack_mac *mac)
{
    const synack_arp_entry *e = entry_find(s, ip);
    if (e == NULL || e->state == SYNACK_ARP_PENDING ||
        (e->state == SYNACK_ARP_RESOLVED && e->deadline <= now))
        return false;
    if (mac != NULL)
        *mac = e->mac;
    return true;
}

/* Entries with a request outstanding: the only ones with a timer. */
static bool entry_waiting(const synack_arp_entry *e)
{
    return e->state == SYNACK_ARP_PENDING || e->state == ARP_REFRESHING;
}

void synack_arp_poll(synack_stack *s, uint64_t now)
{
    if (s->arp.cache == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.arp_cache_size; i++) {
        synack_arp_entry *e = &s->arp.cache[i];
        if (!entry_waiting(e) || e->deadline > now)
            continue;
        /* Retransmit, or give up (RFC 1122 2.3.2.1). */
        if (e->tries >= s->cfg.arp_retries) {
            entry_drop_queued(s, e->ip, true);
            memset(e, 0, sizeof *e);
            continue;
        }
        e->tries++;
        e->deadline = now + s->cfg.arp_retry_ms;
        send_request(s, e->ip);
    }
}

uint64_t synack_arp_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->arp.cache == NULL)
        return t;
    for (uint32_t i = 0; i < s->cfg.arp_cache_size; i++) {
        const synack_arp_entry *e = &s->arp.cache[i];
        if (entry_waiting(e) && e->deadline < t)
            t = e->deadline;
    }
    return t;
}
