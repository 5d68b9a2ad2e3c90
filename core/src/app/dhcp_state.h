/*
 * DHCP client state: the part of the stack value this module owns, embedded
 * in struct synack_stack (net/stack.h). Types only; the functions are in
 * dhcp.h.
 */
#ifndef SYNACK_DHCP_STATE_H
#define SYNACK_DHCP_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

typedef struct synack_dhcp {
    synack_dhcp_state state;
    uint32_t xid;          /* transaction of the current exchange */
    uint64_t started;      /* ms: start of this acquisition/renewal (secs) */
    uint64_t request_at;   /* ms: first REQUEST of this exchange (lease start) */
    uint64_t next_tx;      /* ms: retransmission deadline, UINT64_MAX none */
    uint32_t tries;        /* transmissions in this state */
    synack_ip4 offered;    /* SELECTING -> REQUESTING: yiaddr of the OFFER */
    synack_ip4 server;     /* server identifier we deal with */
    uint64_t t1_at, t2_at, expire_at; /* ms; UINT64_MAX for infinite */
    uint32_t nak_delay_ms; /* wait before DISCOVER after a NAK; doubles */
    synack_dhcp_lease lease;
} synack_dhcp;

#endif
