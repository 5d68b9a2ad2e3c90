/*
 * The switching core. Forwarding per IEEE 802.1D-2004 section 7.7 (frames
 * go to the port that learned the destination, group destinations are
 * flooded; unknown unicast only to the TAP side, see forward_unknown) with
 * learning per section 7.8. Ingress checks
 * (source MAC and IPv4 address ownership) follow the idea of RFC 2827
 * ingress filtering and RFC 7039 source address validation, at the edge
 * where each client is one port; IPv6 source addresses are owned first
 * come, first served as in RFC 6620 (FCFS SAVI: a binding from the DAD
 * Neighbor Solicitation of RFC 4862 section 5.4.2, or from the first
 * packet sent from a free address), with router advertisements and
 * redirects refused from clients as RFC 6105 (RA-Guard) does, and NDP
 * messages with another station's link-layer address or target dropped. DHCP leases are snooped per RFC 2131
 * section 4.3.1 (the DHCPACK's yiaddr and chaddr), or given here (dhcpd.c). A refused connection is
 * answered as a CLOSED TCP endpoint would (RFC 9293 section 3.10.7.1).
 */
#include "switch.h"

#include <stdio.h>
#include <string.h>

#include "dhcpd.h"

#define IP_BROADCAST 0xffffffffu

static bool mac_is_zero(const uint8_t m[6])
{
    return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0;
}

void synack_br_mac_format(const uint8_t mac[6], char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
}

/* slirp's own Ethernet address for one of its IPv4 addresses: 52:55:a.b.c.d */
static void slirp_mac(uint32_t ip, uint8_t mac[6])
{
    mac[0] = 0x52;
    mac[1] = 0x55;
    synack_wr_be32(mac + 2, ip);
}

/* ... and for its IPv6 ones: 52:56 and the last four bytes (libslirp
 * ip6.h in6_compute_ethaddr). */
static void slirp_mac6(const uint8_t ip6[16], uint8_t mac[6])
{
    mac[0] = 0x52;
    mac[1] = 0x56;
    memcpy(mac + 2, ip6 + 12, 4);
}

int synack_br_init(synack_br *br, const synack_br_config *cfg,
                   synack_br_port *ports, synack_br_mac_entry *mac_slots,
                   uint32_t mac_size, synack_br_emit_fn emit, void *emit_ctx,
                   uint64_t now)
{
    if (cfg->max_clients == 0 || cfg->max_frame < 60 ||
        (cfg->isolate && cfg->backend != SYNACK_BR_BACKEND_SLIRP) ||
        cfg->max_frame > SYNACK_BR_MAX_FRAME_LIMIT ||
        cfg->token_len > SYNACK_BR_TOKEN_MAX ||
        (cfg->token != NULL && cfg->token_len == 0))
        return -1;
    memset(br, 0, sizeof(*br));
    br->cfg = *cfg;
    br->ports = ports;
    br->emit = emit;
    br->emit_ctx = emit_ctx;
    memset(ports, 0, sizeof(*ports) * (cfg->max_clients + 1u));
    if (synack_br_mactable_init(&br->macs, mac_slots, mac_size, cfg->mac_age_ms) < 0)
        return -1;
    if (cfg->backend != SYNACK_BR_BACKEND_NONE) {
        ports[0].state = SYNACK_BR_PORT_ACTIVE;
        ports[0].since = now;
    }
    if (cfg->backend == SYNACK_BR_BACKEND_SLIRP) {
        uint8_t mac[6];
        slirp_mac(cfg->net.host, mac);
        synack_br_mactable_pin(&br->macs, mac, SYNACK_BR_BACKEND_PORT, now);
        slirp_mac(cfg->net.dns, mac);
        synack_br_mactable_pin(&br->macs, mac, SYNACK_BR_BACKEND_PORT, now);
        if (cfg->net.ip6) {
            slirp_mac6(cfg->net.host6, mac);
            synack_br_mactable_pin(&br->macs, mac, SYNACK_BR_BACKEND_PORT, now);
            slirp_mac6(cfg->net.dns6, mac);
            synack_br_mactable_pin(&br->macs, mac, SYNACK_BR_BACKEND_PORT, now);
        }
    }
    return 0;
}

