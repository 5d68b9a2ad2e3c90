/* IPv4 header (RFC 791): golden bytes, emit, options, malformed lengths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"
#include "wire_golden.h"

/* The IPv4 packet inside the golden Linux SYN frame. */
#define SYN_IP (wire_golden_linux_syn + SYNACK_ETH_HDR_LEN)
#define SYN_IP_LEN (WIRE_GOLDEN_LINUX_SYN_LEN - SYNACK_ETH_HDR_LEN)

static void test_parse_golden_syn(void **state)
{
    (void)state;
    synack_ip4_repr ip;
    assert_int_equal(synack_ip4_parse(SYN_IP, SYN_IP_LEN, true, &ip), 20);
    assert_int_equal(ip.hdr_len, 20);
    assert_int_equal(ip.total_len, 60);
    assert_int_equal(ip.tos, 0);
    assert_int_equal(ip.id, 0x1c46);
    assert_true(ip.df);
    assert_false(ip.mf);
    assert_int_equal(ip.frag_off, 0);
    assert_int_equal(ip.ttl, 64);
    assert_int_equal(ip.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(ip.src, SYNACK_IP4(192, 168, 0, 104));
    assert_int_equal(ip.dst, SYNACK_IP4(192, 168, 0, 1));
}

static void test_emit_golden_syn(void **state)
{
    (void)state;
    synack_ip4_repr ip = {0};
    ip.ttl = 64;
    ip.proto = SYNACK_IPPROTO_TCP;
    ip.id = 0x1c46;
    ip.df = true;
    ip.src = SYNACK_IP4(192, 168, 0, 104);
    ip.dst = SYNACK_IP4(192, 168, 0, 1);
    ip.total_len = 60;
    uint8_t buf[SYNACK_IP4_HDR_LEN];
    assert_int_equal(synack_ip4_emit(&ip, buf), SYNACK_IP4_HDR_LEN);
    assert_memory_equal(buf, SYN_IP, SYNACK_IP4_HDR_LEN);
}

static void test_fragment_fields(void **state)
{
    (void)state;
    synack_ip4_repr ip;
    assert_int_equal(synack_ip4_parse(wire_golden_ip4_frag,
                                      WIRE_GOLDEN_IP4_FRAG_LEN, true, &ip),
                     20);
    assert_true(ip.mf);
    assert_false(ip.df);
    assert_int_equal(ip.frag_off, 1480);
    assert_int_equal(ip.id, 0x99);
    assert_int_equal(ip.proto, SYNACK_IPPROTO_UDP);

    uint8_t buf[SYNACK_IP4_HDR_LEN];
    synack_ip4_emit(&ip, buf);
    assert_memory_equal(buf, wire_golden_ip4_frag, SYNACK_IP4_HDR_LEN);
}

/* Options are covered by IHL and the checksum and then skipped. */
static void test_options_skipped_and_padding(void **state)
{
    (void)state;
    synack_ip4_repr ip;
    int rc = synack_ip4_parse(wire_golden_ip4_with_opts,
                              WIRE_GOLDEN_IP4_WITH_OPTS_LEN, true, &ip);
    assert_int_equal(rc, 28);
    assert_int_equal(ip.hdr_len, 28);
    assert_int_equal(ip.total_len, 38); /* 6 bytes of link padding follow */
    assert_int_equal(ip.proto, SYNACK_IPPROTO_UDP);
    assert_int_equal(wire_golden_ip4_with_opts[rc], 0x00); /* UDP sport 7 */
    assert_int_equal(wire_golden_ip4_with_opts[rc + 1], 0x07);
}

static void test_round_trip(void **state)
{
    (void)state;
    synack_ip4_repr in = {0}, out;
    in.tos = 0xb8;
    in.ttl = 1;
    in.proto = 200;
    in.id = 0xffff;
    in.mf = true;
    in.frag_off = 8 * 0x1fff;
    in.src = SYNACK_IP4(10, 9, 0, 1);
    in.dst = SYNACK_IP4(255, 255, 255, 255);
    in.total_len = 20;
    uint8_t buf[20];
    synack_ip4_emit(&in, buf);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &out), 20);
    assert_int_equal(out.tos, in.tos);
    assert_int_equal(out.ttl, in.ttl);
    assert_int_equal(out.proto, in.proto);
    assert_int_equal(out.id, in.id);
    assert_true(out.mf);
    assert_false(out.df);
    assert_int_equal(out.frag_off, in.frag_off);
    assert_int_equal(out.src, in.src);
    assert_int_equal(out.dst, in.dst);
    assert_int_equal(out.total_len, 20);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len < SYN_IP_LEN; len++) {
        synack_ip4_repr ip;
        int rc = synack_ip4_parse(SYN_IP, len, true, &ip);
        if (len < SYNACK_IP4_HDR_LEN)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else
            assert_int_equal(rc, SYNACK_WIRE_BAD_LEN); /* total 60 > len */
    }
    /* With options: IHL*4 = 28 beyond a 20..27-byte buffer. */
    for (size_t len = 20; len < 28; len++) {
        synack_ip4_repr ip;
        int rc = synack_ip4_parse(wire_golden_ip4_with_opts, len, true, &ip);
        assert_int_equal(rc, SYNACK_WIRE_BAD_HDR_LEN);
    }
}

/* Copy the golden SYN's IP packet, patch a byte, refresh the checksum. */
static void patched(uint8_t *buf, size_t off, uint8_t value)
{
    memcpy(buf, SYN_IP, SYN_IP_LEN);
    buf[off] = value;
    buf[10] = 0;
    buf[11] = 0;
    size_t hdr_len = (size_t)(buf[0] & 0x0f) * 4;
    if (hdr_len < SYNACK_IP4_HDR_LEN)
        hdr_len = SYNACK_IP4_HDR_LEN;
    synack_wr_be16(buf + 10, synack_csum_finish(synack_csum_add(0, buf, hdr_len)));
}

