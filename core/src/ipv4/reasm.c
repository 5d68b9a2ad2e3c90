/*
 * IPv4 reassembly (RFC 791 section 3.2 reassembly procedure, RFC 815 hole
 * bookkeeping, RFC 1122 section 3.3.2 timeout), hardened:
 *   - memory comes from the allocator hook and is capped at
 *     cfg.reasm_max_bytes for all datagrams together, at most
 *     cfg.reasm_max_sets datagrams at a time;
 *   - a datagram that would exceed 65535 bytes is dropped with its whole
 *     set (ping of death, teardrop);
 *   - in the spirit of RFC 5722, any overlap drops the whole set, except an
 *     exact duplicate of bytes already held (a link duplicated a fragment),
 *     which is ignored;
 *   - a non-last fragment must carry a non-zero multiple of 8 bytes;
 *   - an incomplete set expires cfg.reasm_timeout_ms after its first
 *     fragment arrived; if offset 0 had arrived, an ICMP time exceeded
 *     (code 1, RFC 792) goes back, subject to the usual ICMP error rules.
 */
#include <string.h>

#include "net/stack.h"
#include "ipv4/icmp.h"
#include "ipv4/ipv4.h"
#include "util/assembler.h"

#define REASM_MAX_RANGES 32
#define IP4_MAX_LEN 65535u

struct synack_reasm_set {
    bool used;
    bool have_first, have_last, bcast;
    uint8_t proto;
    uint16_t id;
    synack_ip4 src, dst;
    uint64_t deadline;
    synack_ip4_repr first;   /* header of the offset-0 fragment */
    uint8_t hdr[60];         /* its raw bytes, for ICMP quoting */
    uint8_t *buf;            /* payload so far */
    uint32_t cap;            /* bytes allocated for buf */
    uint32_t total;          /* payload length, once the last fragment came */
    uint32_t nranges;
    synack_range ranges[REASM_MAX_RANGES]; /* sorted, disjoint, non-adjacent */
};

int synack_reasm_init(synack_stack *s)
{
    s->ip.sets = synack_mem_alloc(s, sizeof *s->ip.sets * s->cfg.reasm_max_sets);
    s->ip.reasm_bytes = 0;
    return s->ip.sets == NULL ? SYNACK_ERR_NOMEM : SYNACK_OK;
}

static void set_free(synack_stack *s, synack_reasm_set *set)
{
    synack_mem_free(s, set->buf, set->cap);
    s->ip.reasm_bytes -= set->cap;
    memset(set, 0, sizeof *set);
}

static void set_drop(synack_stack *s, synack_reasm_set *set, synack_drop why)
{
    synack_count_drop(s, why);
    set_free(s, set);
}

void synack_reasm_fini(synack_stack *s)
{
    if (s->ip.sets == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++)
        if (s->ip.sets[i].used)
            set_free(s, &s->ip.sets[i]);
    synack_mem_free(s, s->ip.sets, sizeof *s->ip.sets * s->cfg.reasm_max_sets);
    s->ip.sets = NULL;
}

static synack_reasm_set *set_find(synack_stack *s, const synack_ip4_repr *ip)
{
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++) {
        synack_reasm_set *set = &s->ip.sets[i];
        if (set->used && set->src == ip->src && set->dst == ip->dst &&
            set->id == ip->id && set->proto == ip->proto)
            return set;
    }
    return NULL;
}

static synack_reasm_set *set_new(synack_stack *s, uint64_t now,
                                 const synack_ip4_repr *ip)
{
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++) {
        synack_reasm_set *set = &s->ip.sets[i];
        if (set->used)
            continue;
        memset(set, 0, sizeof *set);
        set->used = true;
        set->src = ip->src;
        set->dst = ip->dst;
        set->id = ip->id;
        set->proto = ip->proto;
        set->deadline = now + s->cfg.reasm_timeout_ms;
        return set;
    }
    return NULL;
}