int32_t synack_br_attach(synack_br *br, uint64_t now)
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        synack_br_port *p = &br->ports[i];
        if (p->state != SYNACK_BR_PORT_FREE)
            continue;
        memset(p, 0, sizeof(*p));
        p->state = br->cfg.token != NULL ? SYNACK_BR_PORT_AUTH
                                         : SYNACK_BR_PORT_ACTIVE;
        p->since = now;
        synack_br_bucket_init(&p->fps, br->cfg.rate_fps, br->cfg.burst_frames, now);
        synack_br_bucket_init(&p->bps, br->cfg.rate_bps, br->cfg.burst_bytes, now);
        return (int32_t)i;
    }
    return -1;
}

void synack_br_detach(synack_br *br, int32_t port)
{
    if (port <= 0 || (uint32_t)port > br->cfg.max_clients)
        return;
    synack_br_mactable_flush_port(&br->macs, port);
    br->ports[port].state = SYNACK_BR_PORT_FREE;
}

bool synack_br_port_active(const synack_br *br, int32_t port)
{
    if (port < 0 || (uint32_t)port > br->cfg.max_clients)
        return false;
    return br->ports[port].state == SYNACK_BR_PORT_ACTIVE;
}

/* ---- output ------------------------------------------------------------ */

static void deliver(synack_br *br, int32_t port, const uint8_t *frame,
                    size_t len)
{
    synack_br_port *p = &br->ports[port];
    if (br->emit(br->emit_ctx, port, frame, len)) {
        p->stats.tx_frames++;
        p->stats.tx_bytes += len;
    } else {
        p->stats.drop_queue++;
    }
}

/*
 * Answer a denied SYN as a CLOSED endpoint does (RFC 9293 section
 * 3.10.7.1): if the ACK bit is off, <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * otherwise <SEQ=SEG.ACK><CTL=RST>. The reply comes from the addresses the
 * segment was sent to.
 */
static void send_reset(synack_br *br, int32_t port, const synack_br_frame *f)
{
    if (!f->has_tcp || (f->tcp_flags & SYNACK_TCP_RST))
        return;
    uint8_t *b = br->reply;
    bool v6 = f->l3 == SYNACK_BR_L3_IP6;
    synack_eth_repr eth = {.dst = f->eth.src, .src = f->eth.dst,
                           .ethertype = v6 ? SYNACK_ETHERTYPE_IPV6 : SYNACK_ETHERTYPE_IPV4};
    size_t off = synack_eth_emit(&eth, b);
    uint32_t phsum;
    if (v6) {
        synack_ip6_repr ip6 = {.payload_len = SYNACK_TCP_HDR_LEN, .next = SYNACK_IPPROTO_TCP,
                               .hop_limit = 64, .src = f->ip6.dst, .dst = f->ip6.src};
        off += synack_ip6_emit(&ip6, b + off);
        phsum = synack_addr_pseudo_sum(&ip6.src, &ip6.dst, SYNACK_IPPROTO_TCP);
    } else {
        synack_ip4_repr ip = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .df = true,
                              .src = f->ip.dst, .dst = f->ip.src,
                              .total_len = SYNACK_IP4_HDR_LEN + SYNACK_TCP_HDR_LEN};
        off += synack_ip4_emit(&ip, b + off);
        phsum = synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP);
    }
    synack_tcp_repr tcp;
    memset(&tcp, 0, sizeof(tcp));
    tcp.sport = f->dport;
    tcp.dport = f->sport;
    if (f->tcp_flags & SYNACK_TCP_ACK) {
        tcp.seq = f->tcp_ack;
        tcp.flags = SYNACK_TCP_RST;
    } else {
        tcp.seq = 0;
        tcp.ack = f->tcp_seq + f->tcp_seg_len;
        tcp.flags = SYNACK_TCP_RST | SYNACK_TCP_ACK;
    }
    size_t tl = synack_tcp_emit(&tcp, b + off);
    synack_tcp_fill_checksum(b + off, tl, phsum);
    off += tl;
    br->ports[port].stats.rst_sent++;
    deliver(br, port, b, off);
}

