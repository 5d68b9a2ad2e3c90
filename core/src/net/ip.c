/*
 * The transports' view of the network layer: one switch on the address
 * family in front of each family's layer (ipv4/, ipv6/).
 */
#include "net/ip.h"
#include "ipv4/ipv4.h"
#include "ipv6/ipv6.h"
#include "net/stack.h"

int synack_ip_route(const synack_stack *s, const synack_addr *dst,
                    synack_addr *src)
{
    if (dst->family == SYNACK_AF_IP6) {
        if (!s->cfg.ipv6.enable)
            return SYNACK_ERR_UNREACHABLE;
        return synack_ipv6_route(s, dst, src, NULL);
    }
    if (dst->family != SYNACK_AF_IP4)
        return SYNACK_ERR_UNREACHABLE;
    synack_ip4 src4;
    int rc = synack_ipv4_route(s, synack_addr4_get(dst), &src4, NULL);
    if (rc == 0 && src != NULL)
        *src = synack_addr4(src4);
    return rc;
}

uint8_t *synack_ip_tx_buf(synack_stack *s, uint8_t family, size_t *cap)
{
    if (family == SYNACK_AF_IP6)
        return synack_ipv6_tx_buf(s, cap);
    return synack_ipv4_tx_buf(s, cap);
}

int synack_ip_send(synack_stack *s, uint64_t now, const synack_addr *dst,
                   uint8_t proto, size_t l4len, const synack_ip_tx *tx)
{
    if (dst->family == SYNACK_AF_IP4)
        return synack_ipv4_send(s, now, synack_addr4_get(dst), proto, l4len, tx);
    if (dst->family == SYNACK_AF_IP6 && s->cfg.ipv6.enable)
        return synack_ipv6_send(s, now, dst, proto, l4len, tx);
    return SYNACK_ERR_UNREACHABLE;
}

uint32_t synack_ip_mtu_payload(const synack_stack *s, uint8_t family)
{
    if (family == SYNACK_AF_IP6)
        return synack_ipv6_mtu_payload(s);
    return synack_ipv4_mtu_payload(s);
}

uint32_t synack_ip_path_payload(const synack_stack *s, const synack_addr *dst)
{
    if (dst->family == SYNACK_AF_IP6)
        return synack_ipv6_path_mtu(s, dst) - SYNACK_IP6_HDR_LEN;
    return synack_ipv4_mtu_payload(s);
}
