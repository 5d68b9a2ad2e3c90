/*
 * What the bridge needs to know about one Ethernet frame: addresses, the
 * ARP fields, the IPv4 or IPv6 header (with the IPv6 extension headers
 * walked), the transport ports and TCP control bits when they are in this
 * fragment, and for Neighbor Discovery the target and link-layer address
 * options. Parsed once with the core's
 * bounds-checked wire readers (core/src/wire); nothing here trusts a
 * length it did not check.
 */
#ifndef SYNACK_BR_FRAME_H
#define SYNACK_BR_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"
#include "wire/wire_app.h"

typedef enum synack_br_l3 {
    SYNACK_BR_L3_OTHER = 0, /* an EtherType the bridge does not switch */
    SYNACK_BR_L3_ARP,
    SYNACK_BR_L3_IP4,
    SYNACK_BR_L3_IP6,
    SYNACK_BR_L3_BAD, /* ARP, IPv4 or IPv6 whose header does not parse */
} synack_br_l3;

/* ICMPv6 types the bridge looks at (RFC 4443, RFC 4861 section 4, MLD). */
#define SYNACK_BR_ICMP6_MLD_QUERY 130
#define SYNACK_BR_ICMP6_MLD_REPORT 131
#define SYNACK_BR_ICMP6_MLD_DONE 132
#define SYNACK_BR_ICMP6_RS 133
#define SYNACK_BR_ICMP6_RA 134
#define SYNACK_BR_ICMP6_NS 135
#define SYNACK_BR_ICMP6_NA 136
#define SYNACK_BR_ICMP6_REDIRECT 137
#define SYNACK_BR_ICMP6_MLD2_REPORT 143

typedef struct synack_br_frame {
    const uint8_t *data;
    size_t len;
    synack_eth_repr eth;
    synack_br_l3 l3;
    synack_arp_repr arp;    /* l3 == ARP */
    synack_ip4_repr ip;     /* l3 == IP4 */
    synack_ip6_repr ip6;    /* l3 == IP6 */
    uint8_t proto;          /* upper-layer protocol, either family (IPv6: after
                               the extension headers) */
    uint16_t frag_off;      /* fragment offset in bytes, either family */
    bool ip6_ext;           /* IPv6: extension headers before the upper layer */
    const uint8_t *l4;      /* IP payload of this fragment (after any IPv6
                               extension headers) */
    size_t l4_len;
    bool fragmented;        /* MF set or a non-zero offset */
    bool has_ports;         /* offset 0 and at least 4 payload bytes */
    uint16_t sport, dport;  /* TCP/UDP, when has_ports */
    bool has_tcp;           /* offset 0 and a whole 20-byte TCP header */
    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack;
    uint32_t tcp_seg_len;   /* payload + SYN + FIN (RFC 9293 SEG.LEN) */
    bool has_icmp_type;     /* offset 0 and at least one ICMP byte */
    uint8_t icmp_type;
    /* Neighbor Discovery (RFC 4861 section 4), IPv6 only: */
    bool nd_has_target;     /* NS, NA, Redirect: the target address */
    uint8_t nd_target[16];
    bool nd_has_sll, nd_has_tll; /* source / target link-layer address options */
    uint8_t nd_sll[6], nd_tll[6];
    bool nd_bad;            /* an NDP message too short or with a bad option */
} synack_br_frame;

/* Whether an IPv6 address is multicast (ff00::/8), unspecified, link-local. */
bool synack_br_ip6_is_multicast(const uint8_t a[16]);
bool synack_br_ip6_is_unspecified(const uint8_t a[16]);
bool synack_br_ip6_is_link_local(const uint8_t a[16]);
/* Whether a's first `plen` bits equal p's. */
bool synack_br_ip6_prefix_match(const uint8_t a[16], const uint8_t p[16], unsigned plen);
/* Whether an ICMPv6 type is one of NDP's (133..137). */
bool synack_br_icmp6_is_nd(uint8_t type);

/*
 * Parse `len` bytes at `data`. Returns 0, or -1 when the frame is not even
 * an Ethernet header (shorter than 14 bytes). Higher-layer problems are
 * reported as l3 == SYNACK_BR_L3_BAD, not as an error.
 */
int synack_br_frame_parse(const uint8_t *data, size_t len, synack_br_frame *f);

/*
 * Whether this is a DHCP message to a server (UDP 68 -> 67, not
 * fragmented) or to a client (67 -> 68).
 */
bool synack_br_frame_is_dhcp_request(const synack_br_frame *f);
bool synack_br_frame_is_dhcp_reply(const synack_br_frame *f);

/* Parse the DHCP message of such a frame. Returns 0 or -1. */
int synack_br_frame_dhcp(const synack_br_frame *f, synack_dhcp_repr *out);

#endif