/*
 * Hand a client's frame to the backend. In slirp mode the allow-list
 * decides; a denied copy of a flooded frame is dropped without a count.
 */
static void to_backend(synack_br *br, int32_t from, const synack_br_frame *f,
                       bool unicast)
{
    if (br->cfg.backend == SYNACK_BR_BACKEND_SLIRP) {
        synack_br_decision d = synack_br_slirp_policy(&br->cfg.allow, &br->cfg.net, f);
        if (d != SYNACK_BR_PASS) {
            if (unicast) {
                br->ports[from].stats.drop_policy++;
                if (d == SYNACK_BR_DENY_RST)
                    send_reset(br, from, f);
            }
            return;
        }
    }
    deliver(br, SYNACK_BR_BACKEND_PORT, f->data, f->len);
}

/* A group-addressed frame: to every active client but the source, and to
 * the backend when it did not come from there. */
static void flood(synack_br *br, int32_t from, const synack_br_frame *f)
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        if ((int32_t)i != from && br->ports[i].state == SYNACK_BR_PORT_ACTIVE)
            deliver(br, (int32_t)i, f->data, f->len);
    }
    if (from != SYNACK_BR_BACKEND_PORT && br->cfg.backend != SYNACK_BR_BACKEND_NONE)
        to_backend(br, from, f, false);
}

/*
 * Unknown unicast (802.1D 7.7.1 would flood it) goes only where an unknown
 * station can be: behind the TAP device. Every client's MAC is pinned from
 * its first frame, so a unicast address that no client owns belongs to no
 * client (typically one that has left, whose traffic slirp or the host
 * still sends): flooding it to the others would only leak it. In slirp
 * mode and with no backend it is dropped.
 */
static void forward_unknown(synack_br *br, int32_t from, const synack_br_frame *f)
{
    if (from != SYNACK_BR_BACKEND_PORT && br->cfg.backend == SYNACK_BR_BACKEND_TAP)
        to_backend(br, from, f, true);
    else
        br->ports[from].stats.drop_unknown++;
}

/* The active client that holds IPv4 address `ip`, or -1. */
static int32_t port_of_ip(const synack_br *br, uint32_t ip)
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        const synack_br_port *p = &br->ports[i];
        if (p->state == SYNACK_BR_PORT_ACTIVE && p->ip_source != SYNACK_BR_IP_NONE &&
            p->ip == ip)
            return (int32_t)i;
    }
    return -1;
}

/* The slot of `port`'s table holding IPv6 address `a`, or -1. */
static int ip6_slot(const synack_br_port *p, const uint8_t a[16])
{
    for (int k = 0; k < SYNACK_BR_IP6_PER_PORT; k++) {
        if (p->ip6[k].used && memcmp(p->ip6[k].addr, a, 16) == 0)
            return k;
    }
    return -1;
}

/* The client (attached, any state) that owns IPv6 address `a`, or -1. */
static int32_t port_of_ip6(const synack_br *br, const uint8_t a[16])
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        const synack_br_port *p = &br->ports[i];
        if (p->state != SYNACK_BR_PORT_FREE && ip6_slot(p, a) >= 0)
            return (int32_t)i;
    }
    return -1;
}

/* The active client whose MAC is `mac`, or -1. */
static int32_t port_of_mac(const synack_br *br, const uint8_t mac[6])
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        const synack_br_port *p = &br->ports[i];
        if (p->state == SYNACK_BR_PORT_ACTIVE && p->has_mac &&
            memcmp(p->mac, mac, 6) == 0)
            return (int32_t)i;
    }
    return -1;
}

/*
 * Isolated ports (a private VLAN, RFC 5517 section 2: isolated ports talk
 * only to the promiscuous one, here the backend). A client's frame goes to
 * the backend or nowhere: its broadcasts (ARP, DHCP) and its unicast to
 * another client never reach another client.
 */
static void forward_isolated_client(synack_br *br, int32_t from,
                                    const synack_br_frame *f, uint64_t now)
{
    const uint8_t *dst = f->eth.dst.b;
    if (dst[0] & 1) {
        to_backend(br, from, f, false);
        return;
    }
    int32_t to = synack_br_mactable_lookup(&br->macs, dst, now);
    if (to == SYNACK_BR_BACKEND_PORT)
        to_backend(br, from, f, true);
    else if (to < 0)
        br->ports[from].stats.drop_unknown++;
    else if (to != from)
        br->ports[from].stats.drop_isolated++;
}

