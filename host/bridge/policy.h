/*
 * What a client may send into the user-mode NAT (slirp): the `--allow`
 * list. slirp turns a guest's TCP SYN or UDP datagram into a real socket
 * on the host, so those are checked against the list; traffic to slirp's
 * own services (DHCP, DNS at the resolver address, ping of the gateway)
 * always passes.
 */
#ifndef SYNACK_BR_POLICY_H
#define SYNACK_BR_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/* One --allow entry. ip 0 means any host; port 0 any port. */
typedef struct synack_br_allow {
    uint32_t ip; /* host byte order, as the guest sees it (10.0.2.2 = host) */
    uint16_t port;
} synack_br_allow;

/* The user-mode network (QEMU conventions: 10.0.2.0/24, .2 host, .3 DNS). */
typedef struct synack_br_slirp_net {
    uint32_t net, mask, host, dns, dhcp_start;
} synack_br_slirp_net;

typedef struct synack_br_allowlist {
    bool allow_all;
    const synack_br_allow *entries;
    size_t count;
} synack_br_allowlist;

typedef enum synack_br_decision {
    SYNACK_BR_PASS = 0,
    SYNACK_BR_DENY,     /* drop silently */
    SYNACK_BR_DENY_RST, /* drop and answer with a TCP RST */
} synack_br_decision;

/* Whether (ip, port) matches an entry of the list (or allow_all). */
bool synack_br_allowed(const synack_br_allowlist *a, uint32_t ip,
                       uint16_t port);

/*
 * Decide whether a client frame may enter slirp. ARP passes. IPv4 to
 * another address of the virtual network (another guest) or to a broadcast
 * address other than DHCP does not. TCP segments that open a connection
 * (SYN without ACK; a SYN-ACK answers a --forward) and UDP datagrams
 * need an allowed destination, and so do all
 * fragments carrying a transport header (so a later fragment can never
 * turn an allowed segment into another one); TCP segments without SYN
 * pass, slirp answers them with a reset when no connection exists. ICMP
 * echo passes to the gateway and resolver addresses only (unless
 * allow_all); other ICMP messages pass. Every other EtherType and IP
 * protocol is denied.
 */
synack_br_decision synack_br_slirp_policy(const synack_br_allowlist *a,
                                          const synack_br_slirp_net *net,
                                          const synack_br_frame *f);

#endif
