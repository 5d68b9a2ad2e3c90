/*
 * Frame classification for the bridge: Ethernet II, ARP (RFC 826), IPv4
 * (RFC 791 section 3.1, fragments per section 3.2), the first four bytes
 * of TCP (RFC 9293 section 3.1) and UDP (RFC 768) for their ports, and
 * DHCP (RFC 2131) inside UDP 67/68.
 */
#include "frame.h"

#include <string.h>

static void parse_l4(synack_br_frame *f)
{
    if (f->ip.frag_off != 0)
        return; /* later fragments carry no transport header */
    synack_rd r = synack_rd_init(f->l4, f->l4_len);
    switch (f->ip.proto) {
    case SYNACK_IPPROTO_TCP: {
        f->sport = synack_rd_be16(&r);
        f->dport = synack_rd_be16(&r);
        f->has_ports = !r.bad;
        f->tcp_seq = synack_rd_be32(&r);
        f->tcp_ack = synack_rd_be32(&r);
        uint8_t doff = synack_rd_u8(&r);
        f->tcp_flags = synack_rd_u8(&r);
        synack_rd_skip(&r, 6);
        size_t hdr = (size_t)(doff >> 4) * 4;
        if (r.bad || hdr < SYNACK_TCP_HDR_LEN || hdr > f->l4_len)
            break;
        f->has_tcp = true;
        f->tcp_seg_len = (uint32_t)(f->l4_len - hdr);
        if (f->tcp_flags & SYNACK_TCP_SYN)
            f->tcp_seg_len++;
        if (f->tcp_flags & SYNACK_TCP_FIN)
            f->tcp_seg_len++;
        break;
    }
    case SYNACK_IPPROTO_UDP:
        f->sport = synack_rd_be16(&r);
        f->dport = synack_rd_be16(&r);
        f->has_ports = !r.bad;
        break;
    case SYNACK_IPPROTO_ICMP:
        f->icmp_type = synack_rd_u8(&r);
        f->has_icmp_type = !r.bad;
        break;
    default:
        break;
    }
}

int synack_br_frame_parse(const uint8_t *data, size_t len, synack_br_frame *f)
{
    memset(f, 0, sizeof(*f));
    f->data = data;
    f->len = len;
    if (synack_eth_parse(data, len, &f->eth) < 0)
        return -1;
    const uint8_t *p = data + SYNACK_ETH_HDR_LEN;
    size_t n = len - SYNACK_ETH_HDR_LEN;
    switch (f->eth.ethertype) {
    case SYNACK_ETHERTYPE_ARP:
        f->l3 = synack_arp_parse(p, n, &f->arp) < 0 ? SYNACK_BR_L3_BAD
                                                    : SYNACK_BR_L3_ARP;
        break;
    case SYNACK_ETHERTYPE_IPV4: {
        int hl = synack_ip4_parse(p, n, false, &f->ip);
        if (hl < 0) {
            f->l3 = SYNACK_BR_L3_BAD;
            break;
        }
        f->l3 = SYNACK_BR_L3_IP4;
        f->l4 = p + hl;
        f->l4_len = (size_t)f->ip.total_len - (size_t)hl;
        f->fragmented = f->ip.mf || f->ip.frag_off != 0;
        parse_l4(f);
        break;
    }
    default:
        f->l3 = SYNACK_BR_L3_OTHER;
        break;
    }
    return 0;
}

static bool is_udp_ports(const synack_br_frame *f, uint16_t sport,
                         uint16_t dport)
{
    return f->l3 == SYNACK_BR_L3_IP4 && f->ip.proto == SYNACK_IPPROTO_UDP &&
           !f->fragmented && f->has_ports && f->sport == sport &&
           f->dport == dport;
}

bool synack_br_frame_is_dhcp_request(const synack_br_frame *f)
{
    return is_udp_ports(f, SYNACK_DHCP_CLIENT_PORT, SYNACK_DHCP_SERVER_PORT);
}

bool synack_br_frame_is_dhcp_reply(const synack_br_frame *f)
{
    return is_udp_ports(f, SYNACK_DHCP_SERVER_PORT, SYNACK_DHCP_CLIENT_PORT);
}

int synack_br_frame_dhcp(const synack_br_frame *f, synack_dhcp_repr *out)
{
    synack_udp_repr u;
    if (synack_udp_parse(f->l4, f->l4_len, synack_ip4_pseudo_sum(f->ip.src, f->ip.dst, SYNACK_IPPROTO_UDP), false, &u) < 0)
        return -1;
    if (synack_dhcp_parse(u.payload, u.payload_len, out) < 0)
        return -1;
    return 0;
}
