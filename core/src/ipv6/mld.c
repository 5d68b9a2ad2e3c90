/*
 * MLDv2 for a host (RFC 3810): we listen to the solicited-node groups of
 * our addresses (RFC 4861 7.2.1, RFC 4862 5.4.2) and say so, so that a
 * switch snooping MLD delivers neighbour solicitations to us.
 *
 * - Joining or leaving sends a state-change report at once (6.1:
 *   CHANGE_TO_EXCLUDE {} to join, CHANGE_TO_INCLUDE {} to leave), repeated
 *   [Robustness Variable] - 1 more times at random intervals within the
 *   Unsolicited Report Interval (1 s, 9.11).
 * - Queries (5.1, 6.2) are answered with current-state reports
 *   (MODE_IS_EXCLUDE {}) after a random delay within the Maximum Response
 *   Delay: one timer for general queries and one per group, so a flood of
 *   queries changes timers, never memory.
 * - Reports go from our link-local address, or from :: while it is not
 *   yet usable (5.2.13), to ff02::16 with hop limit 1 and a Router Alert.
 * - ff02::1 is never reported (6). MLDv1 queriers are answered with MLDv2
 *   reports (the compatibility mode of section 8 is not implemented).
 */
#include <string.h>

#include "ipv6/ipv6.h"
#include "ipv6/mld.h"
#include "ipv6/nd.h"
#include "net/addr.h"
#include "net/stack.h"
#include "wire/wire_ndp.h"

#define ROBUSTNESS 2u                 /* RFC 3810 9.1 */
#define UNSOLICITED_REPORT_MS 1000u   /* RFC 3810 9.11 */

int synack_mld_init(synack_stack *s)
{
    memset(&s->mld, 0, sizeof s->mld);
    s->mld.robustness = ROBUSTNESS;
    return SYNACK_OK;
}

void synack_mld_fini(synack_stack *s)
{
    (void)s;
}

static synack_mld_group *group_find(const synack_stack *s, const synack_addr *g)
{
    for (int i = 0; i < SYNACK_MLD_MAX_GROUPS; i++) {
        const synack_mld_group *e = &s->mld.g[i];
        if (e->state != SYNACK_MLD_FREE && synack_addr_same(&e->group, g))
            return (synack_mld_group *)e;
    }
    return NULL;
}

bool synack_mld_listening(const synack_stack *s, const synack_addr *group)
{
    const synack_mld_group *e = group_find(s, group);
    return e != NULL && e->state == SYNACK_MLD_MEMBER;
}

/* Send one report of n records (a no-op for none). */
static void send_report(synack_stack *s, uint64_t now, const synack_mld_record *recs, size_t n)
{
    if (n == 0)
        return;
    size_t cap;
    uint8_t *buf = synack_ipv6_tx_buf(s, &cap);
    if (buf == NULL || 8 + SYNACK_MLD2_RECORD_LEN * n > cap)
        return;
    size_t len = synack_mld_report_emit(recs, n, buf);
    static const synack_addr unspecified = {SYNACK_AF_IP6, {0}};
    synack_addr ll;
    bool have = synack_nd_linklocal(s, &ll);
    synack_addr dst = synack_mld_all_routers();
    synack_ip6_out o;
    memset(&o, 0, sizeof o);
    o.src = have ? &ll : &unspecified;
    o.dst = &dst;
    o.next = SYNACK_IPPROTO_ICMPV6;
    o.hop_limit = 1;
    o.router_alert = true;
    synack_ipv6_output(s, now, &o, len);
}

static uint64_t jitter(synack_stack *s, uint64_t now, uint32_t max_ms)
{
    return now + 1 + (max_ms > 1 ? synack_rng_below(&s->rng, max_ms) : 0);
}

