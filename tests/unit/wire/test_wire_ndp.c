/*
 * NDP (RFC 4861 4, RFC 8106 5) and MLD (RFC 3810 5) codecs: golden bytes
 * for each message, every option, truncation at every length, the
 * option-length rules (0 rejects the packet, unknown skipped, wrong-size
 * known options ignored or, for link-layer addresses, fatal), the
 * RDNSS/DNSSL views, MLD's floating-point codes and the report packet.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire_ndp.h"

static synack_addr A6(const char *t)
{
    synack_addr a;
    assert_int_equal(synack_addr_parse(t, &a), 0);
    return a;
}

/* RFC 1071 over the RFC 8200 8.1 pseudo-header and the message. */
static uint16_t reference_checksum(const synack_addr *src, const synack_addr *dst,
                                   const uint8_t *msg, size_t len)
{
    uint32_t acc = 0;
    for (int i = 0; i < 16; i += 2)
        acc += (uint32_t)(src->b[i] << 8 | src->b[i + 1]) +
               (uint32_t)(dst->b[i] << 8 | dst->b[i + 1]);
    acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + SYNACK_IPPROTO_ICMPV6;
    for (size_t i = 0; i < len; i += 2)
        acc += (uint32_t)(msg[i] << 8 | (i + 1 < len ? msg[i + 1] : 0));
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint16_t)~acc;
}

/* A neighbour solicitation as Linux sends it: target 2001:db8::1, SLLA
 * 02:00:00:00:00:0b (checksum left zero: not part of the parse). */
static const uint8_t ns_golden[32] = {
    135, 0, 0, 0, 0, 0, 0, 0,
    0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
    1, 1, 0x02, 0, 0, 0, 0, 0x0b,
};

static void ns_parse_and_emit(void **state)
{
    (void)state;
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(ns_golden, sizeof ns_golden, &r), 24);
    assert_int_equal(r.type, SYNACK_ICMP6_NS);
    synack_addr t = A6("2001:db8::1");
    assert_true(synack_addr_equal(&r.target, &t));
    assert_true(r.has_slla);
    assert_false(r.has_tlla);
    assert_int_equal(r.slla.b[5], 0x0b);
    assert_int_equal(r.opts_len, 8);

    /* emit the same message from a fresh repr: byte-equal but for the
     * checksum, which matches the reference */
    synack_ndp_repr e;
    memset(&e, 0, sizeof e);
    e.type = SYNACK_ICMP6_NS;
    e.target = t;
    e.has_slla = true;
    e.slla = r.slla;
    synack_addr src = A6("fe80::b"), dst = synack_ndp_solicited_node(&t);
    uint32_t ph = synack_addr_pseudo_sum(&src, &dst, SYNACK_IPPROTO_ICMPV6);
    uint8_t buf[64];
    assert_int_equal(synack_ndp_len(&e), 32);
    assert_int_equal(synack_ndp_emit(&e, buf, ph), 32);
    uint16_t ck = synack_ld_be16(buf + 2);
    buf[2] = buf[3] = 0;
    assert_memory_equal(buf, ns_golden, 32);
    assert_int_equal(ck, reference_checksum(&src, &dst, buf, 32));
    synack_wr_be16(buf + 2, ck);
    synack_icmp_repr ic;
    assert_int_equal(synack_icmp6_parse(buf, 32, ph, true, &ic), 8);

    /* every shorter length: the fixed part truncated, or the option cut */
    for (size_t n = 0; n < sizeof ns_golden; n++) {
        int rc = synack_ndp_parse(ns_golden, n, &r);
        if (n < 24)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else if (n == 24)
            assert_int_equal(rc, 24);
        else
            assert_int_equal(rc, SYNACK_WIRE_BAD_OPTION);
    }
}

