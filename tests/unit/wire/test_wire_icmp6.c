/*
 * ICMPv6 messages (RFC 4443): the checksum over the IPv6 pseudo-header,
 * checked against a plain RFC 1071 sum over the pseudo-header's bytes as
 * RFC 8200 section 8.1 lays them out; echo fields; truncation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"

/* One's-complement sum of 16-bit big-endian words, the slow obvious way. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += (uint32_t)p[n - 1] << 8;
    return acc;
}

/* RFC 8200 8.1: source, destination, upper-layer length (32 bits), three
 * zero bytes, next header; then the message with its checksum field. */
static uint16_t reference_checksum(const synack_addr *src, const synack_addr *dst,
                                   const uint8_t *msg, size_t len)
{
    uint8_t ph[40];
    memcpy(ph, src->b, 16);
    memcpy(ph + 16, dst->b, 16);
    ph[32] = (uint8_t)(len >> 24);
    ph[33] = (uint8_t)(len >> 16);
    ph[34] = (uint8_t)(len >> 8);
    ph[35] = (uint8_t)len;
    ph[36] = ph[37] = ph[38] = 0;
    ph[39] = SYNACK_IPPROTO_ICMPV6;
    uint32_t acc = sum16(sum16(0, ph, sizeof ph), msg, len);
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint16_t)~acc;
}

static void echo_checksum_matches_reference(void **state)
{
    (void)state;
    synack_addr src, dst;
    assert_int_equal(synack_addr_parse("fe80::211:22ff:fe33:4455", &src), 0);
    assert_int_equal(synack_addr_parse("2001:db8:ffff::9", &dst), 0);
    uint32_t ph = synack_addr_pseudo_sum(&src, &dst, SYNACK_IPPROTO_ICMPV6);
    for (size_t plen = 0; plen < 40; plen += 7) { /* odd lengths too */
        uint8_t payload[40];
        for (size_t i = 0; i < plen; i++)
            payload[i] = (uint8_t)(0xa5 ^ (i * 37));
        synack_icmp_repr m;
        memset(&m, 0, sizeof m);
        m.type = SYNACK_ICMP6_ECHO_REQUEST;
        m.id = 0x1234;
        m.seq = 7;
        m.payload = payload;
        m.payload_len = plen;
        uint8_t buf[64];
        size_t n = synack_icmp6_emit(&m, buf, ph);
        assert_int_equal(n, 8 + plen);
        assert_int_equal(buf[0], 128);
        uint16_t got = (uint16_t)(buf[2] << 8 | buf[3]);
        buf[2] = buf[3] = 0;
        assert_int_equal(got, reference_checksum(&src, &dst, buf, n));
        buf[2] = (uint8_t)(got >> 8);
        buf[3] = (uint8_t)got;
        synack_icmp_repr back;
        assert_int_equal(synack_icmp6_parse(buf, n, ph, true, &back), 8);
        assert_int_equal(back.id, 0x1234);
        assert_int_equal(back.seq, 7);
        assert_int_equal(back.payload_len, plen);
        assert_memory_equal(back.payload, payload, plen);
        /* the same bytes between other addresses do not verify */
        uint32_t other = synack_addr_pseudo_sum(&dst, &dst, SYNACK_IPPROTO_ICMPV6);
#ifndef SYNACK_FUZZING
        assert_int_equal(synack_icmp6_parse(buf, n, other, true, &back),
                         SYNACK_WIRE_BAD_CHECKSUM);
#endif
        assert_int_equal(synack_icmp6_parse(buf, n, other, false, &back), 8);
    }
}

static void error_rest_and_truncation(void **state)
{
    (void)state;
    synack_addr a;
    assert_int_equal(synack_addr_parse("2001:db8::1", &a), 0);
    uint32_t ph = synack_addr_pseudo_sum(&a, &a, SYNACK_IPPROTO_ICMPV6);
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = SYNACK_ICMP6_PACKET_TOO_BIG;
    m.rest = 1280; /* the MTU, not id/seq */
    uint8_t buf[8];
    assert_int_equal(synack_icmp6_emit(&m, buf, ph), 8);
    assert_int_equal(buf[4], 0);
    assert_int_equal(buf[6], 0x05);
    assert_int_equal(buf[7], 0x00);
    synack_icmp_repr back;
    assert_int_equal(synack_icmp6_parse(buf, 8, ph, true, &back), 8);
    assert_int_equal(back.rest, 1280);
    for (size_t n = 0; n < 8; n++)
        assert_int_equal(synack_icmp6_parse(buf, n, ph, false, &back),
                         SYNACK_WIRE_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(echo_checksum_matches_reference),
        cmocka_unit_test(error_rest_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
