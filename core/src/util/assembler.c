/*
 * Out-of-order segment bookkeeping for the TCP receive queue (RFC 9293
 * section 3.10.7.4, "seventh, process the segment text": segments beyond
 * RCV.NXT are held until the gap before them fills; RFC 2018 section 4
 * reports the held ranges as SACK blocks).
 *
 * The ranges are a sorted array of disjoint, non-adjacent [start, end)
 * pairs. Adding a range merges every range it overlaps or touches; only a
 * range that touches nothing needs a new slot, and that is refused when the
 * array is full. Arrays are small (tens of entries), so linear scans win.
 */
#include <stddef.h>

#include "util/assembler.h"

void synack_asm_init(synack_assembler *a, synack_range *storage, uint32_t max)
{
    a->ranges = storage;
    a->count = 0;
    a->max = storage != NULL ? max : 0;
}

/* Remove ranges [from, to) by shifting the tail down. */
static void asm_remove(synack_assembler *a, uint32_t from, uint32_t to)
{
    uint32_t gone = to - from;
    for (uint32_t k = to; k < a->count; k++)
        a->ranges[k - gone] = a->ranges[k];
    a->count -= gone;
}

bool synack_asm_add(synack_assembler *a, uint32_t off, uint32_t len)
{
    if (len == 0)
        return true;
    /* Saturate: offsets live in a 32-bit window, never past its end. */
    uint32_t end = len > UINT32_MAX - off ? UINT32_MAX : off + len;

    /* First range that ends at or after off (overlaps or touches it)... */
    uint32_t i = 0;
    while (i < a->count && a->ranges[i].end < off)
        i++;
    /* ...and one past the last range that starts at or before end. */
    uint32_t j = i;
    while (j < a->count && a->ranges[j].start <= end)
        j++;

    if (i == j) {
        /* Touches nothing: a new range goes in at i. */
        if (a->count >= a->max)
            return false;
        for (uint32_t k = a->count; k > i; k--)
            a->ranges[k] = a->ranges[k - 1];
        a->ranges[i].start = off;
        a->ranges[i].end = end;
        a->count++;
        return true;
    }

    /* Merge ranges i..j-1 with the new one into slot i. */
    if (a->ranges[i].start > off)
        a->ranges[i].start = off;
    a->ranges[i].end = a->ranges[j - 1].end > end ? a->ranges[j - 1].end : end;
    asm_remove(a, i + 1, j);
    return true;
}

uint32_t synack_asm_take_front(synack_assembler *a)
{
    if (a->count == 0 || a->ranges[0].start != 0)
        return 0;
    uint32_t n = a->ranges[0].end;
    asm_remove(a, 0, 1);
    for (uint32_t k = 0; k < a->count; k++) {
        a->ranges[k].start -= n;
        a->ranges[k].end -= n;
    }
    return n;
}

void synack_asm_advance(synack_assembler *a, uint32_t n)
{
    if (n == 0)
        return;
    uint32_t gone = 0;
    while (gone < a->count && a->ranges[gone].end <= n)
        gone++;
    asm_remove(a, 0, gone);
    for (uint32_t k = 0; k < a->count; k++) {
        synack_range *rg = &a->ranges[k];
        rg->start = rg->start > n ? rg->start - n : 0;
        rg->end -= n;
    }
}
