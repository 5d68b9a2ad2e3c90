/*
 * IPv6 for a host.
 *
 * RFC 8200: section 3 (the header; a multicast source is invalid),
 * section 4 (extension headers in order, walked by wire/ipv6_packet.c with
 * the limits stated there; unknown ones answered with Parameter Problem),
 * section 4.5 (fragmentation of what we send above the path MTU — never a
 * TCP segment — and reassembly in reasm6.c), section 5 (the 1280-byte
 * minimum MTU; RFC 8201 path MTU discovery: a per-destination cache
 * lowered by Packet Too Big and aged back after cfg.ipv6.pmtu_timeout_ms),
 * section 8.1 (upper-layer checksums over the pseudo-header; a zero UDP
 * checksum is invalid). RFC 6946: an atomic fragment (offset 0, M clear)
 * is processed as a whole packet, apart from any reassembly. RFC 7739: the
 * fragment identification is a keyed hash of the destination plus a
 * counter. RFC 4291 2.7: multicast destinations map to 33:33:xx:xx:xx:xx
 * (RFC 2464 section 7) without neighbour resolution.
 */
#include <string.h>

#include "ipv6/ipv6.h"
#include "ipv6/icmp6.h"
#include "ipv6/nd.h"
#include "ipv6/mld.h"
#include "ipv4/icmp.h"
#include "net/addr.h"
#include "net/neigh.h"
#include "net/stack.h"
#include "tcp/tcp.h"

bool synack_ipv6_built(void)
{
    return true;
}
#include "udp/udp.h"

/* Room kept in front of the L4 bytes for a Hop-by-Hop header (MLD). */
#define HBH_LEN 8

int synack_ipv6_init(synack_stack *s)
{
    synack_ipv6 *ip = &s->ip6;
    const synack_ipv6_config *c = &s->cfg.ipv6;
    ip->addrs = synack_mem_alloc(s, sizeof *ip->addrs * c->max_addrs);
    ip->pmtu = synack_mem_alloc(s, sizeof *ip->pmtu * c->pmtu_cache_size);
    ip->frag_scratch = synack_mem_alloc(s, synack_l2_len(s) + s->cfg.link.mtu);
    if (ip->addrs == NULL || ip->pmtu == NULL || ip->frag_scratch == NULL)
        return SYNACK_ERR_NOMEM;
    ip->cur_hop_limit = c->hop_limit;
    ip->frag_id = synack_rng_next(&s->rng);
    synack_rate_init(&ip->errors, s->cfg.icmp_errors_per_s, s->now);
    return synack_reasm6_init(s);
}

void synack_ipv6_fini(synack_stack *s)
{
    synack_ipv6 *ip = &s->ip6;
    synack_reasm6_fini(s);
    synack_mem_free(s, ip->addrs, sizeof *ip->addrs * s->cfg.ipv6.max_addrs);
    synack_mem_free(s, ip->pmtu, sizeof *ip->pmtu * s->cfg.ipv6.pmtu_cache_size);
    if (ip->frag_scratch != NULL)
        synack_mem_free(s, ip->frag_scratch, synack_l2_len(s) + s->cfg.link.mtu);
    ip->addrs = NULL;
    ip->pmtu = NULL;
    ip->frag_scratch = NULL;
}

/* ---- path MTU (RFC 8201) ----------------------------------------------- */

static synack_ip6_pmtu *pmtu_find(const synack_stack *s, const synack_addr *dst)
{
    if (s->ip6.pmtu_used == 0)
        return NULL;
    for (uint32_t i = 0; i < s->ip6.pmtu_used; i++) {
        synack_ip6_pmtu *p = &s->ip6.pmtu[i];
        if (p->mtu != 0 && synack_addr_same(&p->dst, dst))
            return p;
    }
    return NULL;
}

/*
 * An entry aged out (RFC 8201 4: the larger MTU is tried again): free it
 * and tell the transports, whose segment size a Packet Too Big lowered.
 */
