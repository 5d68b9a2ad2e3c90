/*
 * Neighbour Discovery and SLAAC state (ipv6/nd.c, ipv6/slaac.c):
 * embedded in struct synack_stack as `nd` (net/stack.h). Types only; the
 * functions are in nd.h. Every table is bounded: routers and prefixes by
 * the config (cfg.ipv6.max_routers, max_prefixes), resolvers by
 * SYNACK_ND_MAX_RDNSS; what does not fit is dropped and counted.
 */
#ifndef SYNACK_ND_STATE_H
#define SYNACK_ND_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

/* RFC 8106 section 5.3.1 suggests three resolvers per interface. */
#define SYNACK_ND_MAX_RDNSS 3

/* An entry of the Default Router List (RFC 4861 5.1, 6.3.4). Free:
 * addr.family 0. */
typedef struct synack_nd_router {
    synack_addr addr;        /* its link-local address */
    uint64_t expires;        /* end of the router lifetime */
    uint64_t unreach_at;     /* when NUD gave up on it, 0: not (cleared
                                when it is heard from again) */
    int8_t pref;             /* RFC 4191 preference: -1, 0, 1 */
} synack_nd_router;

/* An entry of the Prefix List (on-link prefixes, RFC 4861 5.1, 6.3.4). */
typedef struct synack_nd_prefix {
    synack_addr prefix;      /* family 0: free */
    uint8_t len;
    uint64_t expires;        /* UINT64_MAX: infinite */
} synack_nd_prefix;

/* A resolver from an RDNSS option (RFC 8106 5.1). */
typedef struct synack_nd_rdnss {
    synack_addr addr;        /* family 0: free */
    uint64_t expires;
    uint64_t heard;          /* last advertised: the newest is preferred */
} synack_nd_rdnss;

typedef struct synack_nd {
    synack_nd_router *routers;   /* cfg.ipv6.max_routers */
    synack_nd_prefix *prefixes;  /* cfg.ipv6.max_prefixes */
    synack_nd_rdnss rdnss[SYNACK_ND_MAX_RDNSS];
    uint32_t base_reachable_ms;  /* BaseReachableTime (RFC 4861 6.3.2) */
    uint32_t reachable_ms;       /* ReachableTime: base x [0.5, 1.5) */
    uint64_t rerandom_at;        /* next re-randomisation of it */
    uint32_t retrans_ms;         /* RetransTimer */
    uint32_t link_mtu;           /* from an RA's MTU option; 0: the link's */
    uint64_t rs_at;              /* next router solicitation; 0: none */
    uint8_t rs_sent;
    bool ra_heard;               /* an RA arrived: stop soliciting */
    bool started;
    uint32_t dad_conflicts;      /* duplicates found by DAD (all time) */
} synack_nd;

#endif
