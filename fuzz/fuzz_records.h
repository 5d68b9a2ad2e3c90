/*
 * Input format of fuzz_stack and fuzz_dhcp_dns: a sequence of records, each
 * an opcode byte followed by its arguments. Shared by the targets and by
 * the seed generator (fuzz/seeds.c) so the seeds start in useful places.
 * A record cut short by the end of the input is ignored.
 */
#ifndef SYNACK_FUZZ_RECORDS_H
#define SYNACK_FUZZ_RECORDS_H

/* ---- fuzz_stack ---------------------------------------------------------- */
/*
 * Records (opcode = byte % FZ_OP_COUNT):
 *   FZ_RAW_FRAME  len:be16 bytes[len]          whole Ethernet frame
 *   FZ_RAW_IP     len:be16 bytes[len]          IPv4 packet; Ethernet header added
 *   FZ_IP_PAYLOAD proto:u8 id:be16 frag:be16 len:be16 bytes[len]
 *                                              valid IPv4 header from the peer
 *                                              (frag: flags+offset as on the wire)
 *   FZ_TCP        target:u8 flags:u8 seq:be16 ack:be16 win:be16 urg:be16
 *                 optlen:u8 opts[optlen % 41] paylen:be16
 *                 A TCP segment from the peer; the payload (paylen % 1461
 *                 bytes) is a pattern. target bits 0-1: 0 the active
 *                 connection, 1 the accepted one, 2 a new peer port to the
 *                 listener (41000 + seq % 8), 3 a closed port (1000 + seq % 8).
 *                 seq/ack are signed offsets from the connection's rcv_nxt /
 *                 snd_una, times 65536 when target bit 2 (seq) or bit 3
 *                 (ack) is set. Bit 4: the data offset is target's high
 *                 nibble instead of the true header length.
 *   FZ_TIME       dt:u8                        advance the clock dt*dt*4 ms and poll
 *   FZ_APP        what:u8 arg:u8               socket call (see fuzz_stack.c)
 *   FZ_IP6        dst:u8 next:u8 len:be16 bytes[len]
 *                                              an IPv6 packet from the peer
 *                                              (fd00::2) with Next Header
 *                                              `next` and payload bytes (so
 *                                              extension headers, fragments,
 *                                              ICMPv6, UDP, TCP); dst % 4: our
 *                                              fd00::1, ff02::1, our
 *                                              solicited-node group, another
 */
enum {
    FZ_RAW_FRAME = 0,
    FZ_RAW_IP,
    FZ_IP_PAYLOAD,
    FZ_TCP,
    FZ_TIME,
    FZ_APP,
    FZ_IP6,
    FZ_OP_COUNT
};

/* ---- fuzz_dhcp_dns ------------------------------------------------------- */
/*
 *   FD_DNS   len:be16 bytes[len]  a DNS response from the resolver to the
 *                                 open query's port
 *   FD_DHCP  len:be16 bytes[len]  a DHCP message from the server to port 68
 *                                 (to the broadcast address when the opcode
 *                                 byte has bit 7 set)
 *            The DNS ID, and the DHCP xid and chaddr, are patched to the
 *            expected values unless bit 15 of len is set (len uses 15 bits).
 *   FD_TIME  dt:u8                advance dt*dt*16 ms
 *   FD_QUERY which:u8             start another query
 */
enum { FD_DNS = 0, FD_DHCP, FD_TIME, FD_QUERY, FD_OP_COUNT };

#endif