static void pmtu_expire(synack_stack *s, uint64_t now, synack_ip6_pmtu *p)
{
    synack_addr dst = p->dst;
    p->mtu = 0;
    p->expires = 0;
    synack_ipv6_trace_pmtu(s, &dst, synack_ipv6_path_mtu(s, &dst));
    synack_ip_path_raised(s, now, &dst);
}

void synack_ipv6_trace_pmtu(synack_stack *s, const synack_addr *dst, uint32_t mtu)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = SYNACK_TRACE_PMTU;
    ev.conn = -1;
    ev.u.pmtu.dst = *dst;
    ev.u.pmtu.mtu = mtu;
    synack_trace(s, &ev);
}

/* Expire what is due: synack_ipv6_poll. */
static void pmtu_poll(synack_stack *s, uint64_t now)
{
    if (s->ip6.pmtu == NULL)
        return;
    for (uint32_t i = 0; i < s->ip6.pmtu_used; i++) {
        synack_ip6_pmtu *p = &s->ip6.pmtu[i];
        if (p->mtu != 0 && p->expires <= now)
            pmtu_expire(s, now, p);
    }
}

static uint64_t pmtu_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->ip6.pmtu == NULL)
        return t;
    for (uint32_t i = 0; i < s->ip6.pmtu_used; i++) {
        const synack_ip6_pmtu *p = &s->ip6.pmtu[i];
        if (p->mtu != 0 && p->expires < t)
            t = p->expires;
    }
    return t;
}

uint32_t synack_ipv6_path_mtu(const synack_stack *s, const synack_addr *dst)
{
    uint32_t link = synack_nd_link_mtu(s); /* an RA's MTU option, else the link's */
    const synack_ip6_pmtu *p = pmtu_find(s, dst);
    /* lazy ageing: an expired entry reads as the link MTU (RFC 8201 4) */
    if (p != NULL && p->expires > s->now && p->mtu < link)
        return p->mtu;
    return link;
}

uint32_t synack_ipv6_mtu_payload(const synack_stack *s)
{
    return synack_nd_link_mtu(s) - SYNACK_IP6_HDR_LEN;
}

void synack_ipv6_pmtu_update(synack_stack *s, uint64_t now,
                             const synack_addr *dst, uint32_t mtu)
{
    if (mtu < SYNACK_IP6_MIN_MTU)
        mtu = SYNACK_IP6_MIN_MTU; /* RFC 8201 4: never below 1280 */
    if (mtu >= synack_ipv6_path_mtu(s, dst) || s->ip6.pmtu == NULL)
        return; /* a PTB never raises the estimate */
    synack_ip6_pmtu *p = pmtu_find(s, dst);
    if (p == NULL) {
        /* a free or expired slot, else the one expiring first */
        for (uint32_t i = 0; i < s->cfg.ipv6.pmtu_cache_size; i++) {
            synack_ip6_pmtu *q = &s->ip6.pmtu[i];
            if (q->mtu == 0 || q->expires <= now) {
                p = q;
                break;
            }
            if (p == NULL || q->expires < p->expires)
                p = q;
        }
        if (p->mtu != 0 && p->expires <= now)
            pmtu_expire(s, now, p); /* its connections get their MSS back */
    }
    uint32_t idx = (uint32_t)(p - s->ip6.pmtu);
    if (idx >= s->ip6.pmtu_used)
        s->ip6.pmtu_used = idx + 1; /* free slots fill from the front */
    p->dst = *dst;
    p->mtu = mtu;
    p->expires = now + s->cfg.ipv6.pmtu_timeout_ms;
    synack_ipv6_trace_pmtu(s, dst, mtu);
}

/* ---- routing ------------------------------------------------------------- */

