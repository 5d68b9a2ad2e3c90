/* IPv6 frames for the NDP, SLAAC and MLD tests (see nd_frames.h). */
#include <stdlib.h>
#include <string.h>

#include "nd_frames.h"

synack_addr nd_a6(const char *text)
{
    synack_addr a;
    if (synack_addr_parse(text, &a) != 0 || a.family != SYNACK_AF_IP6)
        abort();
    return a;
}

size_t nd_build_icmp6(uint8_t *buf, synack_mac dst_mac, synack_mac src_mac,
                      const synack_addr *src, const synack_addr *dst, uint8_t hop, bool ra,
                      const uint8_t *msg, size_t mlen)
{
    synack_eth_repr eth = {dst_mac, src_mac, SYNACK_ETHERTYPE_IPV6};
    size_t n = synack_eth_emit(&eth, buf);
    synack_ip6_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.payload_len = (uint16_t)(mlen + (ra ? 8 : 0));
    ip.next = ra ? SYNACK_IP6_NEXT_HOPOPTS : SYNACK_IPPROTO_ICMPV6;
    ip.hop_limit = hop;
    ip.src = *src;
    ip.dst = *dst;
    n += synack_ip6_emit(&ip, buf + n);
    if (ra) {
        static const uint8_t hbh[8] = {SYNACK_IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0};
        memcpy(buf + n, hbh, 8);
        n += 8;
    }
    uint8_t *m = buf + n;
    memmove(m, msg, mlen);
    m[2] = m[3] = 0;
    uint32_t ph = synack_addr_pseudo_sum(src, dst, SYNACK_IPPROTO_ICMPV6);
    uint64_t sum = synack_csum_add(synack_csum_pseudo_len(ph, (uint32_t)mlen), m, mlen);
    synack_wr_be16(m + 2, synack_csum_finish(sum));
    return n + mlen;
}

size_t nd_build_ndp(uint8_t *buf, synack_mac dst_mac, synack_mac src_mac,
                    const synack_addr *src, const synack_addr *dst, const synack_ndp_repr *r)
{
    uint8_t msg[1500];
    size_t n = synack_ndp_emit(r, msg, 0);
    return nd_build_icmp6(buf, dst_mac, src_mac, src, dst, 255, false, msg, n);
}

void nd_inject(synack_stack *s, uint64_t now, synack_mac dst_mac, synack_mac src_mac,
               const synack_addr *src, const synack_addr *dst, const synack_ndp_repr *r)
{
    uint8_t buf[1600];
    size_t n = nd_build_ndp(buf, dst_mac, src_mac, src, dst, r);
    synack_input(s, now, buf, n);
}

static bool parse_seen(const net_frame *fr, nd_seen *out)
{
    const uint8_t *p = fr->data;
    size_t len = fr->len < NET_CAPTURE_SNAP ? fr->len : NET_CAPTURE_SNAP;
    synack_eth_repr eth;
    if (synack_eth_parse(p, len, &eth) < 0 || eth.ethertype != SYNACK_ETHERTYPE_IPV6)
        return false;
    p += SYNACK_ETH_HDR_LEN;
    len -= SYNACK_ETH_HDR_LEN;
    memset(out, 0, sizeof *out);
    if (synack_ip6_parse(p, len, &out->ip) < 0)
        return false;
    synack_ip6_ext e;
    const uint8_t *pl = p + SYNACK_IP6_HDR_LEN;
    if (synack_ip6_ext_walk(pl, out->ip.payload_len, out->ip.next, &e) != SYNACK_IP6_EXT_OK ||
        e.proto != SYNACK_IPPROTO_ICMPV6)
        return false;
    out->router_alert = out->ip.next == SYNACK_IP6_NEXT_HOPOPTS;
    out->msg = pl + e.off;
    out->len = out->ip.payload_len - e.off;
    synack_icmp_repr ic;
    uint32_t ph = synack_addr_pseudo_sum(&out->ip.src, &out->ip.dst, SYNACK_IPPROTO_ICMPV6);
    if (synack_icmp6_parse(out->msg, out->len, ph, true, &ic) < 0)
        return false;
    out->type = ic.type;
    out->frame = fr;
    out->dst_mac = eth.dst;
    return true;
}

bool nd_find(const net_capture *c, int side, uint8_t type, size_t n, nd_seen *out)
{
    for (size_t i = 0; i < c->count; i++) {
        const net_frame *fr = &c->frames[i];
        nd_seen s;
        if ((side >= 0 && fr->side != side) || !parse_seen(fr, &s))
            continue;
        if (type != 0 && s.type != type)
            continue;
        if (n-- == 0) {
            *out = s;
            return true;
        }
    }
    return false;
}

size_t nd_count(const net_capture *c, int side, uint8_t type)
{
    size_t k = 0;
    nd_seen s;
    while (nd_find(c, side, type, k, &s))
        k++;
    return k;
}

static void nd_tune(void *ctx, int side, synack_config *cfg)
{
    const bool *on = ctx;
    cfg->ipv6.slaac = on[side];
}

net_fixture_opts nd_opts(bool a, bool b)
{
    /* the tune context must outlive the call: two static flags per
     * combination, never written after start */
    static const bool combos[4][2] = {{false, false}, {false, true}, {true, false}, {true, true}};
    net_fixture_opts o = net_fixture_defaults();
    o.tune = nd_tune;
    o.tune_ctx = (void *)combos[(a ? 2 : 0) + (b ? 1 : 0)];
    return o;
}

bool nd_addr(synack_stack *s, int origin, int state, synack_addr *out)
{
    synack_ip6_addr_info info[16];
    size_t n = synack_get_ipv6(s, info, 16);
    for (size_t i = 0; i < n && i < 16; i++) {
        if ((origin >= 0 && info[i].origin != origin) || (state >= 0 && info[i].state != state))
            continue;
        if (out != NULL)
            *out = info[i].addr;
        return true;
    }
    return false;
}
