/*
 * UDP datagrams (RFC 768; RFC 1122 section 4.1.3.4 for the checksum rules):
 * ports, length (header + data), checksum over the pseudo-header, header
 * and data. A zero checksum field means "none was computed" on receive,
 * and a computed zero is sent as all ones.
 */
#include "wire/wire.h"

int synack_udp_parse(const uint8_t *buf, size_t len, uint32_t phsum,
                     bool verify, synack_udp_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    out->sport = synack_rd_be16(&r);
    out->dport = synack_rd_be16(&r);
    out->len = synack_rd_be16(&r);
    uint16_t csum = synack_rd_be16(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    /* The length field must cover the header and fit in what IP carried. */
    if (out->len < SYNACK_UDP_HDR_LEN || out->len > len)
        return SYNACK_WIRE_BAD_LEN;
    out->payload = buf + SYNACK_UDP_HDR_LEN;
    out->payload_len = (size_t)out->len - SYNACK_UDP_HDR_LEN;

#ifndef SYNACK_FUZZING
    if (verify && csum != 0) {
        uint64_t sum = synack_csum_pseudo_len(phsum, out->len);
        sum = synack_csum_add(sum, buf, out->len);
        if (synack_csum_finish(sum) != 0)
            return SYNACK_WIRE_BAD_CHECKSUM;
    }
#else
    (void)verify;
    (void)csum;
    (void)phsum;
#endif
    return SYNACK_UDP_HDR_LEN;
}

size_t synack_udp_emit(const synack_udp_repr *r, uint8_t *buf,
                       size_t payload_len, uint32_t phsum)
{
    size_t total = SYNACK_UDP_HDR_LEN + payload_len;
    synack_wr_be16(buf, r->sport);
    synack_wr_be16(buf + 2, r->dport);
    synack_wr_be16(buf + 4, (uint16_t)total);
    synack_wr_be16(buf + 6, 0);
    uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)total);
    uint16_t csum = synack_csum_finish(synack_csum_add(sum, buf, total));
    synack_wr_be16(buf + 6, csum == 0 ? 0xffff : csum);
    return total;
}
