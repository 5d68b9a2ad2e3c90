/*
 * IPv6 reassembly (RFC 8200 section 4.5), hardened:
 *   - memory comes from the allocator hook, capped at cfg.reasm_max_bytes
 *     for all datagrams together (apart from IPv4's), at most
 *     cfg.reasm_max_sets datagrams and REASM6_MAX_FRAGS fragments each;
 *   - any overlap, an exact duplicate included, drops the whole set and
 *     every later fragment of it until it expires (RFC 5722);
 *   - a non-last fragment whose length is not a multiple of 8, and a
 *     fragment reaching past 65535 bytes, are answered with Parameter
 *     Problem code 0 (RFC 8200 4.5);
 *   - the first fragment must hold the whole header chain up to the upper
 *     layer header (RFC 7112), else the set is dropped;
 *   - an incomplete set expires cfg.reasm_timeout_ms after its first
 *     fragment; if the first fragment came, ICMPv6 Time Exceeded code 1
 *     goes back (RFC 8200 4.5), rate-limited as every error.
 * Atomic fragments never come here (ipv6.c, RFC 6946).
 */
#include <string.h>

#include "ipv6/icmp6.h"
#include "ipv6/ipv6.h"
#include "net/addr.h"
#include "net/stack.h"

#define REASM6_MAX_FRAGS 64
#define REASM6_QUOTE 1232 /* first fragment kept for Time Exceeded */

typedef struct frag6 {
    uint16_t off, len;
    uint8_t *data;
} frag6;

struct synack_reasm6_set {
    bool used;
    bool dead;               /* overlapped: later fragments dropped */
    bool have_last;
    synack_ip6_meta m;
    uint32_t id;
    uint64_t deadline;
    uint32_t total;          /* data length, once the last fragment came */
    uint8_t proto;           /* Next Header of the Fragment header */
    uint32_t next_at;        /* its offset in the packet */
    uint8_t *first;          /* the first fragment's unfragmentable part +
                                its start, for delivery and the quote */
    uint16_t unfrag_len;     /* its unfragmentable part */
    uint16_t first_len;
    uint32_t nfrags;
    frag6 frags[REASM6_MAX_FRAGS];
};

int synack_reasm6_init(synack_stack *s)
{
    s->ip6.sets = synack_mem_alloc(s, sizeof *s->ip6.sets * s->cfg.reasm_max_sets);
    s->ip6.reasm_bytes = 0;
    return s->ip6.sets == NULL ? SYNACK_ERR_NOMEM : SYNACK_OK;
}

static void set_free(synack_stack *s, synack_reasm6_set *set)
{
    for (uint32_t i = 0; i < set->nfrags; i++) {
        synack_mem_free(s, set->frags[i].data, set->frags[i].len);
        s->ip6.reasm_bytes -= set->frags[i].len;
    }
    if (set->first != NULL) {
        synack_mem_free(s, set->first, set->first_len);
        s->ip6.reasm_bytes -= set->first_len;
    }
    memset(set, 0, sizeof *set);
}

void synack_reasm6_fini(synack_stack *s)
{
    if (s->ip6.sets == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++)
        if (s->ip6.sets[i].used)
            set_free(s, &s->ip6.sets[i]);
    synack_mem_free(s, s->ip6.sets, sizeof *s->ip6.sets * s->cfg.reasm_max_sets);
    s->ip6.sets = NULL;
}

static void *take(synack_stack *s, size_t n)
{
    if (n == 0 || s->ip6.reasm_bytes + n > s->cfg.reasm_max_bytes)
        return NULL;
    void *p = synack_mem_alloc_raw(s, n);
    if (p != NULL)
        s->ip6.reasm_bytes += (uint32_t)n;
    return p;
}

/* Kill a set: its memory goes, the slot stays (dead) until it expires so
 * that the rest of its fragments are dropped too (RFC 5722). */