/*
 * A group-addressed frame from the backend while isolated: slirp's ARP
 * request goes to the one client that holds the address asked for, a
 * DHCP reply (--slirp-dhcp) to the client it is for; anything else the
 * backend broadcasts goes to every client, as from a private VLAN's
 * promiscuous port (it reveals nothing about the other clients).
 */
static void flood_isolated_backend(synack_br *br, const synack_br_frame *f)
{
    int32_t to = -2;
    if (f->l3 == SYNACK_BR_L3_ARP) {
        to = port_of_ip(br, f->arp.tpa);
    } else if (f->l3 == SYNACK_BR_L3_IP6 && f->has_icmp_type &&
               f->icmp_type == SYNACK_BR_ICMP6_NS && f->nd_has_target) {
        /* slirp's NS (to a solicited-node group) asks for one client's MAC */
        to = port_of_ip6(br, f->nd_target);
        if (to > 0 && br->ports[to].state != SYNACK_BR_PORT_ACTIVE)
            to = -1;
    } else if (synack_br_frame_is_dhcp_reply(f)) {
        synack_dhcp_repr d;
        to = synack_br_frame_dhcp(f, &d) == 0 && d.htype == 1 && d.hlen == 6
                 ? port_of_mac(br, d.chaddr) : -1;
    }
    if (to == -2) {
        flood(br, SYNACK_BR_BACKEND_PORT, f);
        return;
    }
    if (to > 0)
        deliver(br, to, f->data, f->len);
    else
        br->ports[SYNACK_BR_BACKEND_PORT].stats.drop_unknown++;
}

static void forward(synack_br *br, int32_t from, const synack_br_frame *f,
                    uint64_t now)
{
    const uint8_t *dst = f->eth.dst.b;
    if (br->cfg.isolate && from != SYNACK_BR_BACKEND_PORT) {
        forward_isolated_client(br, from, f, now);
        return;
    }
    if (br->cfg.isolate && (dst[0] & 1)) {
        flood_isolated_backend(br, f);
        return;
    }
    if (dst[0] & 1) { /* broadcast or multicast */
        flood(br, from, f);
        return;
    }
    int32_t to = synack_br_mactable_lookup(&br->macs, dst, now);
    if (to < 0) {
        forward_unknown(br, from, f);
        return;
    }
    if (to == from)
        return; /* already on the segment it came from */
    if (to == SYNACK_BR_BACKEND_PORT) {
        if (br->cfg.backend != SYNACK_BR_BACKEND_NONE)
            to_backend(br, from, f, true);
        return;
    }
    if (br->ports[to].state == SYNACK_BR_PORT_ACTIVE)
        deliver(br, to, f->data, f->len);
}

/* ---- address ownership ------------------------------------------------- */

static bool ip_claimable(const synack_br *br, uint32_t ip)
{
    if (ip == 0 || ip == IP_BROADCAST || (ip >> 24) == 127 || ip >= 0xe0000000u)
        return false;
    if (br->cfg.backend == SYNACK_BR_BACKEND_SLIRP) {
        const synack_br_slirp_net *n = &br->cfg.net;
        if (ip == n->host || ip == n->dns)
            return false;
        if ((ip & n->mask) == n->net &&
            ((ip & ~n->mask) == 0 || (ip | n->mask) == IP_BROADCAST))
            return false;
    }
    return true;
}

static bool ip_owned_by_other(const synack_br *br, uint32_t ip, int32_t port)
{
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        const synack_br_port *p = &br->ports[i];
        if ((int32_t)i != port && p->state != SYNACK_BR_PORT_FREE &&
            p->ip_source != SYNACK_BR_IP_NONE && p->ip == ip)
            return true;
    }
    return false;
}

static bool claim_ip(synack_br *br, int32_t port, uint32_t ip,
                     synack_br_ip_source src)
{
    if (!ip_claimable(br, ip) || ip_owned_by_other(br, ip, port))
        return false;
    br->ports[port].ip = ip;
    br->ports[port].ip_source = src;
    return true;
}

