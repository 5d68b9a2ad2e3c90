/*
 * MAC learning table: IEEE 802.1D-2004 section 7.8 (learning process) and
 * section 7.9.2 (dynamic filtering entries and their ageing time).
 */
#include "mactable.h"

#include <string.h>

static uint32_t mac_hash(const uint8_t mac[6])
{
    /* FNV-1a over the six octets, then a final avalanche step. */
    uint32_t h = 2166136261u;
    for (int i = 0; i < 6; i++) {
        h ^= mac[i];
        h *= 16777619u;
    }
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h;
}

static bool is_group(const uint8_t mac[6])
{
    return (mac[0] & 1) != 0; /* I/G bit: broadcast and multicast */
}

static bool entry_live(const synack_br_mactable *t,
                       const synack_br_mac_entry *e, uint64_t now)
{
    if (!e->used)
        return false;
    if (e->pinned)
        return true;
    return now < e->seen || now - e->seen < t->age_ms;
}

static synack_br_mac_entry *slot_at(const synack_br_mactable *t, uint32_t h,
                                    uint32_t i)
{
    return &t->slots[(h + i) & (t->size - 1)];
}

/* The slot holding `mac` (live or not), or NULL. */
static synack_br_mac_entry *find(const synack_br_mactable *t,
                                 const uint8_t mac[6])
{
    uint32_t h = mac_hash(mac);
    for (uint32_t i = 0; i < SYNACK_BR_MAC_PROBE; i++) {
        synack_br_mac_entry *e = slot_at(t, h, i);
        if (e->used && memcmp(e->mac, mac, 6) == 0)
            return e;
    }
    return NULL;
}

/*
 * A slot for a new address: a free or aged-out one in the window, else the
 * least recently seen dynamic entry (evicted). NULL when all are pinned.
 */
static synack_br_mac_entry *claim(synack_br_mactable *t, const uint8_t mac[6],
                                  uint64_t now)
{
    uint32_t h = mac_hash(mac);
    synack_br_mac_entry *oldest = NULL;
    for (uint32_t i = 0; i < SYNACK_BR_MAC_PROBE; i++) {
        synack_br_mac_entry *e = slot_at(t, h, i);
        if (!entry_live(t, e, now))
            return e;
        if (!e->pinned && (oldest == NULL || e->seen < oldest->seen))
            oldest = e;
    }
    if (oldest != NULL)
        t->evicted++;
    return oldest;
}

int synack_br_mactable_init(synack_br_mactable *t, synack_br_mac_entry *slots,
                            uint32_t size, uint64_t age_ms)
{
    if (size < SYNACK_BR_MAC_PROBE || (size & (size - 1)) != 0)
        return -1;
    memset(t, 0, sizeof(*t));
    memset(slots, 0, sizeof(*slots) * size);
    t->slots = slots;
    t->size = size;
    t->age_ms = age_ms;
    return 0;
}

int32_t synack_br_mactable_lookup(const synack_br_mactable *t,
                                  const uint8_t mac[6], uint64_t now)
{
    const synack_br_mac_entry *e = find(t, mac);
    if (e == NULL || !entry_live(t, e, now))
        return -1;
    return e->port;
}

bool synack_br_mactable_is_pinned(const synack_br_mactable *t,
                                  const uint8_t mac[6])
{
    const synack_br_mac_entry *e = find(t, mac);
    return e != NULL && e->pinned;
}

synack_br_learn synack_br_mactable_learn(synack_br_mactable *t,
                                         const uint8_t mac[6], int32_t port,
                                         uint64_t now)
{
    if (is_group(mac))
        return SYNACK_BR_LEARN_IGNORED;
    synack_br_mac_entry *e = find(t, mac);
    if (e != NULL) {
        if (e->pinned && e->port != port)
            return SYNACK_BR_LEARN_PINNED;
        bool was_live = entry_live(t, e, now);
        bool moved = was_live && e->port != port;
        e->port = port;
        e->seen = now;
        if (moved) {
            t->moved++;
            return SYNACK_BR_LEARN_MOVED;
        }
        if (!was_live)
            t->learned++;
        return was_live ? SYNACK_BR_LEARN_REFRESH : SYNACK_BR_LEARN_NEW;
    }
    e = claim(t, mac, now);
    if (e == NULL)
        return SYNACK_BR_LEARN_IGNORED; /* window full of pinned entries */
    memcpy(e->mac, mac, 6);
    e->used = true;
    e->pinned = false;
    e->port = port;
    e->seen = now;
    t->learned++;
    return SYNACK_BR_LEARN_NEW;
}

int synack_br_mactable_pin(synack_br_mactable *t, const uint8_t mac[6],
                           int32_t port, uint64_t now)
{
    if (is_group(mac))
        return -1;
    synack_br_mac_entry *e = find(t, mac);
    if (e != NULL && entry_live(t, e, now) && e->port != port)
        return -1;
    if (e == NULL)
        e = claim(t, mac, now);
    if (e == NULL)
        return -1;
    memcpy(e->mac, mac, 6);
    e->used = true;
    e->pinned = true;
    e->port = port;
    e->seen = now;
    return 0;
}

void synack_br_mactable_flush_port(synack_br_mactable *t, int32_t port)
{
    for (uint32_t i = 0; i < t->size; i++) {
        if (t->slots[i].used && t->slots[i].port == port)
            memset(&t->slots[i], 0, sizeof(t->slots[i]));
    }
}
