/*
 * DNS stub resolver (RFC 1035 sections 4 and 7, RFC 5452 for answer
 * matching): query slots in the stack and the poll hooks. Internal to core/.
 */
#ifndef SYNACK_DNS_H
#define SYNACK_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire_app.h"
#include "app/dns_state.h"

typedef struct synack_stack synack_stack;

/* A source offers its resolver address (NULL or the unspecified address:
 * it withdraws the one it gave). */
void synack_dns_offer(synack_stack *s, synack_dns_source src,
                      const synack_addr *server);

/* The resolver in use (the first source with one), or NULL. */
const synack_addr *synack_dns_server(const synack_stack *s);

/* Read answers and run retransmissions (called from synack_poll). */
void synack_dns_poll(synack_stack *s, uint64_t now);

/* The next retransmission or give-up deadline; UINT64_MAX when none. */
uint64_t synack_dns_poll_at(const synack_stack *s);

#endif