/* ---- IPv6 address ownership (RFC 6620) ---------------------------------- */

/* Whether the bits of `a` past the first `plen` are all zero. */
static bool ip6_iid_zero(const uint8_t a[16], unsigned plen)
{
    for (unsigned bit = plen; bit < 128; bit++) {
        if (a[bit / 8] & (0x80u >> (bit % 8)))
            return false;
    }
    return true;
}

static bool ip6_claimable(const synack_br *br, const uint8_t a[16])
{
    static const uint8_t loopback[16] = {[15] = 1};
    if (synack_br_ip6_is_unspecified(a) || synack_br_ip6_is_multicast(a) ||
        memcmp(a, loopback, 16) == 0)
        return false;
    if (br->cfg.backend == SYNACK_BR_BACKEND_SLIRP && br->cfg.net.ip6) {
        const synack_br_slirp_net *n = &br->cfg.net;
        if (synack_br_slirp_is_service6(n, a))
            return false; /* slirp's router and resolver */
        if (synack_br_ip6_prefix_match(a, n->prefix6, n->prefix6_len) &&
            ip6_iid_zero(a, n->prefix6_len))
            return false; /* the Subnet-Router anycast address (RFC 4291 2.6.1) */
    }
    return true;
}

/*
 * Bind IPv6 address `a` to `port`: a binding it has is refreshed; a new
 * one takes a free slot, or the slot used longest ago (counted), so a
 * client that cycles addresses only ever evicts its own. False when
 * another client owns `a` or nobody may.
 */
static bool claim_ip6(synack_br *br, int32_t port, const uint8_t a[16], uint64_t now)
{
    synack_br_port *p = &br->ports[port];
    int k = ip6_slot(p, a);
    if (k >= 0) {
        p->ip6[k].last = now;
        return true;
    }
    int32_t owner = port_of_ip6(br, a);
    if (!ip6_claimable(br, a) || (owner > 0 && owner != port))
        return false;
    int victim = 0;
    for (k = 0; k < SYNACK_BR_IP6_PER_PORT; k++) {
        if (!p->ip6[k].used) {
            victim = k;
            break;
        }
        if (p->ip6[k].last < p->ip6[victim].last)
            victim = k;
    }
    if (k == SYNACK_BR_IP6_PER_PORT)
        p->stats.ip6_evicted++;
    p->ip6[victim].used = true;
    memcpy(p->ip6[victim].addr, a, 16);
    p->ip6[victim].last = now;
    return true;
}

/*
 * Defend another client's address against a DAD probe from an isolated
 * client, which can never hear the owner: the NA the owner would send
 * (RFC 4862 section 5.4.3: to all-nodes, from the address, Override set,
 * no link-layer option), from slirp's MAC, to the probing client only. Its
 * DAD then fails (section 5.4.4) instead of its traffic being dropped
 * later as spoofed.
 */
static void defend_dad(synack_br *br, int32_t port, const uint8_t target[16])
{
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    uint8_t *b = br->reply;
    synack_eth_repr eth = {.ethertype = SYNACK_ETHERTYPE_IPV6};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    memcpy(eth.dst.b, all_nodes_mac, 6);
    slirp_mac6(br->cfg.net.host6, eth.src.b);
    size_t off = synack_eth_emit(&eth, b);
    synack_ip6_repr ip6 = {.payload_len = SYNACK_ICMP_HDR_LEN + 16,
                           .next = SYNACK_IPPROTO_ICMPV6, .hop_limit = 255};
    ip6.src.family = ip6.dst.family = SYNACK_AF_IP6;
    memcpy(ip6.src.b, target, 16);
    memcpy(ip6.dst.b, all_nodes, 16);
    off += synack_ip6_emit(&ip6, b + off);
    synack_icmp_repr na = {.type = SYNACK_BR_ICMP6_NA, .rest = 0x20000000u /* O */,
                           .payload = target, .payload_len = 16};
    off += synack_icmp6_emit(&na, b + off,
                             synack_addr_pseudo_sum(&ip6.src, &ip6.dst, SYNACK_IPPROTO_ICMPV6));
    deliver(br, port, b, off);
}

