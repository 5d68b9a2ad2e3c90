/*
 * MLDv2 state (ipv6/mld.c, owned by the ndp work): embedded in struct
 * synack_stack as `mld` (net/stack.h). Types only; the functions are in
 * mld.h. Placeholder until ndp fills it.
 */
#ifndef SYNACK_MLD_STATE_H
#define SYNACK_MLD_STATE_H

#include <stdint.h>

typedef struct synack_mld {
    uint8_t unused; /* ndp: joined groups, report timers */
} synack_mld;

#endif
