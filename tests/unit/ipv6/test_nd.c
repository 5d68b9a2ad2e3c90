/*
 * Neighbour Discovery (RFC 4861) between two stacks on the simulated link
 * and against injected routers, on virtual time: the start-up sequence
 * (MLD report, DAD probe, router solicitations with their timers), NS/NA
 * both ways with unreachability detection (STALE -> DELAY -> PROBE ->
 * REACHABLE), validation, router selection and failover by NUD, and
 * floods of RAs, NSs and NAs against bounded tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nd_frames.h"
#include "app/dns.h"
#include "ipv6/nd.h"
#include "ipv6/slaac.h"
#include "ipv6/slaac_iid.h"
#include "net/neigh.h"
#include "net/stack.h"

static const synack_mac r1_mac = {{0x02, 0xaa, 0, 0, 0, 1}};
static const synack_mac r2_mac = {{0x02, 0xaa, 0, 0, 0, 2}};
static const synack_mac all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};

static synack_addr linklocal_of(synack_stack *s, uint8_t counter)
{
    synack_addr ll = nd_a6("fe80::");
    return synack_slaac_address(synack_slaac_key(s), &ll, &s->cfg.mac, counter);
}

/* An RA from `src`/`mac` with one prefix (L and A) of lifetimes
 * valid/preferred (0 prefix length: none). */
static void inject_ra(net_fixture *f, synack_stack *s, const synack_addr *src, synack_mac mac,
                      uint16_t lifetime, int8_t pref, const char *prefix, uint32_t valid,
                      uint32_t preferred)
{
    uint8_t opts[64];
    size_t on = 0;
    if (prefix != NULL) {
        synack_ndp_prefix p = {64, true, true, valid, preferred, nd_a6(prefix)};
        on += synack_ndp_opt_prefix_emit(&p, opts);
    }
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RA;
    r.router_lifetime = lifetime;
    r.preference = pref;
    r.has_slla = true;
    r.slla = mac;
    r.opts = opts;
    r.opts_len = on;
    synack_addr all = synack_ndp_all_nodes();
    nd_inject(s, f->now, all_nodes_mac, mac, src, &all, &r);
}

static void startup_sequence(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_capture *c = net_capture_attach(f);
    synack_addr ll = linklocal_of(f->a, 0);
    synack_addr sn = synack_ip6_solicited_node(&ll);
    /* tentative at once, not usable */
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_TENTATIVE, NULL));
    net_run_for(f, 16000);

    /* 1. an MLD report joining the solicited-node group, from :: (RFC
     * 3810 5.2.13: no usable link-local yet), hop limit 1, Router Alert */
    nd_seen m;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, 0, &m));
    assert_int_equal(m.ip.hop_limit, 1);
    assert_true(m.router_alert);
    assert_true(synack_ip6_is_unspecified(&m.ip.src));
    synack_addr mldr = synack_mld_all_routers();
    assert_true(synack_addr_equal(&m.ip.dst, &mldr));
    static const uint8_t mac16[6] = {0x33, 0x33, 0, 0, 0, 0x16};
    assert_memory_equal(m.dst_mac.b, mac16, 6);
    synack_mld_record recs[4];
    size_t nrec;
    assert_int_equal(synack_mld_report_parse(m.msg, m.len, recs, 4, &nrec), 8);
    assert_int_equal(nrec, 1);
    assert_int_equal(recs[0].type, SYNACK_MLD_TO_EXCLUDE);
    assert_true(synack_addr_equal(&recs[0].group, &sn));
    /* ... repeated once (Robustness 2) within the 1 s report interval */
    nd_seen m2;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, 1, &m2));
    assert_true(m2.frame->t > m.frame->t && m2.frame->t - m.frame->t <= 1000);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 2);

    /* 2. one DAD probe after the report, within the random 1 s delay:
     * from ::, to the solicited-node group, no SLLA, hop limit 255 */
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NS), 1);
    nd_seen ns;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NS, 0, &ns));
    assert_true(ns.frame > m.frame && ns.frame->t <= 1001);
    assert_int_equal(ns.ip.hop_limit, 255);
    assert_true(synack_ip6_is_unspecified(&ns.ip.src));
    assert_true(synack_addr_equal(&ns.ip.dst, &sn));
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(ns.msg, ns.len, &r), 24);
    assert_true(synack_addr_equal(&r.target, &ll));
    assert_false(r.has_slla);

    /* 3. preferred RetransTimer (1 s) after the probe */
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, NULL));

    /* 4. three router solicitations from the link-local address with
     * SLLA: the first within 1 s of it being usable, then 4 s apart */
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_RS), 3);
    nd_seen rs[3];
    for (int i = 0; i < 3; i++)
        assert_true(nd_find(c, 0, SYNACK_ICMP6_RS, (size_t)i, &rs[i]));
    assert_true(rs[0].frame->t >= ns.frame->t + 1000 && rs[0].frame->t <= ns.frame->t + 2001);
    assert_int_equal(rs[1].frame->t - rs[0].frame->t, 4000);
    assert_int_equal(rs[2].frame->t - rs[1].frame->t, 4000);
    assert_true(synack_addr_equal(&rs[0].ip.src, &ll));
    synack_addr allr = synack_ndp_all_routers();
    assert_true(synack_addr_equal(&rs[0].ip.dst, &allr));
    assert_int_equal(rs[0].ip.hop_limit, 255);
    assert_int_equal(synack_ndp_parse(rs[0].msg, rs[0].len, &r), 8);
    assert_true(r.has_slla);
    assert_memory_equal(r.slla.b, f->a->cfg.mac.b, 6);
    /* B (SLAAC off) sent nothing of IPv6 */
    assert_int_equal(nd_count(c, 1, 0), 0);
    /* and then the stack is quiet: no timer left for NDP */
    assert_int_equal(synack_nd_poll_at(f->a), UINT64_MAX);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

