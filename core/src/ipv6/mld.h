/*
 * MLDv2 (RFC 3810) for a host: reports for the groups we listen to (the
 * solicited-node groups of our addresses), so snooping switches deliver
 * neighbour solicitations. Internal to core/.
 */
#ifndef SYNACK_MLD_H
#define SYNACK_MLD_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "ipv6/ipv6.h"
#include "ipv6/mld_state.h"

typedef struct synack_stack synack_stack;

int synack_mld_init(synack_stack *s);
void synack_mld_fini(synack_stack *s);

/* An ICMPv6 message of types 130, 131, 132 or 143 arrived (checksum
 * verified); `msg` the whole ICMPv6 message. */
void synack_mld_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                      const uint8_t *msg, size_t len);

/* Whether we listen to the multicast group (beyond all-nodes and the
 * solicited-node groups, which synack_ipv6_is_ours knows). */
bool synack_mld_listening(const synack_stack *s, const synack_addr *group);

/*
 * The address table changed: listen to the solicited-node group of every
 * address that is not a duplicate (`except`, about to be removed, left
 * out), reporting joins and leaves (state-change reports, RFC 3810 6.1,
 * sent [Robustness Variable] times).
 */
void synack_mld_sync(synack_stack *s, uint64_t now, const synack_ip6_ifaddr *except);

void synack_mld_poll(synack_stack *s, uint64_t now);
uint64_t synack_mld_poll_at(const synack_stack *s);

#endif
