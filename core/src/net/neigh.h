/*
 * The neighbour cache of the Ethernet medium, for every address family:
 * entries (RFC 1122 2.3.2.1 ageing with lazy expiry and revalidation of
 * entries in use, retries, least-recently-used replacement), the queue of
 * packets waiting for resolution (RFC 1122 2.3.2.2) and its timers.
 *
 * Below it, one resolver per family does what is protocol-specific: ARP
 * (ipv4/arp.c) now, NDP next. A resolver provides three functions, which
 * neigh.c calls by the address's family:
 *   solicit(s, target)          send a request for target's link address
 *                               (ARP request; NDP neighbour solicitation);
 *   send(s, mac, frame, len, gso)
 *                               put a frame (L2 room + IP packet) on the
 *                               link to mac, as the family's output does;
 *   failed(s, pkt, len)         resolution gave up on this queued packet
 *                               (IP header first): tell its sender.
 * The resolver's input (ARP replies and requests; NDP advertisements)
 * updates the cache through synack_neigh_find/add/resolved. Internal to
 * core/.
 */
#ifndef SYNACK_NEIGH_H
#define SYNACK_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/neigh_state.h"
#include "synack/synack.h"

typedef struct synack_stack synack_stack;

/* Allocate the tables sized by the config. Returns 0 or SYNACK_ERR_NOMEM. */
int synack_neigh_init(synack_stack *s);
/* Free everything (safe on a zeroed, never initialised state). */
void synack_neigh_fini(synack_stack *s);

/*
 * Send the packet at frame + L2 room (len counts the L2 header) to the
 * neighbour `nexthop`: at once when resolved (revalidating an expired
 * entry in use), else a copy is queued (with `gso`, its send-offload
 * values) and a solicitation goes out. Returns 0, or
 * SYNACK_ERR_NOMEM when the queue is full (counted as a drop).
 */
int synack_neigh_output(synack_stack *s, uint64_t now, const synack_addr *nexthop,
                        uint8_t *frame, size_t len, const synack_gso *gso);

/* The entry for addr, or NULL. */
synack_neigh_entry *synack_neigh_find(const synack_stack *s, const synack_addr *addr);

/* A new entry for addr (a free one, else the least recently used resolved
 * one, else the oldest pending one, whose queued packets are dropped). */
synack_neigh_entry *synack_neigh_add(synack_stack *s, uint64_t now,
                                     const synack_addr *addr);

/* A new entry for addr only in a free slot or one holding a weak entry
 * (SYNACK_NEIGH_F_WEAK: learnt unsolicited, unused since), marked weak
 * itself; NULL when every slot holds an entry in use. For entries an
 * unsolicited message would create (RFC 4861 7.2.3, 6.3.4). */
synack_neigh_entry *synack_neigh_add_weak(synack_stack *s, uint64_t now,
                                          const synack_addr *addr);

/* Mark e resolved but stale (RFC 4861 STALE: expired, revalidated on its
 * next use). */
void synack_neigh_stale(synack_stack *s, uint64_t now, synack_neigh_entry *e);

/* Reachability confirmed (a solicited advertisement, or an upper layer's
 * forward progress): e is fresh for the family's reachable time. */
void synack_neigh_confirm(synack_stack *s, uint64_t now, synack_neigh_entry *e);

/* The resolver learnt e's link address: mark it resolved (REACHABLE; with
 * `stale`, STALE: learnt from a message that proves nothing about the
 * path back, RFC 4861 7.2.3/7.2.5) and send what waited for it. */
void synack_neigh_resolved(synack_stack *s, uint64_t now, synack_neigh_entry *e,
                           const synack_mac *mac, bool stale);

/* Whether a solicitation for e is outstanding (pending or refreshing). */
static inline bool synack_neigh_waiting(const synack_neigh_entry *e)
{
    return e->state == SYNACK_NEIGH_PENDING || e->state == SYNACK_NEIGH_REFRESHING;
}

/* A resolved, fresh entry for addr: true and *mac set (mac may be NULL). */
bool synack_neigh_lookup(const synack_stack *s, uint64_t now,
                         const synack_addr *addr, synack_mac *mac);

/* Forget every entry and queued packet of `family` (its address changed);
 * the dropped packets are counted. */
void synack_neigh_flush(synack_stack *s, uint8_t family);

/* Retransmit solicitations and give up on silent neighbours. */
void synack_neigh_poll(synack_stack *s, uint64_t now);
/* The next retransmission, UINT64_MAX when none (idle caches set no timer). */
uint64_t synack_neigh_poll_at(const synack_stack *s);

#endif