int synack_ipv6_route(const synack_stack *s, const synack_addr *dst,
                      synack_addr *src, synack_addr *nexthop)
{
    if (dst->family != SYNACK_AF_IP6 || synack_ip6_is_unspecified(dst) ||
        synack_ip6_is_loopback(dst) || synack_ip6_addr_find(s, dst) != NULL)
        return SYNACK_ERR_UNREACHABLE;
    synack_addr hop = *dst;
    if (!synack_ip6_is_multicast(dst) && !synack_ip6_is_linklocal(dst)) {
        if (synack_nd_next_hop(s, dst, &hop) != 0)
            return SYNACK_ERR_UNREACHABLE;
    }
    synack_addr sa;
    if (synack_ipv6_select_source(s, dst, &sa) != 0)
        return SYNACK_ERR_UNREACHABLE;
    if (src != NULL)
        *src = sa;
    if (nexthop != NULL)
        *nexthop = hop;
    return SYNACK_OK;
}

/* ---- output ---------------------------------------------------------------- */

uint8_t *synack_ipv6_tx_buf(synack_stack *s, size_t *cap)
{
    if (cap != NULL)
        *cap = 65535 - SYNACK_IP6_HDR_LEN - HBH_LEN;
    return s->tx + synack_l2_len(s) + SYNACK_IP6_HDR_LEN;
}

static void link_send(synack_stack *s, const synack_mac *dst, uint8_t *frame,
                      size_t len, const synack_gso *gso)
{
    if (s->cfg.link.medium == SYNACK_MEDIUM_ETHERNET) {
        synack_eth_repr eth = {*dst, s->cfg.mac, SYNACK_ETHERTYPE_IPV6};
        synack_eth_emit(&eth, frame);
    }
    synack_link_output(s, frame, len, gso);
}

/* RFC 7739 5.1: unpredictable per destination, a counter within one. */
static uint32_t next_frag_id(synack_stack *s, const uint8_t *dst16)
{
    uint64_t h = synack_siphash(s->secret, dst16, 16);
    return (uint32_t)h + s->ip6.frag_id++;
}

/*
 * Put a frame (L2 room + IPv6 packet whose own headers end at 40 bytes)
 * on the link, cut into fragments when above the path MTU (RFC 8200 4.5:
 * the fixed header is the unfragmentable part, each piece a multiple of
 * 8 bytes but the last).
 */
static void output_frame(synack_stack *s, const synack_mac *dst, uint8_t *frame,
                         size_t len, const synack_gso *gso)
{
    size_t l2 = synack_l2_len(s);
    uint8_t *ip = frame + l2;
    if (len - l2 <= SYNACK_IP6_MIN_MTU || gso != NULL) { /* fits every path */
        link_send(s, dst, frame, len, gso);
        return;
    }
    synack_addr d = {SYNACK_AF_IP6, {0}};
    memcpy(d.b, ip + 24, 16);
    size_t mtu = synack_ipv6_path_mtu(s, &d);
    if (len - l2 <= mtu) {
        link_send(s, dst, frame, len, NULL);
        return;
    }
    const uint8_t *data = ip + SYNACK_IP6_HDR_LEN;
    size_t dlen = len - l2 - SYNACK_IP6_HDR_LEN;
    size_t chunk = ((mtu - SYNACK_IP6_HDR_LEN - 8) / 8) * 8;
    uint32_t id = next_frag_id(s, ip + 24);
    uint8_t next = ip[6];
    uint8_t *out = s->ip6.frag_scratch;
    for (size_t off = 0; off < dlen; off += chunk) {
        size_t n = dlen - off < chunk ? dlen - off : chunk;
        uint8_t *h = out + l2;
        memcpy(h, ip, SYNACK_IP6_HDR_LEN);
        synack_wr_be16(h + 4, (uint16_t)(8 + n));
        h[6] = SYNACK_IP6_NEXT_FRAGMENT;
        uint8_t *f = h + SYNACK_IP6_HDR_LEN;
        f[0] = next;
        f[1] = 0;
        synack_wr_be16(f + 2, (uint16_t)(off | (off + n < dlen ? 1u : 0u)));
        synack_wr_be32(f + 4, id);
        memcpy(f + 8, data + off, n);
        s->cnt.ip6_frags_out++;
        link_send(s, dst, out, l2 + SYNACK_IP6_HDR_LEN + 8 + n, NULL);
    }
}

void synack_ipv6_neigh_send(synack_stack *s, const synack_mac *dst,
                            uint8_t *frame, size_t len, const synack_gso *gso)
{
    output_frame(s, dst, frame, len, gso);
}