static void rs_stops_when_router_answers(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_capture *c = net_capture_attach(f);
    while (nd_count(c, 0, SYNACK_ICMP6_RS) == 0 && f->now < 5000)
        net_run_for(f, 10);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_RS), 1);
    synack_addr r1 = nd_a6("fe80::1");
    inject_ra(f, f->a, &r1, r1_mac, 1800, 0, NULL, 0, 0);
    net_run_for(f, 20000);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_RS), 1);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

static int ping_replies(synack_stack *s, int h)
{
    int n = 0;
    uint8_t buf[64];
    while (synack_ping_recv(s, h, NULL, NULL, buf, sizeof buf) >= 0)
        n++;
    return n;
}

static void ns_na_between_stacks(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, true);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    net_capture *c = net_capture_attach(f);
    synack_addr lla = linklocal_of(f->a, 0), llb = linklocal_of(f->b, 0);
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, NULL));
    assert_true(nd_addr(f->b, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, NULL));
    /* two stacks, two identifiers */
    assert_false(synack_addr_equal(&lla, &llb));

    int h = synack_ping_open(f->a);
    assert_true(h >= 0);
    assert_int_equal(synack_ping_send(f->a, f->now, h, &llb, 1, "hi", 2), 0);
    net_run_for(f, 100);
    assert_int_equal(ping_replies(f->a, h), 1);

    /* A asked B's solicited-node group, with its SLLA */
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NS), 1);
    nd_seen ns;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NS, 0, &ns));
    synack_addr snb = synack_ip6_solicited_node(&llb);
    assert_true(synack_addr_equal(&ns.ip.dst, &snb));
    assert_true(synack_addr_equal(&ns.ip.src, &lla));
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(ns.msg, ns.len, &r), 24);
    assert_true(r.has_slla && synack_addr_equal(&r.target, &llb));
    /* B answered unicast: solicited, override, its TLLA */
    nd_seen na;
    assert_true(nd_find(c, 1, SYNACK_ICMP6_NA, 0, &na));
    assert_memory_equal(na.dst_mac.b, f->a->cfg.mac.b, 6);
    assert_true(synack_addr_equal(&na.ip.dst, &lla));
    assert_int_equal(synack_ndp_parse(na.msg, na.len, &r), 24);
    assert_true(r.solicited && r.override && !r.router);
    assert_true(r.has_tlla);
    assert_memory_equal(r.tlla.b, f->b->cfg.mac.b, 6);
    /* B learnt A from the solicitation (STALE): it did not ask */
    assert_int_equal(nd_count(c, 1, SYNACK_ICMP6_NS), 0);
    const synack_neigh_entry *eb = synack_neigh_find(f->b, &lla);
    assert_non_null(eb);
    /* A's entry for B is REACHABLE */
    assert_true(synack_neigh_lookup(f->a, f->now, &llb, NULL));

    /* NUD (7.3.3): B's reply went through a STALE entry: DELAY, then
     * after 5 s one unicast probe, which A answers: REACHABLE */
    net_capture_clear(c);
    net_run_for(f, 6000);
    assert_int_equal(nd_count(c, 1, SYNACK_ICMP6_NS), 1);
    assert_true(nd_find(c, 1, SYNACK_ICMP6_NS, 0, &ns));
    assert_true(synack_addr_equal(&ns.ip.dst, &lla));
    assert_memory_equal(ns.dst_mac.b, f->a->cfg.mac.b, 6);
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NA, 0, &na));
    assert_int_equal(synack_ndp_parse(na.msg, na.len, &r), 24);
    assert_true(r.solicited);
    assert_true(synack_neigh_lookup(f->b, f->now, &lla, NULL));

    /* and B reaches A with no more questions */
    int hb = synack_ping_open(f->b);
    net_capture_clear(c);
    assert_int_equal(synack_ping_send(f->b, f->now, hb, &lla, 1, "x", 1), 0);
    net_run_for(f, 100);
    assert_int_equal(ping_replies(f->b, hb), 1);
    assert_int_equal(nd_count(c, -1, SYNACK_ICMP6_NS), 0);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

