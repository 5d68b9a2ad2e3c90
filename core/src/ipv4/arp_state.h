/*
 * ARP neighbour cache state: the part of the stack value this module owns,
 * embedded in struct synack_stack (net/stack.h). Types only; the functions
 * are in arp.h.
 */
#ifndef SYNACK_ARP_STATE_H
#define SYNACK_ARP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

typedef enum synack_arp_state {
    SYNACK_ARP_FREE = 0,
    SYNACK_ARP_PENDING,  /* request sent, waiting for the reply */
    SYNACK_ARP_RESOLVED, /* mac is valid until `deadline` */
} synack_arp_state;

typedef struct synack_arp_entry {
    synack_ip4 ip;
    synack_mac mac;
    uint8_t state;     /* synack_arp_state */
    uint8_t tries;     /* requests sent while pending */
    uint64_t deadline; /* resolved: expiry (lazy); pending: next retry */
    uint64_t used;     /* last use, for replacing the oldest entry */
} synack_arp_entry;

/* A packet waiting for resolution: a copy with room for the L2 header. */
typedef struct synack_arp_queued {
    synack_ip4 nexthop;
    uint8_t *frame;    /* SYNACK_ETH_HDR_LEN + IP packet, NULL when free */
    size_t len;        /* frame length including the L2 header */
    uint32_t gso_seg;  /* s->ip.gso_seg when it was queued: a send-offload
                          packet still goes to send_gso once resolved */
} synack_arp_queued;

typedef struct synack_arp {
    synack_arp_entry *cache; /* cfg.arp_cache_size entries */
    synack_arp_queued *queue;/* cfg.arp_queue_len slots */
    uint32_t hint;           /* the entry the last output used: checked
                                first, most packets go to one next hop */
} synack_arp;

#endif
