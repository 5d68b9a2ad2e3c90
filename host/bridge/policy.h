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

/*
 * One --allow entry, as the guest sees the destination. An IPv4 entry
 * (!ip6): `ip` with a prefix of `plen` bits (0: all 32), ip 0 = any host
 * of either family. An IPv6 entry (ip6): addr6/plen (0: all 128), or with
 * host6 slirp's IPv6 host address (whatever the prefix), which is how the
 * guest reaches the host's ::1. `localhost` is an IPv4 entry for the host
 * with host6 also set: the host in both families. port 0 = any port.
 */
typedef struct synack_br_allow {
    uint32_t ip; /* host byte order (10.0.2.2 = host) */
    uint16_t port;
    uint8_t plen;
    bool ip6;
    bool host6;
    uint8_t addr6[16];
} synack_br_allow;

/*
 * The user-mode network (QEMU conventions: 10.0.2.0/24, .2 host, .3 DNS;
 * IPv6: a /64 with host ::2 and DNS ::3, as libslirp's defaults are
 * placed in its prefix; slirp's link-local address is fe80:: with the
 * host's interface identifier).
 */
typedef struct synack_br_slirp_net {
    uint32_t net, mask, host, dns, dhcp_start;
    bool ip6;                 /* slirp's IPv6 on */
    uint8_t prefix6[16];
    uint8_t prefix6_len;
    uint8_t host6[16], dns6[16];
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

/* The same for an IPv6 destination (host6 entries match net->host6). */
bool synack_br_allowed6(const synack_br_allowlist *a, const synack_br_slirp_net *net,
                        const uint8_t ip6[16], uint16_t port);

/*
 * Whether an IPv6 address is one of slirp's own: its host or DNS address
 * in the prefix, or fe80:: with either's interface identifier (libslirp
 * answers for both, ip6.h in6_equal_host).
 */
bool synack_br_slirp_is_service6(const synack_br_slirp_net *net, const uint8_t a[16]);


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
 *
 * IPv6 (when net->ip6) follows the same rules, with slirp's IPv6 host and
 * DNS addresses as the services; libslirp walks no extension headers and
 * maps every address of its prefix to the host's ::1 (socket.c
 * sotranslate_out6), so packets with extension headers, to another
 * address of the prefix, to link-local addresses other than slirp's, and
 * to multicast other than Neighbor Discovery (RS, NS, NA) are denied.
 * ICMPv6 echo passes only to slirp's own addresses (libslirp 4.7 forwards
 * no ICMPv6 echo), MLD never (slirp has no use for it).
 */
synack_br_decision synack_br_slirp_policy(const synack_br_allowlist *a,
                                          const synack_br_slirp_net *net,
                                          const synack_br_frame *f);

#endif