/* Grow the payload buffer to hold `need` bytes, within the memory cap. */
static bool set_reserve(synack_stack *s, synack_reasm_set *set, uint32_t need,
                        uint32_t limit)
{
    if (need <= set->cap)
        return true;
    uint32_t want = set->have_last ? set->total : set->cap * 2;
    if (want < need)
        want = need;
    if (want > limit)
        want = limit;
    if (s->ip.reasm_bytes - set->cap + want > s->cfg.reasm_max_bytes)
        return false;
    uint8_t *nb = synack_mem_alloc(s, want);
    if (nb == NULL)
        return false;
    if (set->buf != NULL)
        memcpy(nb, set->buf, set->cap);
    synack_mem_free(s, set->buf, set->cap);
    s->ip.reasm_bytes = s->ip.reasm_bytes - set->cap + want;
    set->buf = nb;
    set->cap = want;
    return true;
}

/* Record [start, end) as received, merging with touching ranges. */
static bool ranges_add(synack_reasm_set *set, uint32_t start, uint32_t end)
{
    if (start == end)
        return true;
    uint32_t i = 0;
    while (i < set->nranges && set->ranges[i].end < start)
        i++;
    /* ranges[i] is the first that ends at or after start */
    if (i < set->nranges && set->ranges[i].start <= end) {
        synack_range *r = &set->ranges[i];
        if (start < r->start)
            r->start = start;
        if (end > r->end)
            r->end = end;
        /* absorb a following range that now touches */
        if (i + 1 < set->nranges && set->ranges[i + 1].start <= r->end) {
            r->end = set->ranges[i + 1].end;
            memmove(&set->ranges[i + 1], &set->ranges[i + 2],
                    sizeof(synack_range) * (set->nranges - i - 2));
            set->nranges--;
        }
        return true;
    }
    if (set->nranges == REASM_MAX_RANGES)
        return false;
    memmove(&set->ranges[i + 1], &set->ranges[i],
            sizeof(synack_range) * (set->nranges - i));
    set->ranges[i].start = start;
    set->ranges[i].end = end;
    set->nranges++;
    return true;
}

/* 0: new bytes; 1: exact duplicate of held bytes; -1: conflicting overlap. */
static int overlap_check(const synack_reasm_set *set, uint32_t start,
                         uint32_t end, const uint8_t *data)
{
    for (uint32_t i = 0; i < set->nranges; i++) {
        const synack_range *r = &set->ranges[i];
        if (start >= r->end || end <= r->start)
            continue;
        if (start >= r->start && end <= r->end &&
            memcmp(set->buf + start, data, end - start) == 0)
            return 1;
        return -1;
    }
    return 0;
}

static bool set_complete(const synack_reasm_set *set)
{
    if (!set->have_first || !set->have_last)
        return false;
    if (set->total == 0)
        return true;
    return set->nranges == 1 && set->ranges[0].start == 0 &&
           set->ranges[0].end == set->total;
}

static void set_deliver(synack_stack *s, uint64_t now, synack_reasm_set *set)
{
    synack_ip4_repr ip = set->first;
    ip.mf = false;
    ip.frag_off = 0;
    ip.total_len = (uint16_t)(ip.hdr_len + set->total);
    uint8_t hdr[60];
    memcpy(hdr, set->hdr, sizeof hdr);
    uint8_t *buf = set->buf;
    uint32_t cap = set->cap;
    uint32_t total = set->total;
    bool bcast = set->bcast;
    /* Detach the buffer: delivery may send, but never re-enters here. */
    set->buf = NULL;
    set->cap = 0;
    s->ip.reasm_bytes -= cap;
    memset(set, 0, sizeof *set);
    s->cnt.ip_reassembled++;
    synack_ipv4_deliver(s, now, &ip, hdr, buf, total, bcast);
    synack_mem_free(s, buf, cap);
}