void synack_mld_sync(synack_stack *s, uint64_t now, const synack_ip6_ifaddr *except)
{
    if (s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET || s->ip6.addrs == NULL)
        return;
    bool want[SYNACK_MLD_MAX_GROUPS] = {false};
    bool changed = false;
    for (uint32_t i = 0; i < s->cfg.ipv6.max_addrs; i++) {
        const synack_ip6_ifaddr *a = &s->ip6.addrs[i];
        if (a->addr.family != SYNACK_AF_IP6 || a == except || a->state == SYNACK_IP6_DUPLICATE)
            continue;
        synack_addr g = synack_ip6_solicited_node(&a->addr);
        synack_mld_group *e = group_find(s, &g);
        if (e == NULL) {
            for (int k = 0; k < SYNACK_MLD_MAX_GROUPS && e == NULL; k++)
                if (s->mld.g[k].state == SYNACK_MLD_FREE)
                    e = &s->mld.g[k];
            if (e == NULL) {
                synack_count_drop(s, SYNACK_DROP_MLD_GROUPS_FULL);
                continue;
            }
            memset(e, 0, sizeof *e);
            e->group = g;
        }
        if (e->state != SYNACK_MLD_MEMBER) { /* new, or back before it left */
            e->state = SYNACK_MLD_MEMBER;
            e->left = s->mld.robustness;
            changed = true;
        }
        want[e - s->mld.g] = true;
    }
    for (int k = 0; k < SYNACK_MLD_MAX_GROUPS; k++) {
        synack_mld_group *e = &s->mld.g[k];
        if (e->state == SYNACK_MLD_MEMBER && !want[k]) {
            e->state = SYNACK_MLD_LEAVING;
            e->left = s->mld.robustness;
            e->resp_at = 0;
            changed = true;
        }
    }
    if (changed) /* the first report at the next poll (0 means none) */
        s->mld.change_at = now > 0 ? now : 1;
}

void synack_mld_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                      const uint8_t *msg, size_t len)
{
    if (len < 1 || msg[0] != SYNACK_ICMP6_MLD_QUERY) {
        /* other listeners' reports: a host ignores them (RFC 3810 6) */
        synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
        return;
    }
    synack_mld_query q;
    /* 5.1.14 and section 5: from a link-local address, hop limit 1 */
    if (s->cfg.link.medium != SYNACK_MEDIUM_ETHERNET || !synack_ip6_is_linklocal(&m->src) ||
        m->hop_limit != 1 || synack_mld_query_parse(msg, len, &q) < 0 || msg[1] != 0) {
        synack_count_drop(s, SYNACK_DROP_MLD_MALFORMED);
        return;
    }
    if (q.v2 && q.qrv != 0)
        s->mld.robustness = q.qrv; /* 5.1.8: the querier's robustness */
    uint64_t at = jitter(s, now, q.max_resp_ms);
    if (synack_ip6_is_unspecified(&q.group)) {
        /* 6.2 rule 1: an earlier pending answer already covers it */
        if (s->mld.general_at == 0 || s->mld.general_at > at)
            s->mld.general_at = at;
        return;
    }
    synack_mld_group *e = group_find(s, &q.group);
    if (e == NULL || e->state != SYNACK_MLD_MEMBER)
        return; /* not a group of ours: nothing to say */
    if (s->mld.general_at != 0 && s->mld.general_at <= at)
        return;
    if (e->resp_at == 0 || e->resp_at > at)
        e->resp_at = at;
}

void synack_mld_poll(synack_stack *s, uint64_t now)
{
    synack_mld *mld = &s->mld;
    synack_mld_record recs[SYNACK_MLD_MAX_GROUPS];
    size_t n = 0;
    if (mld->change_at != 0 && mld->change_at <= now) {
        bool more = false;
        for (int k = 0; k < SYNACK_MLD_MAX_GROUPS; k++) {
            synack_mld_group *e = &mld->g[k];
            if (e->state == SYNACK_MLD_FREE || e->left == 0)
                continue;
            recs[n].type = e->state == SYNACK_MLD_MEMBER ? SYNACK_MLD_TO_EXCLUDE
                                                         : SYNACK_MLD_TO_INCLUDE;
            recs[n++].group = e->group;
            if (--e->left > 0)
                more = true;
            else if (e->state == SYNACK_MLD_LEAVING)
                memset(e, 0, sizeof *e);
        }
        send_report(s, now, recs, n);
        mld->change_at = more ? jitter(s, now, UNSOLICITED_REPORT_MS) : 0;
    }
    n = 0;
    bool general = mld->general_at != 0 && mld->general_at <= now;
    if (general)
        mld->general_at = 0;
    for (int k = 0; k < SYNACK_MLD_MAX_GROUPS; k++) {
        synack_mld_group *e = &mld->g[k];
        bool due = e->resp_at != 0 && e->resp_at <= now;
        if (due || general)
            e->resp_at = 0;
        if (e->state == SYNACK_MLD_MEMBER && (due || general)) {
            recs[n].type = SYNACK_MLD_IS_EXCLUDE;
            recs[n++].group = e->group;
        }
    }
    send_report(s, now, recs, n);
}

uint64_t synack_mld_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    if (s->mld.change_at != 0)
        t = s->mld.change_at;
    if (s->mld.general_at != 0 && s->mld.general_at < t)
        t = s->mld.general_at;
    for (int k = 0; k < SYNACK_MLD_MAX_GROUPS; k++)
        if (s->mld.g[k].resp_at != 0 && s->mld.g[k].resp_at < t)
            t = s->mld.g[k].resp_at;
    return t;
}
