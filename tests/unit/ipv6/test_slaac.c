/*
 * SLAAC and DAD (RFC 4862) on virtual time: the RFC 7217 link-local
 * address of a stack, a duplicate found by DAD (static address: marked,
 * never used; link-local: the next DAD counter), addresses from an RA's
 * prefix with the preferred/valid lifetimes, deprecation and the two-hour
 * rule, the RA's hop limit / MTU / timers, and RDNSS (RFC 8106) into the
 * DNS client with its lifetime.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nd_frames.h"
#include "app/dns.h"
#include "ipv6/nd.h"
#include "ipv6/slaac.h"
#include "ipv6/slaac_iid.h"
#include "net/stack.h"

static const synack_mac r1_mac = {{0x02, 0xaa, 0, 0, 0, 1}};
static const synack_mac all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};

static synack_addr iid_addr(synack_stack *s, const char *prefix, uint8_t counter)
{
    synack_addr p = nd_a6(prefix);
    return synack_slaac_address(synack_slaac_key(s), &p, &s->cfg.mac, counter);
}

static const synack_ip6_addr_info *info_of(synack_stack *s, const synack_addr *a,
                                           synack_ip6_addr_info *buf)
{
    size_t n = synack_get_ipv6(s, buf, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (synack_addr_equal(&buf[i].addr, a))
            return &buf[i];
    return NULL;
}

static void linklocal_is_rfc7217(void **state)
{
    (void)state;
    /* same seed (so same secret) on both sides, different MACs */
    net_fixture_opts o = nd_opts(true, true);
    o.seed_b = o.seed_a;
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    synack_addr a, b;
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, &a));
    assert_true(nd_addr(f->b, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, &b));
    synack_addr want = iid_addr(f->a, "fe80::", 0);
    assert_true(synack_addr_equal(&a, &want));
    assert_false(synack_addr_equal(&a, &b));
    /* not EUI-64: the MAC is nowhere in it */
    assert_false(a.b[11] == 0xff && a.b[12] == 0xfe);
    synack_ip6_addr_info buf[16];
    const synack_ip6_addr_info *i = info_of(f->a, &a, buf);
    assert_non_null(i);
    assert_int_equal(i->prefix_len, 64);
    assert_true(i->valid_until == UINT64_MAX);
    /* a stack made again with the same seed and MAC gets the same one */
    net_fixture *g = net_fixture_new(&o);
    net_run_for(g, 3000);
    synack_addr a2;
    assert_true(nd_addr(g->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, &a2));
    assert_true(synack_addr_equal(&a, &a2));
    assert_int_equal(net_fixture_free(g), 0);
    assert_int_equal(net_fixture_free(f), 0);
}

static void dad_conflict_static(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(false, false);
    net_fixture *f = net_fixture_new(&o);
    net_capture *c = net_capture_attach(f);
    synack_addr x = nd_a6("2001:db8::1"), y = nd_a6("2001:db8::2");
    assert_int_equal(synack_add_ipv6(f->b, f->now, &x, 64), 0);
    net_run_for(f, 2500);
    synack_ip6_addr_info buf[16];
    assert_int_equal(info_of(f->b, &x, buf)->state, SYNACK_IP6_PREFERRED);
    /* A takes the same address (and another, distinct one) */
    assert_int_equal(synack_add_ipv6(f->a, f->now, &x, 64), 0);
    assert_int_equal(info_of(f->a, &x, buf)->state, SYNACK_IP6_TENTATIVE);
    net_run_for(f, 2500);
    /* B defended it: an NA to all-nodes (the prober has no address) */
    nd_seen na;
    assert_true(nd_find(c, 1, SYNACK_ICMP6_NA, 0, &na));
    synack_addr all = synack_ndp_all_nodes();
    assert_true(synack_addr_equal(&na.ip.dst, &all));
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(na.msg, na.len, &r), 24);
    assert_false(r.solicited);
    /* A: duplicate, counted, never used; B keeps it */
    assert_int_equal(info_of(f->a, &x, buf)->state, SYNACK_IP6_DUPLICATE);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_DAD_CONFLICT), 1);
    assert_int_equal(info_of(f->b, &x, buf)->state, SYNACK_IP6_PREFERRED);
    synack_addr src;
    assert_int_equal(synack_ipv6_select_source(f->a, &y, &src), SYNACK_ERR_UNREACHABLE);
    int h = synack_ping_open(f->a);
    assert_true(synack_ping_send(f->a, f->now, h, &y, 1, "x", 1) < 0);
    /* A does not answer for it either: B's solicitations get nothing
     * from A (only its probe went out for x) */
    net_capture_clear(c);
    synack_ndp_repr ns;
    memset(&ns, 0, sizeof ns);
    ns.type = SYNACK_ICMP6_NS;
    ns.target = x;
    ns.has_slla = true;
    ns.slla = r1_mac;
    synack_addr sn = synack_ip6_solicited_node(&x), from = nd_a6("2001:db8::99");
    nd_inject(f->a, f->now, synack_ndp_mcast_mac(&sn), r1_mac, &from, &sn, &ns);
    net_run_for(f, 10);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_NA), 0);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

