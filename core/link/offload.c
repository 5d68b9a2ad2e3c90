/*
 * Offload messages and the TCP segmentation cutter (offload.h). RFC 791
 * and RFC 9293 for the headers, RFC 1071 for the checksums, virtio 1.x
 * 5.1.6 for the virtio_net_hdr fields.
 */
#include "offload.h"

#include <string.h>

#define ETH 14u
#define V_NEEDS_CSUM 1u
#define V_GSO_TCPV4 1u
#define V_GSO_TCPV6 4u
#define IP6_HDR 40u
#define TCP_FIN 0x01u
#define TCP_PSH 0x08u
#define TCP_CWR 0x80u

static const uint8_t magic[6] = {'S', 'Y', 'N', 'A', 'C', 'K'};

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}
static void putle16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Unfolded one's-complement sum of big-endian 16-bit words (RFC 1071). */
static uint32_t sum_add(uint32_t acc, const uint8_t *p, size_t n)
{
    uint64_t a = acc;
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        a += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (i < n)
        a += (uint32_t)p[i] << 8;
    while (a >> 32)
        a = (a & 0xffffffffu) + (a >> 32);
    return (uint32_t)a;
}

static uint16_t sum_fold(uint32_t a)
{
    while (a >> 16)
        a = (a & 0xffff) + (a >> 16);
    return (uint16_t)~a;
}

/*
 * The IP and TCP header lengths of a TCP/IPv4 frame, or of a TCP/IPv6
 * frame whose TCP follows the fixed header (what the stack sends and
 * Linux's TSO6 hands over; extension headers are never offloaded), and
 * which family (*v6). False for anything else.
 */
static bool tcp_headers(const uint8_t *f, size_t n, size_t *ihl, size_t *thl, bool *v6)
{
    if (n < ETH + 20)
        return false;
    uint16_t et = be16(f + 12);
    if (et == 0x86dd) {
        if (n < ETH + IP6_HDR + 20 || (f[ETH] >> 4) != 6 || f[ETH + 6] != 6)
            return false;
        *ihl = IP6_HDR;
        *v6 = true;
    } else if (et == 0x0800) {
        if ((f[ETH] >> 4) != 4 || f[ETH + 9] != 6)
            return false;
        *ihl = (size_t)(f[ETH] & 0x0f) * 4;
        if (*ihl < 20 || ETH + *ihl + 20 > n)
            return false;
        *v6 = false;
    } else {
        return false;
    }
    *thl = (size_t)(f[ETH + *ihl + 12] >> 4) * 4;
    return *thl >= 20 && ETH + *ihl + *thl <= n;
}

/* The unfolded pseudo-header sum (RFC 9293 3.1, RFC 8200 8.1) of the TCP
 * segment of `tcp_len` bytes in the frame f whose IP header starts at ip. */
static uint32_t pseudo_sum(const uint8_t *ip, bool v6, size_t tcp_len)
{
    uint8_t len[4] = {0, 0, 0, 6};
    uint32_t s = v6 ? sum_add(0, ip + 8, 32) : sum_add(0, ip + 12, 8);
    uint8_t l[2];
    put16(l, (uint16_t)tcp_len);
    s = sum_add(s, len, 4);
    return sum_add(s, l, 2);
}

int synack_offload_gso_of(const uint8_t *f, size_t n, uint32_t seg, synack_gso *g)
{
    size_t ihl, thl;
    bool v6;
    if (seg == 0 || seg > 0xffff || !tcp_headers(f, n, &ihl, &thl, &v6))
        return -1;
    g->seg = seg;
    g->hdr_len = (uint16_t)(ETH + ihl + thl);
    g->csum_start = (uint16_t)(ETH + ihl);
    g->csum_offset = 16; /* TCP's checksum field */
    g->family = v6 ? SYNACK_AF_IP6 : SYNACK_AF_IP4;
    return 0;
}

/*
 * Whether g describes a TCP frame f[0..n) that the offsets fit: an IPv4
 * header (IPv6: exactly the fixed header, as tcp_headers) from ETH to
 * csum_start, a TCP header from there to hdr_len with the checksum field
 * inside it. The values are the sender's; these checks only keep the
 * cutter inside the buffer. *v6: the family.
 */
static bool gso_fits(const uint8_t *f, size_t n, const synack_gso *g, bool *v6)
{
    if (g->seg == 0 || g->seg > 0xffff || n < ETH + 20 || g->hdr_len > n ||
        g->hdr_len < g->csum_start + 20u ||
        (size_t)g->csum_offset + 2 > (size_t)(g->hdr_len - g->csum_start))
        return false;
    *v6 = g->family == SYNACK_AF_IP6;
    if (*v6)
        return be16(f + 12) == 0x86dd && g->csum_start == ETH + IP6_HDR;
    return g->family == SYNACK_AF_IP4 && be16(f + 12) == 0x0800 && g->csum_start >= ETH + 20;
}

