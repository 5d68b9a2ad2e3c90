/*
 * Portable link drivers: a memory pair (two stacks wired together in one
 * process), an impair wrapper (seeded loss, delay, jitter, reordering,
 * duplication, corruption and a rate limit), and a pcap writer wrapper.
 *
 * None of them has a clock: a link's send() carries no time, so each driver
 * keeps the latest time given to its *_set_time / *_poll call and stamps
 * frames with it. Call those before feeding the stacks.
 */
#ifndef SYNACK_LINKS_H
#define SYNACK_LINKS_H

#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

/* ---- memory pair ------------------------------------------------------- */

typedef struct synack_pair synack_pair;

/*
 * A virtual wire with two ends (0 and 1). Frames sent on one end are queued
 * (copied) and handed to the other end's stack by synack_pair_deliver(), so
 * a stack is never re-entered from its own send().
 */
int synack_pair_new(synack_pair **out, synack_allocator alloc, uint32_t mtu,
                    synack_medium medium);
void synack_pair_free(synack_pair *p);

/* The link of end 0 or 1 (give it to that stack's config). */
synack_link synack_pair_link(synack_pair *p, int end);

/*
 * Deliver queued frames: those sent by end 0 into stack b, by end 1 into
 * stack a (either may be NULL to discard). Frames sent during delivery are
 * delivered too, until both queues are empty or `budget` frames have moved
 * (0 = no limit). Returns the number delivered.
 */
size_t synack_pair_deliver(synack_pair *p, uint64_t now, synack_stack *a,
                           synack_stack *b, size_t budget);

/* Frames waiting in the queues. */
size_t synack_pair_pending(const synack_pair *p);

/* ---- impair ------------------------------------------------------------ */

typedef struct synack_impair_config {
    double loss;       /* probability 0..1 that a frame is lost */
    double reorder;    /* probability that a frame is held back (extra delay) */
    double duplicate;  /* probability that a frame is sent twice */
    double corrupt;    /* probability that one byte of a frame is flipped */
    uint32_t delay_ms; /* one-way delay */
    uint32_t jitter_ms;/* uniform extra delay 0..jitter (may reorder) */
    double rate_mbit;  /* 0 = unlimited; else serialization at this rate */
    uint32_t queue_bytes; /* rate-limit queue bound (tail drop); 0 = 1 MiB */
    uint64_t seed;
} synack_impair_config;

typedef struct synack_impair synack_impair;

/* Wrap `inner`: frames sent on synack_impair_link() reach inner.send later. */
int synack_impair_new(synack_impair **out, synack_allocator alloc,
                      const synack_impair_config *cfg, synack_link inner);
void synack_impair_free(synack_impair *im);

/* The impaired link (same MTU and medium as inner). */
synack_link synack_impair_link(synack_impair *im);

/* Set the clock and forward every frame whose time has come. */
void synack_impair_poll(synack_impair *im, uint64_t now);

/* Next frame's due time, UINT64_MAX when none is held. */
uint64_t synack_impair_poll_at(const synack_impair *im);

/* Counters: frames seen, lost, duplicated, corrupted, reordered, tail-dropped. */
typedef struct synack_impair_stats {
    uint64_t frames, lost, duplicated, corrupted, reordered, queue_drops;
} synack_impair_stats;
void synack_impair_get_stats(const synack_impair *im, synack_impair_stats *out);

/* ---- pcap -------------------------------------------------------------- */

typedef struct synack_pcap synack_pcap;

/* Where pcap bytes go (a file, a JS buffer...). Returns 0 or negative. */
typedef int (*synack_pcap_write_fn)(void *ctx, const void *data, size_t len);

/*
 * Wrap `inner` and record every frame sent through synack_pcap_link() and
 * every frame passed to synack_pcap_record_in() (received frames) in pcap
 * format (linktype Ethernet or raw IPv4 by medium). Writes the file header
 * at once.
 */
int synack_pcap_new(synack_pcap **out, synack_allocator alloc, synack_link inner,
                    synack_pcap_write_fn write, void *write_ctx);
void synack_pcap_free(synack_pcap *pc);
synack_link synack_pcap_link(synack_pcap *pc);
void synack_pcap_set_time(synack_pcap *pc, uint64_t now);
/* Record a received frame (call before synack_input). */
void synack_pcap_record_in(synack_pcap *pc, const uint8_t *frame, size_t len);

#endif
