/*
 * The TCP header (RFC 9293 section 3.1): ports, sequence and acknowledgment
 * numbers, data offset, control bits, window, checksum over the IPv4
 * pseudo-header (RFC 9293 section 3.1, "Checksum") and urgent pointer.
 * Options are in tcp_options.c.
 */
#include "wire/wire.h"
#include "wire/tcp_options.h"

int synack_tcp_parse(const uint8_t *buf, size_t len, uint32_t phsum,
                     bool verify, synack_tcp_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    out->sport = synack_rd_be16(&r);
    out->dport = synack_rd_be16(&r);
    out->seq = synack_rd_be32(&r);
    out->ack = synack_rd_be32(&r);
    uint8_t doff = synack_rd_u8(&r);
    out->flags = synack_rd_u8(&r);
    out->win = synack_rd_be16(&r);
    synack_rd_skip(&r, 2); /* checksum, verified over the segment below */
    out->urg = synack_rd_be16(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;

    /* Data Offset: header length in 32-bit words, at least 5. */
    size_t hdr_len = (size_t)(doff >> 4) * 4;
    if (hdr_len < SYNACK_TCP_HDR_LEN || hdr_len > len)
        return SYNACK_WIRE_BAD_HDR_LEN;
    out->hdr_len = (uint8_t)hdr_len;
    out->payload = buf + hdr_len;
    out->payload_len = len - hdr_len;

#ifndef SYNACK_FUZZING
    if (verify) {
        uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)len);
        if (synack_csum_finish(synack_csum_add(sum, buf, len)) != 0)
            return SYNACK_WIRE_BAD_CHECKSUM;
    }
#else
    (void)verify;
    (void)phsum;
#endif

    int rc = synack_wire_tcpopts_parse(buf + SYNACK_TCP_HDR_LEN,
                                      hdr_len - SYNACK_TCP_HDR_LEN, out);
    if (rc < 0)
        return rc;
    return (int)hdr_len;
}

size_t synack_tcp_header_len(const synack_tcp_repr *r)
{
    return SYNACK_TCP_HDR_LEN + synack_wire_tcpopts_len(r);
}

size_t synack_tcp_emit(const synack_tcp_repr *r, uint8_t *buf)
{
    uint8_t *opts = buf + SYNACK_TCP_HDR_LEN;
    size_t hdr_len = SYNACK_TCP_HDR_LEN + synack_wire_tcpopts_emit(r, opts);
    synack_wr_be16(buf, r->sport);
    synack_wr_be16(buf + 2, r->dport);
    synack_wr_be32(buf + 4, r->seq);
    synack_wr_be32(buf + 8, r->ack);
    buf[12] = (uint8_t)((hdr_len / 4) << 4); /* reserved bits zero */
    buf[13] = r->flags;
    synack_wr_be16(buf + 14, r->win);
    synack_wr_be16(buf + 16, 0);
    synack_wr_be16(buf + 18, r->urg);
    return hdr_len;
}

void synack_tcp_fill_checksum(uint8_t *seg, size_t len, uint32_t phsum)
{
    synack_wr_be16(seg + 16, 0);
    uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)len);
    sum = synack_csum_add(sum, seg, len);
    synack_wr_be16(seg + 16, synack_csum_finish(sum));
}

void synack_tcp_fill_checksum_partial(uint8_t *seg, size_t len, uint32_t phsum)
{
    uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)len);
    synack_wr_be16(seg + SYNACK_TCP_CSUM_OFF, (uint16_t)~synack_csum_finish(sum));
}
