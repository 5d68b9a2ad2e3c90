/*
 * Selective acknowledgments.
 *
 * RFC 2018: SACK blocks received are merged into a scoreboard of SACKed
 *   ranges above snd_una (section 5; blocks outside (SND.UNA, SND.MAX] are
 *   ignored; a D-SACK block (RFC 2883) adds nothing here and is read by
 *   RACK in tcp_rack.c); SACK blocks sent report the receiver's
 *   out-of-order ranges, the one holding the most recently received
 *   segment first (section 4), after a D-SACK block for a duplicate just
 *   received (RFC 2883 section 4: once, first).
 * RFC 6675: IsLost(), SetPipe() and NextSeg() rules (1), (3) and (4) over the
 *   scoreboard, holes between SACKed blocks being the candidate losses.
 *   Within a hole every octet has the same SACKed data above it, so the
 *   rules are evaluated per hole rather than per octet.
 * The scoreboard is allocated on the first SACK block and bounded by
 * SYNACK_TCP_SB_MAX blocks; a block that does not fit is ignored (SACK
 * information is advisory: RFC 2018 section 8).
 */
#include "tcp/tcp_tcb.h"

static void sb_recount(synack_tcp_sb *sb)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < sb->n; i++)
        sum += sb->b[i].right - sb->b[i].left;
    sb->sacked = sum;
}

/* Insert [l, r), merging with overlapping or adjacent blocks. */
static void sb_insert(synack_tcp_sb *sb, uint32_t l, uint32_t r)
{
    uint32_t i = 0;
    while (i < sb->n && synack_seq_lt(sb->b[i].right, l))
        i++;
    uint32_t j = i;
    uint32_t nl = l, nr = r;
    while (j < sb->n && synack_seq_le(sb->b[j].left, nr)) {
        nl = synack_seq_min(nl, sb->b[j].left);
        nr = synack_seq_max(nr, sb->b[j].right);
        j++;
    }
    uint32_t merged = j - i;
    if (merged == 0) {
        if (sb->n >= SYNACK_TCP_SB_MAX)
            return;
        memmove(&sb->b[i + 1], &sb->b[i], (sb->n - i) * sizeof sb->b[0]);
        sb->n++;
    } else if (merged > 1) {
        memmove(&sb->b[i + 1], &sb->b[j], (sb->n - j) * sizeof sb->b[0]);
        sb->n -= merged - 1;
    }
    sb->b[i].left = nl;
    sb->b[i].right = nr;
}

uint32_t synack_tcp_sb_update(synack_stack *s, synack_tcb *t,
                              const synack_tcp_repr *seg)
{
    if (!(t->fl & SYNACK_TF_SACK) || seg->sack_count == 0)
        return 0;
    if (!synack_tcb_sb(t)) {
        synack_tcp_cold *c = synack_tcb_cold(s, t);
        if (!c)
            return 0;
        c->sb = synack_mem_alloc(s, sizeof *c->sb);
        if (!c->sb)
            return 0;
    }
    synack_tcp_sb *sb = synack_tcb_sb(t);
    uint32_t before = sb->sacked;
    for (uint8_t k = 0; k < seg->sack_count && k < SYNACK_TCP_MAX_SACK; k++) {
        uint32_t l = seg->sack[k].left, r = seg->sack[k].right;
        /* RFC 2018 section 5: only blocks inside (SND.UNA, SND.MAX] */
        if (!synack_seq_lt(l, r) || synack_seq_le(r, t->snd_una) ||
            synack_seq_gt(r, t->snd_max))
            continue;
        if (synack_seq_lt(l, t->snd_una))
            l = t->snd_una;
        sb_insert(sb, l, r);
    }
    sb_recount(sb);
    return sb->sacked > before ? sb->sacked - before : 0;
}

