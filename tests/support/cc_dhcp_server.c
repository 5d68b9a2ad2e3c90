/* The test DHCP server and the logging tap; see cc_dhcp_server.h. */
#include "cc_dhcp_server.h"
#include "test_addr.h"

#include <string.h>

int cc_dhcp_server_start(cc_dhcp_server *d, synack_stack *s, uint32_t lease_s)
{
    memset(d, 0, sizeof *d);
    d->s = s;
    d->server_id = SYNACK_IP4(10, 0, 0, 2);
    d->pool_addr = SYNACK_IP4(10, 0, 0, 15);
    d->mask = SYNACK_IP4(255, 255, 255, 0);
    d->router = SYNACK_IP4(10, 0, 0, 2);
    d->dns = SYNACK_IP4(10, 0, 0, 3);
    d->lease_s = lease_s;
    d->sock = synack_udp_open(s, SYNACK_DHCP_SERVER_PORT);
    return d->sock < 0 ? d->sock : 0;
}

/* RFC 2131 section 4.3.1 (OFFER), 4.3.2 (ACK/NAK) for the one address. */
static int reply(cc_dhcp_server *d, uint64_t now, const synack_dhcp_repr *q,
                 uint8_t type)
{
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = SYNACK_BOOTREPLY;
    r.htype = q->htype;
    r.hlen = q->hlen;
    r.xid = q->xid;
    r.flags = q->flags;
    r.ciaddr = q->ciaddr;
    memcpy(r.chaddr, q->chaddr, 16);
    r.msg_type = type;
    r.has_server_id = true;
    r.server_id = d->server_id;
    if (type != SYNACK_DHCPNAK) {
        r.yiaddr = d->pool_addr;
        r.has_subnet_mask = true;
        r.subnet_mask = d->mask;
        r.router_count = 1;
        r.router[0] = d->router;
        r.dns_count = 1;
        r.dns[0] = d->dns;
        r.has_lease_time = true;
        r.lease_time = d->lease_s;
        r.has_t1 = d->t1_s != 0;
        r.t1 = d->t1_s;
        r.has_t2 = d->t2_s != 0;
        r.t2 = d->t2_s;
    }
    uint8_t buf[SYNACK_DHCP_MAX_LEN];
    size_t n = synack_dhcp_emit(&r, buf, sizeof buf);
    /* Clients with an address get unicast; others the limited broadcast. */
    synack_ip4 dst = q->ciaddr != 0 && type != SYNACK_DHCPNAK ? q->ciaddr
                                                                : 0xffffffffu;
    int rc = synack_udp_sendto(d->s, now, d->sock, ADDR4(dst),
                               SYNACK_DHCP_CLIENT_PORT, buf, n);
    return rc == 0 ? 1 : 0;
}

int cc_dhcp_server_service(void *ctx, net_fixture *f)
{
    cc_dhcp_server *d = ctx;
    int sent = 0;
    uint8_t buf[1500];
    for (int i = 0; i < 64; i++) {
        synack_addr src;
        uint16_t sport;
        int n = synack_udp_recvfrom(d->s, d->sock, buf, sizeof buf, &src, &sport);
        if (n < 0)
            break;
        synack_dhcp_repr q;
        if ((size_t)n > sizeof buf || synack_dhcp_parse(buf, (size_t)n, &q) < 0 ||
            q.op != SYNACK_BOOTREQUEST)
            continue;
        if (q.msg_type == SYNACK_DHCPDISCOVER) {
            d->discovers++;
            if (!d->silent) {
                d->offers++;
                sent += reply(d, f->now, &q, SYNACK_DHCPOFFER);
            }
        } else if (q.msg_type == SYNACK_DHCPREQUEST) {
            d->requests++;
            if (d->silent || d->ignore_requests)
                continue;
            /* SELECTING: only requests naming us (section 4.3.2). */
            if (q.has_server_id && q.server_id != d->server_id)
                continue;
            synack_ip4 want = q.has_requested_ip ? q.requested_ip : q.ciaddr;
            if (d->nak || want != d->pool_addr) {
                d->naks++;
                sent += reply(d, f->now, &q, SYNACK_DHCPNAK);
            } else {
                d->acks++;
                sent += reply(d, f->now, &q, SYNACK_DHCPACK);
            }
        }
    }
    return sent;
}

bool cc_dhcp_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame,
                 size_t len)
{
    cc_dhcp_log *log = ctx;
    if (side != 0)
        return true;
    synack_eth_repr eth;
    if (synack_eth_parse(frame, len, &eth) < 0 ||
        eth.ethertype != SYNACK_ETHERTYPE_IPV4)
        return true;
    const uint8_t *pkt = frame + SYNACK_ETH_HDR_LEN;
    size_t plen = len - SYNACK_ETH_HDR_LEN;
    synack_ip4_repr ip;
    int hl = synack_ip4_parse(pkt, plen, true, &ip);
    if (hl < 0 || ip.proto != SYNACK_IPPROTO_UDP)
        return true;
    synack_udp_repr u;
    if (synack_udp_parse(pkt + hl, ip.total_len - (size_t)hl, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_UDP),
                         true, &u) < 0 ||
        u.dport != SYNACK_DHCP_SERVER_PORT)
        return true;
    cc_dhcp_sent e;
    memset(&e, 0, sizeof e);
    e.t = f->now;
    e.eth_bcast = synack_mac_is_broadcast(&eth.dst);
    e.ip_src = ip.src;
    e.ip_dst = ip.dst;
    e.sport = u.sport;
    e.dport = u.dport;
    if (synack_dhcp_parse(u.payload, u.payload_len, &e.m) < 0)
        e.m.msg_type = 0xff; /* marks an unparsable message */
    if (log->count < CC_DHCP_LOG_MAX)
        log->e[log->count] = e;
    log->count++;
    if (log->drop_all)
        return false;
    if (log->drop_unicast && ip.dst != 0xffffffffu)
        return false;
    return true;
}
