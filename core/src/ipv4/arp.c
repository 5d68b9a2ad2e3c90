/*
 * ARP for IPv4 over Ethernet: the IPv4 resolver under the neighbour cache
 * (net/neigh.c keeps entries, queues and timers).
 *
 * RFC 826 (packet reception, the merge step), RFC 5227 section 2.3
 * (announcements); RFC 1122 2.3.2.1/2.3.2.2 are the cache's.
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
 */
#include <string.h>

#include "ipv4/arp.h"
#include "net/neigh.h"
#include "net/stack.h"

static const synack_mac mac_bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static void arp_send(synack_stack *s, uint16_t op, const synack_mac *eth_dst,
                     const synack_mac *tha, synack_ip4 tpa)
{
    uint8_t frame[SYNACK_ETH_HDR_LEN + SYNACK_ARP_LEN];
    synack_eth_repr eth = {*eth_dst, s->cfg.mac, SYNACK_ETHERTYPE_ARP};
    synack_arp_repr arp = {op, s->cfg.mac, *tha, s->addr, tpa};
    size_t n = synack_eth_emit(&eth, frame);
    n += synack_arp_emit(&arp, frame + n);
    synack_link_output(s, frame, n, 0);
}

void synack_arp_solicit(synack_stack *s, synack_ip4 ip)
{
    static const synack_mac zero = {{0}};
    arp_send(s, SYNACK_ARP_REQUEST, &mac_bcast, &zero, ip);
}

void synack_arp_announce(synack_stack *s, uint64_t now)
{
    (void)now;
    if (!s->has_addr || s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET)
        return;
    synack_arp_solicit(s, s->addr);
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
    synack_addr spa = synack_addr_from_ip4(r.spa);
    /* RFC 5227 probes have sender address 0: nothing to learn. */
    synack_neigh_entry *e = r.spa != 0 ? synack_neigh_find(s, &spa) : NULL;

    /* RFC 826 merge step, with the update rule described above. */
    if (e != NULL) {
        bool outstanding = synack_neigh_waiting(e);
        bool same = e->state != SYNACK_NEIGH_PENDING &&
                    synack_mac_equal(&e->mac, &r.sha);
        if (same || request || outstanding) {
            synack_neigh_resolved(s, now, e, &r.sha, false);
        } else {
            synack_count_drop(s, SYNACK_DROP_ARP_SPOOF);
            return;
        }
    } else if (for_us && request && r.spa != 0) {
        e = synack_neigh_add(s, now, &spa);
        synack_neigh_resolved(s, now, e, &r.sha, false);
    }

    if (!for_us) {
        if (e == NULL)
            synack_count_drop(s, SYNACK_DROP_ARP_NOT_FOR_US);
        return;
    }
    if (request)
        arp_send(s, SYNACK_ARP_REPLY, &r.sha, &r.sha, r.spa);
}

bool synack_arp_lookup(const synack_stack *s, uint64_t now, synack_ip4 ip,
                       synack_mac *mac)
{
    synack_addr a = synack_addr_from_ip4(ip);
    return synack_neigh_lookup(s, now, &a, mac);
}