void synack_tcp_sb_advance(synack_tcb *t)
{
    synack_tcp_sb *sb = synack_tcb_sb(t);
    if (!sb || sb->n == 0)
        return;
    uint32_t i = 0;
    while (i < sb->n && synack_seq_le(sb->b[i].right, t->snd_una))
        i++;
    if (i) {
        memmove(&sb->b[0], &sb->b[i], (sb->n - i) * sizeof sb->b[0]);
        sb->n -= i;
    }
    if (sb->n && synack_seq_lt(sb->b[0].left, t->snd_una))
        sb->b[0].left = t->snd_una;
    sb_recount(sb);
}

void synack_tcp_sb_clear(synack_tcb *t)
{
    if (synack_tcb_sb(t)) {
        synack_tcb_sb(t)->n = 0;
        synack_tcb_sb(t)->sacked = 0;
    }
}

/* RFC 6675 IsLost for a hole with `blocks` blocks and `bytes` SACKed above. */
static bool hole_lost(uint32_t blocks, uint32_t bytes, uint32_t mss)
{
    return blocks >= SYNACK_TCP_DUPTHRESH ||
           bytes > (SYNACK_TCP_DUPTHRESH - 1) * mss;
}

bool synack_tcp_sb_head_lost(const synack_tcb *t)
{
    const synack_tcp_sb *sb = synack_tcb_sb(t);
    if (!sb || sb->n == 0)
        return false;
    return hole_lost(sb->n, sb->sacked, synack_tcp_maxseg(t));
}

uint32_t synack_tcp_sb_pipe(const synack_tcb *t)
{
    const synack_tcp_sb *sb = synack_tcb_sb(t);
    uint32_t mss = synack_tcp_maxseg(t);
    uint32_t pipe = 0, start = t->snd_una;
    uint32_t above_blocks = sb ? sb->n : 0;
    uint32_t above_bytes = sb ? sb->sacked : 0;
    for (uint32_t i = 0; sb && i < sb->n; i++) {
        uint32_t left = sb->b[i].left;
        if (synack_seq_gt(left, start)) {
            uint32_t hole = left - start;
            uint32_t rx = 0;
            if (synack_seq_gt(t->high_rxt, start)) {
                rx = t->high_rxt - start;
                if (rx > hole)
                    rx = hole;
            }
            if (!hole_lost(above_blocks, above_bytes, mss))
                pipe += hole;
            pipe += rx;
        }
        above_blocks--;
        above_bytes -= sb->b[i].right - left;
        start = synack_seq_max(start, sb->b[i].right);
    }
    if (synack_seq_gt(t->snd_max, start))
        pipe += t->snd_max - start;
    return pipe;
}

bool synack_tcp_sb_next_hole(const synack_tcb *t, uint32_t maxseg, bool rescue,
                             uint32_t *seq, uint32_t *len)
{
    const synack_tcp_sb *sb = synack_tcb_sb(t);
    if (!sb)
        return false;
    uint32_t mss = synack_tcp_maxseg(t);
    uint32_t start = t->snd_una;
    uint32_t above_blocks = sb->n, above_bytes = sb->sacked;
    for (uint32_t i = 0; i < sb->n; i++) {
        uint32_t left = sb->b[i].left;
        if (synack_seq_gt(left, start) &&
            (rescue || hole_lost(above_blocks, above_bytes, mss))) {
            uint32_t from = synack_seq_max(start, t->high_rxt);
            if (synack_seq_lt(from, left)) {
                uint32_t n = left - from;
                *seq = from;
                *len = n < maxseg ? n : maxseg;
                return true;
            }
        }
        above_blocks--;
        above_bytes -= sb->b[i].right - left;
        start = synack_seq_max(start, sb->b[i].right);
    }
    return false;
}

