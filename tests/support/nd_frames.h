/*
 * IPv6 frames for the NDP, SLAAC and MLD tests: build an ICMPv6 message
 * in an Ethernet + IPv6 frame (optionally with a Hop-by-Hop Router
 * Alert) to inject into a stack, and read the ICMPv6 messages a stack
 * sent from a net_capture. A fixture with IPv6 start-up on the chosen
 * sides (cfg.ipv6.slaac).
 */
#ifndef ND_FRAMES_H
#define ND_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "wire/wire_ndp.h"

/* An IPv6 address from text (aborts on bad text). */
synack_addr nd_a6(const char *text);

/* Ethernet + IPv6 (hop limit `hop`, Router Alert when `ra`) + the ICMPv6
 * message msg[mlen] whose checksum is computed here. Returns the length. */
size_t nd_build_icmp6(uint8_t *buf, synack_mac dst_mac, synack_mac src_mac,
                      const synack_addr *src, const synack_addr *dst, uint8_t hop, bool ra,
                      const uint8_t *msg, size_t mlen);

/* The same for an NDP message (hop limit 255). */
size_t nd_build_ndp(uint8_t *buf, synack_mac dst_mac, synack_mac src_mac,
                    const synack_addr *src, const synack_addr *dst, const synack_ndp_repr *r);

/* Inject an NDP message into stack s (at the stack's time `now`). */
void nd_inject(synack_stack *s, uint64_t now, synack_mac dst_mac, synack_mac src_mac,
               const synack_addr *src, const synack_addr *dst, const synack_ndp_repr *r);

/* An ICMPv6 message a stack sent, as read from a captured frame. */
typedef struct nd_seen {
    const net_frame *frame;
    synack_mac dst_mac;
    synack_ip6_repr ip;
    bool router_alert;   /* a Hop-by-Hop header came first */
    uint8_t type;
    const uint8_t *msg;  /* the ICMPv6 message (checksum verified) */
    size_t len;
} nd_seen;

/* The n-th ICMPv6 message of `type` (0: any) sent by `side` (-1: any). */
bool nd_find(const net_capture *c, int side, uint8_t type, size_t n, nd_seen *out);
/* How many of them. */
size_t nd_count(const net_capture *c, int side, uint8_t type);

/* net_fixture options with cfg.ipv6.slaac on for side A (`a`) and B (`b`). */
net_fixture_opts nd_opts(bool a, bool b);

/* The stack's IPv6 address of `origin` in state `state` (-1: any): true
 * and *out (may be NULL) set when there is one. */
bool nd_addr(synack_stack *s, int origin, int state, synack_addr *out);

#endif