static void na_flags_and_tlla(void **state)
{
    (void)state;
    synack_ndp_repr e;
    memset(&e, 0, sizeof e);
    e.type = SYNACK_ICMP6_NA;
    e.solicited = true;
    e.override = true;
    e.target = A6("fe80::211:22ff:fe33:4455");
    e.has_tlla = true;
    e.tlla = (synack_mac){{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
    uint8_t buf[64];
    assert_int_equal(synack_ndp_emit(&e, buf, 0), 32);
    assert_int_equal(buf[0], 136);
    assert_int_equal(buf[4], 0x60); /* S, O; not R */
    assert_int_equal(buf[24], 2);
    assert_int_equal(buf[25], 1);
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(buf, 32, &r), 24);
    assert_false(r.router);
    assert_true(r.solicited && r.override);
    assert_true(r.has_tlla);
    assert_memory_equal(r.tlla.b, e.tlla.b, 6);
    buf[4] = 0x80;
    assert_int_equal(synack_ndp_parse(buf, 32, &r), 24);
    assert_true(r.router);
    assert_false(r.solicited || r.override);
}

/* An RA with every option we read, an unknown one and broken ones. */
static size_t build_ra(uint8_t *buf, size_t cap)
{
    uint8_t opts[400];
    size_t o = 0;
    synack_ndp_prefix p = {64, true, true, 86400, 14400, A6("2001:db8:1::")};
    o += synack_ndp_opt_prefix_emit(&p, opts + o);
    synack_ndp_prefix q = {48, true, false, SYNACK_NDP_INFINITE, SYNACK_NDP_INFINITE,
                           A6("2001:db8:2::")};
    o += synack_ndp_opt_prefix_emit(&q, opts + o);
    /* an unknown option (type 200, two units): skipped */
    memset(opts + o, 0xee, 16);
    opts[o] = 200;
    opts[o + 1] = 2;
    o += 16;
    synack_addr dns[2] = {A6("2001:db8::53"), A6("2001:db8::54")};
    o += synack_ndp_opt_rdnss_emit(600, dns, 2, opts + o);
    /* an RDNSS of two units (RFC 8106 5.3.1: invalid, ignored) */
    memset(opts + o, 0, 16);
    opts[o] = SYNACK_NDP_OPT_RDNSS;
    opts[o + 1] = 2;
    o += 16;
    size_t d = synack_ndp_opt_dnssl_emit(1200, "example.com,lab.example.org", opts + o,
                                         sizeof opts - o);
    assert_true(d > 0 && d % 8 == 0);
    o += d;
    synack_ndp_repr e;
    memset(&e, 0, sizeof e);
    e.type = SYNACK_ICMP6_RA;
    e.cur_hop_limit = 64;
    e.ra_flags = SYNACK_NDP_RA_OTHER;
    e.preference = SYNACK_NDP_PREF_HIGH;
    e.router_lifetime = 1800;
    e.reachable_ms = 30000;
    e.retrans_ms = 1000;
    e.has_slla = true;
    e.slla = (synack_mac){{0x02, 0, 0, 0, 0, 0xfe}};
    e.has_mtu = true;
    e.mtu = 1480;
    e.opts = opts;
    e.opts_len = o;
    assert_true(synack_ndp_len(&e) <= cap);
    return synack_ndp_emit(&e, buf, 0);
}

static void ra_fields_and_options(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t n = build_ra(buf, sizeof buf);
    assert_int_equal(buf[5], 0x48); /* O, preference 01 (high) */
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(buf, n, &r), 16);
    assert_int_equal(r.cur_hop_limit, 64);
    assert_int_equal(r.ra_flags & SYNACK_NDP_RA_OTHER, SYNACK_NDP_RA_OTHER);
    assert_int_equal(r.preference, SYNACK_NDP_PREF_HIGH);
    assert_int_equal(r.router_lifetime, 1800);
    assert_int_equal(r.reachable_ms, 30000);
    assert_int_equal(r.retrans_ms, 1000);
    assert_true(r.has_slla && r.has_mtu);
    assert_int_equal(r.mtu, 1480);
    assert_int_equal(r.n_prefix, 2);
    assert_int_equal(r.n_rdnss, 1);
    assert_int_equal(r.n_dnssl, 1);
    assert_int_equal(r.n_ignored, 2); /* unknown + short RDNSS */

    synack_ndp_opt_iter it = synack_ndp_opts(&r);
    synack_ndp_opt o;
    assert_true(synack_ndp_opt_next(&it, &o));
    assert_int_equal(o.type, SYNACK_NDP_OPT_PREFIX);
    assert_int_equal(o.prefix.len, 64);
    assert_true(o.prefix.onlink && o.prefix.autonomous);
    assert_int_equal(o.prefix.valid_s, 86400);
    assert_int_equal(o.prefix.preferred_s, 14400);
    synack_addr p1 = A6("2001:db8:1::");
    assert_true(synack_addr_equal(&o.prefix.prefix, &p1));
    assert_true(synack_ndp_opt_next(&it, &o));
    assert_int_equal(o.prefix.len, 48);
    assert_false(o.prefix.autonomous);
    assert_int_equal(o.prefix.valid_s, SYNACK_NDP_INFINITE);
    assert_true(synack_ndp_opt_next(&it, &o));
    assert_int_equal(o.type, SYNACK_NDP_OPT_RDNSS);
    assert_int_equal(o.lifetime_s, 600);
    assert_int_equal(o.count, 2);
    synack_addr d2 = synack_ndp_rdnss_addr(&o, 1), want = A6("2001:db8::54");
    assert_true(synack_addr_equal(&d2, &want));
    assert_true(synack_ndp_opt_next(&it, &o));
    assert_int_equal(o.type, SYNACK_NDP_OPT_DNSSL);
    assert_int_equal(o.lifetime_s, 1200);
    char name[256];
    size_t off = 0;
    assert_int_equal(synack_ndp_dnssl_name(&o, &off, name, sizeof name), 11);
    assert_string_equal(name, "example.com");
    assert_int_equal(synack_ndp_dnssl_name(&o, &off, name, sizeof name), 15);
    assert_string_equal(name, "lab.example.org");
    assert_int_equal(synack_ndp_dnssl_name(&o, &off, name, sizeof name), 0);
    assert_int_equal(synack_ndp_dnssl_name(&o, &off, name, 8), 0);
    off = 0;
    assert_int_equal(synack_ndp_dnssl_name(&o, &off, name, 8), SYNACK_WIRE_BAD_OPTION);
    assert_false(synack_ndp_opt_next(&it, &o));

    /* every truncation of the options is an error, never a read past */
    for (size_t k = 0; k < n; k++) {
        int rc = synack_ndp_parse(buf, k, &r);
        if (k < 16)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else
            assert_true(rc == 16 || rc == SYNACK_WIRE_BAD_OPTION);
    }
}

