/*
 * The bridge's own DHCP server for the slirp network. libslirp 4.7 hands
 * out 16 leases and never takes one back, so a bridge that outlives 16
 * client MACs would stop giving addresses; here a lease belongs to a
 * client connection and ends with it. Addresses and options are slirp's:
 * pool from 10.0.2.15, router 10.0.2.2, DNS 10.0.2.3, server 10.0.2.2.
 * Sans-IO: decide the answer, then build the reply frame.
 */
#ifndef SYNACK_BR_DHCPD_H
#define SYNACK_BR_DHCPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "wire/wire_app.h"

#define SYNACK_BR_DHCP_LEASE_S 86400u

/* Whether `ip` may be given to the asking client (not owned by another). */
typedef bool (*synack_br_ip_free_fn)(void *ctx, uint32_t ip);

typedef struct synack_br_dhcp_answer {
    uint8_t msg_type; /* SYNACK_DHCPOFFER, _DHCPACK, _DHCPNAK, or 0: no reply */
    uint32_t yiaddr;  /* the address offered or acknowledged (0 for INFORM) */
    bool assign;      /* an ACK that gives the client yiaddr */
    bool release;     /* DHCPRELEASE: the client gives its address back */
} synack_br_dhcp_answer;

/*
 * What to answer to client message `req` (RFC 2131 section 4.3) from a
 * client that holds `current` (0: none). DISCOVER: offer the requested
 * address if it is free, else `current`, else the lowest free pool
 * address. REQUEST: with a server identifier that is not ours, stay quiet;
 * ACK the requested address (or ciaddr when renewing) when it is in the
 * network and free, else NAK. INFORM: ACK without an address. RELEASE:
 * release when ciaddr is `current`. DECLINE and others: no reply.
 */
synack_br_dhcp_answer synack_br_dhcpd_decide(const synack_br_slirp_net *net,
                                             const synack_dhcp_repr *req,
                                             uint32_t current,
                                             synack_br_ip_free_fn is_free,
                                             void *ctx);

/*
 * Build the reply Ethernet frame (from slirp's gateway MAC and 10.0.2.2,
 * UDP 67 to 68) into buf. Broadcast (RFC 2131 section 4.1) unless the
 * client has an address (ciaddr) and did not ask for broadcast. Returns
 * the frame length, or 0 when cap is too small.
 */
size_t synack_br_dhcpd_build(const synack_br_slirp_net *net,
                             const synack_dhcp_repr *req,
                             const synack_br_dhcp_answer *a,
                             const uint8_t client_mac[6], uint8_t *buf,
                             size_t cap);

#endif
