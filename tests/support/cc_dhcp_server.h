/*
 * A DHCP server for tests, written with the public UDP API on stack B
 * (port 67): one address to hand out, OFFER/ACK/NAK per RFC 2131 section
 * 4.3, answers broadcast to clients without an address and unicast to
 * ciaddr otherwise. And a fixture tap that logs every DHCP message stack A
 * sends (with its link and IP addressing) and can drop them.
 */
#ifndef CC_DHCP_SERVER_H
#define CC_DHCP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "net_fixture.h"
#include "wire/wire_app.h"

typedef struct cc_dhcp_server {
    synack_stack *s;
    int sock;
    /* what is handed out */
    synack_ip4 server_id, pool_addr, mask, router, dns;
    uint32_t lease_s;
    uint32_t t1_s, t2_s;     /* sent when non-zero */
    /* behaviour */
    bool silent;             /* read but never answer */
    bool ignore_requests;    /* answer DISCOVER only */
    bool nak;                /* answer every REQUEST with a NAK */
    /* what it saw and did */
    uint32_t discovers, requests, offers, acks, naks;
} cc_dhcp_server;

/* Open port 67 on s with a lease of 10.0.0.15/24, router 10.0.0.2, DNS
 * 10.0.0.3, server id 10.0.0.2, lease_s seconds. Returns 0 or an error. */
int cc_dhcp_server_start(cc_dhcp_server *d, synack_stack *s, uint32_t lease_s);

/* Read and answer queued datagrams (a cc_service_fn). */
int cc_dhcp_server_service(void *ctx, net_fixture *f);

/* One DHCP message sent by stack A, as it left the stack. */
typedef struct cc_dhcp_sent {
    uint64_t t;
    bool eth_bcast;
    synack_ip4 ip_src, ip_dst;
    uint16_t sport, dport;
    synack_dhcp_repr m;
} cc_dhcp_sent;

#define CC_DHCP_LOG_MAX 64

typedef struct cc_dhcp_log {
    uint32_t count;          /* messages seen (the log keeps the first 64) */
    cc_dhcp_sent e[CC_DHCP_LOG_MAX];
    bool drop_unicast;       /* drop A's DHCP messages not sent to broadcast */
    bool drop_all;           /* drop all of A's DHCP messages */
} cc_dhcp_log;

/* A net_tap_fn: install with f->tap = cc_dhcp_tap, f->tap_ctx = &log. */
bool cc_dhcp_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame,
                 size_t len);

#endif
