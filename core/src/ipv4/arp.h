/*
 * ARP (RFC 826) neighbour cache for the Ethernet medium, with RFC 1122
 * section 2.3.2.1 ageing and request retries, RFC 1122 section 2.3.2.2
 * queueing of packets waiting for resolution, and RFC 5227 gratuitous
 * announcements. Internal to core/.
 */
#ifndef SYNACK_ARP_H
#define SYNACK_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"
#include "ipv4/arp_state.h"

typedef struct synack_stack synack_stack;

/* Allocate the tables sized by the config. Returns 0 or SYNACK_ERR_NOMEM. */
int synack_arp_init(synack_stack *s);
/* Free everything (safe on a zeroed, never initialised state). */
void synack_arp_fini(synack_stack *s);

/* An ARP packet arrived (Ethernet header already parsed into eth). */
void synack_arp_input(synack_stack *s, uint64_t now, const synack_eth_repr *eth,
                      const uint8_t *pkt, size_t len);

/*
 * Send the IP packet at frame + SYNACK_ETH_HDR_LEN (len counts the L2
 * header) to `nexthop`: at once when resolved (the Ethernet header is
 * written in place), else a copy is queued and a request goes out.
 * `bcast` sends to ff:ff:ff:ff:ff:ff without resolution. Returns 0 or a
 * negative error (the drop is counted).
 */
int synack_arp_output(synack_stack *s, uint64_t now, synack_ip4 nexthop,
                      bool bcast, uint8_t *frame, size_t len);

/* Broadcast a gratuitous ARP request for our address (RFC 5227 2.3). */
void synack_arp_announce(synack_stack *s, uint64_t now);

/* Look up a resolved entry; true and *mac set when found and fresh. */
bool synack_arp_lookup(const synack_stack *s, uint64_t now, synack_ip4 ip,
                       synack_mac *mac);

/* Forget every entry and queued packet (the address changed). */
void synack_arp_flush(synack_stack *s);

/* Run this layer's timers due at `now`. */
void synack_arp_poll(synack_stack *s, uint64_t now);
/* This layer's next deadline, UINT64_MAX when none. */
uint64_t synack_arp_poll_at(const synack_stack *s);

#endif
