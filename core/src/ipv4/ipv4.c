/*
 * IPv4 for a host.
 *
 * RFC 791 section 3.2 (datagram processing, the fragmentation procedure),
 * RFC 1122 section 3.2.1 (checks on arrival: version, checksum, source
 * address rules of 3.2.1.3; any TTL is accepted for local delivery),
 * section 3.3.1 (routing outbound datagrams: on-link or the default
 * gateway), section 3.3.6 (broadcasts), RFC 919/922 (limited and subnet
 * broadcast), RFC 6864 and RFC 7739 section 5.3 (IP IDs from a keyed hash
 * of the addresses plus a per-bucket counter, so IDs reveal neither a
 * global packet count nor other flows' traffic). Reassembly lives in
 * reasm.c.
 */
#include <string.h>

#include "ipv4/ipv4.h"
#include "net/stack.h"
#include "net/neigh.h"
#include "ipv4/icmp.h"
#include "tcp/tcp.h"
#include "udp/udp.h"

#define IP4_BROADCAST 0xffffffffu

static bool ip4_is_multicast(synack_ip4 a)
{
    return (a & 0xf0000000u) == 0xe0000000u;
}

static bool ip4_is_reserved(synack_ip4 a)
{
    return (a & 0xf0000000u) == 0xf0000000u; /* class E and 255.255.255.255 */
}

static bool ip4_is_loopback(synack_ip4 a)
{
    return (a >> 24) == 127;
}

