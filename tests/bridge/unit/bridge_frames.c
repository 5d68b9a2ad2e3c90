/* Frame builders and emit recorder for the synack-bridge unit tests. */
#include "bridge_frames.h"

#include <string.h>

#include "wire/wire.h"
#include "wire/wire_app.h"

const uint8_t MAC_A[6] = {0x02, 0, 0, 0, 0, 0x0a};
const uint8_t MAC_B[6] = {0x02, 0, 0, 0, 0, 0x0b};
const uint8_t MAC_C[6] = {0x02, 0, 0, 0, 0, 0x0c};
const uint8_t MAC_BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
const uint8_t MAC_SLIRP[6] = {0x52, 0x55, 10, 0, 2, 2};
const uint8_t MAC_HOST[6] = {0x02, 0, 0, 0, 0, 0x99};

bool rec_emit(void *ctx, int32_t port, const uint8_t *frame, size_t len)
{
    recorder *r = ctx;
    if (port >= 0 && port < 8 && r->refuse_port[port])
        return false;
    if (r->count < REC_MAX) {
        r->port[r->count] = port;
        r->len[r->count] = len;
        memcpy(r->frame[r->count], frame, len < REC_FRAME ? len : REC_FRAME);
        r->count++;
    }
    return true;
}

size_t rec_count_to(const recorder *r, int32_t port)
{
    size_t n = 0;
    for (size_t i = 0; i < r->count; i++)
        n += r->port[i] == port;
    return n;
}

int rec_find(const recorder *r, int32_t port, size_t nth)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->port[i] == port && nth-- == 0)
            return (int)i;
    }
    return -1;
}

synack_br_config test_config(synack_br_backend backend)
{
    synack_br_config c;
    memset(&c, 0, sizeof(c));
    c.backend = backend;
    c.max_clients = 4;
    c.max_frame = 1518;
    c.mac_age_ms = 300000;
    c.net.net = SYNACK_IP4(10, 0, 2, 0);
    c.net.mask = SYNACK_IP4(255, 255, 255, 0);
    c.net.host = SYNACK_IP4(10, 0, 2, 2);
    c.net.dns = SYNACK_IP4(10, 0, 2, 3);
    c.net.dhcp_start = SYNACK_IP4(10, 0, 2, 15);
    return c;
}

static size_t eth(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                  uint16_t type)
{
    synack_eth_repr e;
    memcpy(e.src.b, src, 6);
    memcpy(e.dst.b, dst, 6);
    e.ethertype = type;
    return synack_eth_emit(&e, buf);
}

size_t build_arp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint16_t op, const uint8_t sha[6], uint32_t spa,
                 const uint8_t tha[6], uint32_t tpa)
{
    size_t off = eth(buf, src, dst, SYNACK_ETHERTYPE_ARP);
    synack_arp_repr a;
    a.op = op;
    memcpy(a.sha.b, sha, 6);
    memcpy(a.tha.b, tha, 6);
    a.spa = spa;
    a.tpa = tpa;
    return off + synack_arp_emit(&a, buf + off);
}

static size_t ip(uint8_t *buf, uint32_t sip, uint32_t dip, uint8_t proto,
                 size_t payload_len)
{
    synack_ip4_repr r;
    memset(&r, 0, sizeof(r));
    r.ttl = 64;
    r.proto = proto;
    r.src = sip;
    r.dst = dip;
    r.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + payload_len);
    return synack_ip4_emit(&r, buf);
}

size_t build_udp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                 const uint8_t *payload, size_t plen)
{
    size_t off = eth(buf, src, dst, SYNACK_ETHERTYPE_IPV4);
    off += ip(buf + off, sip, dip, SYNACK_IPPROTO_UDP, SYNACK_UDP_HDR_LEN + plen);
    if (plen)
        memmove(buf + off + SYNACK_UDP_HDR_LEN, payload, plen);
    synack_udp_repr u = {.sport = sport, .dport = dport};
    return off + synack_udp_emit(&u, buf + off, plen, synack_ip4_pseudo_sum(sip, dip, SYNACK_IPPROTO_UDP));
}

