/*
 * RFC 7217 interface identifiers: a pure function of the stack's secret,
 * the prefix, the interface's MAC and the DAD counter. Internal to core/.
 */
#ifndef SYNACK_SLAAC_IID_H
#define SYNACK_SLAAC_IID_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

/* Whether an interface identifier is reserved (RFC 5453, RFC 2526). */
bool synack_slaac_iid_reserved(const uint8_t iid[8]);

/*
 * The 64-bit identifier for a /64 `prefix` (its first 8 bytes), `mac`
 * and `dad_counter` under `key` (RFC 7217 section 5). A reserved result
 * counts on; returns the counter actually used (>= dad_counter), or -1
 * when none below 256 gave one.
 */
int synack_slaac_iid(const uint8_t key[16], const uint8_t prefix[8], const synack_mac *mac,
                     uint8_t dad_counter, uint8_t iid[8]);

/* prefix/64 with that identifier; family 0 when synack_slaac_iid fails. */
synack_addr synack_slaac_address(const uint8_t key[16], const synack_addr *prefix,
                                 const synack_mac *mac, uint8_t dad_counter);

#endif