/*
 * NDP shares the neighbour cache with ARP, and so its drop reasons: a
 * packet to a neighbour that never answers is dropped as neigh/failed
 * after MAX_MULTICAST_SOLICIT (3) solicitations a RetransTimer apart.
 */
static void ndp_failure_is_a_neigh_drop(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, true);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    uint64_t failed = synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED);
    synack_addr nobody = nd_a6("fe80::99");
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, &nobody, 1, "hi", 2), 0);
    net_run_for(f, 2500);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED), failed);
    net_run_for(f, 1000);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED), failed + 1);
    assert_string_equal(synack_drop_layer(SYNACK_DROP_NEIGH_FAILED), "neigh");
    assert_string_equal(synack_drop_reason(SYNACK_DROP_NEIGH_FAILED), "failed");
    assert_int_equal(net_fixture_free(f), 0);
}

/* ---- trace events (DESIGN.md: neigh, addr, router) ------------------------ */

/* A's neighbour, address, router and path MTU events, as JSON lines. */
static struct {
    char line[256][200];
    int n;
} tr;

static void collect(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    if (ev->kind >= SYNACK_TRACE_NEIGH && tr.n < 256)
        synack_trace_json(ev, tr.line[tr.n++], sizeof tr.line[0]);
}

static void tune_trace(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    cfg->ipv6.slaac = true;
    if (side == 0)
        cfg->trace = collect;
}

/* The first line at or after `from` that holds a, b and c (NULL: any):
 * its index, or -1. */
static int tr_find(int from, const char *a, const char *b, const char *c)
{
    for (int i = from < 0 ? 0 : from; i < tr.n; i++)
        if (strstr(tr.line[i], a) && (b == NULL || strstr(tr.line[i], b)) &&
            (c == NULL || strstr(tr.line[i], c)))
            return i;
    return -1;
}

/* "addr":"TEXT" of a */
static const char *addr_key(const synack_addr *a, char *buf)
{
    char text[SYNACK_ADDR_STRLEN];
    synack_addr_format(a, text);
    snprintf(buf, 80, "\"addr\":\"%s\"", text);
    return buf;
}

/*
 * The IPv6 events of DESIGN.md's trace contract on a real sequence: the
 * link-local address tentative -> preferred, a neighbour INCOMPLETE ->
 * REACHABLE and another INCOMPLETE -> FAILED, a router added (and its
 * entry STALE) and removed, a SLAAC address none -> tentative ->
 * preferred -> deprecated -> removed.
 */