static void option_length_rules(void **state)
{
    (void)state;
    uint8_t m[48];
    memset(m, 0, sizeof m);
    m[0] = SYNACK_ICMP6_RS;
    synack_ndp_repr r;
    /* RS with one unknown option of one unit: fine */
    m[8] = 99;
    m[9] = 1;
    assert_int_equal(synack_ndp_parse(m, 16, &r), 8);
    assert_int_equal(r.n_ignored, 1);
    /* length 0 rejects the packet (RFC 4861 6.1.1/7.1.1) */
    m[9] = 0;
    assert_int_equal(synack_ndp_parse(m, 16, &r), SYNACK_WIRE_BAD_OPTION);
    /* running past the end */
    m[9] = 2;
    assert_int_equal(synack_ndp_parse(m, 16, &r), SYNACK_WIRE_BAD_OPTION);
    /* a lone byte after the fixed part */
    assert_int_equal(synack_ndp_parse(m, 9, &r), SYNACK_WIRE_BAD_OPTION);
    /* an SLLA of two units on Ethernet: the packet is invalid */
    m[8] = SYNACK_NDP_OPT_SLLA;
    m[9] = 2;
    assert_int_equal(synack_ndp_parse(m, 24, &r), SYNACK_WIRE_BAD_OPTION);
    /* two SLLAs: the first counts */
    m[9] = 1;
    m[10] = 0xaa;
    m[16] = SYNACK_NDP_OPT_SLLA;
    m[17] = 1;
    m[18] = 0xbb;
    assert_int_equal(synack_ndp_parse(m, 24, &r), 8);
    assert_int_equal(r.slla.b[0], 0xaa);
    /* a Prefix option of 3 units and an MTU of 2: ignored, not fatal */
    memset(m + 8, 0, 40);
    m[8] = SYNACK_NDP_OPT_MTU;
    m[9] = 2;
    m[24] = SYNACK_NDP_OPT_PREFIX;
    m[25] = 3;
    assert_int_equal(synack_ndp_parse(m, 48, &r), 8);
    assert_false(r.has_mtu);
    assert_int_equal(r.n_prefix, 0);
    assert_int_equal(r.n_ignored, 2);
    /* a prefix length above 128 is not a usable prefix */
    synack_ndp_prefix p = {129, true, true, 10, 10, A6("2001:db8::")};
    synack_ndp_opt_prefix_emit(&p, m + 8);
    assert_int_equal(synack_ndp_parse(m, 40, &r), 8);
    assert_int_equal(r.n_prefix, 0);
    /* DNSSL with a compression pointer or a name without its end */
    memset(m + 8, 0, 40);
    m[8] = SYNACK_NDP_OPT_DNSSL;
    m[9] = 2;
    m[16] = 0xc0;
    m[17] = 0x0c;
    assert_int_equal(synack_ndp_parse(m, 24, &r), 8);
    assert_int_equal(r.n_dnssl, 0);
    m[16] = 7; /* a label running past the option */
    assert_int_equal(synack_ndp_parse(m, 24, &r), 8);
    assert_int_equal(r.n_dnssl, 0);
    m[16] = 3;
    m[17] = 'a';
    m[18] = 'b';
    m[19] = 'c';
    m[20] = 0;
    assert_int_equal(synack_ndp_parse(m, 24, &r), 8);
    assert_int_equal(r.n_dnssl, 1);
    /* other types and every truncated fixed part */
    m[0] = 1;
    assert_int_equal(synack_ndp_parse(m, 48, &r), SYNACK_WIRE_UNSUPPORTED);
    static const uint8_t types[5] = {133, 134, 135, 136, 137};
    static const size_t fixed[5] = {8, 16, 24, 24, 40};
    for (int i = 0; i < 5; i++) {
        memset(m, 0, sizeof m);
        m[0] = types[i];
        assert_int_equal(synack_ndp_parse(m, fixed[i] - 1, &r), SYNACK_WIRE_TRUNCATED);
        assert_int_equal(synack_ndp_parse(m, fixed[i], &r), (int)fixed[i]);
    }
    assert_int_equal(synack_ndp_parse(m, 0, &r), SYNACK_WIRE_TRUNCATED);
}

