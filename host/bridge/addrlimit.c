/*
 * Per-address limits. The table is searched linearly: it holds at most a
 * few thousand entries and is touched once per connection, never per
 * frame. A new address takes a free slot, or else the slot of an address
 * with no open connection that connected least recently (its rate history
 * is forgotten; an attacker with many addresses gains nothing from that it
 * did not have already).
 */
#include "addrlimit.h"

#include <string.h>

static const uint8_t v4_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

void synack_br_addr_from4(synack_br_addr *a, const uint8_t ip[4])
{
    memcpy(a->b, v4_prefix, 12);
    memcpy(a->b + 12, ip, 4);
}

void synack_br_addr_from6(synack_br_addr *a, const uint8_t ip[16])
{
    memcpy(a->b, ip, 16);
}

bool synack_br_addr_is_loopback(const synack_br_addr *a)
{
    static const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                        0, 0, 0, 0, 0, 0, 0, 1};
    if (memcmp(a->b, v4_prefix, 12) == 0)
        return a->b[12] == 127;
    return memcmp(a->b, v6_loop, 16) == 0;
}

void synack_br_addrlimit_init(synack_br_addrlimit *l, synack_br_addr_entry *slots,
                              uint32_t size, uint32_t max_conns, uint64_t rate,
                              uint64_t burst)
{
    memset(l, 0, sizeof(*l));
    memset(slots, 0, sizeof(*slots) * size);
    l->v = slots;
    l->size = size;
    l->max_conns = max_conns;
    l->rate = rate;
    l->burst = burst ? burst : 1;
}

static synack_br_addr_entry *find(synack_br_addrlimit *l, const synack_br_addr *a)
{
    for (uint32_t i = 0; i < l->size; i++) {
        if (l->v[i].used && memcmp(l->v[i].addr.b, a->b, 16) == 0)
            return &l->v[i];
    }
    return NULL;
}

static synack_br_addr_entry *take_slot(synack_br_addrlimit *l)
{
    synack_br_addr_entry *oldest = NULL;
    for (uint32_t i = 0; i < l->size; i++) {
        synack_br_addr_entry *e = &l->v[i];
        if (!e->used)
            return e;
        if (e->conns == 0 && (oldest == NULL || e->last < oldest->last))
            oldest = e;
    }
    return oldest;
}

synack_br_addr_verdict synack_br_addrlimit_admit(synack_br_addrlimit *l,
                                                 const synack_br_addr *a,
                                                 uint64_t now)
{
    synack_br_addr_entry *e = find(l, a);
    if (e == NULL) {
        e = take_slot(l);
        if (e == NULL) {
            l->refused_table++;
            return SYNACK_BR_ADDR_TABLE_FULL;
        }
        memset(e, 0, sizeof(*e));
        e->used = true;
        e->addr = *a;
        synack_br_bucket_init(&e->rate, l->rate, l->burst, now);
    }
    e->last = now;
    if (l->max_conns != 0 && e->conns >= l->max_conns) {
        l->refused_conns++;
        return SYNACK_BR_ADDR_TOO_MANY;
    }
    if (!synack_br_bucket_take(&e->rate, 1, now)) {
        l->refused_rate++;
        return SYNACK_BR_ADDR_TOO_FAST;
    }
    e->conns++;
    return SYNACK_BR_ADDR_OK;
}

void synack_br_addrlimit_release(synack_br_addrlimit *l, const synack_br_addr *a)
{
    synack_br_addr_entry *e = find(l, a);
    if (e != NULL && e->conns > 0)
        e->conns--;
}