void synack_ipv6_neigh_failed(synack_stack *s, const uint8_t *pkt, size_t len)
{
    synack_ipv6_error(s, s->now, pkt, len, SYNACK_ERR_UNREACHABLE, true);
}

/* The common output path: `o` says the header, `tx` how to send. */
static int output(synack_stack *s, uint64_t now, const synack_ip6_out *o,
                  size_t l4len, const synack_ip_tx *tx)
{
    if (!s->cfg.ipv6.enable)
        return SYNACK_ERR_UNREACHABLE;
    size_t l2 = synack_l2_len(s);
    uint8_t *ip = s->tx + l2;
    synack_addr src, hop;
    int rc;
    if (o->src != NULL) {
        src = *o->src;
        hop = *o->dst;
        rc = SYNACK_OK;
        /* a given link address (NDP's answers) needs no next hop: the
         * neighbour that asked is on the link whatever its prefix */
        if (!synack_ip6_is_multicast(o->dst) && !synack_ip6_is_linklocal(o->dst) &&
            o->dst_mac == NULL) {
            synack_ipv6 *ip6 = &s->ip6;
            if (ip6->hop_at == now && ip6->hop_gen == ip6->route_gen &&
                synack_addr_same(&ip6->hop_dst, o->dst)) {
                hop = ip6->hop;
            } else if ((rc = synack_nd_next_hop(s, o->dst, &hop)) == 0) {
                ip6->hop_dst = *o->dst;
                ip6->hop = hop;
                ip6->hop_at = now;
                ip6->hop_gen = ip6->route_gen;
            }
        }
    } else {
        rc = synack_ipv6_route(s, o->dst, &src, &hop);
    }
    if (rc != 0 || (synack_ip6_is_unspecified(o->dst))) {
        synack_count_drop(s, SYNACK_DROP_IPV6_NO_ROUTE);
        return SYNACK_ERR_UNREACHABLE;
    }
    size_t ext = 0;
    uint8_t next = o->next;
    if (o->router_alert) {
        /* RFC 2711: Hop-by-Hop header, Router Alert (value 0: MLD), PadN 0 */
        memmove(ip + SYNACK_IP6_HDR_LEN + HBH_LEN, ip + SYNACK_IP6_HDR_LEN, l4len);
        uint8_t *h = ip + SYNACK_IP6_HDR_LEN;
        const uint8_t hbh[HBH_LEN] = {o->next, 0, 5, 2, 0, 0, 1, 0};
        memcpy(h, hbh, HBH_LEN);
        ext = HBH_LEN;
        next = SYNACK_IP6_NEXT_HOPOPTS;
    }
    uint8_t *l4 = ip + SYNACK_IP6_HDR_LEN + ext;
    if (o->next == SYNACK_IPPROTO_ICMPV6 && l4len >= 4) {
        l4[2] = l4[3] = 0;
        uint32_t ph = synack_addr_pseudo_sum(&src, o->dst, SYNACK_IPPROTO_ICMPV6);
        uint64_t sum = synack_csum_add(synack_csum_pseudo_len(ph, (uint32_t)l4len),
                                       l4, l4len);
        synack_wr_be16(l4 + 2, synack_csum_finish(sum));
    }
    size_t total = SYNACK_IP6_HDR_LEN + ext + l4len;
    uint32_t pmtu = synack_ipv6_path_mtu(s, o->dst);
    bool gso = tx != NULL && tx->gso_seg != 0;
    if (total > pmtu && !gso &&
        ((tx != NULL && tx->df) || o->next == SYNACK_IPPROTO_TCP || ext != 0 ||
         total > 65535)) {
        synack_count_drop(s, SYNACK_DROP_IPV6_TOO_BIG);
        return SYNACK_ERR_MSGSIZE;
    }
    synack_ip6_repr h;
    memset(&h, 0, sizeof h);
    h.payload_len = (uint16_t)(ext + l4len);
    h.next = next;
    h.hop_limit = o->hop_limit != 0 ? o->hop_limit : s->ip6.cur_hop_limit;
    h.src = src;
    h.dst = *o->dst;
    synack_ip6_emit(&h, ip);
    s->cnt.ip6_out++;
    /* the offload's offsets: the transport's, behind our header(s) */
    synack_gso g = {gso ? tx->gso_seg : 0,
                    (uint16_t)(l2 + SYNACK_IP6_HDR_LEN + ext + (gso ? tx->l4_hdr_len : 0)),
                    (uint16_t)(l2 + SYNACK_IP6_HDR_LEN + ext), gso ? tx->csum_off : 0,
                    SYNACK_AF_IP6};
    const synack_gso *seg = gso ? &g : NULL;

    if (s->cfg.link.medium == SYNACK_MEDIUM_IP) {
        output_frame(s, NULL, s->tx, l2 + total, seg);
        return SYNACK_OK;
    }
    if (o->dst_mac != NULL) {
        output_frame(s, o->dst_mac, s->tx, l2 + total, seg);
        return SYNACK_OK;
    }
    if (synack_ip6_is_multicast(o->dst)) {
        /* RFC 2464 section 7 */
        synack_mac m = {{0x33, 0x33, o->dst->b[12], o->dst->b[13], o->dst->b[14],
                         o->dst->b[15]}};
        output_frame(s, &m, s->tx, l2 + total, seg);
        return SYNACK_OK;
    }
    rc = synack_neigh_output(s, now, &hop, s->tx, l2 + total, seg);
    return rc == SYNACK_ERR_NOMEM ? SYNACK_OK : rc;
}