int synack_offload_parse(const uint8_t *f, size_t n, synack_offload_msg *m)
{
    if (n < ETH || be16(f + 12) != SYNACK_OFFLOAD_ETHERTYPE)
        return 0;
    if (n < ETH + SYNACK_OFFLOAD_HDR_LEN || memcmp(f + ETH, magic, 6) != 0)
        return 0; /* someone else's experiment */
    memset(m, 0, sizeof(*m));
    memcpy(m->mac, f + 6, 6);
    m->type = f[ETH + 6];
    if (f[ETH + 7] != SYNACK_OFFLOAD_VERSION)
        return -1;
    const uint8_t *b = f + ETH + SYNACK_OFFLOAD_HDR_LEN;
    size_t left = n - ETH - SYNACK_OFFLOAD_HDR_LEN;
    switch (m->type) {
    case SYNACK_OFFLOAD_HELLO:
    case SYNACK_OFFLOAD_AGREE:
        if (left < 4)
            return -1;
        m->flags = be16(b);
        m->max = be16(b + 2);
        return 1;
    case SYNACK_OFFLOAD_SUPER:
        if (left < SYNACK_OFFLOAD_VNET_LEN + ETH)
            return -1;
        m->vnet = b;
        m->gso_type = b[1];
        m->gso_size = le16(b + 4);
        m->inner = b + SYNACK_OFFLOAD_VNET_LEN;
        m->inner_len = left - SYNACK_OFFLOAD_VNET_LEN;
        if (m->inner_len > SYNACK_OFFLOAD_INNER_MAX)
            return -1;
        return 1;
    default:
        return -1;
    }
}

size_t synack_offload_ctrl(uint8_t out[SYNACK_OFFLOAD_CTRL_LEN], uint8_t type,
                           const uint8_t mac[6], uint16_t flags, uint16_t max)
{
    memset(out, 0, SYNACK_OFFLOAD_CTRL_LEN);
    memcpy(out, mac, 6);
    memcpy(out + 6, mac, 6);
    put16(out + 12, SYNACK_OFFLOAD_ETHERTYPE);
    memcpy(out + ETH, magic, 6);
    out[ETH + 6] = type;
    out[ETH + 7] = SYNACK_OFFLOAD_VERSION;
    put16(out + ETH + 8, flags);
    put16(out + ETH + 10, max);
    return SYNACK_OFFLOAD_CTRL_LEN;
}

int32_t synack_offload_wrap(uint8_t *out, size_t cap, const uint8_t *f, size_t n,
                            const synack_gso *g)
{
    bool v6;
    if (n > SYNACK_OFFLOAD_INNER_MAX || cap < n + SYNACK_OFFLOAD_SUPER_OVERHEAD ||
        !gso_fits(f, n, g, &v6))
        return -1;
    memcpy(out, f, 12); /* the inner addresses: the switch learns nothing new */
    put16(out + 12, SYNACK_OFFLOAD_ETHERTYPE);
    memcpy(out + ETH, magic, 6);
    out[ETH + 6] = SYNACK_OFFLOAD_SUPER;
    out[ETH + 7] = SYNACK_OFFLOAD_VERSION;
    uint8_t *v = out + ETH + SYNACK_OFFLOAD_HDR_LEN;
    v[0] = V_NEEDS_CSUM;
    v[1] = v6 ? V_GSO_TCPV6 : V_GSO_TCPV4;
    putle16(v + 2, g->hdr_len);
    putle16(v + 4, (uint16_t)g->seg);
    putle16(v + 6, g->csum_start);
    putle16(v + 8, g->csum_offset);
    memcpy(v + SYNACK_OFFLOAD_VNET_LEN, f, n);
    return (int32_t)(n + SYNACK_OFFLOAD_SUPER_OVERHEAD);
}

int synack_offload_check(const synack_offload_msg *m, size_t max_piece)
{
    size_t ihl, thl;
    bool v6;
    if (m->type != SYNACK_OFFLOAD_SUPER || m->gso_size < SYNACK_OFFLOAD_SEG_MIN ||
        !tcp_headers(m->inner, m->inner_len, &ihl, &thl, &v6) ||
        m->gso_type != (v6 ? V_GSO_TCPV6 : V_GSO_TCPV4))
        return -1; /* the GSO type names the frame's own family */
    const uint8_t *ip = m->inner + ETH;
    if (v6) {
        /* a payload length that lies (0 would be a jumbogram) */
        if (be16(ip + 4) != m->inner_len - ETH - IP6_HDR)
            return -1;
    } else if (be16(ip + 2) != m->inner_len - ETH || (be16(ip + 6) & 0x3fff) != 0) {
        return -1; /* a length that lies, or a fragment */
    }
    size_t hlen = ETH + ihl + thl;
    if (le16(m->vnet + 2) != hlen || hlen + m->gso_size > max_piece)
        return -1;
    if ((m->vnet[0] & V_NEEDS_CSUM) &&
        (le16(m->vnet + 6) != ETH + ihl || le16(m->vnet + 8) != 16))
        return -1;
    if ((m->vnet[0] & ~V_NEEDS_CSUM) != 0)
        return -1; /* DATA_VALID and the rest mean nothing on this link */
    return 0;
}

