/*
 * Out-of-order assembler: tracks which byte ranges past the receive point
 * have arrived, in a bounded number of holes (the RFC 9293 receive queue,
 * smoltcp's Assembler idea). Offsets are relative to the in-order point.
 * Memory is a fixed array sized at init; when a new range would need more
 * contiguous ranges than that, it is refused (the data is dropped and the
 * sender retransmits), so an attacker cannot make it grow.
 */
#ifndef SYNACK_UTIL_ASSEMBLER_H
#define SYNACK_UTIL_ASSEMBLER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct synack_range {
    uint32_t start, end; /* [start, end) relative to the in-order point */
} synack_range;

typedef struct synack_assembler {
    synack_range *ranges; /* sorted, disjoint, non-adjacent */
    uint32_t count;
    uint32_t max;
} synack_assembler;

/* Use `storage` of `max` entries. */
void synack_asm_init(synack_assembler *a, synack_range *storage, uint32_t max);

/*
 * Record that [off, off+len) has arrived. Returns true if recorded (merging
 * with neighbours as needed), false if it would exceed `max` ranges.
 */
bool synack_asm_add(synack_assembler *a, uint32_t off, uint32_t len);

/*
 * If a range starts at offset 0, remove it, shift the remaining ranges down
 * by its length and return that length (the bytes that just became in
 * order); otherwise return 0.
 */
uint32_t synack_asm_take_front(synack_assembler *a);

/* Shift all ranges down by n (the in-order point moved by n); ranges that
 * fall below 0 are trimmed. */
void synack_asm_advance(synack_assembler *a, uint32_t n);

static inline bool synack_asm_empty(const synack_assembler *a) { return a->count == 0; }

#endif
