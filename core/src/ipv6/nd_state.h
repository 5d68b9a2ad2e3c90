/*
 * Neighbour Discovery and SLAAC state (ipv6/nd.c, owned by the ndp
 * work): embedded in struct synack_stack as `nd` (net/stack.h). Types
 * only; the functions are in nd.h. Placeholder until ndp fills it.
 */
#ifndef SYNACK_ND_STATE_H
#define SYNACK_ND_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "synack/synack.h"

typedef struct synack_nd {
    uint8_t unused; /* ndp: routers, prefixes, RS timer, RDNSS ... */
} synack_nd;

#endif
