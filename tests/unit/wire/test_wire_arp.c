/* ARP (RFC 826) for Ethernet/IPv4: golden bytes, emit, malformed packets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"
#include "wire_golden.h"

static const synack_mac mac_us = {{0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd}};
static const synack_mac mac_zero = {{0, 0, 0, 0, 0, 0}};

/* The ARP part of the golden request (after the Ethernet header). */
static const uint8_t *arp_body(void)
{
    return wire_golden_arp_request + SYNACK_ETH_HDR_LEN;
}

static void test_parse_golden_request(void **state)
{
    (void)state;
    synack_arp_repr a;
    /* 46 bytes: 28 of ARP and 18 of Ethernet padding, which is ignored. */
    size_t len = WIRE_GOLDEN_ARP_REQUEST_LEN - SYNACK_ETH_HDR_LEN;
    assert_int_equal(synack_arp_parse(arp_body(), len, &a), SYNACK_ARP_LEN);
    assert_int_equal(a.op, SYNACK_ARP_REQUEST);
    assert_memory_equal(a.sha.b, mac_us.b, 6);
    assert_memory_equal(a.tha.b, mac_zero.b, 6);
    assert_int_equal(a.spa, SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(a.tpa, SYNACK_IP4(10, 0, 2, 2));
}

static void test_emit_golden_request(void **state)
{
    (void)state;
    synack_arp_repr a = {SYNACK_ARP_REQUEST, mac_us, mac_zero,
                         SYNACK_IP4(10, 0, 2, 15), SYNACK_IP4(10, 0, 2, 2)};
    uint8_t buf[SYNACK_ARP_LEN];
    assert_int_equal(synack_arp_emit(&a, buf), SYNACK_ARP_LEN);
    assert_memory_equal(buf, arp_body(), SYNACK_ARP_LEN);
}

static void test_round_trip_reply(void **state)
{
    (void)state;
    const synack_mac gw = {{0x52, 0x54, 0x00, 0x12, 0x35, 0x02}};
    synack_arp_repr in = {SYNACK_ARP_REPLY, gw, mac_us,
                          SYNACK_IP4(10, 0, 2, 2), SYNACK_IP4(10, 0, 2, 15)};
    synack_arp_repr out;
    uint8_t buf[SYNACK_ARP_LEN];
    synack_arp_emit(&in, buf);
    assert_int_equal(synack_arp_parse(buf, sizeof buf, &out), SYNACK_ARP_LEN);
    assert_int_equal(out.op, SYNACK_ARP_REPLY);
    assert_true(synack_mac_equal(&out.sha, &gw));
    assert_true(synack_mac_equal(&out.tha, &mac_us));
    assert_int_equal(out.spa, in.spa);
    assert_int_equal(out.tpa, in.tpa);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len < SYNACK_ARP_LEN; len++) {
        synack_arp_repr a;
        assert_int_equal(synack_arp_parse(arp_body(), len, &a),
                         SYNACK_WIRE_TRUNCATED);
    }
}

/* Offsets 0..5: htype, ptype, hlen, plen. */
static void check_unsupported(size_t off, uint8_t value)
{
    uint8_t buf[SYNACK_ARP_LEN];
    memcpy(buf, arp_body(), sizeof buf);
    buf[off] = value;
    synack_arp_repr a;
    assert_int_equal(synack_arp_parse(buf, sizeof buf, &a),
                     SYNACK_WIRE_UNSUPPORTED);
}

static void test_wrong_types(void **state)
{
    (void)state;
    check_unsupported(1, 6);    /* htype 6 (IEEE 802) */
    check_unsupported(0, 1);    /* htype 0x0101 */
    check_unsupported(2, 0x86); /* ptype 0x8600 */
    check_unsupported(3, 0xdd); /* ptype 0x08dd */
    check_unsupported(4, 8);    /* hlen 8 */
    check_unsupported(4, 0);    /* hlen 0 */
    check_unsupported(5, 16);   /* plen 16 (IPv6-sized) */
}

/* A non-Ethernet ARP shorter than 28 bytes is still "unsupported". */
static void test_wrong_hlen_short_packet(void **state)
{
    (void)state;
    uint8_t buf[SYNACK_ARP_LEN];
    memcpy(buf, arp_body(), sizeof buf);
    buf[4] = 2;
    synack_arp_repr a;
    assert_int_equal(synack_arp_parse(buf, 20, &a), SYNACK_WIRE_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden_request),
        cmocka_unit_test(test_emit_golden_request),
        cmocka_unit_test(test_round_trip_reply),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_wrong_hlen_short_packet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
