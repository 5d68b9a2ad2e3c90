/*
 * The network layer as the transports (TCP, UDP) see it, for either
 * address family: what a received packet carries up (synack_ip_rx) and
 * route/transmit calls that pick the family's layer from the address.
 * IPv4 (ipv4/) and IPv6 (ipv6/). Internal to core/.
 */
#ifndef SYNACK_NET_IP_H
#define SYNACK_NET_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"
#include "synack/synack.h"

typedef struct synack_stack synack_stack;

/* What the IP layer hands a transport with a packet it delivers. */
typedef struct synack_ip_rx {
    synack_addr src, dst;
    uint32_t phsum; /* pseudo-header sum (wire.h) for the L4 checksum */
    bool bcast;     /* sent to a broadcast address (IP or link layer) */
} synack_ip_rx;

/*
 * An error about a packet we sent, for its transport: from an ICMP error
 * (its quote parsed once in wire/) or from the neighbour cache giving up
 * on the next hop; the IP layer hands it on by the packet's protocol.
 */
typedef struct synack_ip_err {
    synack_addr src, dst; /* of our packet: src is ours */
    const uint8_t *l4;    /* its transport header, at least 8 bytes */
    size_t l4len;
    int err;              /* SYNACK_ERR_REFUSED (port or protocol
                             unreachable) or SYNACK_ERR_UNREACHABLE */
    bool nexthop;         /* the next hop did not answer (no ICMP message) */
} synack_ip_err;

struct synack_quote_repr;

/*
 * Hand an error about one of our packets (its quote parsed once by the
 * family's layer, from an ICMP/ICMPv6 error or a next hop that did not
 * answer) to the packet's transport: the one protocol switch of the
 * upward error path for both families. Returns false when no transport
 * of that family takes it (the caller counts its own drop).
 */
bool synack_ip_error_up(synack_stack *s, uint64_t now,
                        const struct synack_quote_repr *q, int err, bool nexthop);

/*
 * What a sender says about a packet besides its bytes, passed down
 * explicitly (NULL: all zero). The L4 checksum of a send-offload packet
 * holds only the pseudo-header sum (synack_tcp_fill_checksum_partial); the
 * transport says where that field and its header's end are, and the IP
 * layer adds its own header lengths for the link (synack_gso), so no
 * layer below re-parses the transport's header.
 */
typedef struct synack_ip_tx {
    bool df;          /* don't fragment: above the MTU it is refused */
    uint32_t gso_seg; /* send offload: payload bytes of each piece the link
                         cuts the packet into (0: an ordinary packet) */
    const synack_addr *src; /* the source the L4 checksum was computed
                               with (NULL: the layer chooses; IPv4 has one) */
    uint16_t csum_off;  /* with gso_seg: the checksum field's offset in
                           the L4 header (TCP: 16) */
    uint16_t l4_hdr_len; /* with gso_seg: the L4 header's length (where
                            the payload the link cuts begins) */
} synack_ip_tx;

/*
 * Our source address for packets to dst: 0 or SYNACK_ERR_UNREACHABLE (no
 * address configured, off-link with no gateway, or a family without a
 * route).
 */
int synack_ip_route(const synack_stack *s, const synack_addr *dst,
                    synack_addr *src);

/*
 * Where the L4 header goes for a packet to an address of `family`, and how
 * many bytes fit (see synack_ipv4_tx_buf); then synack_ip_send with the L4
 * length. Returns what the family's send returns.
 */
uint8_t *synack_ip_tx_buf(synack_stack *s, uint8_t family, size_t *cap);
int synack_ip_send(synack_stack *s, uint64_t now, const synack_addr *dst,
                   uint8_t proto, size_t l4len, const synack_ip_tx *tx);

/* Largest L4 payload of one unfragmented packet of `family`. */
uint32_t synack_ip_mtu_payload(const synack_stack *s, uint8_t family);

/*
 * Upper-layer reachability confirmation (RFC 4861 7.3.1): the peer
 * acknowledged new data, so the neighbour it is reached through works
 * (IPv6: spares unreachability detection its probes; IPv4: nothing).
 */
void synack_ip_confirm(synack_stack *s, uint64_t now, const synack_addr *peer);

/*
 * The path MTU towards dst went back up (an RFC 8201 entry aged out): the
 * transports that follow it (TCP's send MSS) may use larger packets again.
 * The upward half of path MTU discovery, beside synack_ip_error_up.
 */
void synack_ip_path_raised(synack_stack *s, uint64_t now, const synack_addr *dst);

/* The same towards dst: IPv6 takes the path MTU (RFC 8201) into account. */
uint32_t synack_ip_path_payload(const synack_stack *s, const synack_addr *dst);

#endif