static void dad_conflict_linklocal_takes_next_counter(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    synack_addr ll0 = iid_addr(f->a, "fe80::", 0), ll1 = iid_addr(f->a, "fe80::", 1);
    /* another node's DAD probe for our tentative address (RFC 4862
     * 5.4.3): from ::, to the solicited-node group, no SLLA */
    synack_ndp_repr ns;
    memset(&ns, 0, sizeof ns);
    ns.type = SYNACK_ICMP6_NS;
    ns.target = ll0;
    synack_addr none = {SYNACK_AF_IP6, {0}};
    synack_addr sn = synack_ip6_solicited_node(&ll0);
    nd_inject(f->a, f->now, synack_ndp_mcast_mac(&sn), r1_mac, &none, &sn, &ns);
    synack_ip6_addr_info buf[16];
    assert_int_equal(info_of(f->a, &ll0, buf)->state, SYNACK_IP6_DUPLICATE);
    /* RFC 7217 6: the next DAD counter gives the next identifier */
    const synack_ip6_addr_info *i1 = info_of(f->a, &ll1, buf);
    assert_non_null(i1);
    assert_int_equal(i1->state, SYNACK_IP6_TENTATIVE);
    net_capture *c = net_capture_attach(f);
    net_run_for(f, 3000);
    assert_int_equal(info_of(f->a, &ll1, buf)->state, SYNACK_IP6_PREFERRED);
    /* its router solicitation comes from the new address */
    nd_seen rs;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_RS, 0, &rs));
    assert_true(synack_addr_equal(&rs.ip.src, &ll1));
    /* an NA for the new tentative ... of a later address makes that one
     * a duplicate too; after IDGEN_RETRIES the stack stops trying */
    for (int k = 1; k <= SYNACK_SLAAC_IDGEN_RETRIES + 1; k++) {
        synack_addr cur = iid_addr(f->a, "fe80::", (uint8_t)k);
        synack_ip6_ifaddr *a = synack_ip6_addr_find(f->a, &cur);
        if (a == NULL)
            break;
        a->state = SYNACK_IP6_TENTATIVE; /* as if it were probing */
        synack_ndp_repr na;
        memset(&na, 0, sizeof na);
        na.type = SYNACK_ICMP6_NA;
        na.override = true;
        na.target = cur;
        na.has_tlla = true;
        na.tlla = r1_mac;
        synack_addr all = synack_ndp_all_nodes(), other = nd_a6("fe80::77");
        nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &other, &all, &na);
        assert_int_equal(synack_ip6_addr_find(f->a, &cur)->state, SYNACK_IP6_DUPLICATE);
    }
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ND_DAD_CONFLICT),
                     SYNACK_SLAAC_IDGEN_RETRIES + 1);
    assert_false(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_TENTATIVE, NULL));
    assert_false(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, NULL));
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

