/*
 * IPv6 frames for tests on the raw-IP medium (no L2 header): the fixture
 * options (fd00::1 and fd00::2, SYNACK_MEDIUM_IP), builders for packets
 * with extension headers, UDP and ICMPv6 (valid checksums), and lookups
 * in a capture of what the stacks sent.
 */
#ifndef IP6_FRAMES_H
#define IP6_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "ipv6/ipv6.h"
#include "wire/wire.h"

/* An address from text (a test's literal; aborts on bad text). */
synack_addr ip6_addr(const char *text);
/* ... as a `const synack_addr *` alive until the end of the block. */
#define ADDR6(text) ((const synack_addr[1]){ip6_addr(text)})

/* Fixture options: raw IP medium, IPv6 addresses on both stacks. */
net_fixture_opts ip6_opts(void);
/* cmocka setup over ip6_opts with an optional tune. */
int ip6_setup(void **state, net_tune_fn tune);
/* A tune turning IPv6 off. */
void ip6_tune_disable(void *ctx, int side, synack_config *cfg);

/* Header + payload; returns 40 + plen. */
size_t ip6_build(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                 uint8_t next, const uint8_t *payload, size_t plen);
/* A UDP datagram (source port 1000) from src to dst. */
size_t ip6_udp_from(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                    uint16_t dport, const void *data, size_t len);
/* From side to side, after n 8-byte extension headers of `type` (PadN). */
size_t ip6_udp_chain(uint8_t *pkt, int from, int to, uint8_t type, int n,
                     uint16_t dport, const void *data, size_t len);
/* From side `from` to dst, after one extension header `ext` (its first
 * byte must name UDP) of type `next`. */
size_t ip6_udp_ext(uint8_t *pkt, int from, const synack_addr *dst, uint8_t next,
                   const uint8_t *ext, size_t extlen, uint16_t dport,
                   const void *data, size_t len);
/* An ICMPv6 message (its checksum computed here). */
size_t ip6_icmp(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                const uint8_t *msg, size_t len);

/* The ICMPv6 header of the last message of `type` side sent, or NULL. */
const uint8_t *ip6_sent_icmp(const net_capture *c, int side, uint8_t type);
/* How many ICMPv6 messages of `type` side sent. */
int ip6_count_icmp(const net_capture *c, int side, uint8_t type);
/* The last frame side sent, or NULL. */
const net_frame *ip6_last_sent(const net_capture *c, int side);
/* A capture drop function dropping everything. */
bool ip6_drop_all(void *ctx, int side, const uint8_t *frame, size_t len);



/* A fragment of a datagram from side `from` to side `to`: Fragment header
 * (id, offset in bytes, M) naming `proto`, then data. */
size_t ip6_frag(uint8_t *pkt, int from, int to, uint32_t id, uint16_t off,
                bool more, uint8_t proto, const uint8_t *data, size_t dlen);
/* UDP bytes (header + data) from side to side to fragment by hand. */
size_t ip6_udp_bytes(uint8_t *out, int from, int to, uint16_t dport,
                     const void *data, size_t len);
#endif
