/*
 * Connect-by-name state (Happy Eyeballs v2, he.c): the part of the stack
 * value this module owns, embedded in struct synack_stack (net/stack.h).
 */
#ifndef SYNACK_HE_STATE_H
#define SYNACK_HE_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

/* Attempts of one operation: every address of both answers. */
#define SYNACK_HE_MAX_ATTEMPTS (2 * SYNACK_DNS_MAX_ADDRS)

/* Family index: 0 IPv6 (AAAA), 1 IPv4 (A). */
typedef struct synack_he_op {
    bool used;
    bool started;      /* connection attempts may start */
    bool handed;       /* the winner was given to the caller */
    bool prefer4;      /* no IPv6 route: IPv4 first */
    int result;        /* SYNACK_ERR_AGAIN, 0 (won) or the error */
    uint16_t port;
    uint32_t attempt_delay;
    int tmpl;          /* TCP handle whose options attempts copy, -1 */
    int q[2];          /* DNS handles, -1 when finished */
    int qerr[2];       /* DNS outcome: 0, or its error */
    uint8_t n[2];      /* addresses per family */
    uint8_t next[2];   /* next address to try per family */
    synack_addr addr[2][SYNACK_DNS_MAX_ADDRS];
    int8_t last_fam;   /* family of the last attempt, -1 before the first */
    uint64_t a_at;     /* when the A answer came first (resolution delay) */
    uint64_t next_at;  /* the next attempt may start (attempt delay) */
    uint8_t nconn;
    int conn[SYNACK_HE_MAX_ATTEMPTS]; /* TCP handles, -1 when over */
    int err[SYNACK_HE_MAX_ATTEMPTS];  /* each attempt's error */
    synack_addr peer[SYNACK_HE_MAX_ATTEMPTS];
    int winner;        /* index into conn, -1 */
} synack_he_op;

typedef struct synack_he {
    synack_he_op op[SYNACK_CONNECT_NAME_MAX];
} synack_he;

#endif
