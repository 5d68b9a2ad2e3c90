/*
 * MLDv2 state (ipv6/mld.c): embedded in struct synack_stack as `mld`
 * (net/stack.h). Types only; the functions are in mld.h. Fixed size: at
 * most SYNACK_MLD_MAX_GROUPS groups, one timer each plus one for general
 * queries, so a flood of queries cannot grow it.
 */
#ifndef SYNACK_MLD_STATE_H
#define SYNACK_MLD_STATE_H

#include <stdint.h>

#include "synack/synack.h"

#define SYNACK_MLD_MAX_GROUPS 16

enum {
    SYNACK_MLD_FREE = 0,
    SYNACK_MLD_MEMBER,   /* we listen */
    SYNACK_MLD_LEAVING,  /* we stopped: TO_INCLUDE records still to send */
};

typedef struct synack_mld_group {
    synack_addr group;
    uint8_t state;       /* SYNACK_MLD_FREE / MEMBER / LEAVING */
    uint8_t left;        /* state-change reports still to send (Robustness) */
    uint64_t resp_at;    /* answer to a group-specific query; 0: none */
} synack_mld_group;

typedef struct synack_mld {
    synack_mld_group g[SYNACK_MLD_MAX_GROUPS];
    uint64_t change_at;  /* next state-change report; 0: none */
    uint64_t general_at; /* answer to a general query; 0: none */
    uint8_t robustness;  /* [Robustness Variable], 2 (RFC 3810 9.1) or a
                            querier's QRV */
} synack_mld;

#endif