size_t build_tcp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
                 uint8_t flags, uint32_t seq, uint32_t ack)
{
    size_t off = eth(buf, src, dst, SYNACK_ETHERTYPE_IPV4);
    off += ip(buf + off, sip, dip, SYNACK_IPPROTO_TCP, SYNACK_TCP_HDR_LEN);
    synack_tcp_repr t;
    memset(&t, 0, sizeof(t));
    t.sport = sport;
    t.dport = dport;
    t.flags = flags;
    t.seq = seq;
    t.ack = ack;
    t.win = 65535;
    size_t tl = synack_tcp_emit(&t, buf + off);
    synack_tcp_fill_checksum(buf + off, tl, synack_ip4_pseudo_sum(sip, dip, SYNACK_IPPROTO_TCP));
    return off + tl;
}

size_t build_icmp_echo(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                       uint32_t sip, uint32_t dip)
{
    size_t off = eth(buf, src, dst, SYNACK_ETHERTYPE_IPV4);
    off += ip(buf + off, sip, dip, SYNACK_IPPROTO_ICMP, SYNACK_ICMP_HDR_LEN);
    synack_icmp_repr m;
    memset(&m, 0, sizeof(m));
    m.type = SYNACK_ICMP_ECHO_REQUEST;
    m.id = 1;
    m.seq = 1;
    return off + synack_icmp_emit(&m, buf + off);
}

size_t build_dhcp(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                  uint32_t sip, uint32_t dip, bool to_server, uint8_t msg_type,
                  const uint8_t chaddr[6], uint32_t yiaddr)
{
    synack_dhcp_repr d;
    memset(&d, 0, sizeof(d));
    d.op = to_server ? SYNACK_BOOTREQUEST : SYNACK_BOOTREPLY;
    d.htype = 1;
    d.hlen = 6;
    d.xid = 0x11223344;
    memcpy(d.chaddr, chaddr, 6);
    d.yiaddr = yiaddr;
    d.msg_type = msg_type;
    uint8_t payload[SYNACK_DHCP_MAX_LEN];
    size_t plen = synack_dhcp_emit(&d, payload, sizeof(payload));
    return build_udp(buf, src, dst, sip, dip,
                     to_server ? SYNACK_DHCP_CLIENT_PORT : SYNACK_DHCP_SERVER_PORT,
                     to_server ? SYNACK_DHCP_SERVER_PORT : SYNACK_DHCP_CLIENT_PORT,
                     payload, plen);
}

size_t build_raw(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 uint16_t ethertype, size_t len)
{
    size_t off = eth(buf, src, dst, ethertype);
    memset(buf + off, 0, len - off);
    return len;
}

size_t build_ip6(uint8_t *buf, const uint8_t src[6], const uint8_t dst[6],
                 const uint8_t sip[16], const uint8_t dip[16], uint8_t next,
                 uint8_t proto, const uint8_t *l4, size_t l4len)
{
    size_t off = eth(buf, src, dst, SYNACK_ETHERTYPE_IPV6);
    bool ext = next != proto;
    synack_ip6_repr r;
    memset(&r, 0, sizeof(r));
    r.payload_len = (uint16_t)(l4len + (ext ? 8 : 0));
    r.next = next;
    r.hop_limit = 255;
    r.src.family = r.dst.family = SYNACK_AF_IP6;
    memcpy(r.src.b, sip, 16);
    memcpy(r.dst.b, dip, 16);
    off += synack_ip6_emit(&r, buf + off);
    if (ext) { /* an empty Destination Options (or Hop-by-Hop) header: PadN */
        memset(buf + off, 0, 8);
        buf[off] = proto;
        buf[off + 2] = 1;
        buf[off + 3] = 4;
        off += 8;
    }
    memcpy(buf + off, l4, l4len);
    return off + l4len;
}

void tcp_header(uint8_t *hdr, uint16_t sport, uint16_t dport, uint8_t flags)
{
    synack_tcp_repr t;
    memset(&t, 0, sizeof(t));
    t.sport = sport;
    t.dport = dport;
    t.flags = flags;
    t.seq = 1;
    t.win = 65535;
    synack_tcp_emit(&t, hdr);
}
