/*
 * IPv6 for a host (RFC 8200): input (fixed header, extension-header walk,
 * reassembly, delivery by next header), routing and source address
 * selection, output (with fragmentation for datagrams above the path MTU,
 * never for TCP), the path MTU cache (RFC 8201) and the interface address
 * table that static configuration, SLAAC and DAD share.
 * Internal to core/.
 */
#ifndef SYNACK_IPV6_H
#define SYNACK_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "net/ip.h"
#include "wire/wire.h"
#include "ipv6/ipv6_state.h"

typedef struct synack_stack synack_stack;

/* What a received IPv6 packet tells its upper layer besides its bytes. */
typedef struct synack_ip6_meta {
    synack_addr src, dst;
    uint8_t hop_limit;   /* as received (NDP requires 255) */
    bool mcast;          /* dst is a multicast address */
    bool router_alert;   /* a Hop-by-Hop Router Alert option was present */
    bool ext;            /* extension headers other than the Fragment header */
} synack_ip6_meta;

/* Allocate tables and scratch (0 or NOMEM); free them. */
int synack_ipv6_init(synack_stack *s);
void synack_ipv6_fini(synack_stack *s);

/* An IPv6 packet arrived (L2 stripped); `link_mcast` the frame went to a
 * link-layer multicast or broadcast address. */
void synack_ipv6_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len, bool link_mcast);

/* Reassembly expiry and path MTU ageing; the next deadline. */
void synack_ipv6_poll(synack_stack *s, uint64_t now);
uint64_t synack_ipv6_poll_at(const synack_stack *s);

/* ---- addresses (ip6_addr.c) ------------------------------------------------ */

/* ff00::/8 (RFC 4291 2.7). */
static inline bool synack_ip6_is_multicast(const synack_addr *a)
{
    return a->b[0] == 0xff;
}
/* fe80::/10 (RFC 4291 2.5.6). */
static inline bool synack_ip6_is_linklocal(const synack_addr *a)
{
    return a->b[0] == 0xfe && (a->b[1] & 0xc0) == 0x80;
}
/* :: and ::1 (RFC 4291 2.5.2, 2.5.3). */
bool synack_ip6_is_unspecified(const synack_addr *a);
bool synack_ip6_is_loopback(const synack_addr *a);
/* ff02::1:ffXX:XXXX for addr (RFC 4291 2.7.1). */
synack_addr synack_ip6_solicited_node(const synack_addr *addr);
/* Whether a and b share their first plen bits. */
bool synack_ip6_prefix_match(const synack_addr *a, const synack_addr *b,
                             uint8_t plen);

/*
 * The interface address table, for static configuration and SLAAC.
 * synack_ip6_addr_add takes a free slot and fills it (lifetimes in ms from
 * now, UINT32_MAX infinite), then tells NDP (synack_nd_addr_added: DAD
 * and the solicited-node group; the stub makes it PREFERRED at once).
 * Returns the slot, or NULL when the table is full or addr is there.
 */
synack_ip6_ifaddr *synack_ip6_addr_add(synack_stack *s, uint64_t now,
                                       const synack_addr *addr, uint8_t plen,
                                       uint8_t origin, uint32_t valid_ms,
                                       uint32_t preferred_ms);
/* The slot holding addr, or NULL. */
synack_ip6_ifaddr *synack_ip6_addr_find(const synack_stack *s,
                                        const synack_addr *addr);
/* Free a slot (tells NDP first: synack_nd_addr_removed). */
void synack_ip6_addr_remove(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a);

/* Move a to `state` (synack_ip6_addr_state), with an `addr` trace event
 * when it changes: every state change of an address goes through here. */
void synack_ip6_addr_set_state(synack_stack *s, synack_ip6_ifaddr *a, uint8_t state);

/* A `pmtu` trace event: the path MTU towards dst is now `mtu`. */
void synack_ipv6_trace_pmtu(synack_stack *s, const synack_addr *dst, uint32_t mtu);

/*
 * Whether dst is for us: one of our addresses usable for traffic
 * (preferred or deprecated; *tentative set when it is tentative, which
 * only NDP may see), the all-nodes group, or the solicited-node group of
 * any of our addresses.
 */
bool synack_ipv6_is_ours(const synack_stack *s, const synack_addr *dst,
                         bool *tentative);

/*
 * Source address for dst (RFC 6724 section 5, simplified: same scope
 * first, preferred before deprecated, then the longest common prefix).
 * Returns 0 or SYNACK_ERR_UNREACHABLE (no usable address).
 */
int synack_ipv6_select_source(const synack_stack *s, const synack_addr *dst,
                              synack_addr *src);

/* ---- routing and output ------------------------------------------------ */

/*
 * Source and next hop for dst: multicast and link-local destinations are
 * on-link; otherwise NDP decides (synack_nd_next_hop: on-link prefixes,
 * default routers, the static gateway). Returns 0 or UNREACHABLE.
 */
int synack_ipv6_route(const synack_stack *s, const synack_addr *dst,
                      synack_addr *src, synack_addr *nexthop);

/* The path MTU towards dst (the link MTU unless a PTB lowered it). */
uint32_t synack_ipv6_path_mtu(const synack_stack *s, const synack_addr *dst);

/* Largest L4 payload of one unfragmented packet on the link (MTU - 40). */
uint32_t synack_ipv6_mtu_payload(const synack_stack *s);