static bool is_ip6_ext_header(uint8_t proto)
{
    return proto == SYNACK_IP6_NEXT_HOPOPTS || proto == SYNACK_IP6_NEXT_ROUTING ||
           proto == SYNACK_IP6_NEXT_FRAGMENT || proto == SYNACK_IP6_NEXT_DSTOPTS;
}

/*
 * Whether a client's IPv6 packet carries only addresses it owns (its MAC
 * was checked before). The unspecified source is allowed for what RFC
 * 4862 and RFC 3810 send before an address is unique: the DAD Neighbor
 * Solicitation (whose target the client then owns, if no other client
 * does), Router Solicitations and MLD reports. Any other source is owned
 * or, when free, bound now. NDP messages must name the client's own MAC
 * in their link-layer options and, for an NA, an address it may own;
 * Router Advertisements and Redirects never come from a client (RFC
 * 6105), nor NDP in fragments (RFC 6980), nor a first fragment whose
 * header chain goes on past it (RFC 7112).
 */
static bool owns_ip6(synack_br *br, int32_t port, const synack_br_frame *f, uint64_t now)
{
    synack_br_port *p = &br->ports[port];
    const uint8_t *src = f->ip6.src.b;
    bool icmp = f->proto == SYNACK_IPPROTO_ICMPV6;
    bool nd = icmp && f->has_icmp_type && synack_br_icmp6_is_nd(f->icmp_type);
    if (f->fragmented && f->frag_off == 0 && is_ip6_ext_header(f->proto)) {
        p->stats.drop_invalid++;
        return false;
    }
    if ((f->fragmented && f->frag_off == 0 && icmp && (!f->has_icmp_type || nd)) ||
        (nd && (f->icmp_type == SYNACK_BR_ICMP6_RA ||
                f->icmp_type == SYNACK_BR_ICMP6_REDIRECT)) ||
        (nd && (f->nd_bad || (f->nd_has_sll && memcmp(f->nd_sll, p->mac, 6) != 0) ||
                (f->nd_has_tll && memcmp(f->nd_tll, p->mac, 6) != 0)))) {
        p->stats.drop_spoof_nd++;
        return false;
    }
    if (synack_br_ip6_is_unspecified(src)) {
        if (nd && f->icmp_type == SYNACK_BR_ICMP6_NS && f->nd_has_target && !f->nd_has_sll) {
            /* DAD (RFC 4862 5.4.2). A target another client owns is not
             * bound; the NS still goes out, for the owner to defend, or
             * (isolated: the owner never hears it) is answered here. */
            if (!claim_ip6(br, port, f->nd_target, now) && br->cfg.isolate &&
                port_of_ip6(br, f->nd_target) > 0) {
                defend_dad(br, port, f->nd_target);
                return false;
            }
            return true;
        }
        if ((nd && f->icmp_type == SYNACK_BR_ICMP6_RS && !f->nd_has_sll) ||
            (icmp && f->has_icmp_type && (f->icmp_type == SYNACK_BR_ICMP6_MLD2_REPORT ||
                                          f->icmp_type == SYNACK_BR_ICMP6_MLD_REPORT)))
            return true;
        p->stats.drop_spoof_ip++;
        return false;
    }
    if (!claim_ip6(br, port, src, now)) {
        p->stats.drop_spoof_ip++;
        return false;
    }
    if (nd && f->icmp_type == SYNACK_BR_ICMP6_NA && f->nd_has_target &&
        !claim_ip6(br, port, f->nd_target, now)) {
        p->stats.drop_spoof_nd++; /* an NA for another client's (or slirp's) address */
        return false;
    }
    return true;
}

/* ---- DHCP server (slirp network) --------------------------------------- */

typedef struct free_ctx {
    const synack_br *br;
    int32_t port;
} free_ctx;

static bool ip_free_for(void *ctx, uint32_t ip)
{
    const free_ctx *c = ctx;
    return ip_claimable(c->br, ip) && !ip_owned_by_other(c->br, ip, c->port);
}

