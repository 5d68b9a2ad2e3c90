/*
 * Stateless address autoconfiguration (RFC 4862): the link-local address
 * at start, duplicate address detection, addresses from advertised
 * prefixes with their lifetimes. Called by nd.c. Internal to core/.
 */
#ifndef SYNACK_SLAAC_H
#define SYNACK_SLAAC_H

#include <stdint.h>

#include "ipv6/ipv6.h"
#include "wire/wire_ndp.h"

typedef struct synack_stack synack_stack;

/* RFC 7217 section 6: new identifiers tried after a DAD failure. */
#define SYNACK_SLAAC_IDGEN_RETRIES 3

/* Form the link-local address (fe80::/64, RFC 7217 identifier). */
void synack_slaac_start(synack_stack *s, uint64_t now);

/* The key of the stack's RFC 7217 identifiers: cfg.ipv6.stable_secret
 * when set, else the stack's random secret. */
const uint8_t *synack_slaac_key(const synack_stack *s);

/* A Prefix Information option arrived in a valid RA (RFC 4862 5.5.3). */
void synack_slaac_prefix(synack_stack *s, uint64_t now, const synack_ndp_prefix *p);

/* DAD found our tentative address in use (RFC 4862 5.4.5). */
void synack_slaac_dad_conflict(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a);

/* DAD probes and verdicts, preferred/valid lifetimes; next deadline. */
void synack_slaac_poll(synack_stack *s, uint64_t now);
uint64_t synack_slaac_poll_at(const synack_stack *s);

#endif
