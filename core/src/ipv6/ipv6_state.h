/*
 * IPv6 layer state: interface addresses, the static gateway, the path MTU
 * cache, reassembly and the ICMPv6 error bucket; the part of the stack
 * value ipv6/ owns, embedded in struct synack_stack (net/stack.h). Types
 * only; the functions are in ipv6.h. Neighbour Discovery's and MLD's own
 * state is in nd_state.h and mld_state.h.
 */
#ifndef SYNACK_IPV6_STATE_H
#define SYNACK_IPV6_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "util/rate.h"

/* The minimum link MTU of IPv6 (RFC 8200 section 5): no path is lower. */
#define SYNACK_IP6_MIN_MTU 1280u

/* One interface address (RFC 4862 section 2 states, lifetimes as stack
 * times; UINT64_MAX is infinite). A slot is free when addr.family is 0. */
typedef struct synack_ip6_ifaddr {
    synack_addr addr;
    uint8_t prefix_len;
    uint8_t state;            /* synack_ip6_addr_state */
    uint8_t origin;           /* synack_ip6_origin */
    uint8_t dad_sent;         /* DAD: solicitations sent (nd.c) */
    uint64_t valid_until;
    uint64_t preferred_until;
    uint64_t dad_at;          /* DAD: next solicitation or the verdict (nd.c);
                                 0: none pending */
} synack_ip6_ifaddr;

/* A path MTU lowered by a Packet Too Big (RFC 8201). Free: mtu 0. */
typedef struct synack_ip6_pmtu {
    synack_addr dst;
    uint32_t mtu;
    uint64_t expires;         /* back to the link MTU after this */
} synack_ip6_pmtu;

typedef struct synack_reasm6_set synack_reasm6_set;

typedef struct synack_ipv6 {
    synack_ip6_ifaddr *addrs;  /* cfg.ipv6.max_addrs slots */
    synack_addr gateway;       /* static default gateway (family 0: none) */
    synack_ip6_pmtu *pmtu;     /* cfg.ipv6.pmtu_cache_size slots */
    uint32_t pmtu_used;        /* slots [0, pmtu_used) were ever filled
                                  (a high-water mark): 0 = no lookup needed
                                  (the per-packet path MTU check is free
                                  until a Packet Too Big arrives) */
    uint8_t cur_hop_limit;     /* cfg.ipv6.hop_limit, or a router's (nd.c) */
    /* The last next hop output() chose: reused for the same destination
       within the same millisecond while no address or gateway changed
       (route_gen), so a bulk transfer asks NDP once per ms, not per packet. */
    synack_addr hop_dst, hop;
    uint64_t hop_at;
    uint32_t hop_gen;
    uint32_t route_gen;        /* bumped by address and gateway changes */
    synack_reasm6_set *sets;   /* cfg.reasm_max_sets */
    uint32_t reasm_bytes;      /* memory held by reassembly */
    uint8_t *frag_scratch;     /* L2 header + MTU, for fragmenting output */
    uint32_t frag_id;          /* next Fragment identification (RFC 7739:
                                  random start, then counted) */
    synack_rate errors;        /* ICMPv6 error token bucket (RFC 4443 2.4(f)) */
} synack_ipv6;

#endif