/* Answer a client's DHCP message and apply the lease it gives or ends. */
static void serve_dhcp(synack_br *br, int32_t port, const synack_dhcp_repr *req)
{
    synack_br_port *p = &br->ports[port];
    free_ctx ctx = {br, port};
    uint32_t current = p->ip_source != SYNACK_BR_IP_NONE ? p->ip : 0;
    synack_br_dhcp_answer a =
        synack_br_dhcpd_decide(&br->cfg.net, req, current, ip_free_for, &ctx);
    if (a.release) {
        p->ip_source = SYNACK_BR_IP_NONE;
        p->ip = 0;
    }
    if (a.assign)
        claim_ip(br, port, a.yiaddr, SYNACK_BR_IP_DHCP);
    if (a.msg_type == 0)
        return;
    size_t n = synack_br_dhcpd_build(&br->cfg.net, req, &a, p->mac, br->reply,
                                     sizeof(br->reply));
    if (n > 0)
        deliver(br, port, br->reply, n);
}

/* ---- ingress ----------------------------------------------------------- */

static synack_br_verdict check_token(synack_br *br, synack_br_port *p,
                                     const uint8_t *frame, size_t len)
{
    /* Compare every byte whatever the first difference (no timing hint). */
    uint8_t diff = len != br->cfg.token_len;
    for (size_t i = 0; i < br->cfg.token_len; i++)
        diff |= (uint8_t)((i < len ? frame[i] : 0) ^ br->cfg.token[i]);
    if (diff != 0)
        return SYNACK_BR_CLOSE_AUTH;
    p->state = SYNACK_BR_PORT_ACTIVE;
    return SYNACK_BR_KEEP;
}

/*
 * Whether a client's frame carries only addresses the client owns.
 * Learns its MAC from its first frame and its IPv4 address from its first
 * ARP. Counts the reason when not. A DHCP client message is parsed into
 * *dhcp and *is_dhcp set.
 */
static bool owns_addresses(synack_br *br, int32_t port, const synack_br_frame *f,
                           uint64_t now, synack_dhcp_repr *dhcp, bool *is_dhcp)
{
    synack_br_port *p = &br->ports[port];
    const uint8_t *src = f->eth.src.b;
    if (!p->has_mac) {
        if (synack_br_mactable_pin(&br->macs, src, port, now) < 0) {
            p->stats.drop_spoof_mac++; /* another port's address */
            return false;
        }
        memcpy(p->mac, src, 6);
        p->has_mac = true;
    } else if (memcmp(p->mac, src, 6) != 0) {
        p->stats.drop_spoof_mac++;
        return false;
    }

    switch (f->l3) {
    case SYNACK_BR_L3_ARP:
        if (memcmp(f->arp.sha.b, p->mac, 6) != 0) {
            p->stats.drop_spoof_mac++;
            return false;
        }
        if (f->arp.spa == 0)
            return true; /* probe (RFC 5227 section 2.1.1) */
        if (p->ip_source != SYNACK_BR_IP_NONE) {
            if (f->arp.spa == p->ip)
                return true;
            p->stats.drop_spoof_ip++;
            return false;
        }
        if (!claim_ip(br, port, f->arp.spa, SYNACK_BR_IP_ARP)) {
            p->stats.drop_spoof_ip++;
            return false;
        }
        return true;
    case SYNACK_BR_L3_IP4:
        if (synack_br_frame_is_dhcp_request(f)) {
            if (synack_br_frame_dhcp(f, dhcp) < 0) {
                p->stats.drop_invalid++;
                return false;
            }
            if (dhcp->htype != 1 || dhcp->hlen != 6 ||
                memcmp(dhcp->chaddr, p->mac, 6) != 0) {
                p->stats.drop_spoof_mac++; /* a lease for someone else */
                return false;
            }
            *is_dhcp = true;
            if (f->ip.src == 0)
                return true;
        }
        if (p->ip_source == SYNACK_BR_IP_NONE || f->ip.src != p->ip) {
            p->stats.drop_spoof_ip++;
            return false;
        }
        return true;
    case SYNACK_BR_L3_IP6:
        return owns_ip6(br, port, f, now);
    case SYNACK_BR_L3_BAD:
        p->stats.drop_invalid++;
        return false;
    default:
        p->stats.drop_policy++; /* only ARP, IPv4 and IPv6 are switched */
        return false;
    }
}

