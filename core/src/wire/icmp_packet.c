/*
 * ICMPv4 messages (RFC 792): type, code, checksum over the whole message,
 * then four type-specific bytes (identifier and sequence number for echo,
 * RFC 792 "Echo or Echo Reply Message"; unused / next-hop MTU for
 * destination unreachable, RFC 1191 section 4) and the body.
 */
#include <string.h>

#include "wire/wire.h"

static bool icmp_is_echo(uint8_t type)
{
    return type == SYNACK_ICMP_ECHO_REQUEST || type == SYNACK_ICMP_ECHO_REPLY;
}

/*
 * The layout both ICMPs share (ICMPv6 copied ICMPv4's, RFC 4443 section
 * 2.1). `sum0` starts the checksum: 0 for ICMPv4, the pseudo-header's sum
 * with the length for ICMPv6.
 */
int synack_icmp_parse_sum(const uint8_t *buf, size_t len, bool verify, uint64_t sum0,
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
    if (verify && synack_csum_finish(synack_csum_add(sum0, buf, len)) != 0)
        return SYNACK_WIRE_BAD_CHECKSUM;
#else
    (void)verify;
    (void)sum0;
#endif
    return SYNACK_ICMP_HDR_LEN;
}

size_t synack_icmp_emit_sum(const synack_icmp_repr *r, uint8_t *buf, bool echo, uint64_t sum0)
{
    uint8_t *body = buf + SYNACK_ICMP_HDR_LEN;
    /* memmove: the payload may overlap the destination (quoted packets). */
    if (r->payload_len > 0 && r->payload != NULL && r->payload != body)
        memmove(body, r->payload, r->payload_len);

    buf[0] = r->type;
    buf[1] = r->code;
    synack_wr_be16(buf + 2, 0);
    if (echo) {
        synack_wr_be16(buf + 4, r->id);
        synack_wr_be16(buf + 6, r->seq);
    } else {
        synack_wr_be32(buf + 4, r->rest);
    }
    size_t total = SYNACK_ICMP_HDR_LEN + r->payload_len;
    synack_wr_be16(buf + 2, synack_csum_finish(synack_csum_add(sum0, buf, total)));
    return total;
}

int synack_icmp_parse(const uint8_t *buf, size_t len, bool verify,
                      synack_icmp_repr *out)
{
    return synack_icmp_parse_sum(buf, len, verify, 0, out);
}

size_t synack_icmp_emit(const synack_icmp_repr *r, uint8_t *buf)
{
    return synack_icmp_emit_sum(r, buf, icmp_is_echo(r->type), 0);
}