static void trace_events_of_ndp_and_slaac(void **state)
{
    (void)state;
    memset(&tr, 0, sizeof tr);
    net_fixture_opts o = nd_opts(true, true);
    o.tune = tune_trace;
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    char k[80];
    synack_addr lla = linklocal_of(f->a, 0), llb = linklocal_of(f->b, 0);
    int i = tr_find(0, "\"ev\":\"addr\"", addr_key(&lla, k),
                    "\"origin\":\"link-local\",\"from\":\"none\",\"to\":\"tentative\"");
    assert_true(i >= 0);
    assert_true(tr_find(i + 1, "\"ev\":\"addr\"", addr_key(&lla, k),
                        "\"from\":\"tentative\",\"to\":\"preferred\"") > i);

    /* a neighbour that answers */
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, &llb, 1, "hi", 2), 0);
    net_run_for(f, 100);
    i = tr_find(0, "\"ev\":\"neigh\"", addr_key(&llb, k), "\"from\":\"NONE\",\"to\":\"INCOMPLETE\"");
    assert_true(i >= 0);
    char mac[40];
    const uint8_t *m = f->b->cfg.mac.b;
    snprintf(mac, sizeof mac, "\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\"", m[0], m[1], m[2],
             m[3], m[4], m[5]);
    int j = tr_find(i + 1, "\"ev\":\"neigh\"", addr_key(&llb, k), "\"from\":\"INCOMPLETE\",\"to\":\"REACHABLE\"");
    assert_true(j > i);
    assert_non_null(strstr(tr.line[j], mac));
    /* one that does not: FAILED after three solicitations */
    synack_addr nobody = nd_a6("fe80::99");
    assert_int_equal(synack_ping_send(f->a, f->now, h, &nobody, 1, "hi", 2), 0);
    net_run_for(f, 4000);
    i = tr_find(0, "\"ev\":\"neigh\"", "\"addr\":\"fe80::99\"", "\"to\":\"INCOMPLETE\"");
    assert_true(i >= 0);
    assert_true(tr_find(i + 1, "\"addr\":\"fe80::99\"", "\"from\":\"INCOMPLETE\",\"to\":\"FAILED\"",
                        NULL) > i);

    /* a router with a prefix: added, its entry STALE, a SLAAC address */
    synack_addr rtr = nd_a6("fe80::fe");
    int mark = tr.n;
    inject_ra(f, f->a, &rtr, r1_mac, 1800, 0, "fd00:1::", 3600, 1800);
    i = tr_find(mark, "\"ev\":\"router\",\"addr\":\"fe80::fe\",\"action\":\"added\"",
                "\"lifetime\":1800", NULL);
    assert_true(i >= 0);
    assert_true(tr_find(mark, "\"ev\":\"neigh\",\"addr\":\"fe80::fe\"",
                        "\"mac\":\"02:aa:00:00:00:01\"", "\"from\":\"NONE\",\"to\":\"STALE\"") >= 0);
    i = tr_find(mark, "\"ev\":\"addr\",\"addr\":\"fd00:1::", "\"origin\":\"slaac\"",
                "\"from\":\"none\",\"to\":\"tentative\"");
    assert_true(i >= 0);
    net_run_for(f, 3000);
    assert_true(tr_find(i + 1, "\"addr\":\"fd00:1::", "\"from\":\"tentative\",\"to\":\"preferred\"",
                        NULL) > i);
    /* lifetime 0: the router goes; preferred lifetime 0: deprecated */
    mark = tr.n;
    inject_ra(f, f->a, &rtr, r1_mac, 0, 0, "fd00:1::", 3600, 0);
    net_run_for(f, 10);
    assert_true(tr_find(mark, "\"ev\":\"router\",\"addr\":\"fe80::fe\",\"action\":\"removed\"",
                        NULL, NULL) >= 0);
    assert_true(tr_find(mark, "\"addr\":\"fd00:1::", "\"from\":\"preferred\",\"to\":\"deprecated\"",
                        NULL) >= 0);
    synack_addr slaac;
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_SLAAC, SYNACK_IP6_DEPRECATED, &slaac));
    assert_int_equal(synack_del_ipv6(f->a, f->now, &slaac), 0);
    assert_true(tr_find(mark, "\"ev\":\"addr\"", addr_key(&slaac, k),
                        "\"from\":\"deprecated\",\"to\":\"removed\"") >= 0);
    assert_int_equal(net_fixture_free(f), 0);
}