static synack_br_verdict client_input(synack_br *br, int32_t port, uint64_t now,
                                      const uint8_t *frame, size_t len)
{
    synack_br_port *p = &br->ports[port];
    if (p->state == SYNACK_BR_PORT_AUTH)
        return check_token(br, p, frame, len);
    if (p->state != SYNACK_BR_PORT_ACTIVE)
        return SYNACK_BR_KEEP;

    synack_br_frame f;
    if (len > br->cfg.max_frame || synack_br_frame_parse(frame, len, &f) < 0) {
        p->stats.drop_invalid++;
        return SYNACK_BR_CLOSE_MALFORMED;
    }
    if ((f.eth.src.b[0] & 1) || mac_is_zero(f.eth.src.b)) {
        p->stats.drop_invalid++;
        return SYNACK_BR_CLOSE_MALFORMED; /* no station has a group address */
    }
    if (!synack_br_bucket_take(&p->fps, 1, now) ||
        !synack_br_bucket_take(&p->bps, len, now)) {
        p->stats.drop_rate++;
        return SYNACK_BR_KEEP;
    }
    synack_dhcp_repr dhcp;
    bool is_dhcp = false;
    if (!owns_addresses(br, port, &f, now, &dhcp, &is_dhcp))
        return SYNACK_BR_KEEP;
    p->stats.rx_frames++;
    p->stats.rx_bytes += len;
    if (is_dhcp && br->cfg.dhcp_server && br->cfg.backend == SYNACK_BR_BACKEND_SLIRP) {
        serve_dhcp(br, port, &dhcp);
        return SYNACK_BR_KEEP; /* answered here; never flooded */
    }
    forward(br, port, &f, now);
    return SYNACK_BR_KEEP;
}

/* A DHCPACK from the backend gives the client with that chaddr its address. */
static void snoop_lease(synack_br *br, const synack_br_frame *f)
{
    synack_dhcp_repr d;
    if (synack_br_frame_dhcp(f, &d) < 0 || d.op != SYNACK_BOOTREPLY ||
        d.msg_type != SYNACK_DHCPACK || d.htype != 1 || d.hlen != 6 ||
        d.yiaddr == 0)
        return;
    for (uint32_t i = 1; i <= br->cfg.max_clients; i++) {
        synack_br_port *p = &br->ports[i];
        if (p->state == SYNACK_BR_PORT_ACTIVE && p->has_mac &&
            memcmp(p->mac, d.chaddr, 6) == 0) {
            claim_ip(br, (int32_t)i, d.yiaddr, SYNACK_BR_IP_DHCP);
            return;
        }
    }
}

static void backend_input(synack_br *br, uint64_t now, const uint8_t *frame,
                          size_t len)
{
    synack_br_port *p = &br->ports[SYNACK_BR_BACKEND_PORT];
    synack_br_frame f;
    if (len > br->cfg.max_frame || synack_br_frame_parse(frame, len, &f) < 0 ||
        (f.eth.src.b[0] & 1)) {
        p->stats.drop_invalid++;
        return;
    }
    synack_br_learn l = synack_br_mactable_learn(&br->macs, f.eth.src.b,
                                                 SYNACK_BR_BACKEND_PORT, now);
    if (l == SYNACK_BR_LEARN_PINNED) {
        p->stats.drop_spoof_mac++; /* a client's address seen on the backend */
        return;
    }
    p->stats.rx_frames++;
    p->stats.rx_bytes += len;
    if (synack_br_frame_is_dhcp_reply(&f))
        snoop_lease(br, &f);
    forward(br, SYNACK_BR_BACKEND_PORT, &f, now);
}

synack_br_verdict synack_br_input(synack_br *br, int32_t port, uint64_t now,
                                  const uint8_t *frame, size_t len)
{
    if (port == SYNACK_BR_BACKEND_PORT) {
        if (br->cfg.backend != SYNACK_BR_BACKEND_NONE)
            backend_input(br, now, frame, len);
        return SYNACK_BR_KEEP;
    }
    if (port < 0 || (uint32_t)port > br->cfg.max_clients)
        return SYNACK_BR_KEEP;
    return client_input(br, port, now, frame, len);
}
