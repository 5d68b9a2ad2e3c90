/*
 * Frame classification for the bridge: Ethernet II, ARP (RFC 826), IPv4
 * (RFC 791 section 3.1, fragments per section 3.2), IPv6 (RFC 8200: the
 * fixed header and the extension-header chain, walked by the core's
 * synack_ip6_ext_walk), the first four bytes of TCP (RFC 9293 section 3.1)
 * and UDP (RFC 768) for their ports, DHCP (RFC 2131) inside UDP 67/68,
 * and Neighbor Discovery (RFC 4861 section 4: the target and the
 * link-layer address options, section 4.6.1) inside ICMPv6.
 */
#include "frame.h"

#include <string.h>

bool synack_br_ip6_is_multicast(const uint8_t a[16])
{
    return a[0] == 0xff;
}

bool synack_br_ip6_is_unspecified(const uint8_t a[16])
{
    uint8_t x = 0;
    for (int i = 0; i < 16; i++)
        x |= a[i];
    return x == 0;
}

bool synack_br_ip6_is_link_local(const uint8_t a[16])
{
    return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; /* fe80::/10 */
}

bool synack_br_ip6_prefix_match(const uint8_t a[16], const uint8_t p[16], unsigned plen)
{
    if (plen > 128)
        plen = 128;
    unsigned whole = plen / 8, bits = plen % 8;
    if (memcmp(a, p, whole) != 0)
        return false;
    if (bits == 0)
        return true;
    uint8_t mask = (uint8_t)(0xffu << (8 - bits));
    return (a[whole] & mask) == (p[whole] & mask);
}

bool synack_br_icmp6_is_nd(uint8_t type)
{
    return type >= SYNACK_BR_ICMP6_RS && type <= SYNACK_BR_ICMP6_REDIRECT;
}

/*
 * The body of an NDP message (RFC 4861 section 4): where its options
 * start, its target address, and the source/target link-layer address
 * options (section 4.6.1; an option of length 0 makes the message
 * invalid, section 4.6).
 */
static void parse_nd(synack_br_frame *f)
{
    size_t opts;
    switch (f->icmp_type) {
    case SYNACK_BR_ICMP6_RS:
        opts = 8;
        break;
    case SYNACK_BR_ICMP6_RA:
        opts = 16;
        break;
    case SYNACK_BR_ICMP6_NS:
    case SYNACK_BR_ICMP6_NA:
        opts = 24;
        break;
    case SYNACK_BR_ICMP6_REDIRECT:
        opts = 40;
        break;
    default:
        return;
    }
    if (f->l4_len < opts) {
        f->nd_bad = true;
        return;
    }
    if (f->icmp_type >= SYNACK_BR_ICMP6_NS) {
        memcpy(f->nd_target, f->l4 + 8, 16);
        f->nd_has_target = true;
    }
    for (size_t off = opts; off < f->l4_len;) {
        if (f->l4_len - off < 2 || f->l4[off + 1] == 0 ||
            (size_t)f->l4[off + 1] * 8 > f->l4_len - off) {
            f->nd_bad = true;
            return;
        }
        uint8_t type = f->l4[off];
        size_t olen = (size_t)f->l4[off + 1] * 8;
        if ((type == 1 || type == 2) && olen >= 8) {
            memcpy(type == 1 ? f->nd_sll : f->nd_tll, f->l4 + off + 2, 6);
            if (type == 1)
                f->nd_has_sll = true;
            else
                f->nd_has_tll = true;
        }
        off += olen;
    }
}

static void parse_l4(synack_br_frame *f)
{
    if (f->frag_off != 0)
        return; /* later fragments carry no transport header */
    synack_rd r = synack_rd_init(f->l4, f->l4_len);
    switch (f->proto) {
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
    case SYNACK_IPPROTO_ICMPV6:
        if (f->l3 != SYNACK_BR_L3_IP6)
            break;
        f->icmp_type = synack_rd_u8(&r);
        f->has_icmp_type = !r.bad;
        if (f->has_icmp_type && synack_br_icmp6_is_nd(f->icmp_type))
            parse_nd(f);
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
        f->proto = f->ip.proto;
        f->frag_off = f->ip.frag_off;
        f->fragmented = f->ip.mf || f->ip.frag_off != 0;
        parse_l4(f);
        break;
    }
    case SYNACK_ETHERTYPE_IPV6: {
        synack_ip6_ext x;
        if (synack_ip6_parse(p, n, &f->ip6) < 0 ||
            synack_ip6_ext_walk(p + SYNACK_IP6_HDR_LEN, f->ip6.payload_len, f->ip6.next,
                                &x) == SYNACK_IP6_EXT_DROP) {
            f->l3 = SYNACK_BR_L3_BAD; /* a chain a host would drop anyway */
            break;
        }
        f->l3 = SYNACK_BR_L3_IP6;
        f->l4 = p + SYNACK_IP6_HDR_LEN + x.off;
        f->l4_len = f->ip6.payload_len - x.off;
        f->ip6_ext = x.off != 0;
        /* A Parameter Problem verdict stops the walk early: the receiver
         * refuses the packet, so no upper layer is named. */
        f->proto = x.verdict == SYNACK_IP6_EXT_OK ? x.proto : SYNACK_IP6_NEXT_NONE;
        f->frag_off = x.frag_off;
        f->fragmented = x.frag && (x.more || x.frag_off != 0);
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