/* An RA with everything: prefix P (L, A), RDNSS, MTU, parameters. */
static void inject_full_ra(net_fixture *f, uint32_t valid, uint32_t preferred,
                           uint32_t rdnss_life)
{
    uint8_t opts[128];
    synack_ndp_prefix p = {64, true, true, valid, preferred, nd_a6("2001:db8:1::")};
    size_t on = synack_ndp_opt_prefix_emit(&p, opts);
    synack_addr dns[2] = {nd_a6("2001:db8::53"), nd_a6("2001:db8::54")};
    on += synack_ndp_opt_rdnss_emit(rdnss_life, dns, 2, opts + on);
    on += synack_ndp_opt_dnssl_emit(rdnss_life, "example.org", opts + on, sizeof opts - on);
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RA;
    r.cur_hop_limit = 42;
    r.router_lifetime = 9000;
    r.reachable_ms = 20000;
    r.retrans_ms = 500;
    r.has_slla = true;
    r.slla = r1_mac;
    r.has_mtu = true;
    r.mtu = 1400;
    r.opts = opts;
    r.opts_len = on;
    synack_addr src = nd_a6("fe80::1"), all = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &src, &all, &r);
}

/* ---- a stable secret (cfg.ipv6.stable_secret) ---------------------------- */

/* A with SLAAC and, when ctx is not NULL, the 16-byte stable secret at
 * ctx; B without SLAAC. */
static void tune_secret(void *ctx, int side, synack_config *cfg)
{
    cfg->ipv6.slaac = side == 0;
    if (side == 0 && ctx != NULL) {
        cfg->ipv6.has_stable_secret = true;
        memcpy(cfg->ipv6.stable_secret, ctx, 16);
    }
}

/* Start a fixture with A's seed and secret (NULL: none), let A form its
 * link-local address and one from an RA's prefix; return both. */
static void addresses_of(uint64_t seed, const uint8_t *secret, synack_addr *ll,
                         synack_addr *global)
{
    net_fixture_opts o = net_fixture_defaults();
    o.seed_a = seed;
    o.tune = tune_secret;
    o.tune_ctx = (void *)secret;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    net_run_for(f, 3000);
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, ll));
    inject_full_ra(f, 10800, 3600, 600);
    net_run_for(f, 2000);
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_SLAAC, SYNACK_IP6_PREFERRED, global));
    assert_int_equal(net_fixture_free(f), 0);
}

/*
 * RFC 7217 5: the identifier is stable for a host that keeps its secret.
 * With cfg.ipv6.stable_secret two stacks of the same MAC started from
 * different random sources (a restart) form the same link-local and SLAAC
 * addresses; another secret gives others; without one the random source
 * decides (a new address each start).
 */