static uint32_t prefix_mask(uint8_t len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* Directed broadcast of our subnet; none for /31 (RFC 3021) and /32. */
static bool is_subnet_bcast(const synack_stack *s, synack_ip4 a)
{
    if (!s->has_addr || s->prefix_len > 30)
        return false;
    uint32_t m = prefix_mask(s->prefix_len);
    return a == ((s->addr & m) | ~m);
}

static bool on_link(const synack_stack *s, synack_ip4 a)
{
    uint32_t m = prefix_mask(s->prefix_len);
    return (a & m) == (s->addr & m);
}

int synack_ipv4_init(synack_stack *s)
{
    size_t n = synack_l2_len(s) + s->cfg.link.mtu;
    s->ip.frag_scratch = synack_mem_alloc(s, n);
    if (s->ip.frag_scratch == NULL)
        return SYNACK_ERR_NOMEM;
    return synack_reasm_init(s);
}

void synack_ipv4_fini(synack_stack *s)
{
    synack_reasm_fini(s);
    synack_mem_free(s, s->ip.frag_scratch,
                    synack_l2_len(s) + s->cfg.link.mtu);
    s->ip.frag_scratch = NULL;
}

bool synack_ipv4_is_ours(const synack_stack *s, synack_ip4 addr, bool *bcast)
{
    bool b = addr == IP4_BROADCAST || is_subnet_bcast(s, addr);
    if (bcast != NULL)
        *bcast = b;
    return b || (s->has_addr && addr == s->addr);
}

int synack_ipv4_route(const synack_stack *s, synack_ip4 dst, synack_ip4 *src,
                      synack_ip4 *nexthop)
{
    synack_ip4 hop;
    if (dst == IP4_BROADCAST) {
        hop = dst; /* allowed without an address (DHCP, RFC 2131 4.1) */
    } else if (!s->has_addr || dst == 0 || ip4_is_multicast(dst) ||
               ip4_is_reserved(dst) || ip4_is_loopback(dst) || dst == s->addr) {
        return SYNACK_ERR_UNREACHABLE;
    } else if (on_link(s, dst)) {
        hop = dst;
    } else if (s->gateway != 0) {
        hop = s->gateway;
    } else {
        return SYNACK_ERR_UNREACHABLE;
    }
    if (src != NULL)
        *src = s->addr;
    if (nexthop != NULL)
        *nexthop = hop;
    return SYNACK_OK;
}

uint8_t *synack_ipv4_tx_buf(synack_stack *s, size_t *cap)
{
    size_t off = synack_l2_len(s) + SYNACK_IP4_HDR_LEN;
    if (cap != NULL)
        *cap = 65535 - SYNACK_IP4_HDR_LEN;
    return s->tx + off;
}

uint32_t synack_ipv4_mtu_payload(const synack_stack *s)
{
    return s->cfg.link.mtu - SYNACK_IP4_HDR_LEN;
}

/* RFC 7739 section 5.3: bucket and offset from a keyed hash of the flow. */
static uint16_t next_id(synack_stack *s, synack_ip4 src, synack_ip4 dst,
                        uint8_t proto)
{
    synack_ipv4 *ip = &s->ip;
    if (!ip->id_valid || ip->id_src != src || ip->id_dst != dst ||
        ip->id_proto != proto) {
        uint8_t key[9];
        synack_wr_be32(key, src);
        synack_wr_be32(key + 4, dst);
        key[8] = proto;
        ip->id_hash = synack_siphash(s->secret, key, sizeof key);
        ip->id_src = src;
        ip->id_dst = dst;
        ip->id_proto = proto;
        ip->id_valid = true;
    }
    uint64_t h = ip->id_hash;
    uint16_t *ctr = &s->ip.id_counters[h % SYNACK_IP_ID_BUCKETS];
    uint16_t id = (uint16_t)(*ctr + (uint16_t)(h >> 32));
    *ctr = (uint16_t)(*ctr + 1);
    return id;
}

static void link_send(synack_stack *s, const synack_mac *dst, uint8_t *frame,
                      size_t len, const synack_gso *gso)
{
    if (s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET) {
        synack_eth_repr eth = {*dst, s->cfg.mac, SYNACK_ETHERTYPE_IPV4};
        synack_eth_emit(&eth, frame);
    }
    synack_link_output(s, frame, len, gso);
}

void synack_ipv4_output_frame(synack_stack *s, const synack_mac *dst,
                              uint8_t *frame, size_t len, const synack_gso *gso)
{
    size_t l2 = synack_l2_len(s);
    size_t mtu = s->cfg.link.mtu;
    if (len - l2 <= mtu || gso != NULL) {
        link_send(s, dst, frame, len, gso); /* a GSO packet goes out whole */
        return;
    }
    /* RFC 791 3.2 fragmentation: cut the data at multiples of 8 bytes,
     * copy the header into each piece, set MF on all but the last. */
    synack_ip4_repr ip;
    if (synack_ip4_parse(frame + l2, len - l2, false, &ip) < 0)
        return;
    const uint8_t *data = frame + l2 + ip.hdr_len;
    size_t dlen = (size_t)ip.total_len - ip.hdr_len;
    size_t chunk = ((mtu - SYNACK_IP4_HDR_LEN) / 8) * 8;
    uint8_t *out = s->ip.frag_scratch;
    bool last_mf = ip.mf;
    uint16_t base = ip.frag_off;
    for (size_t off = 0; off < dlen; off += chunk) {
        size_t n = dlen - off < chunk ? dlen - off : chunk;
        ip.frag_off = (uint16_t)(base + off);
        ip.mf = off + n < dlen || last_mf;
        ip.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + n);
        synack_ip4_emit(&ip, out + l2);
        memcpy(out + l2 + SYNACK_IP4_HDR_LEN, data + off, n);
        s->cnt.ip_frags_out++;
        link_send(s, dst, out, l2 + SYNACK_IP4_HDR_LEN + n, NULL);
    }
}

