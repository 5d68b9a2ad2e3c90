/*
 * IPv4 (RFC 791, RFC 1122 section 3): input validation and dispatch,
 * routing (on-link subnet, default gateway), output with fragmentation,
 * and reassembly (RFC 815 style holes) with a memory cap and a timeout.
 */
#ifndef SYNACK_IPV4_H
#define SYNACK_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "net/ip.h"
#include "wire/wire.h"
#include "ipv4/ipv4_state.h"

typedef struct synack_stack synack_stack;

/* Allocate the fragmentation scratch and reassembly sets (0 or NOMEM). */
int synack_ipv4_init(synack_stack *s);
/* Free them, and any datagram being reassembled. */
void synack_ipv4_fini(synack_stack *s);

/* An IP packet arrived (L2 stripped). */
void synack_ipv4_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len);

/* Expire reassembly; the next reassembly deadline. */
void synack_ipv4_poll(synack_stack *s, uint64_t now);
uint64_t synack_ipv4_poll_at(const synack_stack *s);

/*
 * Routing: the source address and next hop for dst. Returns 0 or
 * SYNACK_ERR_UNREACHABLE (no address configured, or off-link with no gateway).
 */
int synack_ipv4_route(const synack_stack *s, synack_ip4 dst, synack_ip4 *src,
                      synack_ip4 *nexthop);

/*
 * Output in two steps, without copying the payload. synack_ipv4_tx_buf()
 * returns where the L4 header must be written in the stack's frame scratch
 * and how many bytes fit there (up to 65515); the L4 layer writes its
 * header and payload there and calls synack_ipv4_send() with the length.
 * Packets above the MTU are fragmented (unless tx->df; a send-offload
 * packet, tx->gso_seg, goes out whole to send_gso), those for an unresolved
 * neighbour are queued for ARP (whole: fragmentation happens after
 * resolution, with their tx->gso_seg; a full queue is a counted drop,
 * still returning 0). `tx` may be NULL (no DF, no offload).
 * Returns 0 or a negative error (SYNACK_ERR_UNREACHABLE: no route, counted
 * as SYNACK_DROP_IPV4_NO_ROUTE; SYNACK_ERR_MSGSIZE: l4len > 65515, or df
 * and above the MTU, counted as SYNACK_DROP_IPV4_DF).
 */
uint8_t *synack_ipv4_tx_buf(synack_stack *s, size_t *cap);
int synack_ipv4_send(synack_stack *s, uint64_t now, synack_ip4 dst,
                     uint8_t proto, size_t l4len, const synack_ip_tx *tx);

/* Largest L4 payload that fits one unfragmented packet (MTU - 20). */
uint32_t synack_ipv4_mtu_payload(const synack_stack *s);

/* Whether addr is our configured address (or broadcast for our subnet). */
bool synack_ipv4_is_ours(const synack_stack *s, synack_ip4 addr, bool *bcast);

/*
 * As synack_ipv4_input, `link_bcast` telling that the frame was sent to a
 * link-layer broadcast/multicast address (no ICMP errors about it).
 */
void synack_ipv4_input_frame(synack_stack *s, uint64_t now, const uint8_t *pkt,
                             size_t len, bool link_bcast);

/*
 * Hand a complete datagram to its protocol: `hdr` the raw IP header
 * (ip->hdr_len bytes, for quoting in ICMP errors), `payload` its data.
 */
void synack_ipv4_deliver(synack_stack *s, uint64_t now,
                         const synack_ip4_repr *ip, const uint8_t *hdr,
                         const uint8_t *payload, size_t len, bool bcast);

/*
 * Put a complete frame on the link: `frame` holds room for the L2 header
 * followed by an IP packet (len counts both). The Ethernet header is
 * written with destination `dst` (ignored on the IP medium); packets above
 * the MTU are cut into fragments (RFC 791 section 3.2) on the way out.
 */
void synack_ipv4_output_frame(synack_stack *s, const synack_mac *dst,
                              uint8_t *frame, size_t len, const synack_gso *gso);

/*
 * Resolver callbacks of the neighbour cache (net/neigh.h) for IPv4:
 * send a frame to a resolved neighbour (with the send-offload piece size
 * it was queued with), and ARP gave up on a queued packet (IP header
 * first): tell the transport or ping handle that sent it.
 */
void synack_ipv4_neigh_send(synack_stack *s, const synack_mac *dst,
                            uint8_t *frame, size_t len, const synack_gso *gso);
void synack_ipv4_neigh_failed(synack_stack *s, const uint8_t *pkt, size_t len);

/*
 * The one upward error path of IPv4: `quote` is a packet of ours (IP
 * header first, at least 8 bytes of transport header) that an ICMP error
 * quoted (`nexthop` false: RFC 5927 checks, drops counted) or whose next
 * hop could not be resolved (`nexthop` true). It is parsed once
 * (synack_ip4_quote_parse) and handed to the protocol that sent it, with
 * `err` (SYNACK_ERR_REFUSED or SYNACK_ERR_UNREACHABLE).
 */
void synack_ipv4_error(synack_stack *s, uint64_t now, const uint8_t *quote,
                       size_t len, int err, bool nexthop);

/* ---- reassembly (reasm.c) ---------------------------------------------- */

/* Allocate cfg.reasm_max_sets sets (0 or NOMEM); free them and their data. */
int synack_reasm_init(synack_stack *s);
void synack_reasm_fini(synack_stack *s);

/*
 * A fragment (mf set or offset non-zero) arrived: `hdr` its raw header,
 * `payload` its data. When it completes a datagram, the datagram is
 * delivered with synack_ipv4_deliver and its memory freed.
 */
void synack_reasm_input(synack_stack *s, uint64_t now, const synack_ip4_repr *ip,
                        const uint8_t *hdr, const uint8_t *payload, size_t len,
                        bool bcast);

/* Expire incomplete datagrams. */
void synack_reasm_poll(synack_stack *s, uint64_t now);
uint64_t synack_reasm_poll_at(const synack_stack *s);

/* Incomplete datagrams held. */
uint32_t synack_reasm_count(const synack_stack *s);

#endif