static void validation_drops(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    net_capture *c = net_capture_attach(f);
    synack_addr ll = linklocal_of(f->a, 0), peer = nd_a6("fe80::99");
    synack_mac pm = {{0x02, 0x99, 0, 0, 0, 0x99}};
    synack_ndp_repr ns;
    memset(&ns, 0, sizeof ns);
    ns.type = SYNACK_ICMP6_NS;
    ns.target = ll;
    ns.has_slla = true;
    ns.slla = pm;
    uint8_t msg[64], buf[200];
    size_t mlen = synack_ndp_emit(&ns, msg, 0);
    uint64_t bad = synack_drops(f->a, SYNACK_DROP_ND_MALFORMED);
    /* hop limit 254: forwarded, refused (RFC 4861 7.1.1) */
    size_t n = nd_build_icmp6(buf, f->a->cfg.mac, pm, &peer, &ll, 254, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    /* code 1 */
    msg[1] = 1;
    n = nd_build_icmp6(buf, f->a->cfg.mac, pm, &peer, &ll, 255, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    msg[1] = 0;
    /* an option of length 0 */
    msg[25] = 0;
    n = nd_build_icmp6(buf, f->a->cfg.mac, pm, &peer, &ll, 255, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    msg[25] = 1;
    /* a DAD probe (from ::) carrying an SLLA */
    synack_addr none = {SYNACK_AF_IP6, {0}};
    synack_addr sn = synack_ip6_solicited_node(&ll);
    n = nd_build_icmp6(buf, all_nodes_mac, pm, &none, &sn, 255, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    /* an RA from a global address */
    synack_addr g = nd_a6("2001:db8::1");
    synack_ndp_repr ra;
    memset(&ra, 0, sizeof ra);
    ra.type = SYNACK_ICMP6_RA;
    ra.router_lifetime = 100;
    synack_addr all = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, pm, &g, &all, &ra);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_MALFORMED), bad + 5);
    net_run_for(f, 10);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NA), 0);
    assert_int_equal(synack_nd_get_routers(f->a, NULL, 0), 0);
    /* the same NS, valid: answered */
    n = nd_build_icmp6(buf, f->a->cfg.mac, pm, &peer, &ll, 255, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    net_run_for(f, 10);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NA), 1);
    /* a solicitation from a global address of a prefix we do not know
     * as on-link (its sender is on the link: hop limit 255) is answered
     * to its SLLA */
    synack_addr g2 = nd_a6("2001:db8:4444::7");
    net_capture_clear(c);
    n = nd_build_icmp6(buf, f->a->cfg.mac, pm, &g2, &ll, 255, false, msg, mlen);
    synack_input(f->a, f->now, buf, n);
    net_run_for(f, 10);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NA), 1);
    nd_seen na;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NA, 0, &na));
    assert_memory_equal(na.dst_mac.b, pm.b, 6);
    assert_true(synack_addr_equal(&na.ip.dst, &g2));
    /* a Redirect is not followed */
    uint64_t unh = synack_drops(f->a, SYNACK_DROP_ICMP6_UNHANDLED);
    synack_ndp_repr rd;
    memset(&rd, 0, sizeof rd);
    rd.type = SYNACK_ICMP6_REDIRECT;
    rd.target = peer;
    rd.redirect_dst = g;
    nd_inject(f->a, f->now, f->a->cfg.mac, pm, &peer, &ll, &rd);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP6_UNHANDLED), unh + 1);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

/* Answer every NS the stack sends for fe80::2 as router R2 would. */
static void r2_answers(net_fixture *f, net_capture *c, size_t *seen)
{
    synack_addr r2 = nd_a6("fe80::2");
    nd_seen ns;
    while (nd_find(c, 0, SYNACK_ICMP6_NS, *seen, &ns)) {
        (*seen)++;
        synack_ndp_repr r;
        if (synack_ndp_parse(ns.msg, ns.len, &r) < 0 || !synack_addr_equal(&r.target, &r2))
            continue;
        synack_ndp_repr na;
        memset(&na, 0, sizeof na);
        na.type = SYNACK_ICMP6_NA;
        na.router = na.solicited = na.override = true;
        na.target = r2;
        na.has_tlla = true;
        na.tlla = r2_mac;
        nd_inject(f->a, f->now, f->a->cfg.mac, r2_mac, &r2, &ns.ip.src, &na);
    }
}

