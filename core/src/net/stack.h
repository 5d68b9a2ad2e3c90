/*
 * The stack value and the services every layer uses: allocation, drop
 * counting with trace events, link output. Internal to core/.
 */
#ifndef SYNACK_STACK_H
#define SYNACK_STACK_H

#include "synack/synack.h"
#include "util/rng.h"
#include "wire/wire.h"

/* Only the state types of each layer (embedded below); a module
 * includes the function headers of the layers it calls itself. */
#include "app/dhcp_state.h"
#include "app/dns_state.h"
#include "app/he_state.h"
#include "ipv4/icmp_state.h"
#include "ipv4/ipv4_state.h"
#include "ipv6/ipv6_state.h"
#include "ipv6/mld_state.h"
#include "ipv6/nd_state.h"
#include "net/neigh_state.h"
#include "tcp/tcp_state.h"
#include "udp/udp_state.h"

struct synack_stack {
    synack_config cfg;
    uint64_t now;          /* latest time passed in (for trace events) */
    synack_rng rng;
    uint8_t secret[16];    /* key for keyed hashes (ISN, ports, cookies) */

    /* interface */
    synack_ip4 addr;
    uint8_t prefix_len;
    synack_ip4 gateway;
    bool has_addr;

    /* frame scratch: L2 header + 65535-byte IP packet */
    uint8_t *tx;
    size_t tx_cap;

    synack_neigh neigh; /* neighbour cache (net/neigh.c), ARP fills it */
    synack_ipv4 ip;
    synack_icmp icmp;
    synack_ipv6 ip6;  /* IPv6 addresses, PMTU, reassembly (ipv6/) */
    synack_nd nd;     /* Neighbour Discovery, SLAAC (ipv6/nd.c) */
    synack_mld mld;   /* MLDv2 (ipv6/mld.c) */
    synack_udp udp;
    synack_tcp tcp;

    /* Set by the DHCP client: sees UDP datagrams to port 68 first. */
    synack_udp_rx_hook dhcp_hook;
    void *dhcp_hook_ctx;

    synack_dhcp dhcp; /* DHCP client (dhcp.c) */
    synack_dns dns;   /* resolver address and queries (dns.c) */
    synack_he he;     /* connect by name, Happy Eyeballs (he.c) */

    synack_counters cnt;
    uint64_t drops[SYNACK_DROP__COUNT];
};

/* Zeroed memory from the allocator hook, or NULL. */
void *synack_mem_alloc(synack_stack *s, size_t size);
/* Memory from the allocator hook with its contents undefined (ring
   storage, which is always written before it is read), or NULL. */
void *synack_mem_alloc_raw(synack_stack *s, size_t size);
/* Return memory (NULL allowed). */
void synack_mem_free(synack_stack *s, void *p, size_t size);

/* Count a drop and emit a `drop` trace event. */
void synack_count_drop(synack_stack *s, synack_drop d);

/* Deliver a trace event if a callback is set (fills t from s->now). */
void synack_trace(synack_stack *s, synack_trace_event *ev);

/* True when a trace callback is set (check before building an event). */
static inline bool synack_tracing(const synack_stack *s)
{
    return s->cfg.trace != NULL;
}

/* Hand one frame to the link; counts it (or the drop). `gso` non-NULL:
 * a send-offload packet, for send_gso when it is above the MTU. */
int synack_link_output(synack_stack *s, const uint8_t *frame, size_t len,
                       const synack_gso *gso);

/* Size of the L2 header for the stack's medium (14 or 0). */
static inline size_t synack_l2_len(const synack_stack *s)
{
    return s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET ? SYNACK_ETH_HDR_LEN : 0;
}

#endif