int synack_ipv6_output(synack_stack *s, uint64_t now, const synack_ip6_out *o,
                       size_t l4len)
{
    return output(s, now, o, l4len, NULL);
}

int synack_ipv6_send(synack_stack *s, uint64_t now, const synack_addr *dst,
                     uint8_t proto, size_t l4len, const synack_ip_tx *tx)
{
    if (l4len > 65535 - SYNACK_IP6_HDR_LEN)
        return SYNACK_ERR_MSGSIZE;
    synack_ip6_out o;
    memset(&o, 0, sizeof o);
    o.src = tx != NULL ? tx->src : NULL;
    o.dst = dst;
    o.next = proto;
    return output(s, now, &o, l4len, tx);
}

/* ---- input ------------------------------------------------------------------ */

/* Whether a Hop-by-Hop header at `h` (length n) holds a Router Alert. */
static bool has_router_alert(const uint8_t *h, size_t n)
{
    size_t i = 2;
    while (i < n) {
        if (h[i] == 0) {
            i++;
            continue;
        }
        if (i + 1 >= n)
            break;
        if (h[i] == 5)
            return true;
        i += 2 + (size_t)h[i + 1];
    }
    return false;
}

/* The verdict of an extension-header walk other than OK: drop, and send a
 * Parameter Problem when asked. */
static void ext_refused(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                        const synack_ip6_ext *e, const uint8_t *pkt, size_t len)
{
    synack_count_drop(s, SYNACK_DROP_IPV6_EXT_HDR);
    if (e->verdict == SYNACK_IP6_EXT_PARAM || e->verdict == SYNACK_IP6_EXT_PARAM_MCAST)
        synack_icmp6_send_error(s, now, SYNACK_ICMP6_PARAM_PROBLEM, e->code,
                                e->pointer, m, pkt, len,
                                e->verdict == SYNACK_IP6_EXT_PARAM_MCAST);
}