static void stable_secret_survives_restart(void **state)
{
    (void)state;
    static const uint8_t k1[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t k2[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
    synack_addr ll1, g1, ll2, g2, ll3, g3, ll4, g4, ll5, g5;
    addresses_of(1, k1, &ll1, &g1);
    addresses_of(99, k1, &ll2, &g2); /* "restart": another random source */
    assert_true(synack_addr_equal(&ll1, &ll2));
    assert_true(synack_addr_equal(&g1, &g2));
    addresses_of(1, k2, &ll3, &g3); /* another secret */
    assert_false(synack_addr_equal(&ll1, &ll3));
    assert_false(synack_addr_equal(&g1, &g3));
    /* the secret, not the prefix, is what the first 64 bits ignore */
    assert_memory_equal(g1.b, g3.b, 8);
    addresses_of(1, NULL, &ll4, &g4); /* no stable secret: the seed decides */
    addresses_of(99, NULL, &ll5, &g5);
    assert_false(synack_addr_equal(&ll4, &ll5));
    assert_false(synack_addr_equal(&g4, &g5));
    assert_false(synack_addr_equal(&ll4, &ll1));
}

static void ra_prefix_and_lifetimes(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    /* valid 3 h, preferred 1 h */
    inject_full_ra(f, 10800, 3600, 600);
    uint64_t t0 = f->now;
    synack_addr g = iid_addr(f->a, "2001:db8:1::", 0);
    synack_ip6_addr_info buf[16];
    const synack_ip6_addr_info *i = info_of(f->a, &g, buf);
    assert_non_null(i);
    assert_int_equal(i->origin, SYNACK_IP6_ORIGIN_SLAAC);
    assert_int_equal(i->state, SYNACK_IP6_TENTATIVE);
    assert_int_equal(i->prefix_len, 64);
    assert_true(i->valid_until == t0 + 10800000u);
    assert_true(i->preferred_until == t0 + 3600000u);
    /* the router's parameters */
    assert_int_equal(f->a->ip6.cur_hop_limit, 42);
    assert_int_equal(synack_ipv6_mtu_payload(f->a), 1400 - 40);
    assert_int_equal(synack_nd_retrans_ms(f->a), 500);
    assert_true(synack_nd_reachable_ms(f->a) >= 10000 && synack_nd_reachable_ms(f->a) < 30000);
    /* a router cannot make them absurdly small: 10 ms and 100 ms floors */
    synack_ndp_repr tiny;
    memset(&tiny, 0, sizeof tiny);
    tiny.type = SYNACK_ICMP6_RA;
    tiny.router_lifetime = 9000;
    tiny.reachable_ms = 1;
    tiny.retrans_ms = 1;
    synack_addr rsrc0 = nd_a6("fe80::1"), all0 = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &rsrc0, &all0, &tiny);
    assert_int_equal(synack_nd_retrans_ms(f->a), 10);
    assert_true(synack_nd_reachable_ms(f->a) >= 50 && synack_nd_reachable_ms(f->a) < 150);
    /* back to the values of the first advertisement */
    inject_full_ra(f, 10800, 3600, 600);
    net_run_for(f, 2000); /* DAD: one probe, RetransTimer 500 ms */
    assert_int_equal(info_of(f->a, &g, buf)->state, SYNACK_IP6_PREFERRED);
    /* the global address is chosen for global destinations */
    synack_addr far = nd_a6("2001:db8:99::1"), src;
    assert_int_equal(synack_ipv6_select_source(f->a, &far, &src), 0);
    assert_true(synack_addr_equal(&src, &g));

    /* preferred lifetime over: deprecated, still valid */
    net_run_for(f, t0 + 3600000u + 1 - f->now);
    assert_int_equal(info_of(f->a, &g, buf)->state, SYNACK_IP6_DEPRECATED);
    /* RFC 4862 5.5.3(e): 1h40m left, an RA saying 60 s is ignored */
    inject_full_ra(f, 60, 60, 600);
    i = info_of(f->a, &g, buf);
    assert_true(i->valid_until == t0 + 10800000u);
    assert_int_equal(i->state, SYNACK_IP6_PREFERRED); /* preferred again, for 60 s */
    /* a longer valid lifetime is taken as it is */
    inject_full_ra(f, 20000, 3600, 600);
    uint64_t t1 = f->now;
    assert_true(info_of(f->a, &g, buf)->valid_until == t1 + 20000000u);
    /* with more than 2 h left, a short one cuts it to 2 h, not less */
    inject_full_ra(f, 60, 30, 600);
    i = info_of(f->a, &g, buf);
    assert_true(i->valid_until == t1 + 7200000u);
    assert_true(i->preferred_until == t1 + 30000u);
    /* nothing refreshes it: gone when the valid lifetime ends */
    net_run_for(f, t1 + 7200000u + 1 - f->now);
    assert_null(info_of(f->a, &g, buf));
    /* a prefix that is not /64, or a link-local one, or preferred >
     * valid, forms no address */
    size_t before = synack_get_ipv6(f->a, NULL, 0);
    uint8_t opts[96];
    synack_ndp_prefix bad[3] = {
        {48, true, true, 600, 600, nd_a6("2001:db8:2::")},
        {64, true, true, 600, 600, nd_a6("fe80::")},
        {64, true, true, 600, 900, nd_a6("2001:db8:3::")},
    };
    size_t on = 0;
    for (int k = 0; k < 3; k++)
        on += synack_ndp_opt_prefix_emit(&bad[k], opts + on);
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RA;
    r.opts = opts;
    r.opts_len = on;
    synack_addr rsrc = nd_a6("fe80::1"), all = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &rsrc, &all, &r);
    assert_int_equal(synack_get_ipv6(f->a, NULL, 0), before);
    assert_int_equal(net_fixture_free(f), 0);
}

