/*
 * The IPv4 header (RFC 791 section 3.1; RFC 1122 section 3.2.1 for the
 * checks a host must make). Options are skipped: their bytes are covered by
 * IHL and the header checksum, and a host may ignore the ones it does not
 * implement (RFC 1122 section 3.2.1.8), which here is all of them.
 */
#include "wire/wire.h"

#define IP4_FLAG_DF 0x4000
#define IP4_FLAG_MF 0x2000
#define IP4_FRAG_MASK 0x1fff

int synack_ip4_parse(const uint8_t *buf, size_t len, bool verify,
                     synack_ip4_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    uint8_t ver_ihl = synack_rd_u8(&r);
    out->tos = synack_rd_u8(&r);
    out->total_len = synack_rd_be16(&r);
    out->id = synack_rd_be16(&r);
    uint16_t frag = synack_rd_be16(&r);
    out->ttl = synack_rd_u8(&r);
    out->proto = synack_rd_u8(&r);
    synack_rd_skip(&r, 2); /* checksum, verified over the whole header below */
    out->src = synack_rd_be32(&r);
    out->dst = synack_rd_be32(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;

    if ((ver_ihl >> 4) != 4)
        return SYNACK_WIRE_BAD_VERSION;
    /* IHL counts 32-bit words; 5 is the minimum, options make it longer. */
    uint16_t hdr_len = (uint16_t)((ver_ihl & 0x0f) * 4);
    if (hdr_len < SYNACK_IP4_HDR_LEN || hdr_len > len)
        return SYNACK_WIRE_BAD_HDR_LEN;
    out->hdr_len = hdr_len;
    /* Total length covers header and data; bytes past it are link padding. */
    if (out->total_len < hdr_len || out->total_len > len)
        return SYNACK_WIRE_BAD_LEN;

    out->df = (frag & IP4_FLAG_DF) != 0;
    out->mf = (frag & IP4_FLAG_MF) != 0;
    out->frag_off = (uint16_t)((frag & IP4_FRAG_MASK) * 8);

#ifndef SYNACK_FUZZING
    if (verify && synack_csum_finish(synack_csum_add(0, buf, hdr_len)) != 0)
        return SYNACK_WIRE_BAD_CHECKSUM;
#else
    (void)verify;
#endif
    return hdr_len;
}

size_t synack_ip4_emit(const synack_ip4_repr *r, uint8_t *buf)
{
    uint16_t frag = (uint16_t)((r->frag_off / 8) & IP4_FRAG_MASK);
    if (r->df)
        frag |= IP4_FLAG_DF;
    if (r->mf)
        frag |= IP4_FLAG_MF;

    buf[0] = 0x45; /* version 4, IHL 5: we never send options */
    buf[1] = r->tos;
    synack_wr_be16(buf + 2, r->total_len);
    synack_wr_be16(buf + 4, r->id);
    synack_wr_be16(buf + 6, frag);
    buf[8] = r->ttl;
    buf[9] = r->proto;
    synack_wr_be16(buf + 10, 0);
    synack_wr_be32(buf + 12, r->src);
    synack_wr_be32(buf + 16, r->dst);
    uint64_t sum = synack_csum_add(0, buf, SYNACK_IP4_HDR_LEN);
    synack_wr_be16(buf + 10, synack_csum_finish(sum));
    return SYNACK_IP4_HDR_LEN;
}

int synack_ip4_quote_parse(const uint8_t *buf, size_t len, synack_quote_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    uint8_t ver_ihl = synack_rd_u8(&r);
    synack_rd_skip(&r, 5); /* tos, total length, id */
    uint16_t frag = synack_rd_be16(&r);
    synack_rd_skip(&r, 1); /* ttl */
    out->proto = synack_rd_u8(&r);
    synack_rd_skip(&r, 2);
    synack_ip4 src = synack_rd_be32(&r);
    synack_ip4 dst = synack_rd_be32(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    if ((ver_ihl >> 4) != 4)
        return SYNACK_WIRE_BAD_VERSION;
    size_t hl = (size_t)(ver_ihl & 0x0f) * 4;
    if (hl < SYNACK_IP4_HDR_LEN || len < hl + 8)
        return SYNACK_WIRE_BAD_HDR_LEN;
    out->src = synack_addr_from_ip4(src);
    out->dst = synack_addr_from_ip4(dst);
    out->frag_off = (uint16_t)((frag & IP4_FRAG_MASK) * 8);
    out->l4 = buf + hl;
    out->l4len = len - hl;
    return (int)hl;
}