int synack_ipv4_send(synack_stack *s, uint64_t now, synack_ip4 dst,
                     uint8_t proto, size_t l4len, const synack_ip_tx *tx)
{
    static const synack_ip_tx plain = {false, 0, NULL, 0, 0};
    if (tx == NULL)
        tx = &plain;
    bool df = tx->df;
    if (l4len > 65535 - SYNACK_IP4_HDR_LEN)
        return SYNACK_ERR_MSGSIZE;
    synack_ip4 src, hop;
    if (synack_ipv4_route(s, dst, &src, &hop) != 0) {
        synack_count_drop(s, SYNACK_DROP_IPV4_NO_ROUTE);
        return SYNACK_ERR_UNREACHABLE;
    }
    size_t total = SYNACK_IP4_HDR_LEN + l4len;
    if (df && total > s->cfg.link.mtu) {
        synack_count_drop(s, SYNACK_DROP_IPV4_DF);
        return SYNACK_ERR_MSGSIZE;
    }
    synack_ip4_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.ttl = s->cfg.ttl;
    ip.proto = proto;
    ip.id = next_id(s, src, dst, proto);
    ip.df = df;
    ip.src = src;
    ip.dst = dst;
    ip.total_len = (uint16_t)total;
    size_t l2 = synack_l2_len(s);
    synack_ip4_emit(&ip, s->tx + l2);
    s->cnt.ip_out++;
    /* the offload's offsets: the transport's, behind our 20-byte header */
    synack_gso g = {tx->gso_seg, (uint16_t)(l2 + SYNACK_IP4_HDR_LEN + tx->l4_hdr_len),
                    (uint16_t)(l2 + SYNACK_IP4_HDR_LEN), tx->csum_off, SYNACK_AF_IP4};
    const synack_gso *gso = tx->gso_seg ? &g : NULL;

    if (s->cfg.link.medium == SYNACK_MEDIUM_IP) {
        synack_ipv4_output_frame(s, NULL, s->tx, l2 + total, gso);
        return SYNACK_OK;
    }
    if (dst == IP4_BROADCAST || is_subnet_bcast(s, dst)) {
        static const synack_mac bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
        synack_ipv4_output_frame(s, &bc, s->tx, l2 + total, gso);
        return SYNACK_OK;
    }
    /* A send-offload packet (tx->gso_seg) that must wait for ARP waits
     * whole, with its offload values: fragmenting it instead would carry TCP
     * segments above the peer's MSS (RFC 9293 3.7.1). */
    synack_addr nh = synack_addr4(hop);
    int rc = synack_neigh_output(s, now, &nh, s->tx, l2 + total, gso);
    /* A full queue is a drop on the way, not an error of the call. */
    return rc == SYNACK_ERR_NOMEM ? SYNACK_OK : rc;
}

void synack_ipv4_neigh_send(synack_stack *s, const synack_mac *dst,
                            uint8_t *frame, size_t len, const synack_gso *gso)
{
    synack_ipv4_output_frame(s, dst, frame, len, gso);
}

static synack_drop parse_drop(int err)
{
    switch (err) {
    case SYNACK_WIRE_BAD_VERSION:
        return SYNACK_DROP_IPV4_BAD_VERSION;
    case SYNACK_WIRE_BAD_HDR_LEN:
        return SYNACK_DROP_IPV4_BAD_HDR_LEN;
    case SYNACK_WIRE_BAD_LEN:
        return SYNACK_DROP_IPV4_BAD_TOTAL_LEN;
    case SYNACK_WIRE_BAD_CHECKSUM:
        return SYNACK_DROP_IPV4_BAD_CHECKSUM;
    default:
        return SYNACK_DROP_IPV4_TRUNCATED;
    }
}

/* Destination port of a UDP header at the start of `p` (0 if too short). */
static uint16_t udp_dport(const uint8_t *p, size_t len)
{
    synack_rd r = synack_rd_init(p, len);
    synack_rd_skip(&r, 2);
    return synack_rd_be16(&r);
}

void synack_ipv4_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len)
{
    synack_ipv4_input_frame(s, now, pkt, len, false);
}

void synack_ipv4_input_frame(synack_stack *s, uint64_t now, const uint8_t *pkt,
                             size_t len, bool link_bcast)
{
    synack_ip4_repr ip;
    int rc = synack_ip4_parse(pkt, len, s->cfg.verify_checksums, &ip);
    if (rc < 0) {
        synack_count_drop(s, parse_drop(rc));
        return;
    }
    s->cnt.ip_in++;
    const uint8_t *payload = pkt + ip.hdr_len;
    size_t plen = (size_t)ip.total_len - ip.hdr_len;

    /* Destination: ours, a broadcast, or — before an address is
     * configured — anything for the DHCP client port (offers may be
     * unicast to the offered address, RFC 2131 section 4.1). */
    bool bcast = false;
    bool ours = synack_ipv4_is_ours(s, ip.dst, &bcast);
    if (!ours && !s->has_addr && ip.proto == SYNACK_IPPROTO_UDP &&
        ip.frag_off == 0 &&
        udp_dport(payload, plen) == SYNACK_UDP_DHCP_CLIENT_PORT)
        ours = true;
    if (!ours) {
        synack_count_drop(s, SYNACK_DROP_IPV4_NOT_FOR_US);
        return;
    }

    /* RFC 1122 3.2.1.3: a source must not be broadcast, multicast,
     * class E or loopback; 0.0.0.0 only from a host learning its address
     * (DHCP to the limited broadcast). */
    if (ip.src == 0) {
        if (ip.proto != SYNACK_IPPROTO_UDP || ip.dst != IP4_BROADCAST) {
            synack_count_drop(s, SYNACK_DROP_IPV4_BAD_SOURCE);
            return;
        }
    } else if (ip4_is_multicast(ip.src) || ip4_is_reserved(ip.src) ||
               ip4_is_loopback(ip.src) || is_subnet_bcast(s, ip.src)) {
        synack_count_drop(s, SYNACK_DROP_IPV4_BAD_SOURCE);
        return;
    }

    bcast = bcast || link_bcast;
    if (ip.mf || ip.frag_off != 0) {
        synack_reasm_input(s, now, &ip, pkt, payload, plen, bcast);
        return;
    }
    synack_ipv4_deliver(s, now, &ip, pkt, payload, plen, bcast);
}

