/*
 * MAC learning table of the bridge (IEEE 802.1D-2004 section 7.8-7.9: the
 * filtering database, learning from source addresses, ageing).
 *
 * A fixed array of entries, open addressing with a bounded probe window:
 * an address can only live in the PROBE slots after its hash, so a lookup
 * never scans more than that, and deleting is just clearing a slot. When
 * the window is full the least recently seen entry is evicted. Pinned
 * entries (a client's own address, slirp's addresses) never age, never
 * move to another port and are never evicted. No allocation: the caller
 * gives the slot array.
 */
#ifndef SYNACK_BR_MACTABLE_H
#define SYNACK_BR_MACTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define SYNACK_BR_MAC_PROBE 16

typedef struct synack_br_mac_entry {
    uint8_t mac[6];
    bool used;
    bool pinned;
    int32_t port;
    uint64_t seen; /* ms of the last frame from this address */
} synack_br_mac_entry;

typedef struct synack_br_mactable {
    synack_br_mac_entry *slots;
    uint32_t size;   /* a power of two, >= SYNACK_BR_MAC_PROBE */
    uint64_t age_ms; /* dynamic entries older than this are ignored */
    uint64_t learned, moved, evicted;
} synack_br_mactable;

/* What synack_br_mactable_learn did. */
typedef enum synack_br_learn {
    SYNACK_BR_LEARN_NEW,     /* a new entry */
    SYNACK_BR_LEARN_REFRESH, /* same port, time updated */
    SYNACK_BR_LEARN_MOVED,   /* dynamic entry moved to this port */
    SYNACK_BR_LEARN_PINNED,  /* pinned to another port: not changed */
    SYNACK_BR_LEARN_IGNORED, /* group address: never learned */
} synack_br_learn;

/*
 * Set up a table over `slots` (size entries, a power of two of at least
 * SYNACK_BR_MAC_PROBE). Returns 0, or -1 for a bad size.
 */
int synack_br_mactable_init(synack_br_mactable *t, synack_br_mac_entry *slots,
                            uint32_t size, uint64_t age_ms);

/* The port that owns `mac` at time `now`, or -1 when unknown or aged out. */
int32_t synack_br_mactable_lookup(const synack_br_mactable *t,
                                  const uint8_t mac[6], uint64_t now);

/* Whether `mac` is pinned (to any port). */
bool synack_br_mactable_is_pinned(const synack_br_mactable *t,
                                  const uint8_t mac[6]);

/* Learn that `mac` was seen as a source on `port` at `now`. */
synack_br_learn synack_br_mactable_learn(synack_br_mactable *t,
                                         const uint8_t mac[6], int32_t port,
                                         uint64_t now);

/*
 * Pin `mac` to `port`: it never ages or moves until unpinned by
 * synack_br_mactable_flush_port. Fails (-1) when another port owns the
 * address (pinned, or dynamic and not aged out) or the group bit is set;
 * returns 0 when pinned.
 */
int synack_br_mactable_pin(synack_br_mactable *t, const uint8_t mac[6],
                           int32_t port, uint64_t now);

/* Forget every entry (pinned or not) on `port`. */
void synack_br_mactable_flush_port(synack_br_mactable *t, int32_t port);

#endif