static void rdnss_into_dns_client(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    assert_null(synack_dns_server(f->a));
    inject_full_ra(f, 86400, 86400, 600);
    uint64_t t0 = f->now;
    const synack_addr *d = synack_dns_server(f->a);
    assert_non_null(d);
    synack_addr first = nd_a6("2001:db8::53");
    assert_true(synack_addr_equal(d, &first)); /* the option's first */
    synack_addr pub;
    assert_int_equal(synack_get_resolver(f->a, &pub), 0); /* the public view */
    assert_true(synack_addr_equal(&pub, &first));
    assert_int_equal(synack_get_dns(f->a), 0); /* not an IPv4 one */
    net_run_for(f, 2000);
    /* a query with no server named goes to it, over IPv6 */
    net_capture *c = net_capture_attach(f);
    int q = synack_dns_query(f->a, f->now, "example.org", NULL);
    assert_true(q >= 0);
    net_run_for(f, 10);
    bool sent = false;
    for (size_t k = 0; k < c->count; k++) {
        const net_frame *fr = &c->frames[k];
        if (fr->side != 0 || synack_ld_be16(fr->data + 12) != SYNACK_ETHERTYPE_IPV6)
            continue;
        synack_ip6_repr ip;
        if (synack_ip6_parse(fr->data + 14, fr->len - 14, &ip) < 0 ||
            ip.next != SYNACK_IPPROTO_UDP)
            continue;
        assert_true(synack_addr_equal(&ip.dst, &first));
        assert_int_equal(synack_ld_be16(fr->data + 14 + 40 + 2), 53);
        sent = true;
    }
    assert_true(sent);
    /* DHCP's (IPv4) resolver comes before the RA's; a static one before
     * both; withdrawing them brings the RA's back */
    synack_set_dns(f->a, SYNACK_IP4(10, 0, 0, 53));
    assert_int_equal(synack_dns_server(f->a)->family, SYNACK_AF_IP4);
    synack_set_dns(f->a, 0);
    assert_true(synack_addr_equal(synack_dns_server(f->a), &first));
    /* lifetime 0 withdraws one resolver: the other takes over */
    synack_addr one = first;
    uint8_t opts[32];
    size_t on = synack_ndp_opt_rdnss_emit(0, &one, 1, opts);
    synack_ndp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_RA;
    r.router_lifetime = 9000;
    r.opts = opts;
    r.opts_len = on;
    synack_addr src = nd_a6("fe80::1"), all = synack_ndp_all_nodes();
    nd_inject(f->a, f->now, all_nodes_mac, r1_mac, &src, &all, &r);
    synack_addr second = nd_a6("2001:db8::54");
    assert_true(synack_addr_equal(synack_dns_server(f->a), &second));
    /* and its lifetime (600 s) ends it */
    net_run_for(f, t0 + 600000u + 1 - f->now);
    assert_null(synack_dns_server(f->a));
    assert_int_equal(synack_get_resolver(f->a, &pub), SYNACK_ERR_NOTFOUND);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linklocal_is_rfc7217),
        cmocka_unit_test(dad_conflict_static),
        cmocka_unit_test(dad_conflict_linklocal_takes_next_counter),
        cmocka_unit_test(ra_prefix_and_lifetimes),
        cmocka_unit_test(stable_secret_survives_restart),
        cmocka_unit_test(rdnss_into_dns_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