void synack_ipv6_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len, bool link_mcast)
{
    if (!s->cfg.ipv6.enable) {
        synack_count_drop(s, SYNACK_DROP_IPV6_DISABLED);
        return;
    }
    synack_ip6_repr h;
    int rc = synack_ip6_parse(pkt, len, &h);
    if (rc < 0) {
        synack_count_drop(s, rc == SYNACK_WIRE_BAD_VERSION ? SYNACK_DROP_IPV6_BAD_VERSION
                                                           : SYNACK_DROP_IPV6_TRUNCATED);
        return;
    }
    s->cnt.ip6_in++;
    len = SYNACK_IP6_HDR_LEN + (size_t)h.payload_len; /* link padding off */
    if (synack_ip6_is_multicast(&h.src)) {
        synack_count_drop(s, SYNACK_DROP_IPV6_BAD_SOURCE);
        return;
    }
    bool tentative = false;
    if (!synack_ipv6_is_ours(s, &h.dst, &tentative)) {
        synack_count_drop(s, SYNACK_DROP_IPV6_NOT_FOR_US);
        return;
    }
    synack_ip6_meta m;
    m.src = h.src;
    m.dst = h.dst;
    m.hop_limit = h.hop_limit;
    m.mcast = synack_ip6_is_multicast(&h.dst) || link_mcast;
    m.router_alert = false;
    m.ext = false;
    const uint8_t *payload = pkt + SYNACK_IP6_HDR_LEN;
    size_t plen = h.payload_len;
    if (h.next == SYNACK_IP6_NEXT_HOPOPTS && plen >= 8) {
        size_t hl = ((size_t)payload[1] + 1) * 8;
        m.router_alert = hl <= plen && has_router_alert(payload, hl);
    }
    synack_ip6_ext e;
    if (h.next == SYNACK_IPPROTO_TCP || h.next == SYNACK_IPPROTO_UDP ||
        h.next == SYNACK_IPPROTO_ICMPV6) {
        /* no extension headers: the common case, no walk */
        memset(&e, 0, sizeof e);
        e.proto = h.next;
        e.next_at = 6;
    } else if (synack_ip6_ext_walk(payload, plen, h.next, &e) != SYNACK_IP6_EXT_OK) {
        ext_refused(s, now, &m, &e, pkt, len);
        return;
    }
    m.ext = e.off != 0 && !(e.frag && e.off == 8);
    /* RFC 4862 5.4: a tentative address receives only Neighbor
       Solicitations and Advertisements (DAD) */
    if (tentative && (e.proto != SYNACK_IPPROTO_ICMPV6 || e.frag || plen <= e.off ||
                      (payload[e.off] != 135 && payload[e.off] != 136))) {
        synack_count_drop(s, SYNACK_DROP_IPV6_NOT_FOR_US);
        return;
    }
    if (e.frag && (e.frag_off != 0 || e.more)) {
        synack_reasm6_input(s, now, &m, &e, pkt, len, SYNACK_IP6_HDR_LEN + e.off);
        return;
    }
    if (e.frag) {
        /* RFC 6946: an atomic fragment is the whole packet; walk what
           follows its Fragment header */
        synack_ip6_ext e2;
        if (synack_ip6_ext_walk(payload + e.off, plen - e.off, e.proto, &e2) !=
                SYNACK_IP6_EXT_OK || e2.frag) {
            if (!e2.frag) {
                e2.pointer += (uint32_t)e.off;
                ext_refused(s, now, &m, &e2, pkt, len);
            } else {
                synack_count_drop(s, SYNACK_DROP_IPV6_EXT_HDR);
            }
            return;
        }
        e.proto = e2.proto;
        e.next_at = e2.off == 0 ? e.next_at : e2.next_at + (uint32_t)e.off;
        e.off += e2.off;
    }
    synack_ipv6_deliver(s, now, &m, e.proto, e.next_at, pkt, len,
                        SYNACK_IP6_HDR_LEN + e.off);
}

void synack_ipv6_input_reassembled(synack_stack *s, uint64_t now,
                                   const synack_ip6_meta *m, const uint8_t *pkt,
                                   size_t len, size_t data_off, uint8_t proto,
                                   uint32_t next_at)
{
    synack_ip6_ext e;
    if (synack_ip6_ext_walk(pkt + data_off, len - data_off, proto, &e) !=
            SYNACK_IP6_EXT_OK || e.frag) {
        if (!e.frag) {
            e.pointer += (uint32_t)(data_off - SYNACK_IP6_HDR_LEN);
            ext_refused(s, now, m, &e, pkt, len);
        } else {
            synack_count_drop(s, SYNACK_DROP_IPV6_EXT_HDR);
        }
        return;
    }
    uint32_t at = e.off == 0 ? next_at
                             : e.next_at + (uint32_t)(data_off - SYNACK_IP6_HDR_LEN);
    s->cnt.ip6_reassembled++;
    synack_ipv6_deliver(s, now, m, e.proto, at, pkt, len, data_off + e.off);
}

