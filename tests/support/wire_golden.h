/*
 * Golden frames for wire-format tests, written by hand from the RFC layouts
 * (RFC 791, 792, 768, 826, 9293, 7323, 2018) with checksums computed by an
 * independent reference implementation. Shared by any test that needs a
 * realistic packet.
 */
#ifndef SYNACK_TEST_WIRE_GOLDEN_H
#define SYNACK_TEST_WIRE_GOLDEN_H

#include <stdint.h>

#include "wire/wire.h"

/*
 * What a parse of a packet with a wrong checksum returns: BAD_CHECKSUM, or
 * `ok` in fuzzing builds, where verification is bypassed.
 */
#ifdef SYNACK_FUZZING
#define WIRE_CSUM_FAIL(ok) (ok)
#else
#define WIRE_CSUM_FAIL(ok) SYNACK_WIRE_BAD_CHECKSUM
#endif

/* Ethernet + IPv4 + TCP SYN as Linux sends it: 192.168.0.104:41906 ->
 * 192.168.0.1:80, ISN 0x12345678, win 64240, options MSS 1460, SACK-permitted,
 * TS (0xa1b2c, 0), NOP, WS 7. Ethernet 02:00:aa:bb:cc:dd -> 52:54:00:12:34:56. */
#define WIRE_GOLDEN_LINUX_SYN_LEN 74
extern const uint8_t wire_golden_linux_syn[WIRE_GOLDEN_LINUX_SYN_LEN];

/* IPv4 + TCP SYN-ACK answering linux_syn (no L2): ISN 0xa0b0c0d0, ack
 * 0x12345679, win 65160, MSS 1460, SACK-permitted, TS (0x3c4d5e6f, 0xa1b2c),
 * NOP, WS 7; IP id 0, DF. */
#define WIRE_GOLDEN_LINUX_SYNACK_LEN 60
extern const uint8_t wire_golden_linux_synack[WIRE_GOLDEN_LINUX_SYNACK_LEN];

/* TCP only (192.168.0.104 -> 192.168.0.1): PSH|ACK, seq 0x12345679, ack
 * 0xa0b0c0d1, win 502, NOP NOP TS (0xa1b40, 0x3c4d5e80), NOP NOP SACK with
 * blocks [0xa0b0c0e0,0xa0b0c100) [0xa0b0c200,0xa0b0c300), payload "hello". */
#define WIRE_GOLDEN_TCP_DATA_SACK_LEN 57
extern const uint8_t wire_golden_tcp_data_sack[WIRE_GOLDEN_TCP_DATA_SACK_LEN];

/* UDP only (10.0.2.15:53000 -> 10.0.2.3:53), 12-byte DNS-like payload. */
#define WIRE_GOLDEN_UDP_DGRAM_LEN 20
extern const uint8_t wire_golden_udp_dgram[WIRE_GOLDEN_UDP_DGRAM_LEN];

/* IPv4 + ICMP echo request 10.0.2.15 -> 10.0.2.2, IP id 0xbeef, no DF,
 * ICMP id 0x1234 seq 1, payload "abcdefghij". */
#define WIRE_GOLDEN_ICMP_ECHO_PKT_LEN 38
extern const uint8_t wire_golden_icmp_echo_pkt[WIRE_GOLDEN_ICMP_ECHO_PKT_LEN];

/* ICMP only: destination unreachable / port unreachable quoting an IPv4
 * header (10.0.2.15 -> 10.0.2.2, UDP) and the first 8 bytes of its UDP header. */
#define WIRE_GOLDEN_ICMP_PORT_UNREACH_LEN 36
extern const uint8_t wire_golden_icmp_port_unreach[WIRE_GOLDEN_ICMP_PORT_UNREACH_LEN];

/* IPv4 with IHL 7 (record-route option + EOL padding) carrying UDP
 * 10.0.2.2:7 -> 10.0.2.15:7 payload "xy", then 6 bytes of link padding. */
#define WIRE_GOLDEN_IP4_WITH_OPTS_LEN 44
extern const uint8_t wire_golden_ip4_with_opts[WIRE_GOLDEN_IP4_WITH_OPTS_LEN];

/* Ethernet broadcast ARP request: who has 10.0.2.2, tell 10.0.2.15
 * (02:00:aa:bb:cc:dd), padded to the 60-byte Ethernet minimum. */
#define WIRE_GOLDEN_ARP_REQUEST_LEN 60
extern const uint8_t wire_golden_arp_request[WIRE_GOLDEN_ARP_REQUEST_LEN];

/* IPv4 fragment: MF set, offset 185*8 = 1480, UDP, id 0x99, 8 data bytes. */
#define WIRE_GOLDEN_IP4_FRAG_LEN 28
extern const uint8_t wire_golden_ip4_frag[WIRE_GOLDEN_IP4_FRAG_LEN];

#endif