static void router_failover_by_nud(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    synack_addr r1 = nd_a6("fe80::1"), r2 = nd_a6("fe80::2");
    /* R1 preferred (RFC 4191 high), R2 medium; both on 2001:db8:1::/64 */
    inject_ra(f, f->a, &r1, r1_mac, 1800, SYNACK_NDP_PREF_HIGH, "2001:db8:1::", 86400, 86400);
    inject_ra(f, f->a, &r2, r2_mac, 1800, SYNACK_NDP_PREF_MEDIUM, "2001:db8:1::", 86400, 86400);
    net_run_for(f, 2500); /* DAD of the SLAAC address */
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_SLAAC, SYNACK_IP6_PREFERRED, NULL));
    assert_int_equal(synack_nd_get_routers(f->a, NULL, 0), 2);
    synack_addr far = nd_a6("2001:db8:99::1"), hop;
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r1));

    net_capture *c = net_capture_attach(f);
    int h = synack_ping_open(f->a);
    size_t seen = 0;
    /* one echo a second; R1 is silent, R2 answers its probes */
    for (int i = 0; i < 14; i++) {
        assert_int_equal(synack_ping_send(f->a, f->now, h, &far, (uint16_t)i, "p", 1), 0);
        for (int k = 0; k < 10; k++) {
            net_run_for(f, 100);
            r2_answers(f, c, &seen);
        }
    }
    /* the first echoes went to R1 (its SLLA from the RA, no question) */
    nd_seen e;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_ECHO_REQUEST, 0, &e));
    assert_memory_equal(e.dst_mac.b, r1_mac.b, 6);
    /* NUD: after DELAY_FIRST_PROBE_TIME, three unicast probes to R1 */
    size_t probes = 0;
    nd_seen ns;
    for (size_t i = 0; nd_find(c, 0, SYNACK_ICMP6_NS, i, &ns); i++) {
        synack_ndp_repr r;
        assert_true(synack_ndp_parse(ns.msg, ns.len, &r) >= 0);
        if (synack_addr_equal(&r.target, &r1)) {
            assert_memory_equal(ns.dst_mac.b, r1_mac.b, 6);
            assert_true(synack_addr_equal(&ns.ip.dst, &r1));
            assert_true(ns.frame->t >= e.frame->t + 5000);
            probes++;
        }
    }
    assert_int_equal(probes, 3);
    /* then R1 is avoided: the later echoes go to R2 */
    size_t n = nd_count(c, 0, SYNACK_ICMP6_ECHO_REQUEST);
    assert_int_equal(n, 14);
    nd_seen last;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_ECHO_REQUEST, n - 1, &last));
    assert_memory_equal(last.dst_mac.b, r2_mac.b, 6);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r2));
    /* R1 speaks again: it is a candidate again and preferred */
    inject_ra(f, f->a, &r1, r1_mac, 1800, SYNACK_NDP_PREF_HIGH, NULL, 0, 0);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r1));
    /* a router lifetime of 0 takes it off the list */
    inject_ra(f, f->a, &r1, r1_mac, 0, 0, NULL, 0, 0);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r2));
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

static void next_hop_rules(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(false, false);
    net_fixture *f = net_fixture_new(&o);
    synack_addr a = nd_a6("2001:db8:5::1"), gw = nd_a6("fe80::fe"), hop;
    assert_int_equal(synack_add_ipv6(f->a, f->now, &a, 64), 0);
    synack_addr onlink = nd_a6("2001:db8:5::77"), far = nd_a6("2001:db8:6::1");
    /* a static address's prefix is on-link; nothing else without routers */
    assert_int_equal(synack_nd_next_hop(f->a, &onlink, &hop), 0);
    assert_true(synack_addr_equal(&hop, &onlink));
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), SYNACK_ERR_UNREACHABLE);
    /* the static gateway comes before advertised routers */
    synack_addr r1 = nd_a6("fe80::1");
    inject_ra(f, f->a, &r1, r1_mac, 1800, 0, NULL, 0, 0);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r1));
    assert_int_equal(synack_set_gateway6(f->a, f->now, &gw), 0);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &gw));
    /* an advertised on-link prefix (L) makes its destinations direct; a
     * prefix with A only does not (RFC 5942) */
    uint8_t opts[64];
    synack_ndp_prefix p = {64, true, false, 600, 600, nd_a6("2001:db8:6::")};
    synack_ndp_prefix q = {64, false, true, 600, 600, nd_a6("2001:db8:7::")};
    size_t on = synack_ndp_opt_prefix_emit(&p, opts);
    on += synack_ndp_opt_prefix_emit(&q, opts + on);
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RA;
    r.opts = opts;
    r.opts_len = on;
    synack_addr all = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &r1, &all, &r);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &far));
    synack_addr q1 = nd_a6("2001:db8:7::1");
    assert_int_equal(synack_nd_next_hop(f->a, &q1, &hop), 0);
    assert_true(synack_addr_equal(&hop, &gw));
    /* the on-link prefix expires with its valid lifetime */
    net_run_for(f, 601000);
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &gw));
    assert_int_equal(net_fixture_free(f), 0);
}

