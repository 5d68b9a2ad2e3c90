/*
 * DNS resolver state: the part of the stack value this module owns, embedded
 * in struct synack_stack (net/stack.h). Types only; the functions are in
 * dns.h.
 */
#ifndef SYNACK_DNS_STATE_H
#define SYNACK_DNS_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire_app.h"

#define SYNACK_DNS_MAX_QUERIES 8
#define SYNACK_DNS_DEFAULT_FIRST_MS 1000u
#define SYNACK_DNS_DEFAULT_TRIES 3u

typedef struct synack_dns_slot {
    bool used;
    int result;           /* SYNACK_ERR_AGAIN while pending, then 0 or error */
    uint16_t qtype;       /* SYNACK_DNS_TYPE_A or _AAAA */
    uint8_t naddr;        /* addresses in addr when result is 0 (>= 1) */
    synack_addr addr[SYNACK_DNS_MAX_ADDRS]; /* the answer, in answer order */
    int sock;             /* UDP handle while pending, -1 after */
    uint16_t id;
    synack_addr server;
    uint32_t tries;       /* transmissions so far */
    uint64_t deadline;    /* ms: next retransmission or give-up */
    synack_dns_name qname;
} synack_dns_slot;

/*
 * Where a resolver address comes from. The DNS client alone owns the
 * addresses; each source only offers or withdraws its own, and the first
 * source in this order that has one is the resolver.
 */
typedef enum synack_dns_source {
    SYNACK_DNS_FROM_STATIC = 0, /* synack_set_dns */
    SYNACK_DNS_FROM_DHCP,       /* the DHCP lease (option 6) */
    SYNACK_DNS_FROM_RA,         /* an IPv6 router advertisement's RDNSS
                                   option (RFC 8106, ipv6/nd.c) */
    SYNACK_DNS_FROM__COUNT
} synack_dns_source;

typedef struct synack_dns {
    synack_addr servers[SYNACK_DNS_FROM__COUNT]; /* family 0: none */
    uint32_t first_ms;    /* 0: SYNACK_DNS_DEFAULT_FIRST_MS */
    uint32_t tries;       /* 0: SYNACK_DNS_DEFAULT_TRIES */
    synack_dns_slot q[SYNACK_DNS_MAX_QUERIES];
} synack_dns;

#endif