/*
 * Output in two steps, as IPv4's: the L4 header goes at the returned
 * pointer (room for up to 65535 - 40 - 8 bytes in *cap), then send.
 */
uint8_t *synack_ipv6_tx_buf(synack_stack *s, size_t *cap);

/*
 * Send the L4 bytes at synack_ipv6_tx_buf to dst (the transports' path,
 * through synack_ip_send). Source by synack_ipv6_select_source. Above the
 * path MTU: TCP (tx->gso_seg aside) and tx->df are refused
 * (SYNACK_ERR_MSGSIZE, counted as ipv6/too-big); other protocols are cut
 * into fragments (RFC 8200 section 4.5). Returns 0 or a negative error.
 */
int synack_ipv6_send(synack_stack *s, uint64_t now, const synack_addr *dst,
                     uint8_t proto, size_t l4len, const synack_ip_tx *tx);

/*
 * The output primitive for ICMPv6, NDP and MLD: the L4 bytes at
 * synack_ipv6_tx_buf are sent with the header this describes.
 */
typedef struct synack_ip6_out {
    const synack_addr *src;  /* NULL: source selection; the unspecified
                                address (::) is allowed (DAD, RFC 4862 5.4.2) */
    const synack_addr *dst;  /* multicast: to 33:33:xx:xx:xx:xx at once */
    uint8_t next;            /* upper-layer protocol */
    uint8_t hop_limit;       /* 0: the current default */
    bool router_alert;       /* a Hop-by-Hop header with Router Alert
                                (RFC 2711, value 0: MLD) */
    const synack_mac *dst_mac; /* non-NULL: this link address, no lookup */
} synack_ip6_out;

/*
 * Send with `o`. For next == SYNACK_IPPROTO_ICMPV6 the ICMPv6 checksum is
 * computed here over the final addresses (the caller leaves it zero).
 * Unicast destinations go through the neighbour cache (the next hop from
 * synack_ipv6_route; a link-local destination is its own next hop).
 * Not fragmented: above the link MTU is SYNACK_ERR_MSGSIZE.
 * Returns 0 or a negative error (UNREACHABLE: no route or no source).
 */
int synack_ipv6_output(synack_stack *s, uint64_t now, const synack_ip6_out *o,
                       size_t l4len);

/* Resolver callbacks of the neighbour cache (net/neigh.h) for IPv6. */
void synack_ipv6_neigh_send(synack_stack *s, const synack_mac *dst,
                            uint8_t *frame, size_t len, const synack_gso *gso);
void synack_ipv6_neigh_failed(synack_stack *s, const uint8_t *pkt, size_t len);

/*
 * The upward error path of IPv6: `quote` is a packet of ours that an
 * ICMPv6 error quoted (nexthop false) or whose next hop did not answer.
 * Parsed once (synack_ip6_quote_parse) and handed to its transport.
 */
void synack_ipv6_error(synack_stack *s, uint64_t now, const uint8_t *quote,
                       size_t len, int err, bool nexthop);

/* A Packet Too Big about a packet of ours to dst: lower the path MTU
 * (never below 1280) and the MSS of TCP connections to dst. */
void synack_ipv6_pmtu_update(synack_stack *s, uint64_t now,
                             const synack_addr *dst, uint32_t mtu);

/*
 * Deliver a complete packet `pkt` (len bytes: the packet as received, or
 * reassembled) to its upper layer `proto`, whose header is at pkt + l4_off;
 * `next_at` is the offset of the Next Header field that named it (the
 * Parameter Problem pointer for an unknown protocol).
 */
void synack_ipv6_deliver(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                         uint8_t proto, uint32_t next_at, const uint8_t *pkt,
                         size_t len, size_t l4_off);

/*
 * A datagram reassembled by reasm6.c: `pkt` its unfragmentable part then
 * the data (from data_off on, the headers after the Fragment header, first
 * `proto`). Walks the rest of the chain and delivers.
 */
void synack_ipv6_input_reassembled(synack_stack *s, uint64_t now,
                                   const synack_ip6_meta *m, const uint8_t *pkt,
                                   size_t len, size_t data_off, uint8_t proto,
                                   uint32_t next_at);

/* ---- reassembly (reasm6.c) --------------------------------------------- */

/* Allocate cfg.reasm_max_sets sets (0 or NOMEM); free them and their data. */
int synack_reasm6_init(synack_stack *s);
void synack_reasm6_fini(synack_stack *s);
/*
 * A fragment (offset non-zero or M set): `pkt` the whole packet of `len`
 * bytes (its start is kept for the Time Exceeded quote), `data_off` where
 * the fragment's data starts (after the Fragment header; the
 * unfragmentable part is what comes before that header), `e` the walk's
 * result (frag_off, more, frag_id, proto, next_at). A datagram it
 * completes goes to synack_ipv6_input_reassembled.
 */
void synack_reasm6_input(synack_stack *s, uint64_t now,
                         const synack_ip6_meta *m, const synack_ip6_ext *e,
                         const uint8_t *pkt, size_t len, size_t data_off);
/* Expire incomplete sets (Time Exceeded when the first fragment came). */
void synack_reasm6_poll(synack_stack *s, uint64_t now);
/* The next expiry, UINT64_MAX when none. */
uint64_t synack_reasm6_poll_at(const synack_stack *s);
/* Incomplete datagrams held (sets killed by an overlap not counted). */
uint32_t synack_reasm6_count(const synack_stack *s);

#endif
