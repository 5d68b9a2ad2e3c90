/*
 * Frame builders and an emit recorder for the synack-bridge unit tests.
 * Frames are built with the core's wire emitters.
 */
#ifndef BRIDGE_FRAMES_H
#define BRIDGE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "switch.h"

#define REC_MAX 64
#define REC_FRAME 1600

/* Every frame the switch emitted, in order. */
typedef struct recorder {
    size_t count;
    int32_t port[REC_MAX];
    size_t len[REC_MAX];
    uint8_t frame[REC_MAX][REC_FRAME];
    bool refuse_port[8]; /* emit returns false for these ports (queue full) */
} recorder;

bool rec_emit(void *ctx, int32_t port, const uint8_t *frame, size_t len);
/* How many recorded frames went to `port`. */
size_t rec_count_to(const recorder *r, int32_t port);
/* Index of the n-th (0-based) frame to `port`, or -1. */
int rec_find(const recorder *r, int32_t port, size_t nth);

/* A config with no backend, 4 clients, no limits beyond 1518-byte frames. */
synack_br_config test_config(synack_br_backend backend);

/* Build frames into buf; each returns the frame length. */
size_t build_arp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint16_t op, const uint8_t sha[6], uint32_t spa,
                 const uint8_t tha[6], uint32_t tpa);
size_t build_udp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                 const uint8_t *payload, size_t plen);
size_t build_tcp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                 uint8_t flags, uint32_t seq, uint32_t ack);
size_t build_icmp_echo(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                       uint32_t sip, uint32_t dip);
/* A DHCP message (client to server, or server to client with yiaddr). */
size_t build_dhcp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                  uint32_t sip, uint32_t dip, bool to_server, uint8_t msg_type,
                  const uint8_t chaddr[6], uint32_t yiaddr);
/*
 * An IPv6 packet: `next` (an upper-layer protocol, or an extension header
 * whose 8 bytes of padding come first, then `proto`) with `l4`/`l4len`
 * copied after it. A TCP segment's or ICMPv6 message's checksum is not
 * filled (the bridge does not check them).
 */
size_t build_ip6(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 const uint8_t sip[16], const uint8_t dip[16], uint8_t next,
                 uint8_t proto, const uint8_t *l4, size_t l4len);
/* A TCP header (20 bytes) into hdr. */
void tcp_header(uint8_t *hdr, uint16_t sport, uint16_t dport, uint8_t flags);

/* An Ethernet frame with an arbitrary EtherType and len-14 zero bytes. */
size_t build_raw(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint16_t ethertype, size_t len);

extern const uint8_t MAC_A[6], MAC_B[6], MAC_C[6], MAC_BCAST[6], MAC_SLIRP[6],
    MAC_HOST[6];

#endif
