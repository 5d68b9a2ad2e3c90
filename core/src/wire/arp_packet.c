/*
 * ARP packets (RFC 826, "Packet format"), restricted to the one pair this
 * stack speaks: hardware Ethernet (htype 1, hlen 6) and protocol IPv4
 * (ptype 0x0800, plen 4). Anything else is UNSUPPORTED.
 */
#include <string.h>

#include "wire/wire.h"

#define ARP_HTYPE_ETHERNET 1

int synack_arp_parse(const uint8_t *buf, size_t len, synack_arp_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    uint16_t htype = synack_rd_be16(&r);
    uint16_t ptype = synack_rd_be16(&r);
    uint8_t hlen = synack_rd_u8(&r);
    uint8_t plen = synack_rd_u8(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    /* The fixed part says which address sizes follow: check it first. */
    if (htype != ARP_HTYPE_ETHERNET || ptype != SYNACK_ETHERTYPE_IPV4 ||
        hlen != 6 || plen != 4)
        return SYNACK_WIRE_UNSUPPORTED;
    out->op = synack_rd_be16(&r);
    synack_rd_bytes(&r, out->sha.b, 6);
    out->spa = synack_rd_be32(&r);
    synack_rd_bytes(&r, out->tha.b, 6);
    out->tpa = synack_rd_be32(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    return SYNACK_ARP_LEN;
}

size_t synack_arp_emit(const synack_arp_repr *r, uint8_t *buf)
{
    synack_wr_be16(buf, ARP_HTYPE_ETHERNET);
    synack_wr_be16(buf + 2, SYNACK_ETHERTYPE_IPV4);
    buf[4] = 6;
    buf[5] = 4;
    synack_wr_be16(buf + 6, r->op);
    memcpy(buf + 8, r->sha.b, 6);
    synack_wr_be32(buf + 14, r->spa);
    memcpy(buf + 18, r->tha.b, 6);
    synack_wr_be32(buf + 24, r->tpa);
    return SYNACK_ARP_LEN;
}
