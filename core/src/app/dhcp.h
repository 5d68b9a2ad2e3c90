/*
 * DHCP client (RFC 2131 sections 3.1, 4.1, 4.4; options RFC 2132): its
 * state in the stack and the poll hooks. Internal to core/.
 */
#ifndef SYNACK_DHCP_H
#define SYNACK_DHCP_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"
#include "app/dhcp_state.h"

typedef struct synack_stack synack_stack;

/* Run the client's timers (called from synack_poll). */
void synack_dhcp_poll(synack_stack *s, uint64_t now);

/* The client's next deadline; UINT64_MAX when stopped or idle. */
uint64_t synack_dhcp_poll_at(const synack_stack *s);

#endif
