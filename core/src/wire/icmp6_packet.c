/*
 * ICMPv6 messages (RFC 4443 section 2.1): type, code, checksum, four
 * type-specific bytes (identifier and sequence number for echo, section
 * 4; MTU for Packet Too Big, section 3.2; pointer for Parameter Problem,
 * section 3.4) and the body. The checksum covers the IPv6 pseudo-header
 * (section 2.3), given as its sum.
 */
#include <string.h>

#include "wire/wire.h"

static bool icmp6_is_echo(uint8_t type)
{
    return type == SYNACK_ICMP6_ECHO_REQUEST || type == SYNACK_ICMP6_ECHO_REPLY;
}

int synack_icmp6_parse(const uint8_t *buf, size_t len, uint32_t phsum, bool verify,
                       synack_icmp_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    out->type = synack_rd_u8(&r);
    out->code = synack_rd_u8(&r);
    synack_rd_skip(&r, 2); /* checksum */
    out->rest = synack_rd_be32(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    out->id = (uint16_t)(out->rest >> 16);
    out->seq = (uint16_t)out->rest;
    out->payload = buf + SYNACK_ICMP_HDR_LEN;
    out->payload_len = len - SYNACK_ICMP_HDR_LEN;

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
    return SYNACK_ICMP_HDR_LEN;
}

size_t synack_icmp6_emit(const synack_icmp_repr *r, uint8_t *buf, uint32_t phsum)
{
    uint8_t *body = buf + SYNACK_ICMP_HDR_LEN;
    /* memmove: the payload may overlap the destination (quoted packets). */
    if (r->payload_len > 0 && r->payload != NULL && r->payload != body)
        memmove(body, r->payload, r->payload_len);
    buf[0] = r->type;
    buf[1] = r->code;
    synack_wr_be16(buf + 2, 0);
    if (icmp6_is_echo(r->type)) {
        synack_wr_be16(buf + 4, r->id);
        synack_wr_be16(buf + 6, r->seq);
    } else {
        synack_wr_be32(buf + 4, r->rest);
    }
    size_t total = SYNACK_ICMP_HDR_LEN + r->payload_len;
    uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)total);
    sum = synack_csum_add(sum, buf, total);
    synack_wr_be16(buf + 2, synack_csum_finish(sum));
    return total;
}
