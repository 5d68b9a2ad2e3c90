/*
 * The transports' view of the network layer: one switch on the address
 * family in front of each family's layer (ipv4/, ipv6/).
 */
#include "net/ip.h"
#include "ipv4/ipv4.h"
#include "ipv6/ipv6.h"
#include "ipv6/nd.h"
#include "net/stack.h"
#include "ipv4/icmp.h"
#include "tcp/tcp.h"
#include "udp/udp.h"
#include "wire/wire.h"

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

int synack_route_source(const synack_stack *s, const synack_addr *dst, synack_addr *src)
{
    if (s == NULL || dst == NULL)
        return SYNACK_ERR_UNREACHABLE;
    return synack_ip_route(s, dst, src);
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

void synack_ip_confirm(synack_stack *s, uint64_t now, const synack_addr *peer)
{
    if (peer->family == SYNACK_AF_IP6)
        synack_nd_confirm(s, now, peer);
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

void synack_ip_path_raised(synack_stack *s, uint64_t now, const synack_addr *dst)
{
    (void)now;
    synack_tcp_pmtu_raised(s, dst);
}

bool synack_ip_error_up(synack_stack *s, uint64_t now,
                        const struct synack_quote_repr *q, int err, bool nexthop)
{
    synack_ip_err e = {q->src, q->dst, q->l4, q->l4len, err, nexthop};
    /* echo requests are ICMP's over IPv4 and ICMPv6's over IPv6 */
    uint8_t echo = q->src.family == SYNACK_AF_IP6 ? SYNACK_IPPROTO_ICMPV6
                                                  : SYNACK_IPPROTO_ICMP;
    if (q->proto == SYNACK_IPPROTO_TCP)
        synack_tcp_ip_error(s, now, &e);
    else if (q->proto == SYNACK_IPPROTO_UDP)
        synack_udp_error(s, &e);
    else if (q->proto == echo)
        synack_icmp_echo_error(s, &e);
    else
        return false;
    return true;
}
