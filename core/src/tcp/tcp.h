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
 * An ICMP error quoted a segment we sent: `err` is SYNACK_ERR_REFUSED /
 * UNREACHABLE, `src`/`dst` the quoted packet's addresses, `l4` at least 8
 * bytes of the quoted TCP header.
 */
void synack_tcp_icmp_error(synack_stack *s, uint64_t now, int err,
                           const synack_addr *src, const synack_addr *dst,
                           const uint8_t *l4, size_t l4len);

/*
 * ARP resolution of the next hop gave up with this segment of ours queued
 * (`ip` its IP header, `l4` its TCP header). A connection in SYN-SENT fails
 * at once with SYNACK_ERR_UNREACHABLE (the SYN retries would only wait for
 * the same silence); in other states it is a soft error, reported only if
 * the connection later times out.
 */
void synack_tcp_arp_failed(synack_stack *s, const synack_addr *src,
                           const synack_addr *dst, const uint8_t *l4,
                           size_t l4len);

void synack_tcp_poll(synack_stack *s, uint64_t now);
uint64_t synack_tcp_poll_at(const synack_stack *s);

#endif
