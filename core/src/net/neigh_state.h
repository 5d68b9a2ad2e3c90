/*
 * Neighbour cache state: the part of the stack value the neighbour cache
 * (net/neigh.c) owns, embedded in struct synack_stack (net/stack.h). Types
 * only; the functions are in neigh.h.
 */
#ifndef SYNACK_NEIGH_STATE_H
#define SYNACK_NEIGH_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

typedef enum synack_neigh_state {
    SYNACK_NEIGH_FREE = 0,
    SYNACK_NEIGH_PENDING,    /* solicitation sent, waiting for the answer */
    SYNACK_NEIGH_RESOLVED,   /* mac is valid until `deadline` (lazy) */
    SYNACK_NEIGH_REFRESHING, /* expired but in use: old mac still used while
                                a new solicitation is outstanding (IPv6:
                                RFC 4861 PROBE) */
    SYNACK_NEIGH_DELAY,      /* IPv6 only: stale and used, waiting
                                DELAY_FIRST_PROBE_TIME for a confirmation
                                before probing (RFC 4861 7.3.2) */
} synack_neigh_state;

/* Entry flags. */
#define SYNACK_NEIGH_F_WEAK 0x01 /* learnt from an unsolicited message and
                                    not used by us since: replaced first */

typedef struct synack_neigh_entry {
    synack_addr addr;
    synack_mac mac;
    uint8_t state;     /* synack_neigh_state */
    uint8_t tries;     /* solicitations sent while waiting */
    uint8_t flags;     /* SYNACK_NEIGH_F_* */
    uint64_t deadline; /* resolved: expiry (lazy); waiting: next retry */
    uint64_t used;     /* last use, for replacing the oldest entry */
} synack_neigh_entry;

/* A packet waiting for resolution: a copy with room for the L2 header. */
typedef struct synack_neigh_queued {
    synack_addr nexthop;
    uint8_t *frame;    /* L2 header room + IP packet, NULL when free */
    size_t len;        /* frame length including the L2 header */
    synack_gso gso;    /* the send offload it was sent with (seg 0: none):
                          it still goes to send_gso once resolved */
} synack_neigh_queued;

typedef struct synack_neigh {
    synack_neigh_entry *cache; /* cfg.neigh_cache_size entries, all families */
    synack_neigh_queued *queue;/* cfg.neigh_queue_len slots */
    uint32_t hint;             /* the entry the last output used: checked
                                  first, most packets go to one next hop */
} synack_neigh;

#endif
