/* Ethernet II header and MAC helpers: golden bytes, round trip, runts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wire/wire.h"
#include "wire_golden.h"

static const synack_mac mac_gw = {{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
static const synack_mac mac_us = {{0x02, 0x00, 0xaa, 0xbb, 0xcc, 0xdd}};

static void test_parse_golden(void **state)
{
    (void)state;
    synack_eth_repr e;
    int rc = synack_eth_parse(wire_golden_linux_syn, WIRE_GOLDEN_LINUX_SYN_LEN, &e);
    assert_int_equal(rc, SYNACK_ETH_HDR_LEN);
    assert_memory_equal(e.dst.b, mac_gw.b, 6);
    assert_memory_equal(e.src.b, mac_us.b, 6);
    assert_int_equal(e.ethertype, SYNACK_ETHERTYPE_IPV4);

    rc = synack_eth_parse(wire_golden_arp_request, WIRE_GOLDEN_ARP_REQUEST_LEN, &e);
    assert_int_equal(rc, SYNACK_ETH_HDR_LEN);
    assert_int_equal(e.ethertype, SYNACK_ETHERTYPE_ARP);
    assert_true(synack_mac_is_broadcast(&e.dst));
}

static void test_emit_golden(void **state)
{
    (void)state;
    synack_eth_repr e = {mac_gw, mac_us, SYNACK_ETHERTYPE_IPV4};
    uint8_t buf[SYNACK_ETH_HDR_LEN + 2] = {0};
    buf[14] = 0xee;
    assert_int_equal(synack_eth_emit(&e, buf), SYNACK_ETH_HDR_LEN);
    assert_memory_equal(buf, wire_golden_linux_syn, SYNACK_ETH_HDR_LEN);
    assert_int_equal(buf[14], 0xee); /* nothing written past the header */
}

static void test_round_trip(void **state)
{
    (void)state;
    synack_eth_repr in = {mac_us, mac_gw, 0x86dd}, out;
    uint8_t buf[SYNACK_ETH_HDR_LEN];
    synack_eth_emit(&in, buf);
    assert_int_equal(synack_eth_parse(buf, sizeof buf, &out), SYNACK_ETH_HDR_LEN);
    assert_true(synack_mac_equal(&in.dst, &out.dst));
    assert_true(synack_mac_equal(&in.src, &out.src));
    assert_int_equal(out.ethertype, 0x86dd);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len < SYNACK_ETH_HDR_LEN; len++) {
        synack_eth_repr e;
        assert_int_equal(synack_eth_parse(wire_golden_linux_syn, len, &e),
                         SYNACK_WIRE_TRUNCATED);
    }
}

static void test_mac_helpers(void **state)
{
    (void)state;
    const synack_mac bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    const synack_mac mcast = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}};
    const synack_mac almost = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}};
    assert_true(synack_mac_is_broadcast(&bcast));
    assert_true(synack_mac_is_multicast(&bcast));
    assert_false(synack_mac_is_broadcast(&mcast));
    assert_true(synack_mac_is_multicast(&mcast));
    assert_false(synack_mac_is_broadcast(&almost));
    assert_false(synack_mac_is_multicast(&mac_us)); /* locally administered unicast */
    assert_false(synack_mac_is_multicast(&mac_gw));
    assert_true(synack_mac_equal(&mac_us, &mac_us));
    assert_false(synack_mac_equal(&mac_us, &mac_gw));
    assert_false(synack_mac_equal(&bcast, &almost));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden),
        cmocka_unit_test(test_emit_golden),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_mac_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