int synack_offload_partial_csum(uint8_t *f, size_t n)
{
    size_t ihl, thl;
    bool v6;
    if (!tcp_headers(f, n, &ihl, &thl, &v6) || n - ETH - ihl > 0xffff)
        return -1;
    uint32_t s = pseudo_sum(f + ETH, v6, n - ETH - ihl);
    put16(f + ETH + ihl + 16, (uint16_t)~sum_fold(s));
    return 0;
}

int synack_offload_cut(const uint8_t *f, size_t n, const synack_gso *g, uint8_t *scratch,
                       size_t scratch_cap, synack_offload_emit_fn emit, void *ctx)
{
    bool v6;
    if (!gso_fits(f, n, g, &v6))
        return -1;
    size_t ihl = (size_t)g->csum_start - ETH, thl = (size_t)g->hdr_len - g->csum_start;
    size_t csum = g->csum_offset, seg = g->seg;
    size_t hlen = g->hdr_len;
    if (scratch_cap < hlen + seg || n - ETH > 0xffff)
        return -1;
    const uint8_t *ip = f + ETH, *tcp = ip + ihl;
    uint16_t id = v6 ? 0 : be16(ip + 4);
    uint32_t seq = be32(tcp + 4);
    uint8_t flags = tcp[13];
    size_t total = n - hlen, off = 0;
    int pieces = 0;
    do {
        size_t len = total - off < seg ? total - off : seg;
        bool last = off + len == total;
        memcpy(scratch, f, hlen);
        memcpy(scratch + hlen, f + hlen + off, len);
        uint8_t *pip = scratch + ETH, *ptcp = pip + ihl;
        if (v6) {
            /* no IP ID and no header checksum: only the payload length */
            put16(pip + 4, (uint16_t)(thl + len));
        } else {
            put16(pip + 2, (uint16_t)(ihl + thl + len));
            put16(pip + 4, (uint16_t)(id + pieces));
            put16(pip + 10, 0);
            put16(pip + 10, sum_fold(sum_add(0, pip, ihl)));
        }
        put32(ptcp + 4, seq + (uint32_t)off);
        uint8_t fl = flags;
        if (!last)
            fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
        if (pieces > 0)
            fl &= (uint8_t)~TCP_CWR;
        ptcp[13] = fl;
        put16(ptcp + csum, 0);
        uint32_t s = sum_add(pseudo_sum(pip, v6, thl + len), ptcp, thl + len);
        put16(ptcp + csum, sum_fold(s));
        (void)emit(ctx, scratch, hlen + len);
        pieces++;
        off += len;
    } while (off < total);
    return pieces;
}

int synack_offload_client_input(synack_offload_client *oc, const uint8_t *f, size_t n,
                                const uint8_t **inner, size_t *inner_len)
{
    if (!oc->asked || n < 14 || f[12] != (SYNACK_OFFLOAD_ETHERTYPE >> 8) ||
        f[13] != (SYNACK_OFFLOAD_ETHERTYPE & 0xff))
        return SYNACK_OFFLOAD_IN_FRAME;
    synack_offload_msg m;
    if (synack_offload_parse(f, n, &m) <= 0)
        return SYNACK_OFFLOAD_IN_DROP;
    if (m.type == SYNACK_OFFLOAD_AGREE) {
        oc->tx = (m.flags & SYNACK_OFFLOAD_F_TX_TCP4) != 0 && m.max >= SYNACK_OFFLOAD_INNER_MAX;
        oc->rx = (m.flags & SYNACK_OFFLOAD_F_RX_TCP4) != 0;
        oc->tx6 = (m.flags & SYNACK_OFFLOAD_F_TX_TCP6) != 0 && m.max >= SYNACK_OFFLOAD_INNER_MAX;
        oc->rx6 = (m.flags & SYNACK_OFFLOAD_F_RX_TCP6) != 0;
        return SYNACK_OFFLOAD_IN_AGREED;
    }
    /* A bridge super-frame (checksums complete): the stack takes TCP
     * segments above the MTU, as from an offloading TAP. */
    if (m.type == SYNACK_OFFLOAD_SUPER &&
        ((oc->rx && m.gso_type == V_GSO_TCPV4) || (oc->rx6 && m.gso_type == V_GSO_TCPV6))) {
        *inner = m.inner;
        *inner_len = m.inner_len;
        return SYNACK_OFFLOAD_IN_INNER;
    }
    return SYNACK_OFFLOAD_IN_DROP;
}
