/* IPv6 fixed header (RFC 8200 section 3): parse, emit, validation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"

/* Version 6, traffic class 0x12, flow label 0x34567, payload 8 bytes of
 * UDP (17), hop limit 64, 2001:db8::1 -> 2001:db8::2, then the 8 bytes. */
static const uint8_t PKT[48] = {
    0x61, 0x23, 0x45, 0x67, 0x00, 0x08, 17,   64,   /* */
    0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 1, /* src */
    0x20, 0x01, 0x0d, 0xb8, 0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 2, /* dst */
    0x12, 0x34, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00, /* UDP header */
};

static void parse_fields(void **state)
{
    (void)state;
    synack_ip6_repr ip;
    assert_int_equal(synack_ip6_parse(PKT, sizeof PKT, &ip), SYNACK_IP6_HDR_LEN);
    assert_int_equal(ip.tclass, 0x12);
    assert_int_equal(ip.flow, 0x34567);
    assert_int_equal(ip.payload_len, 8);
    assert_int_equal(ip.next, SYNACK_IPPROTO_UDP);
    assert_int_equal(ip.hop_limit, 64);
    synack_addr src, dst;
    assert_int_equal(synack_addr_parse("2001:db8::1", &src), 0);
    assert_int_equal(synack_addr_parse("2001:db8::2", &dst), 0);
    assert_true(synack_addr_equal(&ip.src, &src));
    assert_true(synack_addr_equal(&ip.dst, &dst));
}

static void emit_round_trip(void **state)
{
    (void)state;
    synack_ip6_repr ip;
    assert_int_equal(synack_ip6_parse(PKT, sizeof PKT, &ip), SYNACK_IP6_HDR_LEN);
    uint8_t out[SYNACK_IP6_HDR_LEN];
    memset(out, 0xee, sizeof out);
    assert_int_equal(synack_ip6_emit(&ip, out), SYNACK_IP6_HDR_LEN);
    assert_memory_equal(out, PKT, SYNACK_IP6_HDR_LEN);
    /* a flow label wider than 20 bits is cut, not spilled into the class */
    ip.flow = 0xfffffffu;
    synack_ip6_emit(&ip, out);
    assert_int_equal(out[1], 0x2f);
    assert_int_equal(out[0], 0x61);
}

static void truncated_and_bad(void **state)
{
    (void)state;
    synack_ip6_repr ip;
    for (size_t n = 0; n < SYNACK_IP6_HDR_LEN; n++)
        assert_int_equal(synack_ip6_parse(PKT, n, &ip), SYNACK_WIRE_TRUNCATED);
    /* the payload length must fit what arrived; padding after it is fine */
    assert_int_equal(synack_ip6_parse(PKT, 47, &ip), SYNACK_WIRE_BAD_LEN);
    uint8_t padded[60];
    memset(padded, 0, sizeof padded);
    memcpy(padded, PKT, sizeof PKT);
    assert_int_equal(synack_ip6_parse(padded, sizeof padded, &ip), SYNACK_IP6_HDR_LEN);
    assert_int_equal(ip.payload_len, 8);
    /* version 4 in the first nibble */
    uint8_t v4[sizeof PKT];
    memcpy(v4, PKT, sizeof PKT);
    v4[0] = 0x41;
    assert_int_equal(synack_ip6_parse(v4, sizeof v4, &ip), SYNACK_WIRE_BAD_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_fields),
        cmocka_unit_test(emit_round_trip),
        cmocka_unit_test(truncated_and_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