static void redirect_and_preference(void **state)
{
    (void)state;
    uint8_t m[40];
    memset(m, 0, sizeof m);
    m[0] = SYNACK_ICMP6_REDIRECT;
    m[8] = 0xfe;
    m[9] = 0x80;
    m[39] = 7;
    synack_ndp_repr r;
    assert_int_equal(synack_ndp_parse(m, 40, &r), 40);
    assert_int_equal(r.target.b[0], 0xfe);
    assert_int_equal(r.redirect_dst.b[15], 7);
    /* RA preference: 11 low, 10 reserved reads as medium */
    uint8_t ra[16] = {134, 0, 0, 0, 64, 0x18, 0, 0};
    assert_int_equal(synack_ndp_parse(ra, 16, &r), 16);
    assert_int_equal(r.preference, SYNACK_NDP_PREF_LOW);
    ra[5] = 0x10;
    assert_int_equal(synack_ndp_parse(ra, 16, &r), 16);
    assert_int_equal(r.preference, SYNACK_NDP_PREF_MEDIUM);
}

static void multicast_addresses(void **state)
{
    (void)state;
    synack_addr a = A6("2001:db8::211:22ff:fe33:4455");
    synack_addr g = synack_ndp_solicited_node(&a), want = A6("ff02::1:ff33:4455");
    assert_true(synack_addr_equal(&g, &want));
    synack_mac m = synack_ndp_mcast_mac(&g);
    static const uint8_t mm[6] = {0x33, 0x33, 0xff, 0x33, 0x44, 0x55};
    assert_memory_equal(m.b, mm, 6);
    synack_addr an = synack_ndp_all_nodes(), ar = synack_ndp_all_routers(),
                ml = synack_mld_all_routers();
    synack_addr w1 = A6("ff02::1"), w2 = A6("ff02::2"), w3 = A6("ff02::16");
    assert_true(synack_addr_equal(&an, &w1));
    assert_true(synack_addr_equal(&ar, &w2));
    assert_true(synack_addr_equal(&ml, &w3));
}

static void mld_codes_and_queries(void **state)
{
    (void)state;
    /* RFC 3810 5.1.3: below 32768 plain ms; else (mant|0x1000) << (exp+3) */
    assert_int_equal(synack_mld_max_resp_ms(10000), 10000);
    assert_int_equal(synack_mld_max_resp_ms(0x8000), 0x1000u << 3);
    assert_int_equal(synack_mld_max_resp_ms(0xffff), 0x1fffu << 10);
    assert_int_equal(synack_mld_qqi_s(125), 125);
    assert_int_equal(synack_mld_qqi_s(0x80), 0x10u << 3);
    assert_int_equal(synack_mld_qqi_s(0xff), 0x1fu << 10);

    uint8_t q[60];
    memset(q, 0, sizeof q);
    q[0] = SYNACK_ICMP6_MLD_QUERY;
    synack_wr_be16(q + 4, 1000);
    synack_mld_query r;
    assert_int_equal(synack_mld_query_parse(q, 24, &r), 24);
    assert_false(r.v2);
    assert_int_equal(r.max_resp_ms, 1000);
    for (size_t n = 25; n < 28; n++)
        assert_int_equal(synack_mld_query_parse(q, n, &r), SYNACK_WIRE_UNSUPPORTED);
    assert_int_equal(synack_mld_query_parse(q, 23, &r), SYNACK_WIRE_TRUNCATED);
    q[8] = 0xff;
    q[9] = 0x02;
    q[23] = 0x16;
    q[24] = 0x08 | 2; /* S, QRV 2 */
    q[25] = 125;
    synack_wr_be16(q + 26, 2);
    assert_int_equal(synack_mld_query_parse(q, 59, &r), SYNACK_WIRE_BAD_LEN);
    assert_int_equal(synack_mld_query_parse(q, 60, &r), 28);
    assert_true(r.v2 && r.suppress);
    assert_int_equal(r.qrv, 2);
    assert_int_equal(r.qqi_s, 125);
    assert_int_equal(r.n_sources, 2);
    assert_int_equal(r.group.b[15], 0x16);
    q[0] = SYNACK_ICMP6_MLD_REPORT;
    assert_int_equal(synack_mld_query_parse(q, 24, &r), SYNACK_WIRE_UNSUPPORTED);
}

