/*
 * The virtio_net_hdr that a TAP device opened with IFF_VNET_HDR puts in
 * front of every frame (virtio spec 1.x section 5.1.6, "struct
 * virtio_net_hdr" without num_buffers: 10 bytes, little-endian on the
 * hosts we run on). Pure byte work, no Linux headers, so the unit tests
 * build it on every target.
 */
#ifndef SYNACK_NATIVE_VNET_H
#define SYNACK_NATIVE_VNET_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h" /* synack_gso */

#define SYNACK_VNET_HDR_LEN 10u
/* Largest frame read from an offloading TAP: header, Ethernet, 64 KB IP. */
#define SYNACK_VNET_FRAME_MAX (SYNACK_VNET_HDR_LEN + 14u + 65535u)

/*
 * Turn buf[0..len) as read from an IFF_VNET_HDR TAP into a plain
 * Ethernet frame in place: when the header says NEEDS_CSUM, complete the
 * checksum at csum_start + csum_offset (that field holds the
 * pseudo-header sum); when a GSO IPv4 frame says total length 0 (a
 * kernel may leave it so above 64 KB), set it and the header checksum.
 * The frame starts at buf + SYNACK_VNET_HDR_LEN. Returns its length, or
 * -1 when the header or its offsets do not fit in len (drop the frame).
 */
int32_t synack_vnet_rx(uint8_t *buf, size_t len);

/*
 * The same with the header apart from the frame (a readv(2) into two
 * buffers): fix frame[0..n) in place as hdr says. Returns n, or -1 when
 * the offsets do not fit (drop the frame).
 */
int32_t synack_vnet_fix(const uint8_t hdr[SYNACK_VNET_HDR_LEN], uint8_t *frame, size_t n);

/*
 * The header for sending a TCP/IPv4 or TCP/IPv6 frame of n bytes as one
 * GSO packet, made from what synack_link.send_gso was told (`g`; the
 * bridge gets one from synack_offload_gso_of) without parsing the frame:
 * NEEDS_CSUM at g->csum_start + g->csum_offset, a field that must hold
 * the pseudo-header sum; GSO_TCPV4 or GSO_TCPV6 by g->family with
 * gso_size g->seg; hdr_len g->hdr_len. The kernel cuts it into pieces of
 * g->seg payload bytes, each with its own checksum. An all-zero header (a
 * plain frame) when g is of another family, its seg is 0 or above 65535,
 * or its offsets do not fit in n.
 */
void synack_vnet_tx_gso(uint8_t hdr[SYNACK_VNET_HDR_LEN], size_t n, const synack_gso *g);

#endif
