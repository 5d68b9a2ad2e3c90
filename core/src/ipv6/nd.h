/*
 * Neighbour Discovery (RFC 4861), SLAAC and DAD (RFC 4862), RFC 7217
 * interface identifiers and RDNSS (RFC 8106): the entry points the IPv6
 * layer and the neighbour cache call (nd.c; DAD and addresses in
 * slaac.c, see slaac.h). On the IP medium (no link layer) nothing is
 * sent: addresses are usable at once and every destination is on-link
 * or behind the static gateway. Internal to core/.
 */
#ifndef SYNACK_ND_H
#define SYNACK_ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "ipv6/ipv6.h"
#include "ipv6/nd_state.h"

typedef struct synack_stack synack_stack;

/* Allocate and free NDP's tables (0 or NOMEM; fini safe when zeroed). */
int synack_nd_init(synack_stack *s);
void synack_nd_fini(synack_stack *s);

/* Stack created and IPv6 enabled: start (link-local address, RS ...). */
void synack_nd_start(synack_stack *s, uint64_t now);

/*
 * An ICMPv6 message of types 133-137 (RS, RA, NS, NA, Redirect) arrived,
 * checksum verified: `m` the IPv6 facts (hop limit, addresses), `msg` the
 * whole ICMPv6 message. RFC 4861 validation is NDP's.
 */
void synack_nd_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const uint8_t *msg, size_t len);

/* The neighbour cache's solicit for family 6 (net/neigh.c): send a
 * Neighbor Solicitation for target. */
void synack_nd_solicit(synack_stack *s, const synack_addr *target);

/*
 * Next hop for a unicast, non-link-local dst: dst itself when on-link
 * (a prefix of one of our addresses or an advertised on-link prefix),
 * else a default router (the static gateway s->ip6.gateway included).
 * Returns 0 or SYNACK_ERR_UNREACHABLE.
 */
int synack_nd_next_hop(const synack_stack *s, const synack_addr *dst,
                       synack_addr *nexthop);

/* An address entered the table (ipv6/ip6_addr.c): start DAD (TENTATIVE)
 * and join its solicited-node group; the stub marks it PREFERRED. */
void synack_nd_addr_added(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a);
/* An address is about to leave the table. */
void synack_nd_addr_removed(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a);

/* ---- for the neighbour cache (net/neigh.c): IPv6 entries' timers ------ */

/* ReachableTime (RFC 4861 6.3.2: BaseReachableTime, 30 s or a router's,
 * times a random factor in [0.5, 1.5)). */
uint32_t synack_nd_reachable_ms(const synack_stack *s);
/* RetransTimer (1 s or a router's): between solicitations. */
uint32_t synack_nd_retrans_ms(const synack_stack *s);
/* Unreachability detection gave up on a neighbour: a router is then
 * avoided by router selection until it is heard from again. */
void synack_nd_neigh_gone(synack_stack *s, uint64_t now, const synack_addr *addr);

/* ---- for slaac.c and mld.c -------------------------------------------------- */

/* Our link-local address once DAD passed it (true and *out), else false. */
bool synack_nd_linklocal(const synack_stack *s, synack_addr *out);
/* The link-local address became usable: schedule router solicitation. */
void synack_nd_linklocal_ready(synack_stack *s, uint64_t now);
/* Send a DAD probe for target (from ::, to its solicited-node group). */
void synack_nd_send_dad(synack_stack *s, uint64_t now, const synack_addr *target);

/* The link MTU: an RA's MTU option when it gave one (1280 .. the link's),
 * else cfg.link.mtu. */
uint32_t synack_nd_link_mtu(const synack_stack *s);

/* Up to max default routers (the advertised ones, unexpired) into out;
 * returns how many there are. */
size_t synack_nd_get_routers(const synack_stack *s, synack_addr *out, size_t max);

/* Timers (DAD, RS, lifetimes, router expiry); the next deadline. */
void synack_nd_poll(synack_stack *s, uint64_t now);
uint64_t synack_nd_poll_at(const synack_stack *s);

#endif