static void test_bad_version(void **state)
{
    (void)state;
    uint8_t buf[SYN_IP_LEN];
    synack_ip4_repr ip;
    patched(buf, 0, 0x65);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip),
                     SYNACK_WIRE_BAD_VERSION);
    patched(buf, 0, 0x05);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, false, &ip),
                     SYNACK_WIRE_BAD_VERSION);
}

static void test_ihl_below_five(void **state)
{
    (void)state;
    uint8_t buf[SYN_IP_LEN];
    synack_ip4_repr ip;
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        memcpy(buf, SYN_IP, SYN_IP_LEN);
        buf[0] = (uint8_t)(0x40 | ihl);
        assert_int_equal(synack_ip4_parse(buf, sizeof buf, false, &ip),
                         SYNACK_WIRE_BAD_HDR_LEN);
    }
    /* IHL 15: all 60 bytes are header (the TCP bytes read as options). */
    patched(buf, 0, 0x4f);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip), 60);
}

static void test_total_length(void **state)
{
    (void)state;
    uint8_t buf[SYN_IP_LEN];
    synack_ip4_repr ip;
    /* total < header */
    patched(buf, 3, 19);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip),
                     SYNACK_WIRE_BAD_LEN);
    patched(buf, 3, 0);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip),
                     SYNACK_WIRE_BAD_LEN);
    /* total == header: a valid empty packet */
    patched(buf, 3, 20);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip), 20);
    assert_int_equal(ip.total_len, 20);
    /* total > frame */
    patched(buf, 3, 61);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip),
                     SYNACK_WIRE_BAD_LEN);
    patched(buf, 2, 0xff);
    assert_int_equal(synack_ip4_parse(buf, sizeof buf, true, &ip),
                     SYNACK_WIRE_BAD_LEN);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    uint8_t buf[SYN_IP_LEN];
    synack_ip4_repr ip;
    for (size_t i = 0; i < SYNACK_IP4_HDR_LEN; i++) {
        memcpy(buf, SYN_IP, SYN_IP_LEN);
        if (i == 0 || i == 2 || i == 3)
            continue; /* those change what is validated before the sum */
        buf[i] ^= 0x10;
        int rc = synack_ip4_parse(buf, sizeof buf, true, &ip);
        assert_int_equal(rc, WIRE_CSUM_FAIL(20));
        /* Not verified when the caller does not ask. */
        assert_int_equal(synack_ip4_parse(buf, sizeof buf, false, &ip), 20);
    }
}

/* An error's quote: addresses, protocol, fragment offset and the
 * transport header after IHL; the quote's total length is not checked,
 * but 8 transport bytes are needed. */
static void test_quote_parse(void **state)
{
    (void)state;
    uint8_t q[24 + 8];
    memset(q, 0, sizeof q);
    synack_ip4_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.ttl = 64;
    ip.proto = SYNACK_IPPROTO_UDP;
    ip.src = SYNACK_IP4(10, 0, 0, 2);
    ip.dst = SYNACK_IP4(10, 0, 0, 1);
    ip.total_len = 1500; /* claims more than the quote holds */
    ip.frag_off = 0;
    synack_ip4_emit(&ip, q);
    q[20] = 0x12; /* source port 0x1234 */
    q[21] = 0x34;
    synack_quote_repr r;
    assert_int_equal(synack_ip4_quote_parse(q, 28, &r), 20);
    assert_int_equal(r.src.family, SYNACK_AF_IP4);
    assert_int_equal(synack_addr_to_ip4(&r.src), SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(synack_addr_to_ip4(&r.dst), SYNACK_IP4(10, 0, 0, 1));
    assert_int_equal(r.proto, SYNACK_IPPROTO_UDP);
    assert_int_equal(r.frag_off, 0);
    assert_true(r.l4 == q + 20);
    assert_int_equal(r.l4len, 8);
    assert_int_equal(synack_ld_be16(r.l4), 0x1234);
    /* fewer than 8 transport bytes, or none of the header */
    for (size_t n = 0; n < 28; n++)
        assert_true(synack_ip4_quote_parse(q, n, &r) < 0);
    /* options: IHL 6 moves the transport header */
    q[0] = 0x46;
    assert_int_equal(synack_ip4_quote_parse(q, 32, &r), 24);
    assert_true(r.l4 == q + 24);
    assert_true(synack_ip4_quote_parse(q, 31, &r) < 0);
    /* a non-first fragment, a wrong version, IHL below 5 */
    q[0] = 0x45;
    q[6] = 0x00;
    q[7] = 0x10; /* offset 16 * 8 */
    assert_int_equal(synack_ip4_quote_parse(q, 28, &r), 20);
    assert_int_equal(r.frag_off, 128);
    q[0] = 0x65;
    assert_int_equal(synack_ip4_quote_parse(q, 28, &r), SYNACK_WIRE_BAD_VERSION);
    q[0] = 0x44;
    assert_int_equal(synack_ip4_quote_parse(q, 28, &r), SYNACK_WIRE_BAD_HDR_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_golden_syn),
        cmocka_unit_test(test_emit_golden_syn),
        cmocka_unit_test(test_fragment_fields),
        cmocka_unit_test(test_options_skipped_and_padding),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_ihl_below_five),
        cmocka_unit_test(test_total_length),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_quote_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
