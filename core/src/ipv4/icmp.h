/*
 * ICMPv4 (RFC 792, RFC 1122 section 3.2.2): echo replies, ping handles,
 * error messages sent (rate-limited, RFC 1812 section 4.3.2.8 token
 * bucket) and errors received (delivered to the UDP socket, the TCP
 * connection or the ping handle that sent the quoted packet).
 * Internal to core/.
 */
#ifndef SYNACK_ICMP_H
#define SYNACK_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "net/ip.h"
#include "wire/wire.h"
#include "ipv4/icmp_state.h"

typedef struct synack_stack synack_stack;

/* Allocate the tables sized by the config. Returns 0 or SYNACK_ERR_NOMEM. */
int synack_icmp_init(synack_stack *s);
/* Free everything (safe on a zeroed, never initialised state). */
void synack_icmp_fini(synack_stack *s);

/*
 * An ICMP message arrived. `hdr` is the raw IP header (ip->hdr_len bytes),
 * `bcast` whether it was addressed to a broadcast.
 */
void synack_icmp_input(synack_stack *s, uint64_t now, const synack_ip4_repr *ip,
                       const uint8_t *msg, size_t len, bool bcast);

/*
 * Send an ICMP error (type, code, rest-of-header) about a received packet:
 * `hdr` its raw IP header, `payload` its data (quoted up to 576 bytes in
 * all). Follows RFC 1122 3.2.2: never about ICMP errors, broadcasts,
 * non-first fragments or invalid sources; rate-limited.
 */
void synack_icmp_send_error(synack_stack *s, uint64_t now, uint8_t type,
                            uint8_t code, uint32_t rest,
                            const synack_ip4_repr *ip, const uint8_t *hdr,
                            const uint8_t *payload, size_t len, bool bcast);

/* An error about an echo request of ours (ICMP error or next hop): the
 * ping handle that sent it reports SYNACK_ERR_UNREACHABLE once. */
void synack_icmp_echo_error(synack_stack *s, const synack_ip_err *e);

/* An echo reply (either family) for the ping handle with m->id: queued
 * with its source, or counted as a drop. */
void synack_icmp_ping_reply(synack_stack *s, const synack_addr *src,
                            const synack_icmp_repr *m);

/* Run this layer's timers due at `now`. */
void synack_icmp_poll(synack_stack *s, uint64_t now);
/* This layer's next deadline, UINT64_MAX when none. */
uint64_t synack_icmp_poll_at(const synack_stack *s);

#endif
