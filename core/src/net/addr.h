/*
 * synack_addr on the per-packet paths: inline versions of the public
 * helpers (net/addr.c), so that building, reading and comparing an
 * address costs a few instructions and no call. Internal to core/.
 */
#ifndef SYNACK_NET_ADDR_H
#define SYNACK_NET_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "synack/synack.h"

/* As synack_addr_from_ip4. */
static inline synack_addr synack_addr4(synack_ip4 ip)
{
    synack_addr a = {SYNACK_AF_IP4,
                     {(uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8),
                      (uint8_t)ip}};
    return a;
}

/* As synack_addr_to_ip4, for an address known to be IPv4. */
static inline synack_ip4 synack_addr4_get(const synack_addr *a)
{
    return (synack_ip4)a->b[0] << 24 | (synack_ip4)a->b[1] << 16 |
           (synack_ip4)a->b[2] << 8 | a->b[3];
}

/* As synack_addr_equal: family and all 16 bytes (IPv4 pads with zeros). */
static inline bool synack_addr_same(const synack_addr *a, const synack_addr *b)
{
    uint64_t x[2], y[2];
    memcpy(x, a->b, 16);
    memcpy(y, b->b, 16);
    return a->family == b->family && x[0] == y[0] && x[1] == y[1];
}

#endif