void synack_ipv6_deliver(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                         uint8_t proto, uint32_t next_at, const uint8_t *pkt,
                         size_t len, size_t l4_off)
{
    const uint8_t *l4 = pkt + l4_off;
    size_t l4len = len - l4_off;
    if (synack_ip6_is_unspecified(&m->src) && proto != SYNACK_IPPROTO_ICMPV6) {
        /* :: is a source only for DAD and MLD (RFC 4862 5.4.2, RFC 3810 5) */
        synack_count_drop(s, SYNACK_DROP_IPV6_BAD_SOURCE);
        return;
    }
    switch (proto) {
    case SYNACK_IPPROTO_ICMPV6:
        synack_icmp6_input(s, now, m, l4, l4len);
        break;
    case SYNACK_IPPROTO_UDP: {
        /* RFC 8200 8.1: a zero UDP checksum is invalid over IPv6 */
        if (l4len >= SYNACK_UDP_HDR_LEN && l4[6] == 0 && l4[7] == 0) {
            synack_count_drop(s, SYNACK_DROP_UDP_BAD_CHECKSUM);
            break;
        }
        synack_ip_rx rx = {m->src, m->dst,
                           synack_addr_pseudo_sum(&m->src, &m->dst, SYNACK_IPPROTO_UDP),
                           m->mcast};
        if (synack_udp_input(s, now, &rx, l4, l4len))
            synack_icmp6_send_error(s, now, SYNACK_ICMP6_DEST_UNREACH, 4, 0, m,
                                    pkt, len, false);
        break;
    }
    case SYNACK_IPPROTO_TCP: {
        if (m->mcast) { /* TCP is unicast only */
            synack_count_drop(s, SYNACK_DROP_IPV6_NOT_FOR_US);
            break;
        }
        synack_ip_rx rx = {m->src, m->dst,
                           synack_addr_pseudo_sum(&m->src, &m->dst, SYNACK_IPPROTO_TCP),
                           false};
        synack_tcp_input(s, now, &rx, l4, l4len);
        break;
    }
    case SYNACK_IP6_NEXT_NONE:
        break; /* RFC 8200 4.7: nothing follows; ignored */
    default:
        /* RFC 8200 4: an unrecognized Next Header: Parameter Problem code 1 */
        synack_count_drop(s, SYNACK_DROP_IPV6_PROTO);
        synack_icmp6_send_error(s, now, SYNACK_ICMP6_PARAM_PROBLEM, 1, next_at, m,
                                pkt, len, false);
        break;
    }
}

/* ---- the upward error path ---------------------------------------------------- */

void synack_ipv6_error(synack_stack *s, uint64_t now, const uint8_t *quote,
                       size_t len, int err, bool nexthop)
{
    synack_quote_repr q;
    bool ok = synack_ip6_quote_parse(quote, len, &q) >= 0;
    if (!nexthop && (!ok || synack_ip6_addr_find(s, &q.src) == NULL ||
                     q.frag_off != 0)) {
        /* RFC 5927 4 (and RFC 4443 2.4(d)): a packet we could have sent */
        synack_count_drop(s, SYNACK_DROP_ICMP6_MALFORMED);
        return;
    }
    if (!ok || q.frag_off != 0)
        return;
    if (!synack_ip_error_up(s, now, &q, err, nexthop) && !nexthop)
        synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
}

void synack_ipv6_poll(synack_stack *s, uint64_t now)
{
    synack_reasm6_poll(s, now);
    pmtu_poll(s, now);
}

uint64_t synack_ipv6_poll_at(const synack_stack *s)
{
    uint64_t a = synack_reasm6_poll_at(s), b = pmtu_poll_at(s);
    return a < b ? a : b;
}
