/*
 * UDP socket table: the part of the stack value this module owns, embedded
 * in struct synack_stack (net/stack.h). Types only; the functions are in
 * udp.h.
 */
#ifndef SYNACK_UDP_STATE_H
#define SYNACK_UDP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "net/ip.h"
#include "wire/wire.h"

/*
 * A receive hook (the DHCP client sets one in the stack): called for UDP
 * datagrams to port 68 before the socket lookup. Returns true when it
 * consumed the datagram.
 */
typedef bool (*synack_udp_rx_hook)(synack_stack *s, void *ctx, uint64_t now,
                                   const synack_ip_rx *ip,
                                   const synack_udp_repr *u);

#define SYNACK_UDP_DHCP_CLIENT_PORT 68

/* One queued datagram, copied. */
typedef struct synack_udp_dgram {
    synack_addr src;
    uint16_t sport;
    uint8_t *data; /* NULL when len is 0 */
    size_t len;
} synack_udp_dgram;

typedef struct synack_udp_sock {
    bool used;
    bool v6only;             /* SYNACK_UDPOPT_V6ONLY */
    uint16_t port;
    int err;                 /* pending ICMP error, reported once */
    synack_udp_dgram *q;     /* ring of cfg.udp_queue_len */
    uint32_t head, count;
} synack_udp_sock;

typedef struct synack_udp {
    synack_udp_sock *socks;  /* cfg.udp_max_sockets */
} synack_udp;

#endif