bool synack_tcp_sb_rescue(const synack_tcb *t, uint32_t maxseg, uint32_t *seq,
                          uint32_t *len)
{
    /* walk down from snd_max over SACKed blocks that reach the top */
    const synack_tcp_sb *sb = synack_tcb_sb(t);
    uint32_t top = t->snd_max, floor = t->snd_una;
    uint32_t i = sb ? sb->n : 0;
    while (i > 0 && synack_seq_ge(sb->b[i - 1].right, top)) {
        top = synack_seq_min(top, sb->b[i - 1].left);
        i--;
    }
    if (i > 0)
        floor = synack_seq_max(floor, sb->b[i - 1].right);
    if (!synack_seq_gt(top, floor))
        return false;
    /* the FIN takes no payload room: the segment is the last data octets
       (the resend adds the FIN) */
    if ((t->fl & SYNACK_TF_FIN_SENT) && top == t->snd_fin + 1)
        top = t->snd_fin;
    uint32_t n = top - floor < maxseg ? top - floor : maxseg;
    *seq = top - n;
    *len = n;
    return true;
}

uint32_t synack_tcp_sb_skip(const synack_tcb *t, uint32_t seq)
{
    const synack_tcp_sb *sb = synack_tcb_sb(t);
    for (uint32_t i = 0; sb && i < sb->n; i++) {
        if (synack_seq_lt(seq, sb->b[i].left))
            break;
        if (synack_seq_lt(seq, sb->b[i].right))
            return sb->b[i].right;
    }
    return seq;
}

/* ---- blocks we send -------------------------------------------------------- */

void synack_tcp_dsack_note(synack_stack *s, synack_tcb *t, uint32_t l, uint32_t r)
{
    if (!(t->fl & SYNACK_TF_SACK) || !synack_seq_lt(l, r))
        return;
    synack_tcp_cold *c = synack_tcb_cold(s, t);
    if (!c)
        return; /* no memory: the duplicate goes unreported (advisory) */
    c->dsack_l = l;
    c->dsack_r = r;
    t->fl |= SYNACK_TF_DSACK;
}

bool synack_tcp_ooo_holds(const synack_tcb *t, uint32_t off, uint32_t len)
{
    const synack_assembler *a = &t->ooo;
    for (uint32_t i = 0; i < a->count; i++)
        if (a->ranges[i].start <= off && off + len <= a->ranges[i].end)
            return true;
    return false;
}

void synack_tcp_sack_note(synack_stack *s, synack_tcb *t, uint32_t seq)
{
    synack_tcp_cold *c = synack_tcb_cold(s, t);
    if (!c)
        return; /* no memory: blocks go out in sequence order */
    uint32_t n = c->sack_recent_n < 4 ? c->sack_recent_n : 3;
    memmove(&c->sack_recent[1], &c->sack_recent[0], n * sizeof c->sack_recent[0]);
    c->sack_recent[0] = seq;
    c->sack_recent_n = (uint16_t)(n + 1);
}

static bool add_block(synack_sack_block *out, uint8_t *n, uint32_t l, uint32_t r)
{
    for (uint8_t i = 0; i < *n; i++)
        if (out[i].left == l)
            return false;
    out[*n].left = l;
    out[*n].right = r;
    (*n)++;
    return true;
}

uint8_t synack_tcp_sack_blocks(const synack_tcb *t, synack_sack_block *out,
                               uint8_t max)
{
    const synack_assembler *a = &t->ooo;
    uint8_t n = 0;
    const synack_tcp_cold *c = t->cold;
    for (uint32_t k = 0; c && k < c->sack_recent_n && n < max; k++) {
        uint32_t off = c->sack_recent[k] - t->rcv_nxt;
        if (synack_seq_lt(c->sack_recent[k], t->rcv_nxt))
            continue;
        for (uint32_t i = 0; i < a->count; i++) {
            if (a->ranges[i].start <= off && off < a->ranges[i].end) {
                add_block(out, &n, t->rcv_nxt + a->ranges[i].start,
                          t->rcv_nxt + a->ranges[i].end);
                break;
            }
        }
    }
    for (uint32_t i = a->count; i > 0 && n < max; i--)
        add_block(out, &n, t->rcv_nxt + a->ranges[i - 1].start,
                  t->rcv_nxt + a->ranges[i - 1].end);
    return n;
}
