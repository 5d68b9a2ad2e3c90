/*
 * MLDv2: STUB until the ndp work replaces this file (see mld.h). Joins
 * nothing, reports nothing.
 */
#include "ipv6/mld.h"
#include "net/stack.h"

int synack_mld_init(synack_stack *s)
{
    (void)s;
    return SYNACK_OK;
}

void synack_mld_fini(synack_stack *s)
{
    (void)s;
}

void synack_mld_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                      const uint8_t *msg, size_t len)
{
    (void)now;
    (void)m;
    (void)msg;
    (void)len;
    synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
}

bool synack_mld_listening(const synack_stack *s, const synack_addr *group)
{
    (void)s;
    (void)group;
    return false;
}

void synack_mld_poll(synack_stack *s, uint64_t now)
{
    (void)s;
    (void)now;
}

uint64_t synack_mld_poll_at(const synack_stack *s)
{
    (void)s;
    return UINT64_MAX;
}
