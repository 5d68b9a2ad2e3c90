/* ICMPv4 (RFC 792): echo and destination-unreachable golden bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"
#include "wire_golden.h"

#define ECHO (wire_golden_icmp_echo_pkt + SYNACK_IP4_HDR_LEN)
#define ECHO_LEN (WIRE_GOLDEN_ICMP_ECHO_PKT_LEN - SYNACK_IP4_HDR_LEN)

static void test_parse_echo_request(void **state)
{
    (void)state;
    synack_icmp_repr m;
    assert_int_equal(synack_icmp_parse(ECHO, ECHO_LEN, true, &m), 8);
    assert_int_equal(m.type, SYNACK_ICMP_ECHO_REQUEST);
    assert_int_equal(m.code, 0);
    assert_int_equal(m.id, 0x1234);
    assert_int_equal(m.seq, 1);
    assert_int_equal(m.rest, 0x12340001);
    assert_int_equal(m.payload_len, 10);
    assert_true(m.payload == ECHO + 8);
    assert_memory_equal(m.payload, "abcdefghij", 10);
}

/* The whole golden packet: IPv4 header then ICMP echo request. */
static void test_emit_echo_request_with_ip(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_ICMP_ECHO_PKT_LEN];
    synack_icmp_repr m = {0};
    m.type = SYNACK_ICMP_ECHO_REQUEST;
    m.id = 0x1234;
    m.seq = 1;
    m.payload = (const uint8_t *)"abcdefghij";
    m.payload_len = 10;
    size_t n = synack_icmp_emit(&m, buf + SYNACK_IP4_HDR_LEN);
    assert_int_equal(n, 18);

    synack_ip4_repr ip = {0};
    ip.ttl = 64;
    ip.proto = SYNACK_IPPROTO_ICMP;
    ip.id = 0xbeef;
    ip.src = SYNACK_IP4(10, 0, 2, 15);
    ip.dst = SYNACK_IP4(10, 0, 2, 2);
    ip.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + n);
    synack_ip4_emit(&ip, buf);
    assert_memory_equal(buf, wire_golden_icmp_echo_pkt, sizeof buf);
}

/* Payload already in place (the reply path) is neither copied nor lost. */
static void test_emit_in_place_reply(void **state)
{
    (void)state;
    uint8_t buf[ECHO_LEN];
    memcpy(buf, ECHO, ECHO_LEN);
    synack_icmp_repr m;
    assert_int_equal(synack_icmp_parse(buf, sizeof buf, true, &m), 8);
    m.type = SYNACK_ICMP_ECHO_REPLY;
    assert_int_equal(synack_icmp_emit(&m, buf), ECHO_LEN);
    assert_int_equal(buf[0], 0);
    assert_memory_equal(buf + 4, ECHO + 4, ECHO_LEN - 4);
    synack_icmp_repr back;
    assert_int_equal(synack_icmp_parse(buf, sizeof buf, true, &back), 8);
    assert_int_equal(back.type, SYNACK_ICMP_ECHO_REPLY);
    /* RFC 1624: changing type 8 -> 0 adds 0x0800 to the checksum. */
    assert_int_equal(synack_ld_be16(buf + 2), synack_ld_be16(ECHO + 2) + 0x0800);
}

/* Overlapping payload (quoting a packet from just before buf + 8). */
static void test_emit_overlapping_payload(void **state)
{
    (void)state;
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    memcpy(buf + 4, "0123456789abcdef", 16);
    synack_icmp_repr m = {0};
    m.type = SYNACK_ICMP_DEST_UNREACH;
    m.code = SYNACK_ICMP_UNREACH_PORT;
    m.payload = buf + 4;
    m.payload_len = 16;
    assert_int_equal(synack_icmp_emit(&m, buf), 24);
    assert_memory_equal(buf + 8, "0123456789abcdef", 16);
    synack_icmp_repr back;
    assert_int_equal(synack_icmp_parse(buf, 24, true, &back), 8);
}

static void test_port_unreachable(void **state)
{
    (void)state;
    synack_icmp_repr m;
    assert_int_equal(synack_icmp_parse(wire_golden_icmp_port_unreach,
                                       WIRE_GOLDEN_ICMP_PORT_UNREACH_LEN, true,
                                       &m),
                     8);
    assert_int_equal(m.type, SYNACK_ICMP_DEST_UNREACH);
    assert_int_equal(m.code, SYNACK_ICMP_UNREACH_PORT);
    assert_int_equal(m.rest, 0);
    assert_int_equal(m.payload_len, 28);

    /* The quoted header parses with the IPv4 codec up to its total length. */
    synack_ip4_repr inner;
    assert_int_equal(synack_ip4_parse(m.payload, m.payload_len, true, &inner),
                     SYNACK_WIRE_BAD_LEN); /* total 40, only 28 quoted */
    assert_int_equal(synack_ld_be16(m.payload + 20), 53000);

    uint8_t buf[WIRE_GOLDEN_ICMP_PORT_UNREACH_LEN];
    synack_icmp_repr out = {0};
    out.type = SYNACK_ICMP_DEST_UNREACH;
    out.code = SYNACK_ICMP_UNREACH_PORT;
    out.payload = m.payload;
    out.payload_len = m.payload_len;
    assert_int_equal(synack_icmp_emit(&out, buf), sizeof buf);
    assert_memory_equal(buf, wire_golden_icmp_port_unreach, sizeof buf);
}

/* Non-echo types carry `rest` (e.g. RFC 1191 next-hop MTU). */
static void test_rest_round_trip(void **state)
{
    (void)state;
    uint8_t buf[8];
    synack_icmp_repr m = {0}, back;
    m.type = SYNACK_ICMP_DEST_UNREACH;
    m.code = SYNACK_ICMP_UNREACH_FRAG_NEEDED;
    m.rest = 0x000005dc;
    assert_int_equal(synack_icmp_emit(&m, buf), 8);
    assert_int_equal(synack_icmp_parse(buf, 8, true, &back), 8);
    assert_int_equal(back.rest, 1500);
    assert_int_equal(back.payload_len, 0);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len < ECHO_LEN; len++) {
        synack_icmp_repr m;
        int rc = synack_icmp_parse(ECHO, len, true, &m);
        if (len < SYNACK_ICMP_HDR_LEN)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else
            assert_int_equal(rc, WIRE_CSUM_FAIL(8));
        if (len >= SYNACK_ICMP_HDR_LEN)
            assert_int_equal(synack_icmp_parse(ECHO, len, false, &m), 8);
    }
}

static void test_bad_checksum(void **state)
{
    (void)state;
    uint8_t buf[ECHO_LEN];
    for (size_t i = 0; i < ECHO_LEN; i++) {
        memcpy(buf, ECHO, ECHO_LEN);
        buf[i] ^= 0x01;
        synack_icmp_repr m;
        assert_int_equal(synack_icmp_parse(buf, sizeof buf, true, &m),
                         WIRE_CSUM_FAIL(8));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_echo_request),
        cmocka_unit_test(test_emit_echo_request_with_ip),
        cmocka_unit_test(test_emit_in_place_reply),
        cmocka_unit_test(test_emit_overlapping_payload),
        cmocka_unit_test(test_port_unreachable),
        cmocka_unit_test(test_rest_round_trip),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_bad_checksum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
