/*
 * Neighbour Discovery: STUB until the ndp work replaces this file (see
 * nd.h). Routing uses the static configuration only: the prefixes of our
 * addresses are on-link, everything else goes to the static gateway.
 * No message is sent or understood.
 */
#include "ipv6/nd.h"
#include "net/stack.h"

int synack_nd_init(synack_stack *s)
{
    (void)s;
    return SYNACK_OK;
}

void synack_nd_fini(synack_stack *s)
{
    (void)s;
}

void synack_nd_start(synack_stack *s, uint64_t now)
{
    (void)s;
    (void)now;
}

void synack_nd_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                     const uint8_t *msg, size_t len)
{
    (void)now;
    (void)m;
    (void)msg;
    (void)len;
    synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
}

void synack_nd_solicit(synack_stack *s, const synack_addr *target)
{
    (void)s;
    (void)target;
}

int synack_nd_next_hop(const synack_stack *s, const synack_addr *dst,
                       synack_addr *nexthop)
{
    for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family == SYNACK_AF_IP6 && a->prefix_len < 128 &&
            synack_ip6_prefix_match(&a->addr, dst, a->prefix_len)) {
            *nexthop = *dst;
            return SYNACK_OK;
        }
    }
    if (s->ip6.gateway.family == SYNACK_AF_IP6) {
        *nexthop = s->ip6.gateway;
        return SYNACK_OK;
    }
    return SYNACK_ERR_UNREACHABLE;
}

void synack_nd_addr_added(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    (void)s;
    (void)now;
    a->state = SYNACK_IP6_PREFERRED; /* no DAD without NDP */
}

void synack_nd_addr_removed(synack_stack *s, uint64_t now, synack_ip6_ifaddr *a)
{
    (void)s;
    (void)now;
    (void)a;
}

void synack_nd_poll(synack_stack *s, uint64_t now)
{
    (void)s;
    (void)now;
}

uint64_t synack_nd_poll_at(const synack_stack *s)
{
    (void)s;
    return UINT64_MAX;
}
