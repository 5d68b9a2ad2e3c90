/*
 * Per-client-address limits: connections open at once from one address,
 * and new connections per second from one address (a token bucket). The
 * address is the connection's peer, or what a trusted proxy reported.
 * Sans-IO: a fixed table, time as an argument, no allocation.
 */
#ifndef SYNACK_BR_ADDRLIMIT_H
#define SYNACK_BR_ADDRLIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ratelimit.h"

/* An address: IPv4 is kept as the IPv4-mapped IPv6 form. */
typedef struct synack_br_addr {
    uint8_t b[16];
} synack_br_addr;

typedef struct synack_br_addr_entry {
    synack_br_addr addr;
    bool used;
    uint32_t conns;          /* open connections */
    synack_br_bucket rate;   /* new connections */
    uint64_t last;           /* ms of the last new connection */
} synack_br_addr_entry;

typedef enum synack_br_addr_verdict {
    SYNACK_BR_ADDR_OK = 0,
    SYNACK_BR_ADDR_TOO_MANY,  /* --max-conn-per-addr open already */
    SYNACK_BR_ADDR_TOO_FAST,  /* over --conn-rate-per-addr */
    SYNACK_BR_ADDR_TABLE_FULL /* no slot (every slot has open connections) */
} synack_br_addr_verdict;

typedef struct synack_br_addrlimit {
    synack_br_addr_entry *v;
    uint32_t size;
    uint32_t max_conns;   /* 0 = no limit */
    uint64_t rate, burst; /* new connections per second; 0 = no limit */
    uint64_t refused_conns, refused_rate, refused_table;
} synack_br_addrlimit;

/* `slots` entries of storage; size must exceed the most connections the
 * caller admits, so that a slot is always found for a new address. */
void synack_br_addrlimit_init(synack_br_addrlimit *l, synack_br_addr_entry *slots,
                              uint32_t size, uint32_t max_conns, uint64_t rate,
                              uint64_t burst);

/* A new connection from `a` at `now`: OK counts it as open (pair it with
 * synack_br_addrlimit_release), anything else refuses it (counted). */
synack_br_addr_verdict synack_br_addrlimit_admit(synack_br_addrlimit *l,
                                                 const synack_br_addr *a,
                                                 uint64_t now);

/* A connection admitted from `a` has closed. */
void synack_br_addrlimit_release(synack_br_addrlimit *l, const synack_br_addr *a);

/* Whether `a` is a loopback address (127/8, ::1). */
bool synack_br_addr_is_loopback(const synack_br_addr *a);

/* From 4 IPv4 bytes / 16 IPv6 bytes (network order). */
void synack_br_addr_from4(synack_br_addr *a, const uint8_t ip[4]);
void synack_br_addr_from6(synack_br_addr *a, const uint8_t ip[16]);

#endif
