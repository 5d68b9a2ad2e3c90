/*
 * The slirp allow-list. Transport ports per RFC 9293 section 3.1 and
 * RFC 768; fragments per RFC 791 section 3.2: only a fragment at offset 0
 * holds the ports, and fragment offsets come in 8-byte units, so a later
 * fragment can overlap neither the UDP header nor the TCP port fields, but
 * can overlap the TCP control bits: hence "fragmented TCP is checked like
 * a SYN".
 */
#include "policy.h"

#define IP_BROADCAST 0xffffffffu

bool synack_br_allowed(const synack_br_allowlist *a, uint32_t ip,
                       uint16_t port)
{
    if (a->allow_all)
        return true;
    for (size_t i = 0; i < a->count; i++) {
        const synack_br_allow *e = &a->entries[i];
        if ((e->ip == 0 || e->ip == ip) && (e->port == 0 || e->port == port))
            return true;
    }
    return false;
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

synack_br_decision synack_br_slirp_policy(const synack_br_allowlist *a,
                                          const synack_br_slirp_net *net,
                                          const synack_br_frame *f)
{
    if (f->l3 == SYNACK_BR_L3_ARP)
        return SYNACK_BR_PASS;
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
