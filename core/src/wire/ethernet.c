/*
 * Ethernet II framing (IEEE 802.3 clause 3.2.6 "Ethernet II" / DIX):
 * destination MAC, source MAC, EtherType. The FCS is the link's business.
 */
#include <string.h>

#include "wire/wire.h"

int synack_eth_parse(const uint8_t *buf, size_t len, synack_eth_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    synack_rd_bytes(&r, out->dst.b, 6);
    synack_rd_bytes(&r, out->src.b, 6);
    out->ethertype = synack_rd_be16(&r);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    return SYNACK_ETH_HDR_LEN;
}

size_t synack_eth_emit(const synack_eth_repr *r, uint8_t *buf)
{
    memcpy(buf, r->dst.b, 6);
    memcpy(buf + 6, r->src.b, 6);
    synack_wr_be16(buf + 12, r->ethertype);
    return SYNACK_ETH_HDR_LEN;
}

bool synack_mac_is_broadcast(const synack_mac *m)
{
    for (int i = 0; i < 6; i++)
        if (m->b[i] != 0xff)
            return false;
    return true;
}

bool synack_mac_is_multicast(const synack_mac *m)
{
    /* The I/G bit: least significant bit of the first octet (broadcast too). */
    return (m->b[0] & 0x01) != 0;
}

