/*
 * The IPv6 fixed header (RFC 8200 section 3). Nothing here knows extension
 * headers: the header names the first of them (or the upper layer) in
 * `next`, and the IPv6 layer walks the chain with its own limits.
 */
#include <string.h>

#include "wire/wire.h"

int synack_ip6_parse(const uint8_t *buf, size_t len, synack_ip6_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    uint32_t vtf = synack_rd_be32(&r); /* version, traffic class, flow label */
    out->payload_len = synack_rd_be16(&r);
    out->next = synack_rd_u8(&r);
    out->hop_limit = synack_rd_u8(&r);
    memset(&out->src, 0, sizeof out->src);
    memset(&out->dst, 0, sizeof out->dst);
    synack_rd_bytes(&r, out->src.b, 16);
    synack_rd_bytes(&r, out->dst.b, 16);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    if ((vtf >> 28) != 6)
        return SYNACK_WIRE_BAD_VERSION;
    out->tclass = (uint8_t)(vtf >> 20);
    out->flow = vtf & 0xfffffu;
    out->src.family = SYNACK_AF_IP6;
    out->dst.family = SYNACK_AF_IP6;
    if ((size_t)out->payload_len > len - SYNACK_IP6_HDR_LEN)
        return SYNACK_WIRE_BAD_LEN;
    return SYNACK_IP6_HDR_LEN;
}

size_t synack_ip6_emit(const synack_ip6_repr *r, uint8_t *buf)
{
    uint32_t vtf = 6u << 28 | (uint32_t)r->tclass << 20 | (r->flow & 0xfffffu);
    synack_wr_be32(buf, vtf);
    synack_wr_be16(buf + 4, r->payload_len);
    buf[6] = r->next;
    buf[7] = r->hop_limit;
    memcpy(buf + 8, r->src.b, 16);
    memcpy(buf + 24, r->dst.b, 16);
    return SYNACK_IP6_HDR_LEN;
}
