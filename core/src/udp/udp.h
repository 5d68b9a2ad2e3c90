/*
 * UDP (RFC 768, RFC 1122 section 4.1): sockets with bounded receive
 * queues, ephemeral ports per RFC 6056 algorithm 3, and a hook that lets
 * the DHCP client see datagrams for port 68 first. Internal to core/.
 */
#ifndef SYNACK_UDP_H
#define SYNACK_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"
#include "udp/udp_state.h"

typedef struct synack_stack synack_stack;

/* Allocate the tables sized by the config. Returns 0 or SYNACK_ERR_NOMEM. */
int synack_udp_init(synack_stack *s);
/* Free everything (safe on a zeroed, never initialised state). */
void synack_udp_fini(synack_stack *s);

/*
 * A UDP datagram arrived. Returns true when no socket has its port: the
 * IP layer then answers with its family's port unreachable (RFC 1122
 * 4.1.3.1).
 */
bool synack_udp_input(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                      const uint8_t *seg, size_t len);

/* An error about a datagram we sent (ICMP error or next hop): the socket
 * bound to its source port reports e->err once. */
void synack_udp_error(synack_stack *s, const synack_ip_err *e);

/* Whether a UDP socket is bound to `port`. */
bool synack_udp_port_open(const synack_stack *s, uint16_t port);

/* Run this layer's timers due at `now`. */
void synack_udp_poll(synack_stack *s, uint64_t now);
/* This layer's next deadline, UINT64_MAX when none. */
uint64_t synack_udp_poll_at(const synack_stack *s);

#endif