static void ra_flood_bounded(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    synack_addr r0 = nd_a6("fe80::1");
    inject_ra(f, f->a, &r0, r1_mac, 1800, 0, "2001:db8:1::", 86400, 86400);
    net_run_for(f, 2500);
    synack_addr first;
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_SLAAC, SYNACK_IP6_PREFERRED, &first));
    size_t mem0 = 0;
    /* 2000 routers, each with its own prefix and resolver; the memory in
     * use after the first half (the link's frame pool has grown by then)
     * is the memory in use after the second */
    for (int i = 0; i < 2000; i++) {
        if (i == 1000) {
            net_run_for(f, 3000);
            mem0 = f->mem_in_use;
        }
        char text[64];
        synack_addr src = nd_a6("fe80::1:0");
        src.b[14] = (uint8_t)(i >> 8);
        src.b[15] = (uint8_t)i;
        synack_mac m = {{0x02, 0xbb, 0, 0, (uint8_t)(i >> 8), (uint8_t)i}};
        snprintf(text, sizeof text, "2001:db8:%x::", 0x100 + i);
        uint8_t opts[128];
        synack_ndp_prefix p = {64, true, true, 86400, 86400, nd_a6(text)};
        size_t on = synack_ndp_opt_prefix_emit(&p, opts);
        synack_addr dns = nd_a6(text);
        dns.b[15] = 0x53;
        on += synack_ndp_opt_rdnss_emit(600, &dns, 1, opts + on);
        synack_ndp_repr r;
        memset(&r, 0, sizeof r);
        r.type = SYNACK_ICMP6_RA;
        r.router_lifetime = 1800;
        r.has_slla = true;
        r.slla = m;
        r.opts = opts;
        r.opts_len = on;
        synack_addr all = synack_ndp_all_nodes();
        nd_inject(f->a, f->now, all_nodes_mac, m, &src, &all, &r);
        if (i % 100 == 0)
            net_run_for(f, 1);
    }
    net_run_for(f, 3000);
    /* every table at its bound, each surplus counted by name */
    assert_int_equal(synack_nd_get_routers(f->a, NULL, 0), f->a->cfg.ipv6.max_routers);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_ROUTERS_FULL),
                     2001 - f->a->cfg.ipv6.max_routers);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_PREFIXES_FULL),
                     2001 - f->a->cfg.ipv6.max_prefixes);
    assert_true(synack_get_ipv6(f->a, NULL, 0) <= f->a->cfg.ipv6.max_addrs);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_ADDRS_FULL),
                     2001 - (f->a->cfg.ipv6.max_addrs - 1));
    /* no memory grew, and what worked before still works */
    assert_int_equal(f->mem_in_use, mem0);
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_SLAAC, SYNACK_IP6_PREFERRED, NULL));
    synack_ip6_addr_info info[16];
    size_t n = synack_get_ipv6(f->a, info, 16);
    bool kept = false;
    for (size_t i = 0; i < n; i++)
        kept |= synack_addr_equal(&info[i].addr, &first) && info[i].state == SYNACK_IP6_PREFERRED;
    assert_true(kept);
    synack_addr far = nd_a6("2001:db8:ffff::1"), hop;
    assert_int_equal(synack_nd_next_hop(f->a, &far, &hop), 0);
    assert_true(synack_addr_equal(&hop, &r0));
    /* the resolver list stays at its bound; the newest advertisement wins */
    const synack_addr *dns = synack_dns_server(f->a);
    assert_non_null(dns);
    synack_addr want = nd_a6("2001:db8:8cf::53");
    assert_true(synack_addr_equal(dns, &want));
    assert_int_equal(net_fixture_free(f), 0);
}