static void mld_report_packet(void **state)
{
    (void)state;
    synack_addr src = A6("fe80::1");
    synack_addr g1 = A6("ff02::1:ff00:1"), g2 = A6("ff02::1:ff33:4455");
    synack_mld_record recs[2] = {{SYNACK_MLD_TO_EXCLUDE, g1}, {SYNACK_MLD_TO_EXCLUDE, g2}};
    uint8_t buf[128];
    size_t n = synack_mld_packet_emit(&src, recs, 2, buf);
    assert_int_equal(n, synack_mld_packet_len(2));
    assert_int_equal(n, 40 + 8 + 8 + 40);
    synack_ip6_repr ip;
    assert_int_equal(synack_ip6_parse(buf, n, &ip), 40);
    assert_int_equal(ip.hop_limit, 1);
    assert_int_equal(ip.next, 0);
    assert_int_equal(ip.payload_len, n - 40);
    synack_addr all = A6("ff02::16");
    assert_true(synack_addr_equal(&ip.dst, &all));
    static const uint8_t hbh[8] = {58, 0, 5, 2, 0, 0, 1, 0};
    assert_memory_equal(buf + 40, hbh, 8);
    /* the walk accepts the Router Alert and finds ICMPv6 */
    synack_ip6_ext e;
    assert_int_equal(synack_ip6_ext_walk(buf + 40, n - 40, 0, &e), SYNACK_IP6_EXT_OK);
    assert_int_equal(e.proto, 58);
    assert_int_equal(e.off, 8);
    const uint8_t *m = buf + 48;
    size_t ml = n - 48;
    uint8_t copy[128];
    memcpy(copy, m, ml);
    copy[2] = copy[3] = 0;
    assert_int_equal(synack_ld_be16(m + 2), reference_checksum(&src, &all, copy, ml));
    uint32_t ph = synack_addr_pseudo_sum(&src, &all, SYNACK_IPPROTO_ICMPV6);
    synack_icmp_repr ic;
    assert_int_equal(synack_icmp6_parse(m, ml, ph, true, &ic), 8);
    assert_int_equal(ic.type, 143);
    synack_mld_record back[4];
    size_t cnt;
    assert_int_equal(synack_mld_report_parse(m, ml, back, 4, &cnt), 8);
    assert_int_equal(cnt, 2);
    assert_int_equal(back[1].type, SYNACK_MLD_TO_EXCLUDE);
    assert_true(synack_addr_equal(&back[1].group, &g2));
    /* the unspecified source during DAD (RFC 3810 5.2.13) */
    synack_addr none = {SYNACK_AF_IP6, {0}};
    n = synack_mld_packet_emit(&none, recs, 1, buf);
    assert_int_equal(synack_ip6_parse(buf, n, &ip), 40);
    ph = synack_addr_pseudo_sum(&none, &all, SYNACK_IPPROTO_ICMPV6);
    assert_int_equal(synack_icmp6_parse(buf + 48, n - 48, ph, true, &ic), 8);
    /* a record claiming sources past the end */
    uint8_t bad[28];
    memcpy(bad, m, 28);
    synack_wr_be16(bad + 6, 1);
    synack_wr_be16(bad + 10, 1);
    assert_int_equal(synack_mld_report_parse(bad, 28, back, 4, &cnt), SYNACK_WIRE_BAD_LEN);
    synack_wr_be16(bad + 6, 2);
    synack_wr_be16(bad + 10, 0);
    assert_int_equal(synack_mld_report_parse(bad, 28, back, 4, &cnt), SYNACK_WIRE_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ns_parse_and_emit),
        cmocka_unit_test(na_flags_and_tlla),
        cmocka_unit_test(ra_fields_and_options),
        cmocka_unit_test(option_length_rules),
        cmocka_unit_test(redirect_and_preference),
        cmocka_unit_test(multicast_addresses),
        cmocka_unit_test(mld_codes_and_queries),
        cmocka_unit_test(mld_report_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
