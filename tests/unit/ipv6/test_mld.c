/*
 * MLDv2 (RFC 3810) on virtual time: state-change reports when addresses
 * come and go (joins and leaves, Robustness retransmissions), answers to
 * general and group-specific queries within the Maximum Response Delay,
 * bounded under a flood of queries, and query validation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "nd_frames.h"
#include "ipv6/mld.h"
#include "net/stack.h"

static const synack_mac q_mac = {{0x02, 0xdd, 0, 0, 0, 1}};
static const synack_mac all_nodes_mac = {{0x33, 0x33, 0, 0, 0, 1}};

/* Inject a query: v2 (28 bytes) unless v1; group NULL: general. */
static void inject_query(net_fixture *f, const char *src, uint8_t hop, const synack_addr *group,
                         uint16_t max_resp, bool v1)
{
    uint8_t q[28];
    memset(q, 0, sizeof q);
    q[0] = SYNACK_ICMP6_MLD_QUERY;
    synack_wr_be16(q + 4, max_resp);
    if (group != NULL)
        memcpy(q + 8, group->b, 16);
    q[24] = 2;
    q[25] = 125;
    synack_addr s = nd_a6(src);
    synack_addr dst = group != NULL ? *group : synack_ndp_all_nodes();
    synack_mac dm = group != NULL ? synack_ndp_mcast_mac(group) : all_nodes_mac;
    uint8_t buf[200];
    size_t n = nd_build_icmp6(buf, dm, q_mac, &s, &dst, hop, true, q, v1 ? 24 : 28);
    synack_input(f->a, f->now, buf, n);
}

static size_t records(const nd_seen *m, synack_mld_record *out, size_t cap)
{
    size_t n;
    assert_int_equal(synack_mld_report_parse(m->msg, m->len, out, cap, &n), 8);
    return n;
}

static void join_and_leave(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    net_run_for(f, 3000);
    net_capture *c = net_capture_attach(f);
    /* a static address with its own solicited-node group */
    synack_addr x = nd_a6("2001:db8::abcd:1234");
    synack_addr gx = synack_ip6_solicited_node(&x);
    assert_int_equal(synack_add_ipv6(f->a, f->now, &x, 64), 0);
    assert_true(synack_mld_listening(f->a, &gx));
    net_run_for(f, 2000);
    /* joined: TO_EXCLUDE {} twice, from the link-local address now */
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 2);
    nd_seen m;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, 0, &m));
    assert_true(synack_ip6_is_linklocal(&m.ip.src));
    assert_int_equal(m.ip.hop_limit, 1);
    assert_true(m.router_alert);
    synack_mld_record r[8];
    assert_int_equal(records(&m, r, 8), 1);
    assert_int_equal(r[0].type, SYNACK_MLD_TO_EXCLUDE);
    assert_true(synack_addr_equal(&r[0].group, &gx));
    /* it came before the DAD probe for x */
    nd_seen ns;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_NS, 0, &ns));
    assert_true(m.frame < ns.frame);
    /* removed: TO_INCLUDE {} twice, and no longer listening */
    net_capture_clear(c);
    assert_int_equal(synack_del_ipv6(f->a, f->now, &x), 0);
    assert_false(synack_mld_listening(f->a, &gx));
    net_run_for(f, 2000);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 2);
    for (size_t k = 0; k < 2; k++) {
        assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, k, &m));
        assert_int_equal(records(&m, r, 8), 1);
        assert_int_equal(r[0].type, SYNACK_MLD_TO_INCLUDE);
        assert_true(synack_addr_equal(&r[0].group, &gx));
    }
    /* a group two addresses share is left only when both are gone */
    synack_addr y1 = nd_a6("2001:db8::1:0:0:77"), y2 = nd_a6("2001:db8::2:0:0:77");
    assert_int_equal(synack_add_ipv6(f->a, f->now, &y1, 64), 0);
    assert_int_equal(synack_add_ipv6(f->a, f->now, &y2, 64), 0);
    synack_addr gy = synack_ip6_solicited_node(&y1);
    assert_int_equal(synack_del_ipv6(f->a, f->now, &y1), 0);
    assert_true(synack_mld_listening(f->a, &gy));
    assert_int_equal(synack_del_ipv6(f->a, f->now, &y2), 0);
    assert_false(synack_mld_listening(f->a, &gy));
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

static void answers_queries(void **state)
{
    (void)state;
    net_fixture_opts o = nd_opts(true, false);
    net_fixture *f = net_fixture_new(&o);
    synack_addr x = nd_a6("2001:db8::abcd:1234");
    assert_int_equal(synack_add_ipv6(f->a, f->now, &x, 64), 0);
    net_run_for(f, 5000);
    net_capture *c = net_capture_attach(f);
    synack_addr ll;
    assert_true(nd_addr(f->a, SYNACK_IP6_ORIGIN_LINKLOCAL, SYNACK_IP6_PREFERRED, &ll));

    /* a general query, Maximum Response Delay 2 s: one report with
     * MODE_IS_EXCLUDE {} for both our groups, within 2 s */
    uint64_t t0 = f->now;
    inject_query(f, "fe80::99", 1, NULL, 2000, false);
    net_run_for(f, 2100);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 1);
    nd_seen m;
    assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, 0, &m));
    assert_true(m.frame->t > t0 && m.frame->t <= t0 + 2000);
    synack_mld_record r[8];
    assert_int_equal(records(&m, r, 8), 2);
    synack_addr g1 = synack_ip6_solicited_node(&ll), g2 = synack_ip6_solicited_node(&x);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(r[k].type, SYNACK_MLD_IS_EXCLUDE);
        assert_true(synack_addr_equal(&r[k].group, &g1) || synack_addr_equal(&r[k].group, &g2));
    }
    assert_false(synack_addr_equal(&r[0].group, &r[1].group));

    /* 5000 general queries in a row: still one answer, no memory */
    net_capture_clear(c);
    size_t mem0 = f->mem_in_use;
    for (int k = 0; k < 5000; k++)
        inject_query(f, "fe80::99", 1, NULL, 1000, false);
    assert_int_equal(f->mem_in_use, mem0);
    net_run_for(f, 1100);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 1);

    /* a group-specific query: the answer names only that group; for a
     * group we are not in, nothing */
    net_capture_clear(c);
    inject_query(f, "fe80::99", 1, &g2, 500, false);
    synack_addr other = nd_a6("ff02::1:ff00:4242");
    inject_query(f, "fe80::99", 1, &other, 500, false);
    net_run_for(f, 600);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 1);
    assert_true(nd_find(c, 0, SYNACK_ICMP6_MLD2_REPORT, 0, &m));
    assert_int_equal(records(&m, r, 8), 1);
    assert_true(synack_addr_equal(&r[0].group, &g2));

    /* an MLDv1 query (24 bytes) is answered too (with an MLDv2 report) */
    net_capture_clear(c);
    inject_query(f, "fe80::99", 1, NULL, 300, true);
    net_run_for(f, 400);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 1);

    /* not from a link-local address, or forwarded: refused */
    net_capture_clear(c);
    uint64_t bad = synack_drops(f->a, SYNACK_DROP_MLD_MALFORMED);
    inject_query(f, "2001:db8::99", 1, NULL, 300, false);
    inject_query(f, "fe80::99", 2, NULL, 300, false);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_MLD_MALFORMED), bad + 2);
    net_run_for(f, 400);
    assert_int_equal(nd_count(c, 0, SYNACK_ICMP6_MLD2_REPORT), 0);
    free(c);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_and_leave),
        cmocka_unit_test(answers_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
