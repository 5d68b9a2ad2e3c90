/*
 * IPv4 (RFC 791, RFC 1122 section 3): input validation and dispatch,
 * routing (on-link subnet, default gateway), output with fragmentation,
 * and reassembly (RFC 815 style holes) with a memory cap and a timeout.
 */
#ifndef SYNACK_IPV4_H
#define SYNACK_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

typedef struct synack_stack synack_stack;
typedef struct synack_reasm_set synack_reasm_set;

typedef struct synack_ipv4 {
    uint16_t next_id_hint;     /* see ipv4.c: IDs are keyed-hash based */
    synack_reasm_set *sets;    /* array of cfg.reasm_max_sets */
    uint32_t reasm_bytes;      /* memory held by reassembly */
    uint8_t *frag_scratch;     /* 65535 bytes, for fragmenting output */
} synack_ipv4;

int synack_ipv4_init(synack_stack *s);
void synack_ipv4_fini(synack_stack *s);

/* An IP packet arrived (L2 stripped). */
void synack_ipv4_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len);

void synack_ipv4_poll(synack_stack *s, uint64_t now);
uint64_t synack_ipv4_poll_at(const synack_stack *s);

/*
 * Routing: the source address and next hop for dst. Returns 0 or
 * SYNACK_ERR_UNREACHABLE (no address configured, or off-link with no gateway).
 */
int synack_ipv4_route(const synack_stack *s, synack_ip4 dst, synack_ip4 *src,
                      synack_ip4 *nexthop);

/*
 * Output in two steps, without copying the payload. synack_ipv4_tx_buf()
 * returns where the L4 header must be written in the stack's frame scratch
 * and how many bytes fit there (up to 65515); the L4 layer writes its
 * header and payload there and calls synack_ipv4_send() with the length.
 * Packets above the MTU are fragmented (unless df), those for an unresolved
 * neighbour are queued for ARP. Returns 0 or a negative error
 * (SYNACK_ERR_UNREACHABLE, SYNACK_ERR_MSGSIZE).
 */
uint8_t *synack_ipv4_tx_buf(synack_stack *s, size_t *cap);
int synack_ipv4_send(synack_stack *s, uint64_t now, synack_ip4 dst,
                     uint8_t proto, size_t l4len, bool df);

/* Largest L4 payload that fits one unfragmented packet (MTU - 20). */
uint32_t synack_ipv4_mtu_payload(const synack_stack *s);

/* Whether addr is our configured address (or broadcast for our subnet). */
bool synack_ipv4_is_ours(const synack_stack *s, synack_ip4 addr, bool *bcast);

#endif
