/*
 * TCP handle table: the part of the stack value this module owns, embedded
 * in struct synack_stack (net/stack.h). Types only; the functions are in
 * tcp.h.
 */
#ifndef SYNACK_TCP_STATE_H
#define SYNACK_TCP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

typedef struct synack_tcb synack_tcb;

typedef struct synack_tcp {
    synack_tcb **socks;   /* handle -> control block (NULL: free) */
    uint32_t nsocks;      /* size of the handle table */
    uint32_t nconns;      /* live connections (for the limit) */
    void *priv;           /* further state owned by tcp_*.c */
} synack_tcp;

#endif
