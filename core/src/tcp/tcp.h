/*
 * TCP: the hooks the IP layer and the stack call. The control block, the
 * internal interfaces between tcp_*.c and the rest of TCP's state (demux
 * hash, timer heap, bound ports, TIME-WAIT list: `priv`) are in tcp_tcb.h.
 * Handles index `socks`; every TCB, embryonic children of a listener
 * included, holds a handle from creation, and `nconns` (all TCBs) is what
 * cfg.tcp.max_conns limits.
 */
#ifndef SYNACK_TCP_H
#define SYNACK_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "net/ip.h"
#include "wire/wire.h"
#include "tcp/tcp_state.h"

typedef struct synack_stack synack_stack;

int synack_tcp_init(synack_stack *s);
void synack_tcp_fini(synack_stack *s);

/* A TCP segment arrived for one of our addresses (IP header parsed). */
void synack_tcp_input(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                      const uint8_t *seg, size_t len);

/*
 * An error about a segment we sent (net/ip.h). From ICMP (RFC 5927 4.1:
 * only for a segment outstanding): port/protocol unreachable during the
 * handshake is a hard error (RFC 1122 4.2.3.9), anything else a soft
 * error, reported only if the connection times out. From the next hop
 * (the neighbour cache gave up with the segment queued): a connection
 * in SYN-SENT whose SYN it was fails at once with SYNACK_ERR_UNREACHABLE
 * (the SYN retries would only wait for the same silence); otherwise a
 * soft error.
 */
void synack_tcp_ip_error(synack_stack *s, uint64_t now, const synack_ip_err *e);

/*
 * A Packet Too Big (RFC 8201) about a segment we sent: when the quoted
 * segment is one we have outstanding (RFC 5927 4.1), lower the
 * connection's MSS to fit `l4max` bytes of TCP segment (header included)
 * and retransmit at once what was lost. Returns whether it was ours.
 */
bool synack_tcp_pmtu(synack_stack *s, uint64_t now, const synack_ip_err *e,
                     uint32_t l4max);

/*
 * The path MTU towards dst went back up (RFC 8201 4: an entry aged out):
 * raise the send MSS of every connection to dst again, to what the peer
 * announced and the path (now the interface's MTU) allows; never lowers.
 */
void synack_tcp_pmtu_raised(synack_stack *s, const synack_addr *dst);

void synack_tcp_poll(synack_stack *s, uint64_t now);

/*
 * Give the fresh (never connected) socket `dst` the per-socket options of
 * `src` (buffers, timers, keep-alive, congestion control, NODELAY), as a
 * listener's child inherits them: for connection attempts made on the
 * caller's behalf (app/he.c). Returns 0 or SYNACK_ERR_BADF.
 */
int synack_tcp_copy_options(synack_stack *s, int dst, int src);
uint64_t synack_tcp_poll_at(const synack_stack *s);

#endif
