/*
 * The slirp allow-list. Transport ports per RFC 9293 section 3.1 and
 * RFC 768; fragments per RFC 791 section 3.2: only a fragment at offset 0
 * holds the ports, and fragment offsets come in 8-byte units, so a later
 * fragment can overlap neither the UDP header nor the TCP port fields, but
 * can overlap the TCP control bits: hence "fragmented TCP is checked like
 * a SYN".
 */
#include "policy.h"

#include <string.h>

#define IP_BROADCAST 0xffffffffu

static bool ip4_match(const synack_br_allow *e, uint32_t ip)
{
    if (e->ip == 0)
        return true;
    unsigned plen = e->plen == 0 || e->plen > 32 ? 32 : e->plen;
    uint32_t mask = plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen);
    return (e->ip & mask) == (ip & mask);
}

bool synack_br_allowed(const synack_br_allowlist *a, uint32_t ip,
                       uint16_t port)
{
    if (a->allow_all)
        return true;
    for (size_t i = 0; i < a->count; i++) {
        const synack_br_allow *e = &a->entries[i];
        if (!e->ip6 && ip4_match(e, ip) && (e->port == 0 || e->port == port))
            return true;
    }
    return false;
}

bool synack_br_allowed6(const synack_br_allowlist *a, const synack_br_slirp_net *net,
                        const uint8_t ip6[16], uint16_t port)
{
    if (a->allow_all)
        return true;
    for (size_t i = 0; i < a->count; i++) {
        const synack_br_allow *e = &a->entries[i];
        bool host = (!e->ip6 && e->ip == 0) ||
                    (e->host6 && net->ip6 && memcmp(ip6, net->host6, 16) == 0) ||
                    (e->ip6 && !e->host6 &&
                     synack_br_ip6_prefix_match(ip6, e->addr6, e->plen ? e->plen : 128));
        if (host && (e->port == 0 || e->port == port))
            return true;
    }
    return false;
}

/* fe80::/64 with the interface identifier (past the prefix) of `a`. */
static bool link_local_of(const synack_br_slirp_net *net, const uint8_t x[16],
                          const uint8_t a[16])
{
    static const uint8_t ll[16] = {0xfe, 0x80};
    unsigned plen = net->prefix6_len > 64 ? net->prefix6_len : 64;
    if (!synack_br_ip6_prefix_match(x, ll, 64))
        return false;
    for (unsigned bit = plen; bit < 128; bit++) {
        unsigned byte = bit / 8, m = 0x80u >> (bit % 8);
        if ((x[byte] & m) != (a[byte] & m))
            return false;
    }
    return true;
}

bool synack_br_slirp_is_service6(const synack_br_slirp_net *net, const uint8_t a[16])
{
    if (!net->ip6)
        return false;
    return memcmp(a, net->host6, 16) == 0 || memcmp(a, net->dns6, 16) == 0 ||
           link_local_of(net, a, net->host6) || link_local_of(net, a, net->dns6);
}

static bool is_service(const synack_br_slirp_net *net, uint32_t ip)
{
    return ip == net->host || ip == net->dns;
}