/* What a transport sees of an IPv4 header. */
static synack_ip_rx rx_of(const synack_ip4_repr *ip, bool bcast)
{
    synack_ip_rx rx;
    rx.src = synack_addr4(ip->src);
    rx.dst = synack_addr4(ip->dst);
    rx.phsum = synack_ip4_pseudo_sum(ip->src, ip->dst, ip->proto);
    rx.bcast = bcast;
    return rx;
}

void synack_ipv4_deliver(synack_stack *s, uint64_t now,
                         const synack_ip4_repr *ip, const uint8_t *hdr,
                         const uint8_t *payload, size_t len, bool bcast)
{
    switch (ip->proto) {
    case SYNACK_IPPROTO_ICMP:
        synack_icmp_input(s, now, ip, payload, len, bcast);
        break;
    case SYNACK_IPPROTO_UDP: {
        synack_ip_rx rx = rx_of(ip, bcast);
        if (synack_udp_input(s, now, &rx, payload, len))
            synack_icmp_send_error(s, now, SYNACK_ICMP_DEST_UNREACH,
                                   SYNACK_ICMP_UNREACH_PORT, 0, ip, hdr,
                                   payload, len, bcast);
        break;
    }
    case SYNACK_IPPROTO_TCP: {
        /* RFC 1122 4.2.3.10: TCP is unicast only. */
        if (bcast) {
            synack_count_drop(s, SYNACK_DROP_IPV4_NOT_FOR_US);
            break;
        }
        synack_ip_rx rx = rx_of(ip, bcast);
        synack_tcp_input(s, now, &rx, payload, len);
        break;
    }
    default:
        synack_count_drop(s, SYNACK_DROP_IPV4_PROTO);
        synack_icmp_send_error(s, now, SYNACK_ICMP_DEST_UNREACH,
                               SYNACK_ICMP_UNREACH_PROTO, 0, ip, hdr, payload,
                               len, bcast);
        break;
    }
}

void synack_ipv4_error(synack_stack *s, uint64_t now, const uint8_t *quote,
                       size_t len, int err, bool nexthop)
{
    synack_quote_repr q;
    bool ok = synack_ip4_quote_parse(quote, len, &q) >= 0;
    if (!nexthop &&
        (!ok || !s->has_addr || synack_addr_to_ip4(&q.src) != s->addr ||
         q.frag_off != 0)) {
        /* RFC 5927 4: the quote must name a datagram we could have sent */
        synack_count_drop(s, SYNACK_DROP_ICMP_MALFORMED);
        return;
    }
    if (!ok || q.frag_off != 0)
        return;
    if (!synack_ip_error_up(s, now, &q, err, nexthop) && !nexthop)
        synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
}

void synack_ipv4_neigh_failed(synack_stack *s, const uint8_t *pkt, size_t len)
{
    synack_ipv4_error(s, s->now, pkt, len, SYNACK_ERR_UNREACHABLE, true);
}

void synack_ipv4_poll(synack_stack *s, uint64_t now)
{
    synack_reasm_poll(s, now);
}

uint64_t synack_ipv4_poll_at(const synack_stack *s)
{
    return synack_reasm_poll_at(s);
}
