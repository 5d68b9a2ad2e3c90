/*
 * DHCP server for the slirp network: RFC 2131 section 4.3 (server
 * behaviour: DISCOVER 4.3.1, REQUEST 4.3.2, DECLINE 4.3.3, RELEASE 4.3.4,
 * INFORM 4.3.5) with the options of RFC 2132 (subnet mask, router, DNS,
 * lease time, server identifier). Replies per section 4.1: broadcast to a
 * client without an address.
 */
#include "dhcpd.h"

#include <string.h>

#define IP_BROADCAST 0xffffffffu

static bool usable(const synack_br_slirp_net *net, uint32_t ip,
                   synack_br_ip_free_fn is_free, void *ctx)
{
    if ((ip & net->mask) != net->net || ip == net->host || ip == net->dns)
        return false;
    if ((ip & ~net->mask) == 0 || (ip | net->mask) == IP_BROADCAST)
        return false; /* the network and broadcast addresses */
    return is_free(ctx, ip);
}

static uint32_t pick(const synack_br_slirp_net *net, const synack_dhcp_repr *req,
                     uint32_t current, synack_br_ip_free_fn is_free, void *ctx)
{
    if (req->has_requested_ip && usable(net, req->requested_ip, is_free, ctx))
        return req->requested_ip;
    if (current != 0 && usable(net, current, is_free, ctx))
        return current;
    uint32_t last = (net->net | ~net->mask) - 1;
    for (uint32_t ip = net->dhcp_start; ip <= last && ip >= net->dhcp_start; ip++) {
        if (usable(net, ip, is_free, ctx))
            return ip;
    }
    return 0; /* pool exhausted */
}

synack_br_dhcp_answer synack_br_dhcpd_decide(const synack_br_slirp_net *net,
                                             const synack_dhcp_repr *req,
                                             uint32_t current,
                                             synack_br_ip_free_fn is_free,
                                             void *ctx)
{
    synack_br_dhcp_answer a;
    memset(&a, 0, sizeof(a));
    if (req->op != SYNACK_BOOTREQUEST)
        return a;
    switch (req->msg_type) {
    case SYNACK_DHCPDISCOVER:
        a.yiaddr = pick(net, req, current, is_free, ctx);
        if (a.yiaddr != 0)
            a.msg_type = SYNACK_DHCPOFFER;
        return a;
    case SYNACK_DHCPREQUEST: {
        /* 4.3.2: a server identifier names the server the client chose. */
        if (req->has_server_id && req->server_id != net->host)
            return a;
        uint32_t want = req->has_requested_ip ? req->requested_ip : req->ciaddr;
        if (want != 0 && usable(net, want, is_free, ctx)) {
            a.msg_type = SYNACK_DHCPACK;
            a.yiaddr = want;
            a.assign = true;
        } else {
            a.msg_type = SYNACK_DHCPNAK;
        }
        return a;
    }
    case SYNACK_DHCPINFORM:
        a.msg_type = SYNACK_DHCPACK;
        return a;
    case SYNACK_DHCPRELEASE:
        a.release = current != 0 && req->ciaddr == current;
        return a;
    default:
        return a; /* DECLINE: the address stays with its port until it leaves */
    }
}

size_t synack_br_dhcpd_build(const synack_br_slirp_net *net,
                             const synack_dhcp_repr *req,
                             const synack_br_dhcp_answer *a,
                             const uint8_t client_mac[6], uint8_t *buf,
                             size_t cap)
{
    synack_dhcp_repr r;
    memset(&r, 0, sizeof(r));
    r.op = SYNACK_BOOTREPLY;
    r.htype = 1;
    r.hlen = 6;
    r.xid = req->xid;
    r.flags = req->flags;
    r.giaddr = req->giaddr;
    memcpy(r.chaddr, req->chaddr, sizeof(r.chaddr));
    r.msg_type = a->msg_type;
    r.has_server_id = true;
    r.server_id = net->host;
    if (a->msg_type != SYNACK_DHCPNAK) {
        r.yiaddr = a->yiaddr;
        r.ciaddr = a->yiaddr == 0 ? req->ciaddr : 0; /* INFORM echoes ciaddr */
        r.siaddr = net->host;
        r.has_subnet_mask = true;
        r.subnet_mask = net->mask;
        r.router_count = 1;
        r.router[0] = net->host;
        r.dns_count = 1;
        r.dns[0] = net->dns;
        if (a->yiaddr != 0) {
            r.has_lease_time = true;
            r.lease_time = SYNACK_BR_DHCP_LEASE_S;
        }
    }

    uint8_t payload[SYNACK_DHCP_MAX_LEN];
    size_t plen = synack_dhcp_emit(&r, payload, sizeof(payload));
    size_t total = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN + SYNACK_UDP_HDR_LEN + plen;
    if (plen == 0 || cap < total)
        return 0;

    /* 4.1: to ciaddr when the client has one, else broadcast. */
    bool unicast = a->msg_type != SYNACK_DHCPNAK && req->ciaddr != 0 &&
                   !(req->flags & SYNACK_DHCP_FLAG_BROADCAST);
    uint32_t dst = unicast ? req->ciaddr : IP_BROADCAST;
    synack_eth_repr eth;
    eth.src.b[0] = 0x52; /* slirp's gateway address, 52:55 + 10.0.2.2 */
    eth.src.b[1] = 0x55;
    synack_wr_be32(eth.src.b + 2, net->host);
    if (unicast)
        memcpy(eth.dst.b, client_mac, 6);
    else
        memset(eth.dst.b, 0xff, 6);
    eth.ethertype = SYNACK_ETHERTYPE_IPV4;
    size_t off = synack_eth_emit(&eth, buf);

    synack_ip4_repr ip;
    memset(&ip, 0, sizeof(ip));
    ip.ttl = 64;
    ip.proto = SYNACK_IPPROTO_UDP;
    ip.src = net->host;
    ip.dst = dst;
    ip.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + SYNACK_UDP_HDR_LEN + plen);
    off += synack_ip4_emit(&ip, buf + off);

    memcpy(buf + off + SYNACK_UDP_HDR_LEN, payload, plen);
    synack_udp_repr u;
    memset(&u, 0, sizeof(u));
    u.sport = SYNACK_DHCP_SERVER_PORT;
    u.dport = SYNACK_DHCP_CLIENT_PORT;
    off += synack_udp_emit(&u, buf + off, plen, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_UDP));
    return off;
}
