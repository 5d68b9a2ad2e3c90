/*
 * ARP (RFC 826) for IPv4 over Ethernet: the IPv4 resolver of the neighbour
 * cache (net/neigh.h), which keeps the entries, the packets waiting for
 * resolution and the retries; RFC 5227 gratuitous announcements.
 * Internal to core/.
 */
#ifndef SYNACK_ARP_H
#define SYNACK_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

typedef struct synack_stack synack_stack;

/* An ARP packet arrived (Ethernet header already parsed into eth). */
void synack_arp_input(synack_stack *s, uint64_t now, const synack_eth_repr *eth,
                      const uint8_t *pkt, size_t len);

/* Resolver: broadcast a request for `ip` (the neighbour cache calls it). */
void synack_arp_solicit(synack_stack *s, synack_ip4 ip);

/* Broadcast a gratuitous ARP request for our address (RFC 5227 2.3). */
void synack_arp_announce(synack_stack *s, uint64_t now);

/* Look up a resolved IPv4 neighbour; true and *mac set when found and fresh. */
bool synack_arp_lookup(const synack_stack *s, uint64_t now, synack_ip4 ip,
                       synack_mac *mac);

#endif