static void ns_and_na_flood_bounded(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, true);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    synack_addr lla = linklocal_of(f->a, 0), llb = linklocal_of(f->b, 0);
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, &llb, 1, "a", 1), 0);
    net_run_for(f, 100);
    assert_int_equal(ping_replies(f->a, h), 1);
    const synack_neigh_entry *eb = synack_neigh_find(f->a, &llb);
    assert_non_null(eb);
    size_t mem0 = 0;
    net_capture *c = net_capture_attach(f);

    /* 3000 solicitations from new addresses, each with its SLLA; memory
     * after a third of them (the link's frame pool grown) is memory
     * after all of them */
    for (int i = 0; i < 3000; i++) {
        if (i % 100 == 0) /* frames in flight on the link stay few */
            net_run_for(f, 1);
        if (i == 1000)
            mem0 = f->mem_in_use;
        synack_addr src = nd_a6("fe80::2:0");
        src.b[13] = (uint8_t)(i >> 16);
        src.b[14] = (uint8_t)(i >> 8);
        src.b[15] = (uint8_t)i;
        synack_mac m = {{0x02, 0xcc, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i}};
        synack_ndp_repr ns;
        memset(&ns, 0, sizeof ns);
        ns.type = SYNACK_ICMP6_NS;
        ns.target = lla;
        ns.has_slla = true;
        ns.slla = m;
        synack_addr sn = synack_ip6_solicited_node(&lla);
        synack_mac snm = synack_ndp_mcast_mac(&sn);
        nd_inject(f->a, f->now, snm, m, &src, &sn, &ns);
    }
    /* each was answered, straight to its sender's MAC */
    assert_int_equal(c->seen, 3000);
    nd_seen na;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NA, 0, &na));
    static const uint8_t m0[6] = {0x02, 0xcc, 0, 0, 0, 0};
    assert_memory_equal(na.dst_mac.b, m0, 6);
    /* 3000 unsolicited advertisements for addresses we never asked */
    uint64_t uns = synack_drops(f->a, SYNACK_DROP_ND_UNSOLICITED);
    for (int i = 0; i < 3000; i++) {
        synack_addr t = nd_a6("fe80::3:0");
        t.b[14] = (uint8_t)(i >> 8);
        t.b[15] = (uint8_t)i;
        synack_ndp_repr na2;
        memset(&na2, 0, sizeof na2);
        na2.type = SYNACK_ICMP6_NA;
        na2.override = true;
        na2.target = t;
        na2.has_tlla = true;
        na2.tlla = r2_mac;
        synack_addr all = synack_ndp_all_nodes();
        nd_inject(f->a, f->now, all_nodes_mac, r2_mac, &t, &all, &na2);
        assert_null(synack_neigh_find(f->a, &t));
        if (i % 100 == 0)
            net_run_for(f, 1);
    }
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_UNSOLICITED), uns + 3000);
    net_run_for(f, 1);
    /* nothing grew; the entry in use survived the flood, B is reached
     * without a new resolution */
    assert_int_equal(f->mem_in_use, mem0);
    const synack_neigh_entry *e = synack_neigh_find(f->a, &llb);
    assert_non_null(e);
    assert_false(e->flags & SYNACK_NEIGH_F_WEAK);
    net_capture_clear(c);
    assert_int_equal(synack_ping_send(f->a, f->now, h, &llb, 2, "b", 1), 0);
    net_run_for(f, 100);
    assert_int_equal(ping_replies(f->a, h), 1);
    nd_seen ns;
    for (size_t i = 0; nd_find(c, 0, SYNACK_ICMP6_NS, i, &ns); i++)
        assert_false(synack_ip6_is_multicast(&ns.ip.dst));
    /* the cache holds at most its size, whatever came */
    size_t used = 0;
    for (uint32_t i = 0; i < f->a->cfg.neigh_cache_size; i++)
        used += f->a->neigh.cache[i].state != SYNACK_NEIGH_FREE;
    assert_true(used <= f->a->cfg.neigh_cache_size);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

/* RFC 4861 7.3.1: a TCP sender whose data is acknowledged knows its
 * neighbour works and does not probe it; the receiver, which only
 * acknowledges, probes as usual. */
static void tcp_progress_confirms_reachability(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, true);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    synack_addr llb = linklocal_of(f->b, 0);
    int l = synack_tcp_open(f->b);
    assert_int_equal(synack_tcp_bind(f->b, l, 80), 0);
    assert_int_equal(synack_tcp_listen(f->b, l, 4), 0);
    int h = synack_tcp_open(f->a);
    assert_int_equal(synack_tcp_connect(f->a, f->now, h, &llb, 80), 0);
    net_run_for(f, 100);
    int c = synack_tcp_accept(f->b, f->now, l, NULL, NULL);
    assert_true(c >= 0);
    net_capture *cap = net_capture_attach(f);
    /* 150 s of one small write a second, well past ReachableTime */
    for (int i = 0; i < 150; i++) {
        assert_int_equal(synack_tcp_send(f->a, f->now, h, "tick", 4), 4);
        net_run_for(f, 1000);
        uint8_t buf[64];
        while (synack_tcp_recv(f->b, f->now, c, buf, sizeof buf) > 0)
            ;
    }
    assert_int_equal(nd_count(cap, 0, SYNACK_ICMP6_NS), 0);
    assert_true(nd_count(cap, 1, SYNACK_ICMP6_NS) >= 2);
    free(cap);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(startup_sequence),
        cmocka_unit_test(rs_stops_when_router_answers),
        cmocka_unit_test(ns_na_between_stacks),
        cmocka_unit_test(ndp_failure_is_a_neigh_drop),
        cmocka_unit_test(trace_events_of_ndp_and_slaac),
        cmocka_unit_test(validation_drops),
        cmocka_unit_test(router_failover_by_nud),
        cmocka_unit_test(next_hop_rules),
        cmocka_unit_test(ra_flood_bounded),
        cmocka_unit_test(ns_and_na_flood_bounded),
        cmocka_unit_test(tcp_progress_confirms_reachability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
