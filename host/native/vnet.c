/*
 * Receive side of the virtio_net_hdr (virtio spec 1.x 5.1.6.2.1, and
 * Linux's CHECKSUM_PARTIAL convention: the checksum field holds the
 * folded pseudo-header sum, the rest is summed from csum_start to the end
 * of the frame; RFC 1071 for the one's-complement sum).
 */
#include "vnet.h"

#include <string.h>

#define F_NEEDS_CSUM 1u
#define GSO_NONE 0u
#define GSO_TCPV4 1u
#define GSO_TCPV6 4u
#define ETH_HDR 14u
#define ETHERTYPE_IPV4 0x0800u

static uint16_t get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static void vnet_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static uint16_t get_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/*
 * One's-complement sum of p[0..n), folded to 16 bits (not inverted), as a
 * big-endian value. Eight bytes at a time in machine order (RFC 1071
 * section 2(B): the sum is byte-order independent, one swap at the end),
 * since a super-frame is up to 64 KB; the tail is zero-padded.
 */
static uint16_t sum16(const uint8_t *p, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc += (w & 0xffffffffu) + (w >> 32);
    }
    if (i < n) {
        uint8_t tail[8] = {0};
        memcpy(tail, p + i, n - i);
        uint64_t w;
        memcpy(&w, tail, 8);
        acc += (w & 0xffffffffu) + (w >> 32);
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    uint16_t v = (uint16_t)acc;
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1 ? (uint16_t)(v << 8 | v >> 8) : v; /* little-endian host */
}

int32_t synack_vnet_rx(uint8_t *buf, size_t len)
{
    if (len < SYNACK_VNET_HDR_LEN)
        return -1;
    return synack_vnet_fix(buf, buf + SYNACK_VNET_HDR_LEN, len - SYNACK_VNET_HDR_LEN);
}

int32_t synack_vnet_fix(const uint8_t hdr[SYNACK_VNET_HDR_LEN], uint8_t *f, size_t n)
{
    if (n > INT32_MAX)
        return -1;
    uint8_t flags = hdr[0], gso = hdr[1];
    uint16_t start = get_le16(hdr + 6), off = get_le16(hdr + 8);

    if (gso != GSO_NONE && n >= ETH_HDR + 20 && get_be16(f + 12) == ETHERTYPE_IPV4 &&
        get_be16(f + ETH_HDR + 2) == 0 && n - ETH_HDR <= 65535) {
        uint8_t *ip = f + ETH_HDR;
        size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
        if (ihl < 20 || ETH_HDR + ihl > n)
            return -1;
        put_be16(ip + 2, (uint16_t)(n - ETH_HDR));
        put_be16(ip + 10, 0);
        put_be16(ip + 10, (uint16_t)~sum16(ip, ihl));
    }
    if (flags & F_NEEDS_CSUM) {
        if ((size_t)start + off + 2 > n)
            return -1;
        uint16_t c = (uint16_t)~sum16(f + start, n - start);
        /* 0xffff and 0 are the same sum; UDP reserves 0 for "none". */
        put_be16(f + start + off, c == 0 ? 0xffff : c);
    }
    return (int32_t)n;
}

void synack_vnet_tx_gso(uint8_t hdr[SYNACK_VNET_HDR_LEN], size_t n, const synack_gso *g)
{
    memset(hdr, 0, SYNACK_VNET_HDR_LEN);
    uint8_t type;
    if (g->family == SYNACK_AF_IP4)
        type = GSO_TCPV4;
    else if (g->family == SYNACK_AF_IP6)
        type = GSO_TCPV6;
    else
        return;
    if (g->seg == 0 || g->seg > 0xffff || g->hdr_len > n || g->csum_start >= g->hdr_len ||
        (size_t)g->csum_start + g->csum_offset + 2 > g->hdr_len)
        return;
    hdr[0] = F_NEEDS_CSUM;
    hdr[1] = type;
    vnet_put_le16(hdr + 2, g->hdr_len);
    vnet_put_le16(hdr + 4, (uint16_t)g->seg);
    vnet_put_le16(hdr + 6, g->csum_start);
    vnet_put_le16(hdr + 8, g->csum_offset);
}