void synack_reasm_input(synack_stack *s, uint64_t now, const synack_ip4_repr *ip,
                        const uint8_t *hdr, const uint8_t *payload, size_t len,
                        bool bcast)
{
    uint32_t start = ip->frag_off;
    uint32_t end = start + (uint32_t)len;
    uint32_t limit = IP4_MAX_LEN - ip->hdr_len;
    synack_reasm_set *set = set_find(s, ip);

    if (end > limit) {
        if (set != NULL)
            set_free(s, set);
        synack_count_drop(s, SYNACK_DROP_IPV4_FRAG_TOO_BIG);
        return;
    }
    /* RFC 791: every fragment but the last carries a multiple of 8 bytes;
     * an empty or sub-8-byte middle fragment is only good for attacks. */
    if (ip->mf && (len == 0 || len % 8 != 0)) {
        if (set != NULL)
            set_free(s, set);
        synack_count_drop(s, SYNACK_DROP_IPV4_FRAG_BAD);
        return;
    }
    if (set == NULL) {
        set = set_new(s, now, ip);
        if (set == NULL) {
            synack_count_drop(s, SYNACK_DROP_IPV4_FRAG_NOMEM);
            return;
        }
    }

    if (!ip->mf) {
        if (set->have_last && set->total != end) {
            set_drop(s, set, SYNACK_DROP_IPV4_FRAG_OVERLAP);
            return;
        }
        if (set->nranges > 0 && set->ranges[set->nranges - 1].end > end) {
            set_drop(s, set, SYNACK_DROP_IPV4_FRAG_BAD);
            return;
        }
        set->have_last = true;
        set->total = end;
    } else if (set->have_last && end > set->total) {
        set_drop(s, set, SYNACK_DROP_IPV4_FRAG_BAD);
        return;
    }

    int ov = overlap_check(set, start, end, payload);
    if (ov < 0) {
        set_drop(s, set, SYNACK_DROP_IPV4_FRAG_OVERLAP);
        return;
    }
    if (ov == 0 && len > 0) {
        if (!set_reserve(s, set, end, limit)) {
            set_drop(s, set, SYNACK_DROP_IPV4_FRAG_NOMEM);
            return;
        }
        if (!ranges_add(set, start, end)) {
            set_drop(s, set, SYNACK_DROP_IPV4_FRAG_BAD);
            return;
        }
        memcpy(set->buf + start, payload, len);
    }
    if (start == 0 && !set->have_first) {
        set->have_first = true;
        set->first = *ip;
        memcpy(set->hdr, hdr, ip->hdr_len);
    }
    set->bcast = set->bcast || bcast;

    if (set_complete(set))
        set_deliver(s, now, set);
}

void synack_reasm_poll(synack_stack *s, uint64_t now)
{
    if (s->ip.sets == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++) {
        synack_reasm_set *set = &s->ip.sets[i];
        if (!set->used || set->deadline > now)
            continue;
        if (set->have_first && set->nranges > 0 && set->ranges[0].start == 0)
            synack_icmp_send_error(s, now, SYNACK_ICMP_TIME_EXCEEDED, 1, 0,
                                   &set->first, set->hdr, set->buf,
                                   set->ranges[0].end, set->bcast);
        set_drop(s, set, SYNACK_DROP_IPV4_FRAG_TIMEOUT);
    }
}

uint64_t synack_reasm_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->ip.sets == NULL)
        return t;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++)
        if (s->ip.sets[i].used && s->ip.sets[i].deadline < t)
            t = s->ip.sets[i].deadline;
    return t;
}

uint32_t synack_reasm_count(const synack_stack *s)
{
    uint32_t n = 0;
    if (s->ip.sets == NULL)
        return 0;
    for (uint32_t i = 0; i < s->cfg.reasm_max_sets; i++)
        n += s->ip.sets[i].used ? 1 : 0;
    return n;
}
