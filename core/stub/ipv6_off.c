/*
 * The IPv6 layer compiled out (CMake -DSYNACK_IPV6=OFF): the entry points
 * the rest of the core and the public API call into core/src/ipv6/, with
 * the behaviour of a stack that has no IPv6. Every IPv6 destination is
 * unreachable, received IPv6 packets are dropped, no address can be
 * configured. One file instead of #if's in the transports: they go through
 * net/ip.c's family switch, which lands here.
 */
#include <stdint.h>

#include "ipv6/ipv6.h"
#include "ipv6/icmp6.h"
#include "ipv6/nd.h"
#include "ipv6/mld.h"
#include "ipv4/ipv4.h"
#include "net/stack.h"

bool synack_ipv6_built(void)
{
    return false;
}

/* Public API: no IPv6 address or gateway can be set; none is reported. */
int synack_add_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr,
                    uint8_t prefix_len)
{
    (void)s, (void)now, (void)addr, (void)prefix_len;
    return SYNACK_ERR_INVAL;
}

int synack_del_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr)
{
    (void)s, (void)now, (void)addr;
    return SYNACK_ERR_NOTFOUND;
}

int synack_set_gateway6(synack_stack *s, uint64_t now, const synack_addr *gw)
{
    (void)s, (void)now;
    return gw == NULL || gw->family == 0 ? 0 : SYNACK_ERR_INVAL;
}

synack_addr synack_get_gateway6(const synack_stack *s)
{
    (void)s;
    synack_addr none = {0};
    return none;
}

size_t synack_get_ipv6(const synack_stack *s, synack_ip6_addr_info *out,
                       size_t max)
{
    (void)s, (void)out, (void)max;
    return 0;
}

/* Stack life cycle and timers: nothing to set up, nothing ever due. */
int synack_ipv6_init(synack_stack *s) { (void)s; return 0; }
void synack_ipv6_fini(synack_stack *s) { (void)s; }
int synack_nd_init(synack_stack *s) { (void)s; return 0; }
void synack_nd_fini(synack_stack *s) { (void)s; }
int synack_mld_init(synack_stack *s) { (void)s; return 0; }
void synack_mld_fini(synack_stack *s) { (void)s; }
void synack_nd_start(synack_stack *s, uint64_t now) { (void)s, (void)now; }
void synack_ipv6_poll(synack_stack *s, uint64_t now) { (void)s, (void)now; }
void synack_nd_poll(synack_stack *s, uint64_t now) { (void)s, (void)now; }
void synack_mld_poll(synack_stack *s, uint64_t now) { (void)s, (void)now; }
uint64_t synack_ipv6_poll_at(const synack_stack *s) { (void)s; return UINT64_MAX; }
uint64_t synack_nd_poll_at(const synack_stack *s) { (void)s; return UINT64_MAX; }
uint64_t synack_mld_poll_at(const synack_stack *s) { (void)s; return UINT64_MAX; }

/* Received IPv6 (EtherType 0x86DD) is dropped unread. */
void synack_ipv6_input(synack_stack *s, uint64_t now, const uint8_t *pkt,
                       size_t len, bool link_mcast)
{
    (void)s, (void)now, (void)pkt, (void)len, (void)link_mcast;
}

/* Output: no route to any IPv6 destination (net/ip.c asks this first). */
int synack_ipv6_route(const synack_stack *s, const synack_addr *dst,
                      synack_addr *src, synack_addr *nexthop)
{
    (void)s, (void)dst, (void)src, (void)nexthop;
    return SYNACK_ERR_UNREACHABLE;
}

int synack_ipv6_send(synack_stack *s, uint64_t now, const synack_addr *dst,
                     uint8_t proto, size_t l4len, const synack_ip_tx *tx)
{
    (void)s, (void)now, (void)dst, (void)proto, (void)l4len, (void)tx;
    return SYNACK_ERR_UNREACHABLE;
}

int synack_icmp6_echo_send(synack_stack *s, uint64_t now, uint16_t ident,
                           const synack_addr *dst, uint16_t seq,
                           const void *payload, size_t len)
{
    (void)s, (void)now, (void)ident, (void)dst, (void)seq, (void)payload, (void)len;
    return SYNACK_ERR_UNREACHABLE;
}

/* A buffer is still handed out (the send that follows fails): IPv4's. */
uint8_t *synack_ipv6_tx_buf(synack_stack *s, size_t *cap)
{
    return synack_ipv4_tx_buf(s, cap);
}

uint32_t synack_ipv6_mtu_payload(const synack_stack *s)
{
    return synack_ipv4_mtu_payload(s) - 20;
}

uint32_t synack_ipv6_path_mtu(const synack_stack *s, const synack_addr *dst)
{
    (void)s, (void)dst;
    return 1280;
}

/* The neighbour cache never holds an IPv6 entry; defaults for its timers. */
void synack_ipv6_neigh_send(synack_stack *s, const synack_mac *dst,
                            uint8_t *frame, size_t len, const synack_gso *gso)
{
    (void)s, (void)dst, (void)frame, (void)len, (void)gso;
}

void synack_ipv6_neigh_failed(synack_stack *s, const uint8_t *pkt, size_t len)
{
    (void)s, (void)pkt, (void)len;
}

void synack_nd_solicit(synack_stack *s, const synack_addr *target) { (void)s, (void)target; }
void synack_nd_confirm(synack_stack *s, uint64_t now, const synack_addr *peer) { (void)s, (void)now, (void)peer; }
void synack_nd_neigh_gone(synack_stack *s, uint64_t now, const synack_addr *addr) { (void)s, (void)now, (void)addr; }
uint32_t synack_nd_reachable_ms(const synack_stack *s) { (void)s; return 30000; }
uint32_t synack_nd_retrans_ms(const synack_stack *s) { (void)s; return 1000; }
