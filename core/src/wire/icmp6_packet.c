/*
 * ICMPv6 messages (RFC 4443 section 2.1): type, code, checksum, four
 * type-specific bytes (identifier and sequence number for echo, section
 * 4; MTU for Packet Too Big, section 3.2; pointer for Parameter Problem,
 * section 3.4) and the body. The checksum covers the IPv6 pseudo-header
 * (section 2.3), given as its sum.
 */
#include "wire/wire.h"

static bool icmp6_is_echo(uint8_t type)
{
    return type == SYNACK_ICMP6_ECHO_REQUEST || type == SYNACK_ICMP6_ECHO_REPLY;
}

int synack_icmp6_parse(const uint8_t *buf, size_t len, uint32_t phsum, bool verify,
                       synack_icmp_repr *out)
{
    return synack_icmp_parse_sum(buf, len, verify, synack_csum_pseudo_len(phsum, (uint32_t)len),
                                 out);
}

size_t synack_icmp6_emit(const synack_icmp_repr *r, uint8_t *buf, uint32_t phsum)
{
    uint32_t total = (uint32_t)(SYNACK_ICMP_HDR_LEN + r->payload_len);
    return synack_icmp_emit_sum(r, buf, icmp6_is_echo(r->type),
                                synack_csum_pseudo_len(phsum, total));
}
