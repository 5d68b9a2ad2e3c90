/*
 * Offload across a stream link (issue 16): a capability exchange and TCP
 * super-frames between a client and synack-bridge, carried as ordinary
 * length-prefixed Ethernet frames so that the stream framing, websockify
 * and QEMU's `-netdev stream` see nothing new.
 *
 * Every offload message is an Ethernet frame with the IEEE local
 * experimental EtherType 0x88B5, followed by an 8-byte header: the magic
 * "SYNACK", the message type and the version (1).
 *   HELLO (client -> bridge) and AGREE (bridge -> client): flags (be16)
 *     and the largest inner frame the sender takes (be16). A client sends
 *     HELLO as its first frame (after any token); the bridge answers AGREE
 *     with the subset it grants. Addressed from and to the client's own MAC,
 *     so a bridge or switch that does not know it drops it (an old
 *     synack-bridge counts it as drop_policy) and it never reaches a peer.
 *   SUPER: a 10-byte virtio_net_hdr (virtio 1.x 5.1.6, little-endian,
 *     GSO_TCPV4 or GSO_TCPV6 and gso_size) and then the inner Ethernet
 *     frame, a TCP/IPv4 packet, or a TCP/IPv6 one with TCP right after the
 *     fixed header, of up to 64 KB whose pieces are gso_size payload bytes
 *     each. Each family has its own flags, so a peer that knows only the
 *     IPv4 ones (the first bridges and clients) never sees an IPv6 SUPER.
 *     Only sent to a side that granted it; the checksum fields inside need
 *     not be complete (the cutter computes them).
 * Plain frames never change, so a client that never sends HELLO is never
 * sent a SUPER, and a HELLO to an old bridge costs one dropped frame.
 *
 * Pure byte work with no platform headers: the bridge, the native tool and
 * the wasm builds share it.
 */
#ifndef SYNACK_LINK_OFFLOAD_H
#define SYNACK_LINK_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h" /* synack_gso */

#define SYNACK_OFFLOAD_ETHERTYPE 0x88B5u
#define SYNACK_OFFLOAD_HDR_LEN 8u   /* "SYNACK", type, version */
#define SYNACK_OFFLOAD_VNET_LEN 10u /* struct virtio_net_hdr */
#define SYNACK_OFFLOAD_VERSION 1u
/* Outer overhead of a SUPER: Ethernet, offload header, virtio_net_hdr. */
#define SYNACK_OFFLOAD_SUPER_OVERHEAD (14u + SYNACK_OFFLOAD_HDR_LEN + SYNACK_OFFLOAD_VNET_LEN)
/* Largest inner frame: a SUPER must fit the stream framing's 65535 bytes. */
#define SYNACK_OFFLOAD_INNER_MAX (65535u - SYNACK_OFFLOAD_SUPER_OVERHEAD)
/* Smallest gso_size accepted: bounds a super-frame to ~1000 pieces. */
#define SYNACK_OFFLOAD_SEG_MIN 64u
/* A HELLO/AGREE frame, padded to Ethernet's minimum. */
#define SYNACK_OFFLOAD_CTRL_LEN 60u

enum {
    SYNACK_OFFLOAD_HELLO = 1,
    SYNACK_OFFLOAD_AGREE = 2,
    SYNACK_OFFLOAD_SUPER = 3,
};

/* HELLO/AGREE flags. */
#define SYNACK_OFFLOAD_F_TX_TCP4 0x0001u /* the client sends TCP/IPv4 SUPERs */
#define SYNACK_OFFLOAD_F_RX_TCP4 0x0002u /* the client takes TCP/IPv4 SUPERs */
#define SYNACK_OFFLOAD_F_TX_TCP6 0x0004u /* the client sends TCP/IPv6 SUPERs */
#define SYNACK_OFFLOAD_F_RX_TCP6 0x0008u /* the client takes TCP/IPv6 SUPERs */

typedef struct synack_offload_msg {
    uint8_t type;
    uint8_t mac[6];            /* the Ethernet source */
    uint16_t flags, max;       /* HELLO, AGREE */
    const uint8_t *vnet;       /* SUPER: the 10-byte header */
    uint8_t gso_type;          /* SUPER: virtio gso_type (1 TCPV4, 4 TCPV6) */
    uint16_t gso_size;         /* SUPER */
    const uint8_t *inner;      /* SUPER: the inner frame */
    size_t inner_len;
} synack_offload_msg;

/*
 * Whether f[0..n) is an offload message, and which. Returns 1 (parsed
 * into *m), 0 when it is not one (another EtherType or no magic: an
 * ordinary frame), or -1 when it says it is one but does not parse
 * (short, unknown type or version, inner frame over the limit).
 */
int synack_offload_parse(const uint8_t *f, size_t n, synack_offload_msg *m);

/*
 * Build a HELLO or AGREE from `mac` (also the destination) into
 * out[0..SYNACK_OFFLOAD_CTRL_LEN). Returns SYNACK_OFFLOAD_CTRL_LEN.
 */
