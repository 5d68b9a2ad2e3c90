/*
 * Stable, semantically opaque interface identifiers (RFC 7217 section 5):
 *
 *   RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)
 *
 * F is SipHash-2-4 keyed with the stack's secret (the key of the ISN and
 * port hashes, util/rng.h), over a domain byte, the 64-bit prefix, the
 * interface's MAC (Net_Iface; RFC 7217 allows any stable per-interface
 * value) and the DAD counter. Network_ID is left out (optional in RFC
 * 7217). The same secret, MAC and prefix always give the same identifier;
 * another prefix, MAC, counter or secret gives an unrelated one, so the
 * address says nothing about the hardware and does not follow the host
 * from network to network.
 */
#include <string.h>

#include "ipv6/slaac_iid.h"
#include "util/rng.h"

/* RFC 5453 section 3 (and RFC 4291 2.6.1's subnet-router anycast, all
 * zeros): identifiers no address may use. */
bool synack_slaac_iid_reserved(const uint8_t iid[8])
{
    static const uint8_t zero[8] = {0};
    if (memcmp(iid, zero, 8) == 0)
        return true;
    /* 0200:5EFF:FE00:0000 - 0200:5EFF:FEFF:FFFF (reserved IPv6 IIDs
     * formed from the IANA Ethernet block, incl. proxy mobile) */
    static const uint8_t eth[5] = {0x02, 0x00, 0x5e, 0xff, 0xfe};
    if (memcmp(iid, eth, 5) == 0)
        return true;
    /* FDFF:FFFF:FFFF:FF80 - FDFF:FFFF:FFFF:FFFF (subnet anycast, RFC 2526) */
    static const uint8_t any[7] = {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (memcmp(iid, any, 7) == 0 && iid[7] >= 0x80)
        return true;
    return false;
}

int synack_slaac_iid(const uint8_t key[16], const uint8_t prefix[8], const synack_mac *mac,
                     uint8_t dad_counter, uint8_t iid[8])
{
    /* RFC 7217 5 step 3: a reserved result is skipped by counting on */
    for (unsigned c = dad_counter; c <= 255u; c++) {
        uint8_t in[1 + 8 + 6 + 1];
        in[0] = 'S';
        memcpy(in + 1, prefix, 8);
        memcpy(in + 9, mac->b, 6);
        in[15] = (uint8_t)c;
        uint64_t h = synack_siphash(key, in, sizeof in);
        for (int i = 0; i < 8; i++)
            iid[i] = (uint8_t)(h >> (56 - 8 * i));
        if (!synack_slaac_iid_reserved(iid))
            return (int)c;
    }
    return -1;
}

synack_addr synack_slaac_address(const uint8_t key[16], const synack_addr *prefix,
                                 const synack_mac *mac, uint8_t dad_counter)
{
    synack_addr a;
    memset(&a, 0, sizeof a);
    a.family = SYNACK_AF_IP6;
    memcpy(a.b, prefix->b, 8);
    if (synack_slaac_iid(key, prefix->b, mac, dad_counter, a.b + 8) < 0)
        memset(&a, 0, sizeof a);
    return a;
}
