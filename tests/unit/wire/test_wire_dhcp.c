/*
 * DHCP wire format (RFC 2131 section 2, RFC 2132): golden messages written
 * by hand from the RFC layout, and the strict option checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire_app.h"

/* The 44 bytes before sname of an OFFER: op 2, htype 1, hlen 6, hops 0,
 * xid 0x3903f326, secs 0, flags 0, ciaddr 0, yiaddr 10.0.2.15, siaddr
 * 10.0.2.2, giaddr 0, chaddr 52:54:00:12:34:56 (RFC 2131 figure 1). */
static const uint8_t offer_head[44] = {
    0x02, 0x01, 0x06, 0x00, 0x39, 0x03, 0xf3, 0x26, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x0f, 0x0a, 0x00, 0x02, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Magic cookie and options as libslirp sends them: type OFFER, server id
 * 10.0.2.2, lease 86400 s, mask 255.255.255.0, router 10.0.2.2, DNS
 * 10.0.2.3, two pads, END, one byte of trailing padding. */
static const uint8_t offer_opts[] = {
    0x63, 0x82, 0x53, 0x63,
    0x35, 0x01, 0x02,
    0x36, 0x04, 0x0a, 0x00, 0x02, 0x02,
    0x33, 0x04, 0x00, 0x01, 0x51, 0x80,
    0x01, 0x04, 0xff, 0xff, 0xff, 0x00,
    0x03, 0x04, 0x0a, 0x00, 0x02, 0x02,
    0x06, 0x04, 0x0a, 0x00, 0x02, 0x03,
    0x00, 0x00,
    0xff, 0x00,
};

/* Build a message: the golden head, zero sname/file, then `opts`. */
static size_t build(uint8_t *buf, const uint8_t *opts, size_t optlen)
{
    memset(buf, 0, 600);
    memcpy(buf, offer_head, sizeof offer_head);
    memcpy(buf + SYNACK_DHCP_FIXED_LEN, opts, optlen);
    return SYNACK_DHCP_FIXED_LEN + optlen;
}

static void test_parse_golden_offer(void **state)
{
    (void)state;
    uint8_t buf[600];
    size_t len = build(buf, offer_opts, sizeof offer_opts);
    synack_dhcp_repr r;
    assert_int_equal(synack_dhcp_parse(buf, len, &r), (int)len);
    assert_int_equal(r.op, SYNACK_BOOTREPLY);
    assert_int_equal(r.htype, 1);
    assert_int_equal(r.hlen, 6);
    assert_int_equal(r.xid, 0x3903f326);
    assert_int_equal(r.yiaddr, SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(r.siaddr, SYNACK_IP4(10, 0, 2, 2));
    assert_int_equal(r.ciaddr, 0);
    const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    assert_memory_equal(r.chaddr, mac, 6);
    assert_int_equal(r.msg_type, SYNACK_DHCPOFFER);
    assert_true(r.has_server_id);
    assert_int_equal(r.server_id, SYNACK_IP4(10, 0, 2, 2));
    assert_true(r.has_lease_time);
    assert_int_equal(r.lease_time, 86400);
    assert_true(r.has_subnet_mask);
    assert_int_equal(r.subnet_mask, SYNACK_IP4(255, 255, 255, 0));
    assert_int_equal(r.router_count, 1);
    assert_int_equal(r.router[0], SYNACK_IP4(10, 0, 2, 2));
    assert_int_equal(r.dns_count, 1);
    assert_int_equal(r.dns[0], SYNACK_IP4(10, 0, 2, 3));
    assert_false(r.has_t1);
    assert_false(r.has_t2);
    assert_int_equal(r.overload, 0);
}

/* What our client sends: golden bytes for a DISCOVER. */
static void test_emit_golden_discover(void **state)
{
    (void)state;
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = SYNACK_BOOTREQUEST;
    r.htype = 1;
    r.hlen = 6;
    r.xid = 0xdeadbeef;
    r.secs = 3;
    const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(r.chaddr, mac, 6);
    r.msg_type = SYNACK_DHCPDISCOVER;
    r.param_count = 3;
    r.params[0] = 1;
    r.params[1] = 3;
    r.params[2] = 6;
    uint8_t buf[600];
    memset(buf, 0xaa, sizeof buf);
    size_t n = synack_dhcp_emit(&r, buf, sizeof buf);
    assert_int_equal(n, SYNACK_DHCP_BOOTP_MIN); /* padded to 300 */

    static const uint8_t head[44] = {
        0x01, 0x01, 0x06, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x03, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    };
    static const uint8_t opts[] = {
        0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x01,
        0x37, 0x03, 0x01, 0x03, 0x06, 0xff,
    };
    assert_memory_equal(buf, head, sizeof head);
    for (size_t i = 44; i < SYNACK_DHCP_FIXED_LEN; i++)
        assert_int_equal(buf[i], 0); /* sname, file */
    assert_memory_equal(buf + SYNACK_DHCP_FIXED_LEN, opts, sizeof opts);
    for (size_t i = SYNACK_DHCP_FIXED_LEN + sizeof opts; i < n; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(buf[n], 0xaa); /* nothing written past the length */

    /* Too small a buffer: nothing written. */
    assert_int_equal(synack_dhcp_emit(&r, buf, 299), 0);
}

/* Every option we emit survives a round trip. */
static void test_roundtrip_all_options(void **state)
{
    (void)state;
    synack_dhcp_repr a;
    memset(&a, 0, sizeof a);
    a.op = SYNACK_BOOTREPLY;
    a.htype = 1;
    a.hlen = 6;
    a.xid = 7;
    a.flags = SYNACK_DHCP_FLAG_BROADCAST;
    a.yiaddr = SYNACK_IP4(192, 168, 1, 50);
    a.msg_type = SYNACK_DHCPACK;
    a.has_subnet_mask = true;
    a.subnet_mask = SYNACK_IP4(255, 255, 0, 0);
    a.router_count = 2;
    a.router[0] = SYNACK_IP4(192, 168, 0, 1);
    a.router[1] = SYNACK_IP4(192, 168, 0, 2);
    a.dns_count = 1;
    a.dns[0] = SYNACK_IP4(8, 8, 8, 8);
    a.has_requested_ip = true;
    a.requested_ip = SYNACK_IP4(192, 168, 1, 50);
    a.has_lease_time = true;
    a.lease_time = 3600;
    a.has_server_id = true;
    a.server_id = SYNACK_IP4(192, 168, 0, 1);
    a.has_max_msg_size = true;
    a.max_msg_size = 1500;
    a.has_t1 = true;
    a.t1 = 1000;
    a.has_t2 = true;
    a.t2 = 3000;
    uint8_t buf[600];
    size_t n = synack_dhcp_emit(&a, buf, sizeof buf);
    assert_true(n >= 300);
    synack_dhcp_repr b;
    assert_int_equal(synack_dhcp_parse(buf, n, &b), (int)n);
    assert_memory_equal(&a, &b, sizeof a);
}

/* Options that run past the message, or have impossible sizes. */
static void test_reject_bad_options(void **state)
{
    (void)state;
    uint8_t buf[600];
    synack_dhcp_repr r;
    static const uint8_t cookie[4] = {0x63, 0x82, 0x53, 0x63};
    struct {
        const char *what;
        uint8_t opts[16];
        size_t len;
        int want;
    } cases[] = {
        {"length past the end", {0x35, 0x01, 0x02, 0x06, 0x08, 0x0a, 0x00}, 7,
         SYNACK_WIRE_TRUNCATED},
        {"length byte missing", {0x35, 0x01, 0x02, 0x06}, 4, SYNACK_WIRE_TRUNCATED},
        {"no END", {0x35, 0x01, 0x02, 0x00, 0x00}, 5, SYNACK_WIRE_TRUNCATED},
        {"type of size 2", {0x35, 0x02, 0x02, 0x00, 0xff}, 5, SYNACK_WIRE_BAD_OPTION},
        {"type twice", {0x35, 0x01, 0x02, 0x35, 0x01, 0x05, 0xff}, 7,
         SYNACK_WIRE_BAD_OPTION},
        {"mask of size 3", {0x01, 0x03, 0xff, 0xff, 0xff, 0xff}, 6,
         SYNACK_WIRE_BAD_OPTION},
        {"router of size 5", {0x03, 0x05, 1, 2, 3, 4, 5, 0xff}, 8,
         SYNACK_WIRE_BAD_OPTION},
        {"DNS of size 0", {0x06, 0x00, 0xff}, 3, SYNACK_WIRE_BAD_OPTION},
        {"lease of size 8", {0x33, 0x08, 0, 0, 0, 1, 0, 0, 0, 1, 0xff}, 11,
         SYNACK_WIRE_BAD_OPTION},
        {"server id past the end", {0x36, 0x04, 10, 0}, 4, SYNACK_WIRE_TRUNCATED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t opts[32];
        memcpy(opts, cookie, 4);
        memcpy(opts + 4, cases[i].opts, cases[i].len);
        size_t len = build(buf, opts, 4 + cases[i].len);
        int rc = synack_dhcp_parse(buf, len, &r);
        if (rc != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].what, rc, cases[i].want);
    }
}

/* The fixed part, the cookie and hlen. */
static void test_reject_bad_header(void **state)
{
    (void)state;
    uint8_t buf[600];
    synack_dhcp_repr r;
    size_t len = build(buf, offer_opts, sizeof offer_opts);
    for (size_t cut = 0; cut < SYNACK_DHCP_MIN_LEN; cut += 7)
        assert_int_equal(synack_dhcp_parse(buf, cut, &r), SYNACK_WIRE_TRUNCATED);
    assert_int_equal(synack_dhcp_parse(buf, SYNACK_DHCP_MIN_LEN, &r),
                     SYNACK_WIRE_TRUNCATED); /* cookie but no options at all */
    /* every cut inside the options is caught */
    for (size_t cut = SYNACK_DHCP_MIN_LEN; cut < len - 2; cut++)
        assert_true(synack_dhcp_parse(buf, cut, &r) < 0);

    buf[SYNACK_DHCP_FIXED_LEN] = 0x62; /* not the magic cookie: BOOTP */
    assert_int_equal(synack_dhcp_parse(buf, len, &r), SYNACK_WIRE_UNSUPPORTED);
    buf[SYNACK_DHCP_FIXED_LEN] = 0x63;
    buf[2] = 17; /* hlen beyond chaddr */
    assert_int_equal(synack_dhcp_parse(buf, len, &r), SYNACK_WIRE_BAD_LEN);
}

/* Pads, unknown options, long lists, bytes after END, and option 52. */
static void test_lenient_where_allowed(void **state)
{
    (void)state;
    static const uint8_t opts[] = {
        0x63, 0x82, 0x53, 0x63,
        0x00, 0x00, 0x00,                         /* pads */
        0x35, 0x01, 0x05,                         /* ACK */
        0x0c, 0x03, 'f', 'o', 'o',                /* host name: skipped */
        0x06, 0x0c, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, /* three DNS */
        0x34, 0x01, 0x03,                         /* overload: recorded */
        0xff,
        0x35, 0x01, 0x06,                         /* after END: ignored */
    };
    uint8_t buf[600];
    size_t len = build(buf, opts, sizeof opts);
    synack_dhcp_repr r;
    assert_int_equal(synack_dhcp_parse(buf, len, &r), (int)len);
    assert_int_equal(r.msg_type, SYNACK_DHCPACK);
    assert_int_equal(r.dns_count, 2); /* the first two kept */
    assert_int_equal(r.dns[0], SYNACK_IP4(1, 1, 1, 1));
    assert_int_equal(r.dns[1], SYNACK_IP4(2, 2, 2, 2));
    assert_int_equal(r.overload, 3);
}

static void test_mask_prefix(void **state)
{
    (void)state;
    assert_int_equal(synack_ip4_mask_prefix(0), 0);
    assert_int_equal(synack_ip4_mask_prefix(0xffffffffu), 32);
    assert_int_equal(synack_ip4_mask_prefix(SYNACK_IP4(255, 255, 255, 0)), 24);
    assert_int_equal(synack_ip4_mask_prefix(SYNACK_IP4(255, 255, 240, 0)), 20);
    assert_int_equal(synack_ip4_mask_prefix(SYNACK_IP4(255, 0, 255, 0)), -1);
    assert_int_equal(synack_ip4_mask_prefix(SYNACK_IP4(0, 0, 0, 255)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden_offer),
        cmocka_unit_test(test_emit_golden_discover),
        cmocka_unit_test(test_roundtrip_all_options),
        cmocka_unit_test(test_reject_bad_options),
        cmocka_unit_test(test_reject_bad_header),
        cmocka_unit_test(test_lenient_where_allowed),
        cmocka_unit_test(test_mask_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