size_t synack_offload_ctrl(uint8_t out[SYNACK_OFFLOAD_CTRL_LEN], uint8_t type,
                           const uint8_t mac[6], uint16_t flags, uint16_t max);

/*
 * The offload values of the TCP/IPv4 or TCP/IPv6 frame f[0..n) (IPv6: TCP
 * right after the fixed header), read from its headers, with pieces of
 * `seg` payload bytes: for a frame that did not come from a stack's
 * send_gso, which says them itself (the bridge's frames from clients and
 * from the kernel). Returns 0, or -1 when f is not such a frame or seg is
 * 0 or above 65535.
 */
int synack_offload_gso_of(const uint8_t *f, size_t n, uint32_t seg, synack_gso *g);

/*
 * Wrap the TCP/IPv4 or TCP/IPv6 frame f[0..n) as a SUPER into out
 * (GSO_TCPV4 or GSO_TCPV6 by g->family), its virtio_net_hdr made from `g`
 * (what synack_link.send_gso was given, or synack_offload_gso_of): the
 * headers are not parsed again. Returns its length, or -1 when out is too
 * small, n is over SYNACK_OFFLOAD_INNER_MAX, or g's offsets do not fit f
 * (IPv6: TCP right after the fixed header).
 */
int32_t synack_offload_wrap(uint8_t *out, size_t cap, const uint8_t *f, size_t n,
                            const synack_gso *g);

/*
 * Check a parsed SUPER before trusting it: gso_size at least
 * SYNACK_OFFLOAD_SEG_MIN; GSO_TCPV4 and an unfragmented TCP/IPv4 packet
 * whose IP total length is the inner frame's, or GSO_TCPV6 and a TCP/IPv6
 * packet (no extension header) whose payload length is the inner frame's;
 * header length and checksum offsets (when NEEDS_CSUM) that match the
 * parsed headers, and pieces of at most max_piece bytes (Ethernet frame
 * length). Returns 0 or -1.
 */
int synack_offload_check(const synack_offload_msg *m, size_t max_piece);

/*
 * Put the folded pseudo-header sum of the TCP/IPv4 or TCP/IPv6 frame
 * f[0..n) (its addresses, protocol and TCP length) into the TCP checksum
 * field, as
 * Linux's CHECKSUM_PARTIAL expects of a GSO packet handed to a TAP: the
 * kernel then completes each piece's checksum. Returns 0, or -1 when f
 * is not TCP over IPv4 or IPv6.
 */
int synack_offload_partial_csum(uint8_t *f, size_t n);

/* Called with each piece; the buffer is only valid during the call. */
typedef int (*synack_offload_emit_fn)(void *ctx, const uint8_t *frame, size_t len);

/*
 * Cut the TCP/IPv4 or TCP/IPv6 frame f[0..n) into frames of at most g->seg
 * payload bytes (the IP header from 14 to g->csum_start, TCP's to
 * g->hdr_len, its checksum at g->csum_start + g->csum_offset; the values
 * are taken as given and only checked to fit the frame), as a NIC's TSO
 * would (and Linux's software GSO does):
 * each piece gets its own sequence number, length (IPv4 total length or
 * IPv6 payload length), for IPv4 an IP ID (consecutive from the first) and
 * header checksum, and a complete TCP checksum; FIN and PSH only on the
 * last piece, CWR only on the first. Whatever the checksum fields held
 * is ignored. scratch must hold the headers plus g->seg bytes. Returns the
 * number of pieces emitted, or -1 when f is not a cuttable TCP/IPv4 or
 * TCP/IPv6 packet (nothing emitted). An emit that returns < 0 is counted, not
 * fatal (like a link's send).
 */
int synack_offload_cut(const uint8_t *f, size_t n, const synack_gso *g, uint8_t *scratch,
                       size_t scratch_cap, synack_offload_emit_fn emit, void *ctx);

/* A client's side of the exchange (the native tool, the wasm glue). */
typedef struct synack_offload_client {
    bool asked; /* HELLO sent */
    bool tx;    /* the bridge agreed: the client may send TCP/IPv4 SUPERs */
    bool rx;    /* ... and may send the client SUPERs (checksums complete) */
    bool tx6;   /* the same for TCP/IPv6 (F_TX_TCP6) */
    bool rx6;   /* F_RX_TCP6 */
} synack_offload_client;

enum {
    SYNACK_OFFLOAD_IN_FRAME = 0, /* an ordinary frame: give it to the stack */
    SYNACK_OFFLOAD_IN_AGREED,    /* the bridge's AGREE: *oc updated */
    SYNACK_OFFLOAD_IN_INNER,     /* a granted SUPER: give the stack *inner */
    SYNACK_OFFLOAD_IN_DROP,      /* any other offload message */
};

/*
 * Sort a frame a client received: ordinary frames pass untouched (always,
 * when the client never asked), the AGREE answering its HELLO sets
 * tx/rx/tx6/rx6, and a SUPER of a family the client was granted yields
 * its inner frame.
 */
int synack_offload_client_input(synack_offload_client *oc, const uint8_t *f, size_t n,
                                const uint8_t **inner, size_t *inner_len);

#endif
