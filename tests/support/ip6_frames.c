/* IPv6 test frames (see ip6_frames.h). */
#include "ip6_frames.h"

#include <stdlib.h>
#include <string.h>


synack_addr ip6_addr(const char *text)
{
    synack_addr a;
    if (synack_addr_parse(text, &a) != 0)
        abort();
    return a;
}

net_fixture_opts ip6_opts(void)
{
    net_fixture_opts o = net_fixture_defaults();
    o.medium = SYNACK_MEDIUM_IP;
    o.ipv6 = true;
    return o;
}

int ip6_setup(void **state, net_tune_fn tune)
{
    net_fixture_opts o = ip6_opts();
    o.tune = tune;
    return net_setup_with(state, &o);
}

void ip6_tune_disable(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->ipv6.enable = false;
}

size_t ip6_build(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                 uint8_t next, const uint8_t *payload, size_t plen)
{
    synack_ip6_repr h;
    memset(&h, 0, sizeof h);
    h.payload_len = (uint16_t)plen;
    h.next = next;
    h.hop_limit = 64;
    h.src = *src;
    h.dst = *dst;
    synack_ip6_emit(&h, pkt);
    if (plen > 0)
        memmove(pkt + SYNACK_IP6_HDR_LEN, payload, plen);
    return SYNACK_IP6_HDR_LEN + plen;
}

/* UDP at l4 with a valid checksum for src/dst; returns its length. */
static size_t udp_at(uint8_t *l4, const synack_addr *src, const synack_addr *dst,
                     uint16_t dport, const void *data, size_t len)
{
    memcpy(l4 + SYNACK_UDP_HDR_LEN, data, len);
    synack_udp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = 1000;
    r.dport = dport;
    return synack_udp_emit(&r, l4, len, synack_addr_pseudo_sum(src, dst, SYNACK_IPPROTO_UDP));
}

size_t ip6_udp_from(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                    uint16_t dport, const void *data, size_t len)
{
    static uint8_t l4[2048];
    size_t n = udp_at(l4, src, dst, dport, data, len);
    return ip6_build(pkt, src, dst, SYNACK_IPPROTO_UDP, l4, n);
}

size_t ip6_udp_chain(uint8_t *pkt, int from, int to, uint8_t type, int n,
                     uint16_t dport, const void *data, size_t len)
{
    synack_addr src = net_ip6(from), dst = net_ip6(to);
    static uint8_t pl[4096];
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        uint8_t *h = pl + off;
        h[0] = i + 1 < n ? type : SYNACK_IPPROTO_UDP;
        h[1] = 0;
        h[2] = 1; /* PadN, 4 bytes */
        h[3] = 4;
        memset(h + 4, 0, 4);
        off += 8;
    }
    off += udp_at(pl + off, &src, &dst, dport, data, len);
    return ip6_build(pkt, &src, &dst, n > 0 ? type : SYNACK_IPPROTO_UDP, pl, off);
}

size_t ip6_udp_ext(uint8_t *pkt, int from, const synack_addr *dst, uint8_t next,
                   const uint8_t *ext, size_t extlen, uint16_t dport,
                   const void *data, size_t len)
{
    synack_addr src = net_ip6(from);
    static uint8_t pl[4096];
    memcpy(pl, ext, extlen);
    size_t n = extlen + udp_at(pl + extlen, &src, dst, dport, data, len);
    return ip6_build(pkt, &src, dst, next, pl, n);
}

size_t ip6_icmp(uint8_t *pkt, const synack_addr *src, const synack_addr *dst,
                const uint8_t *msg, size_t len)
{
    static uint8_t m[2048];
    memcpy(m, msg, len);
    m[2] = m[3] = 0;
    uint32_t ph = synack_addr_pseudo_sum(src, dst, SYNACK_IPPROTO_ICMPV6);
    uint64_t sum = synack_csum_add(synack_csum_pseudo_len(ph, (uint32_t)len), m, len);
    synack_wr_be16(m + 2, synack_csum_finish(sum));
    return ip6_build(pkt, src, dst, SYNACK_IPPROTO_ICMPV6, m, len);
}

static const uint8_t *icmp_of(const net_frame *fr, int side, uint8_t type)
{
    if (fr->side != side || fr->len < 48 || (fr->data[0] >> 4) != 6 ||
        fr->data[6] != SYNACK_IPPROTO_ICMPV6 || fr->data[40] != type)
        return NULL;
    return fr->data + 40;
}

const uint8_t *ip6_sent_icmp(const net_capture *c, int side, uint8_t type)
{
    const uint8_t *last = NULL;
    for (size_t i = 0; i < c->count; i++) {
        const uint8_t *m = icmp_of(&c->frames[i], side, type);
        if (m != NULL)
            last = m;
    }
    return last;
}

int ip6_count_icmp(const net_capture *c, int side, uint8_t type)
{
    int n = 0;
    for (size_t i = 0; i < c->count; i++)
        n += icmp_of(&c->frames[i], side, type) != NULL;
    return n;
}

const net_frame *ip6_last_sent(const net_capture *c, int side)
{
    for (size_t i = c->count; i-- > 0;)
        if (c->frames[i].side == side)
            return &c->frames[i];
    return NULL;
}

bool ip6_drop_all(void *ctx, int side, const uint8_t *frame, size_t len)
{
    (void)ctx;
    (void)side;
    (void)frame;
    (void)len;
    return true;
}

size_t ip6_frag(uint8_t *pkt, int from, int to, uint32_t id, uint16_t off,
                bool more, uint8_t proto, const uint8_t *data, size_t dlen)
{
    synack_addr src = net_ip6(from), dst = net_ip6(to);
    static uint8_t pl[70000];
    pl[0] = proto;
    pl[1] = 0;
    synack_wr_be16(pl + 2, (uint16_t)(off | (more ? 1u : 0u)));
    synack_wr_be32(pl + 4, id);
    memcpy(pl + 8, data, dlen);
    return ip6_build(pkt, &src, &dst, SYNACK_IP6_NEXT_FRAGMENT, pl, 8 + dlen);
}

size_t ip6_udp_bytes(uint8_t *out, int from, int to, uint16_t dport,
                     const void *data, size_t len)
{
    synack_addr src = net_ip6(from), dst = net_ip6(to);
    return udp_at(out, &src, &dst, dport, data, len);
}
