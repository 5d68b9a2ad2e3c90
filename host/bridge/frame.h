/*
 * What the bridge needs to know about one Ethernet frame: addresses, the
 * ARP fields, the IPv4 header, and the transport ports and TCP control
 * bits when they are in this fragment. Parsed once with the core's
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
    SYNACK_BR_L3_BAD, /* ARP or IPv4 whose header does not parse */
} synack_br_l3;

typedef struct synack_br_frame {
    const uint8_t *data;
    size_t len;
    synack_eth_repr eth;
    synack_br_l3 l3;
    synack_arp_repr arp;    /* l3 == ARP */
    synack_ip4_repr ip;     /* l3 == IP4 */
    const uint8_t *l4;      /* IPv4 payload of this fragment */
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
} synack_br_frame;

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
