/*
 * ICMPv4 state (ping handles, error rate limit): the part of the stack value
 * this module owns, embedded in struct synack_stack (net/stack.h). Types
 * only; the functions are in icmp.h.
 */
#ifndef SYNACK_ICMP_STATE_H
#define SYNACK_ICMP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "util/rate.h"
#include "wire/wire.h"

/* One received echo reply, copied. */
typedef struct synack_ping_reply {
    synack_addr src;
    uint16_t seq;
    uint8_t *data; /* NULL when len is 0 */
    size_t len;
} synack_ping_reply;

typedef struct synack_ping {
    bool used;
    uint16_t ident;          /* ICMP identifier, random per handle */
    int err;                 /* sticky error reported once by recv */
    synack_ping_reply *q;    /* ring of cfg.udp_queue_len replies */
    uint32_t head, count;
} synack_ping;

typedef struct synack_icmp {
    synack_ping *pings;      /* cfg.icmp_max_sockets handles */
    synack_rate errors;      /* token bucket for errors sent */
} synack_icmp;

#endif
