/*
 * ICMPv6 (RFC 4443) for a host: the input switch (echo, errors to the
 * transports, Packet Too Big to the path MTU cache, NDP and MLD types to
 * nd.c and mld.c), echo replies, ping handles of family 6 and the errors
 * we send (rate-limited, never about an error or to multicast except as
 * RFC 4443 2.4(e) allows). Internal to core/.
 */
#ifndef SYNACK_ICMP6_H
#define SYNACK_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "ipv6/ipv6.h"

typedef struct synack_stack synack_stack;

/* An ICMPv6 message arrived. */
void synack_icmp6_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                        const uint8_t *msg, size_t len);

/*
 * Send an ICMPv6 error (type, code, rest) about a received packet `pkt`
 * (quoted up to the 1280-byte minimum MTU). Not sent about ICMPv6 errors
 * or to a multicast/unspecified source; not about a packet sent to
 * multicast unless `allow_mcast` (PTB, Parameter Problem code 2 with
 * option action 11); rate-limited by cfg.icmp_errors_per_s.
 */
void synack_icmp6_send_error(synack_stack *s, uint64_t now, uint8_t type,
                             uint8_t code, uint32_t rest,
                             const synack_ip6_meta *m, const uint8_t *pkt,
                             size_t len, bool allow_mcast);

/* Send an echo request for a ping handle (ipv4/icmp.c's synack_ping_send
 * calls this for an IPv6 destination). */
int synack_icmp6_echo_send(synack_stack *s, uint64_t now, uint16_t ident,
                           const synack_addr *dst, uint16_t seq,
                           const void *payload, size_t len);

#endif
