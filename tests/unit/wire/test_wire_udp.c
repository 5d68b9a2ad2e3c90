/* UDP (RFC 768): golden bytes, checksum rules, malformed lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"
#include "wire_golden.h"

#define SRC SYNACK_IP4(10, 0, 2, 15)
#define DST SYNACK_IP4(10, 0, 2, 3)

static const uint8_t dns_payload[12] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static void test_parse_golden(void **state)
{
    (void)state;
    synack_udp_repr u;
    assert_int_equal(synack_udp_parse(wire_golden_udp_dgram,
                                      WIRE_GOLDEN_UDP_DGRAM_LEN, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true,
                                      &u),
                     8);
    assert_int_equal(u.sport, 53000);
    assert_int_equal(u.dport, 53);
    assert_int_equal(u.len, 20);
    assert_int_equal(u.payload_len, 12);
    assert_true(u.payload == wire_golden_udp_dgram + 8);
    assert_memory_equal(u.payload, dns_payload, 12);
}

static void test_emit_golden(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_UDP_DGRAM_LEN];
    memcpy(buf + 8, dns_payload, 12);
    synack_udp_repr u = {53000, 53, 0, NULL, 0};
    assert_int_equal(synack_udp_emit(&u, buf, 12, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP)), 20);
    assert_memory_equal(buf, wire_golden_udp_dgram, sizeof buf);
}

/* The pseudo-header is part of the sum: other addresses fail. */
static void test_pseudo_header_matters(void **state)
{
    (void)state;
    synack_udp_repr u;
    assert_int_equal(synack_udp_parse(wire_golden_udp_dgram,
                                      WIRE_GOLDEN_UDP_DGRAM_LEN, synack_ip4_pseudo_sum(SRC, SYNACK_IP4(10, 0, 2, 4), SYNACK_IPPROTO_UDP), true, &u),
                     WIRE_CSUM_FAIL(8));
}

/* RFC 768: a zero checksum field means none; a computed 0 goes out as ffff. */
static void test_zero_checksum_rules(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_UDP_DGRAM_LEN];
    memcpy(buf, wire_golden_udp_dgram, sizeof buf);
    buf[6] = 0;
    buf[7] = 0;
    buf[9] ^= 0xff; /* corrupt the payload: no checksum, so not noticed */
    synack_udp_repr u;
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u), 8);

    /* Find a payload whose checksum computes to 0 (sum 0xffff). */
    uint8_t z[10] = {0};
    synack_udp_repr out = {1, 2, 0, NULL, 0};
    synack_udp_emit(&out, z, 2, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP));
    uint16_t c = synack_ld_be16(z + 6);
    /* Adding c to the payload word drives the sum to 0xffff (RFC 1624). */
    synack_wr_be16(z + 8, c == 0xffff ? 0 : c);
    assert_int_equal(synack_udp_emit(&out, z, 2, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP)), 10);
    assert_int_equal(synack_ld_be16(z + 6), 0xffff);
    assert_int_equal(synack_udp_parse(z, 10, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u), 8);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len < WIRE_GOLDEN_UDP_DGRAM_LEN; len++) {
        synack_udp_repr u;
        int rc = synack_udp_parse(wire_golden_udp_dgram, len, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u);
        if (len < SYNACK_UDP_HDR_LEN)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else
            assert_int_equal(rc, SYNACK_WIRE_BAD_LEN); /* length 20 > len */
    }
}

static void test_length_field(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_UDP_DGRAM_LEN + 4];
    synack_udp_repr u;
    memcpy(buf, wire_golden_udp_dgram, WIRE_GOLDEN_UDP_DGRAM_LEN);
    memset(buf + WIRE_GOLDEN_UDP_DGRAM_LEN, 0xaa, 4);
    /* Bytes past the UDP length (IP carried more) are not payload. */
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u), 8);
    assert_int_equal(u.payload_len, 12);

    for (uint16_t l = 0; l < 8; l++) {
        synack_wr_be16(buf + 4, l);
        assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), false, &u),
                         SYNACK_WIRE_BAD_LEN);
    }
    synack_wr_be16(buf + 4, (uint16_t)(sizeof buf + 1));
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), false, &u),
                     SYNACK_WIRE_BAD_LEN);
    synack_wr_be16(buf + 4, 0xffff);
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), false, &u),
                     SYNACK_WIRE_BAD_LEN);
    /* Exactly 8: an empty datagram (checksum now wrong, not verified). */
    synack_wr_be16(buf + 4, 8);
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), false, &u), 8);
    assert_int_equal(u.payload_len, 0);
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u),
                     WIRE_CSUM_FAIL(8));
}

static void test_bad_checksum(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_UDP_DGRAM_LEN];
    for (size_t i = 0; i < sizeof buf; i++) {
        if (i == 4 || i == 5)
            continue; /* the length field is checked first */
        memcpy(buf, wire_golden_udp_dgram, sizeof buf);
        buf[i] ^= 0x40;
        synack_udp_repr u;
        assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &u),
                         WIRE_CSUM_FAIL(8));
        assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), false, &u),
                         8);
    }
}

static void test_round_trip_odd_payload(void **state)
{
    (void)state;
    uint8_t buf[8 + 7];
    memcpy(buf + 8, "odd-len", 7);
    synack_udp_repr in = {7, 65535, 0, NULL, 0}, out;
    assert_int_equal(synack_udp_emit(&in, buf, 7, synack_ip4_pseudo_sum(DST, SRC, SYNACK_IPPROTO_UDP)), 15);
    assert_int_equal(synack_udp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(DST, SRC, SYNACK_IPPROTO_UDP), true, &out), 8);
    assert_int_equal(out.sport, 7);
    assert_int_equal(out.dport, 65535);
    assert_int_equal(out.len, 15);
    assert_memory_equal(out.payload, "odd-len", 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden),
        cmocka_unit_test(test_emit_golden),
        cmocka_unit_test(test_pseudo_header_matters),
        cmocka_unit_test(test_zero_checksum_rules),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_length_field),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_round_trip_odd_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
