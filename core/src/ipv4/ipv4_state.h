/*
 * IPv4 layer state (identification, reassembly sets): the part of the stack
 * value this module owns, embedded in struct synack_stack (net/stack.h).
 * Types only; the functions are in ipv4.h.
 */
#ifndef SYNACK_IPV4_STATE_H
#define SYNACK_IPV4_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

typedef struct synack_reasm_set synack_reasm_set;

/* Buckets of the RFC 7739 section 5.3 hash-based IP ID generator. */
#define SYNACK_IP_ID_BUCKETS 64

typedef struct synack_ipv4 {
    uint16_t next_id_hint;     /* unused: IDs come from id_counters (ipv4.c) */
    synack_reasm_set *sets;    /* array of cfg.reasm_max_sets */
    uint32_t reasm_bytes;      /* memory held by reassembly */
    uint8_t *frag_scratch;     /* L2 header + MTU, for fragmenting output */
    uint16_t id_counters[SYNACK_IP_ID_BUCKETS];
    /* The last flow's keyed hash (next_id): one SipHash per flow change,
     * not per packet. */
    synack_ip4 id_src, id_dst;
    uint8_t id_proto;
    bool id_valid;
    uint64_t id_hash;
} synack_ipv4;

#endif
