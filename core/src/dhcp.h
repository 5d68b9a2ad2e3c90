/*
 * DHCP client (RFC 2131 sections 3.1, 4.1, 4.4; options RFC 2132): its
 * state in the stack and the poll hooks. Internal to core/.
 */
#ifndef SYNACK_DHCP_H
#define SYNACK_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

typedef struct synack_stack synack_stack;

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
    bool dns_from_dhcp;    /* the stack's resolver came from this lease */
    synack_dhcp_lease lease;
} synack_dhcp;

/* Run the client's timers (called from synack_poll). */
void synack_dhcp_poll(synack_stack *s, uint64_t now);

/* The client's next deadline; UINT64_MAX when stopped or idle. */
uint64_t synack_dhcp_poll_at(const synack_stack *s);

#endif