static void set_kill(synack_stack *s, synack_reasm6_set *set, synack_drop why)
{
    synack_count_drop(s, why);
    synack_ip6_meta m = set->m;
    uint32_t id = set->id;
    uint64_t deadline = set->deadline;
    set_free(s, set);
    set->used = true;
    set->dead = true;
    set->m = m;
    set->id = id;
    set->deadline = deadline;
}

static bool complete(const synack_reasm6_set *set)
{
    if (!set->have_last || set->first == NULL)
        return false;
    uint32_t have = 0;
    for (uint32_t i = 0; i < set->nfrags; i++)
        have += set->frags[i].len;
    return have == set->total; /* disjoint, so the sum says it */
}

static void finish(synack_stack *s, uint64_t now, synack_reasm6_set *set)
{
    size_t len = (size_t)set->unfrag_len + set->total;
    uint8_t *buf = take(s, len);
    if (buf == NULL) {
        set_kill(s, set, SYNACK_DROP_IPV6_FRAG_NOMEM);
        return;
    }
    memcpy(buf, set->first, set->unfrag_len);
    for (uint32_t i = 0; i < set->nfrags; i++)
        memcpy(buf + set->unfrag_len + set->frags[i].off, set->frags[i].data,
               set->frags[i].len);
    size_t plen = len - SYNACK_IP6_HDR_LEN;
    synack_wr_be16(buf + 4, (uint16_t)(plen > 65535 ? 65535 : plen));
    synack_ip6_meta m = set->m;
    uint8_t proto = set->proto;
    uint32_t next_at = set->next_at;
    size_t off = set->unfrag_len;
    set_free(s, set);
    synack_ipv6_input_reassembled(s, now, &m, buf, len, off, proto, next_at);
    synack_mem_free(s, buf, len);
    s->ip6.reasm_bytes -= (uint32_t)len;
}

void synack_reasm6_input(synack_stack *s, uint64_t now,
                         const synack_ip6_meta *m, const synack_ip6_ext *e,
                         const uint8_t *pkt, size_t len, size_t data_off)
{
    size_t dlen = len - data_off;
    uint32_t off = e->frag_off;
    /* RFC 8200 4.5: non-last fragments are multiples of 8 bytes, and no
       fragment reaches past 65535 */
    if (e->more && (dlen == 0 || dlen % 8 != 0)) {
        synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_BAD);
        synack_icmp6_send_error(s, now, SYNACK_ICMP6_PARAM_PROBLEM, 0, 4, m, pkt,
                                len, false);
        return;
    }
    if (off + dlen > 65535) {
        synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_BAD);
        synack_icmp6_send_error(s, now, SYNACK_ICMP6_PARAM_PROBLEM, 0,
                                (uint32_t)data_off - 6, m, pkt, len, false);
        return;
    }
    if (dlen == 0 && !e->more && off == 0) {
        synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_BAD);
        return;
    }
    synack_reasm6_set *set = NULL, *free_set = NULL;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++) {
        synack_reasm6_set *x = &s->ip6.sets[i];
        if (!x->used) {
            if (free_set == NULL)
                free_set = x;
            continue;
        }
        if (x->id == e->frag_id && synack_addr_same(&x->m.src, &m->src) &&
            synack_addr_same(&x->m.dst, &m->dst)) {
            set = x;
            break;
        }
    }
    if (set == NULL) {
        if (free_set == NULL) {
            synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_NOMEM);
            return;
        }
        set = free_set;
        memset(set, 0, sizeof *set);
        set->used = true;
        set->m = *m;
        set->id = e->frag_id;
        set->deadline = now + s->cfg.reasm_timeout_ms;
    }
    if (set->dead) {
        synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_OVERLAP);
        return;
    }
    uint32_t end = off + (uint32_t)dlen;
    for (uint32_t i = 0; i < set->nfrags; i++) {
        uint32_t a = set->frags[i].off, b = a + set->frags[i].len;
        if (off < b && a < end) {
            set_kill(s, set, SYNACK_DROP_IPV6_FRAG_OVERLAP);
            return;
        }
    }
    if ((set->have_last && end > set->total) ||
        (!e->more && (set->have_last || end < set->total))) {
        /* data past the end, or two different ends */
        set_kill(s, set, SYNACK_DROP_IPV6_FRAG_BAD);
        return;
    }
    for (uint32_t i = 0; i < set->nfrags && !e->more; i++)
        if (set->frags[i].off + set->frags[i].len > end) {
            set_kill(s, set, SYNACK_DROP_IPV6_FRAG_BAD);
            return;
        }
    if (set->nfrags == REASM6_MAX_FRAGS) {
        set_kill(s, set, SYNACK_DROP_IPV6_FRAG_NOMEM);
        return;
    }
    if (off == 0) {
        /* RFC 7112: the first fragment holds the upper-layer header */
        synack_ip6_ext rest;
        if (synack_ip6_ext_walk(pkt + data_off, dlen, e->proto, &rest) !=
                SYNACK_IP6_EXT_OK ||
            (rest.proto != SYNACK_IP6_NEXT_NONE && dlen - rest.off < 8 &&
             e->more)) {
            set_kill(s, set, SYNACK_DROP_IPV6_FRAG_BAD);
            return;
        }
        size_t unfrag = data_off - 8; /* without the Fragment header */
        size_t keep = unfrag + (dlen < REASM6_QUOTE ? dlen : REASM6_QUOTE);
        set->first = take(s, keep);
        if (set->first == NULL) {
            set_kill(s, set, SYNACK_DROP_IPV6_FRAG_NOMEM);
            return;
        }
        memcpy(set->first, pkt, unfrag);
        memcpy(set->first + unfrag, pkt + data_off, keep - unfrag);
        /* the header that named the Fragment header now names its next */
        set->first[e->next_at] = e->proto;
        set->first_len = (uint16_t)keep;
        set->unfrag_len = (uint16_t)unfrag;
        set->proto = e->proto;
        set->next_at = e->next_at;
    }
    frag6 *f = &set->frags[set->nfrags];
    f->data = take(s, dlen);
    if (f->data == NULL) {
        set_kill(s, set, SYNACK_DROP_IPV6_FRAG_NOMEM);
        return;
    }
    memcpy(f->data, pkt + data_off, dlen);
    f->off = (uint16_t)off;
    f->len = (uint16_t)dlen;
    set->nfrags++;
    if (!e->more) {
        set->have_last = true;
        set->total = end;
    }
    if (complete(set))
        finish(s, now, set);
}