static synack_br_decision check_tcp(const synack_br_allowlist *a,
                                    const synack_br_slirp_net *net,
                                    const synack_br_frame *f)
{
    if (f->ip.frag_off != 0)
        return SYNACK_BR_PASS; /* no ports here; offset 0 was checked */
    if (!f->has_tcp)
        return SYNACK_BR_DENY; /* truncated header or ports cut off */
    /* A SYN-ACK answers a connection slirp opened towards the guest (a
     * --forward); it cannot make slirp open a host socket. */
    bool opens = (f->tcp_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN;
    if (!opens && !f->fragmented)
        return SYNACK_BR_PASS;
    if (f->ip.dst == net->dns && f->dport == SYNACK_DNS_PORT)
        return SYNACK_BR_PASS; /* slirp's DNS over TCP */
    if (synack_br_allowed(a, f->ip.dst, f->dport))
        return SYNACK_BR_PASS;
    return opens ? SYNACK_BR_DENY_RST : SYNACK_BR_DENY;
}

static synack_br_decision check_udp(const synack_br_allowlist *a,
                                    const synack_br_slirp_net *net,
                                    const synack_br_frame *f)
{
    if (f->ip.frag_off != 0)
        return SYNACK_BR_PASS;
    if (!f->has_ports)
        return SYNACK_BR_DENY;
    if (f->dport == SYNACK_DHCP_SERVER_PORT && f->sport == SYNACK_DHCP_CLIENT_PORT &&
        (f->ip.dst == IP_BROADCAST || f->ip.dst == net->host))
        return SYNACK_BR_PASS;
    if (f->ip.dst == net->dns && f->dport == SYNACK_DNS_PORT)
        return SYNACK_BR_PASS;
    if (f->ip.dst == IP_BROADCAST)
        return SYNACK_BR_DENY;
    return synack_br_allowed(a, f->ip.dst, f->dport) ? SYNACK_BR_PASS
                                                    : SYNACK_BR_DENY;
}

static synack_br_decision check_icmp(const synack_br_allowlist *a,
                                     const synack_br_slirp_net *net,
                                     const synack_br_frame *f)
{
    if (f->ip.frag_off != 0)
        return SYNACK_BR_PASS;
    if (!f->has_icmp_type)
        return SYNACK_BR_DENY;
    if (f->icmp_type != SYNACK_ICMP_ECHO_REQUEST)
        return SYNACK_BR_PASS; /* errors and replies open nothing */
    if (is_service(net, f->ip.dst) || a->allow_all)
        return SYNACK_BR_PASS;
    return SYNACK_BR_DENY;
}

static synack_br_decision check_ip6(const synack_br_allowlist *a,
                                    const synack_br_slirp_net *net,
                                    const synack_br_frame *f)
{
    if (!net->ip6 || f->ip6_ext)
        return SYNACK_BR_DENY; /* slirp's IPv6 off; slirp walks no extension headers */
    const uint8_t *dst = f->ip6.dst.b;
    bool service = synack_br_slirp_is_service6(net, dst);
    bool icmp = f->proto == SYNACK_IPPROTO_ICMPV6 && f->has_icmp_type;
    if (synack_br_ip6_is_multicast(dst)) {
        if (icmp && (f->icmp_type == SYNACK_BR_ICMP6_RS || f->icmp_type == SYNACK_BR_ICMP6_NS ||
                     f->icmp_type == SYNACK_BR_ICMP6_NA))
            return SYNACK_BR_PASS;
        return SYNACK_BR_DENY; /* MLD, and anything else for a group */
    }
    if (!service && (synack_br_ip6_is_link_local(dst) ||
                     synack_br_ip6_prefix_match(dst, net->prefix6, net->prefix6_len) ||
                     synack_br_ip6_is_unspecified(dst))) {
        /* another guest, or an address slirp maps to ::1: a SYN is refused */
        bool syn = f->proto == SYNACK_IPPROTO_TCP && f->has_tcp &&
                   (f->tcp_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN;
        return syn ? SYNACK_BR_DENY_RST : SYNACK_BR_DENY;
    }
    switch (f->proto) {
    case SYNACK_IPPROTO_TCP: {
        if (!f->has_tcp)
            return SYNACK_BR_DENY;
        bool opens = (f->tcp_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN;
        if (!opens)
            return SYNACK_BR_PASS; /* slirp resets segments of unknown connections */
        if (memcmp(dst, net->dns6, 16) == 0 && f->dport == SYNACK_DNS_PORT)
            return SYNACK_BR_PASS;
        return synack_br_allowed6(a, net, dst, f->dport) ? SYNACK_BR_PASS : SYNACK_BR_DENY_RST;
    }
    case SYNACK_IPPROTO_UDP:
        if (!f->has_ports || synack_br_ip6_is_link_local(dst))
            return SYNACK_BR_DENY;
        if (memcmp(dst, net->dns6, 16) == 0 && f->dport == SYNACK_DNS_PORT)
            return SYNACK_BR_PASS;
        return synack_br_allowed6(a, net, dst, f->dport) ? SYNACK_BR_PASS : SYNACK_BR_DENY;
    case SYNACK_IPPROTO_ICMPV6:
        if (!icmp)
            return SYNACK_BR_DENY;
        if (f->icmp_type == SYNACK_ICMP6_ECHO_REQUEST)
            return service ? SYNACK_BR_PASS : SYNACK_BR_DENY;
        if (f->icmp_type == SYNACK_BR_ICMP6_RS || f->icmp_type == SYNACK_BR_ICMP6_NS ||
            f->icmp_type == SYNACK_BR_ICMP6_NA || f->icmp_type < 128)
            return SYNACK_BR_PASS; /* NDP with slirp; errors open nothing */
        return f->icmp_type == SYNACK_ICMP6_ECHO_REPLY ? SYNACK_BR_PASS : SYNACK_BR_DENY;
    default:
        return SYNACK_BR_DENY;
    }
}

synack_br_decision synack_br_slirp_policy(const synack_br_allowlist *a,
                                          const synack_br_slirp_net *net,
                                          const synack_br_frame *f)
{
    if (f->l3 == SYNACK_BR_L3_ARP)
        return SYNACK_BR_PASS;
    if (f->l3 == SYNACK_BR_L3_IP6)
        return check_ip6(a, net, f);
    if (f->l3 != SYNACK_BR_L3_IP4)
        return SYNACK_BR_DENY;
    uint32_t dst = f->ip.dst;
    bool in_net = (dst & net->mask) == net->net;
    bool dhcp = f->ip.proto == SYNACK_IPPROTO_UDP && f->has_ports &&
                f->dport == SYNACK_DHCP_SERVER_PORT;
    if (in_net && !is_service(net, dst))
        return SYNACK_BR_DENY; /* another guest, the network or broadcast */
    if ((dst == IP_BROADCAST && !dhcp) || (dst & 0xf0000000u) == 0xe0000000u)
        return SYNACK_BR_DENY; /* broadcast other than DHCP; multicast */
    switch (f->ip.proto) {
    case SYNACK_IPPROTO_TCP:
        return check_tcp(a, net, f);
    case SYNACK_IPPROTO_UDP:
        return check_udp(a, net, f);
    case SYNACK_IPPROTO_ICMP:
        return check_icmp(a, net, f);
    default:
        return SYNACK_BR_DENY;
    }
}