void synack_reasm6_poll(synack_stack *s, uint64_t now)
{
    if (s->ip6.sets == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++) {
        synack_reasm6_set *set = &s->ip6.sets[i];
        if (!set->used || set->deadline > now)
            continue;
        if (set->dead) {
            memset(set, 0, sizeof *set);
            continue;
        }
        synack_count_drop(s, SYNACK_DROP_IPV6_FRAG_TIMEOUT);
        if (set->first != NULL) {
            /* RFC 8200 4.5: Time Exceeded code 1, quoting the first fragment */
            synack_ip6_meta m = set->m;
            uint8_t q[SYNACK_IP6_MIN_MTU];
            size_t n = set->first_len < sizeof q ? set->first_len : sizeof q;
            memcpy(q, set->first, n);
            synack_wr_be16(q + 4, (uint16_t)(n - SYNACK_IP6_HDR_LEN));
            set_free(s, set);
            synack_icmp6_send_error(s, now, SYNACK_ICMP6_TIME_EXCEEDED, 1, 0, &m, q,
                                    n, false);
        } else {
            set_free(s, set);
        }
    }
}

uint64_t synack_reasm6_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->ip6.sets == NULL)
        return t;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++)
        if (s->ip6.sets[i].used && s->ip6.sets[i].deadline < t)
            t = s->ip6.sets[i].deadline;
    return t;
}

uint32_t synack_reasm6_count(const synack_stack *s)
{
    uint32_t n = 0;
    for (uint32_t i = 0; s->ip6.sets != NULL && i < s->cfg.reasm_max_sets; i++)
        if (s->ip6.sets[i].used && !s->ip6.sets[i].dead)
            n++;
    return n;
}
