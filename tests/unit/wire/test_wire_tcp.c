/*
 * TCP header and options (RFC 9293 section 3.1, RFC 7323, RFC 2018):
 * golden Linux SYN / SYN-ACK / data segments, emit layout, and every
 * malformed length and option case.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "wire/wire.h"
#include "wire_golden.h"

#define CLIENT SYNACK_IP4(192, 168, 0, 104)
#define SERVER SYNACK_IP4(192, 168, 0, 1)

#define SYN_TCP (wire_golden_linux_syn + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN)
#define SYN_TCP_LEN 40
#define SYNACK_TCP_SEG (wire_golden_linux_synack + SYNACK_IP4_HDR_LEN)
#define SYNACK_TCP_SEG_LEN 40

static void test_parse_linux_syn(void **state)
{
    (void)state;
    synack_tcp_repr t;
    assert_int_equal(synack_tcp_parse(SYN_TCP, SYN_TCP_LEN, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP),
                                      true, &t),
                     40);
    assert_int_equal(t.sport, 41906);
    assert_int_equal(t.dport, 80);
    assert_int_equal(t.seq, 0x12345678);
    assert_int_equal(t.ack, 0);
    assert_int_equal(t.flags, SYNACK_TCP_SYN);
    assert_int_equal(t.win, 64240);
    assert_int_equal(t.urg, 0);
    assert_int_equal(t.hdr_len, 40);
    assert_true(t.has_mss);
    assert_int_equal(t.mss, 1460);
    assert_true(t.sack_ok);
    assert_true(t.has_ts);
    assert_int_equal(t.tsval, 0x000a1b2c);
    assert_int_equal(t.tsecr, 0);
    assert_true(t.has_ws);
    assert_int_equal(t.ws, 7);
    assert_int_equal(t.sack_count, 0);
    assert_int_equal(t.payload_len, 0);
}

/* Emit builds Linux's exact option layout, so parse -> emit is identity. */
static void test_emit_linux_syn_and_synack(void **state)
{
    (void)state;
    uint8_t buf[SYNACK_TCP_MAX_HDR_LEN];
    synack_tcp_repr t;
    assert_int_equal(synack_tcp_parse(SYN_TCP, SYN_TCP_LEN, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP),
                                      true, &t),
                     40);
    assert_int_equal(synack_tcp_header_len(&t), 40);
    assert_int_equal(synack_tcp_emit(&t, buf), 40);
    synack_tcp_fill_checksum(buf, 40, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_memory_equal(buf, SYN_TCP, SYN_TCP_LEN);

    /* The SYN-ACK built from scratch. */
    synack_tcp_repr sa;
    memset(&sa, 0, sizeof sa);
    sa.sport = 80;
    sa.dport = 41906;
    sa.seq = 0xa0b0c0d0;
    sa.ack = 0x12345679;
    sa.flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK;
    sa.win = 65160;
    sa.has_mss = true;
    sa.mss = 1460;
    sa.sack_ok = true;
    sa.has_ts = true;
    sa.tsval = 0x3c4d5e6f;
    sa.tsecr = 0x000a1b2c;
    sa.has_ws = true;
    sa.ws = 7;
    assert_int_equal(synack_tcp_emit(&sa, buf), 40);
    synack_tcp_fill_checksum(buf, 40, synack_ip4_pseudo_sum(SERVER, CLIENT, SYNACK_IPPROTO_TCP));
    assert_memory_equal(buf, SYNACK_TCP_SEG, SYNACK_TCP_SEG_LEN);
}

/* The whole SYN-ACK packet: IPv4 header + TCP, both checksums. */
static void test_parse_synack_packet(void **state)
{
    (void)state;
    synack_ip4_repr ip;
    int hl = synack_ip4_parse(wire_golden_linux_synack,
                              WIRE_GOLDEN_LINUX_SYNACK_LEN, true, &ip);
    assert_int_equal(hl, 20);
    synack_tcp_repr t;
    int rc = synack_tcp_parse(wire_golden_linux_synack + hl,
                              (size_t)ip.total_len - (size_t)hl, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP),
                              true, &t);
    assert_int_equal(rc, 40);
    assert_int_equal(t.flags, SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    assert_int_equal(t.tsval, 0x3c4d5e6f);
    assert_int_equal(t.tsecr, 0x000a1b2c);
}

static void test_parse_data_with_sack(void **state)
{
    (void)state;
    synack_tcp_repr t;
    assert_int_equal(synack_tcp_parse(wire_golden_tcp_data_sack,
                                      WIRE_GOLDEN_TCP_DATA_SACK_LEN, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &t),
                     52);
    assert_int_equal(t.flags, SYNACK_TCP_PSH | SYNACK_TCP_ACK);
    assert_int_equal(t.win, 502);
    assert_false(t.has_mss);
    assert_false(t.has_ws);
    assert_false(t.sack_ok);
    assert_true(t.has_ts);
    assert_int_equal(t.tsval, 0x000a1b40);
    assert_int_equal(t.tsecr, 0x3c4d5e80);
    assert_int_equal(t.sack_count, 2);
    assert_int_equal(t.sack[0].left, 0xa0b0c0e0);
    assert_int_equal(t.sack[0].right, 0xa0b0c100);
    assert_int_equal(t.sack[1].left, 0xa0b0c200);
    assert_int_equal(t.sack[1].right, 0xa0b0c300);
    assert_int_equal(t.payload_len, 5);
    assert_memory_equal(t.payload, "hello", 5);

    uint8_t buf[WIRE_GOLDEN_TCP_DATA_SACK_LEN];
    size_t hl = synack_tcp_emit(&t, buf);
    assert_int_equal(hl, 52);
    memcpy(buf + hl, t.payload, t.payload_len);
    synack_tcp_fill_checksum(buf, sizeof buf, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_memory_equal(buf, wire_golden_tcp_data_sack, sizeof buf);
}

/* A plain ACK: no options, header of 20. */
static void test_plain_ack_round_trip(void **state)
{
    (void)state;
    synack_tcp_repr in, out;
    memset(&in, 0, sizeof in);
    in.sport = 1;
    in.dport = 65535;
    in.seq = 0xffffffff;
    in.ack = 0x80000000;
    in.flags = SYNACK_TCP_ACK | SYNACK_TCP_URG | SYNACK_TCP_ECE | SYNACK_TCP_CWR;
    in.win = 0xffff;
    in.urg = 0x1234;
    uint8_t buf[20];
    assert_int_equal(synack_tcp_header_len(&in), 20);
    assert_int_equal(synack_tcp_emit(&in, buf), 20);
    assert_int_equal(buf[12], 0x50);
    synack_tcp_fill_checksum(buf, 20, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_int_equal(synack_tcp_parse(buf, 20, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &out), 20);
    assert_int_equal(out.sport, 1);
    assert_int_equal(out.dport, 65535);
    assert_int_equal(out.seq, 0xffffffffu);
    assert_int_equal(out.ack, 0x80000000u);
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.win, 0xffff);
    assert_int_equal(out.urg, 0x1234);
    assert_false(out.has_mss || out.has_ws || out.sack_ok || out.has_ts);
    assert_int_equal(out.sack_count, 0);
}

/* Layout of each option combination (4-byte aligned, NOP padded). */
static void test_emit_option_layouts(void **state)
{
    (void)state;
    uint8_t buf[SYNACK_TCP_MAX_HDR_LEN];
    synack_tcp_repr t;

    memset(&t, 0, sizeof t);
    t.sack_ok = true;
    assert_int_equal(synack_tcp_emit(&t, buf), 24);
    const uint8_t sackok_only[4] = {1, 1, 4, 2};
    assert_memory_equal(buf + 20, sackok_only, 4);

    memset(&t, 0, sizeof t);
    t.has_ws = true;
    t.ws = 14;
    assert_int_equal(synack_tcp_emit(&t, buf), 24);
    const uint8_t ws_only[4] = {1, 3, 3, 14};
    assert_memory_equal(buf + 20, ws_only, 4);

    memset(&t, 0, sizeof t);
    t.has_mss = true;
    t.mss = 536;
    assert_int_equal(synack_tcp_emit(&t, buf), 24);
    const uint8_t mss_only[4] = {2, 4, 0x02, 0x18};
    assert_memory_equal(buf + 20, mss_only, 4);

    /* Four SACK blocks fit without timestamps (36 bytes). */
    memset(&t, 0, sizeof t);
    t.sack_count = 4;
    for (uint32_t i = 0; i < 4; i++) {
        t.sack[i].left = 100 * i + 1;
        t.sack[i].right = 100 * i + 50;
    }
    assert_int_equal(synack_tcp_header_len(&t), 56);
    assert_int_equal(synack_tcp_emit(&t, buf), 56);
    assert_int_equal(buf[12] >> 4, 14);
    const uint8_t sack_hdr[4] = {1, 1, 5, 34};
    assert_memory_equal(buf + 20, sack_hdr, 4);
    synack_tcp_repr back;
    synack_tcp_fill_checksum(buf, 56, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_int_equal(synack_tcp_parse(buf, 56, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &back), 56);
    assert_int_equal(back.sack_count, 4);
    assert_int_equal(back.sack[3].left, 301);
    assert_int_equal(back.sack[3].right, 350);

    /* With timestamps only three fit (12 + 28 = 40). */
    t.has_ts = true;
    assert_int_equal(synack_tcp_header_len(&t), 60);
    assert_int_equal(synack_tcp_emit(&t, buf), 60);
    synack_tcp_fill_checksum(buf, 60, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_int_equal(synack_tcp_parse(buf, 60, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &back), 60);
    assert_int_equal(back.sack_count, 3);
    assert_true(back.has_ts);

    /* Everything at once: the SACK blocks that do not fit are left out. */
    t.has_mss = true;
    t.has_ws = true;
    t.sack_ok = true;
    assert_int_equal(synack_tcp_header_len(&t), 60); /* 20 + 20 + 4 + 16 */
    assert_int_equal(synack_tcp_emit(&t, buf), 60);
    synack_tcp_fill_checksum(buf, 60, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    assert_int_equal(synack_tcp_parse(buf, 60, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &back), 60);
    assert_int_equal(back.sack_count, 2);
    assert_true(back.has_mss && back.has_ws && back.sack_ok && back.has_ts);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    const uint8_t *seg = wire_golden_tcp_data_sack;
    for (size_t len = 0; len < WIRE_GOLDEN_TCP_DATA_SACK_LEN; len++) {
        synack_tcp_repr t;
        int rc = synack_tcp_parse(seg, len, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &t);
        if (len < SYNACK_TCP_HDR_LEN)
            assert_int_equal(rc, SYNACK_WIRE_TRUNCATED);
        else if (len < 52)
            assert_int_equal(rc, SYNACK_WIRE_BAD_HDR_LEN);
        else /* header whole, payload cut: the checksum notices */
            assert_int_equal(rc, WIRE_CSUM_FAIL(52));
    }
}

/* A segment with a 20-byte header and the given option bytes. */
static size_t build(uint8_t *buf, const uint8_t *opts, size_t optlen)
{
    synack_tcp_repr t;
    memset(&t, 0, sizeof t);
    t.sport = 1000;
    t.dport = 2000;
    t.flags = SYNACK_TCP_SYN;
    t.win = 1024;
    synack_tcp_emit(&t, buf);
    memcpy(buf + 20, opts, optlen);
    buf[12] = (uint8_t)(((20 + optlen) / 4) << 4);
    synack_tcp_fill_checksum(buf, 20 + optlen, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP));
    return 20 + optlen;
}

static int parse_opts(const uint8_t *opts, size_t optlen, synack_tcp_repr *t)
{
    uint8_t buf[SYNACK_TCP_MAX_HDR_LEN];
    size_t len = build(buf, opts, optlen);
    return synack_tcp_parse(buf, len, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, t);
}

static void test_data_offset(void **state)
{
    (void)state;
    uint8_t buf[SYN_TCP_LEN];
    synack_tcp_repr t;
    for (uint8_t doff = 0; doff < 5; doff++) {
        memcpy(buf, SYN_TCP, SYN_TCP_LEN);
        buf[12] = (uint8_t)(doff << 4);
        assert_int_equal(synack_tcp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), false, &t),
                         SYNACK_WIRE_BAD_HDR_LEN);
    }
    for (uint8_t doff = 11; doff < 16; doff++) {
        memcpy(buf, SYN_TCP, SYN_TCP_LEN);
        buf[12] = (uint8_t)(doff << 4);
        assert_int_equal(synack_tcp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), false, &t),
                         SYNACK_WIRE_BAD_HDR_LEN);
    }
    /* Reserved bits in byte 12 are ignored. */
    memcpy(buf, SYN_TCP, SYN_TCP_LEN);
    buf[12] |= 0x0f;
    assert_int_equal(synack_tcp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), false, &t),
                     40);
}

static void test_option_bad_lengths(void **state)
{
    (void)state;
    synack_tcp_repr t;
    /* length 0 and 1 of an unknown and of a known kind */
    const uint8_t len0[4] = {30, 0, 1, 1};
    const uint8_t len1[4] = {30, 1, 1, 1};
    const uint8_t mss_len0[4] = {2, 0, 0, 0};
    const uint8_t mss_len1[4] = {2, 1, 0, 0};
    assert_int_equal(parse_opts(len0, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(len1, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(mss_len0, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(mss_len1, 4, &t), SYNACK_WIRE_BAD_OPTION);
    /* length 255 and just past the header */
    const uint8_t len255[4] = {30, 255, 0, 0};
    const uint8_t len5[4] = {30, 5, 0, 0};
    const uint8_t ts_past[8] = {1, 1, 8, 10, 0, 0, 0, 0};
    assert_int_equal(parse_opts(len255, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(len5, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(ts_past, 8, &t), SYNACK_WIRE_BAD_OPTION);
    /* a kind byte as the last byte of the header: no room for its length */
    const uint8_t kind_last[4] = {1, 1, 1, 2};
    assert_int_equal(parse_opts(kind_last, 4, &t), SYNACK_WIRE_BAD_OPTION);
}

static void test_known_option_wrong_size(void **state)
{
    (void)state;
    synack_tcp_repr t;
    const uint8_t mss3[4] = {2, 3, 5, 1};
    const uint8_t mss6[8] = {2, 6, 5, 0xb4, 0, 0, 1, 1};
    const uint8_t ws2[4] = {3, 2, 1, 1};
    const uint8_t ws4[4] = {3, 4, 7, 0};
    const uint8_t sackok3[4] = {4, 3, 0, 1};
    const uint8_t ts8[8] = {8, 8, 0, 0, 0, 0, 0, 0};
    const uint8_t ts12[12] = {8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t sack2[4] = {1, 1, 5, 2};
    const uint8_t sack9[12] = {1, 5, 9, 0, 0, 0, 1, 0, 0, 0, 2, 0};
    const uint8_t sack11[16] = {1, 5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0};
    assert_int_equal(parse_opts(mss3, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(mss6, 8, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(ws2, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(ws4, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(sackok3, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(ts8, 8, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(ts12, 12, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(sack2, 4, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(sack9, 12, &t), SYNACK_WIRE_BAD_OPTION);
    assert_int_equal(parse_opts(sack11, 16, &t), SYNACK_WIRE_BAD_OPTION);
}

static void test_unknown_options_skipped(void **state)
{
    (void)state;
    synack_tcp_repr t;
    /* kind 30 (MPTCP) of length 6, kind 34 (TFO cookie) of length 2, MSS */
    const uint8_t opts[12] = {30, 6, 0xde, 0xad, 0xbe, 0xef, 34, 2,
                              2, 4, 0x05, 0x78};
    assert_int_equal(parse_opts(opts, 12, &t), 32);
    assert_true(t.has_mss);
    assert_int_equal(t.mss, 1400);
    assert_false(t.has_ws);
}

static void test_eol_ends_list(void **state)
{
    (void)state;
    synack_tcp_repr t;
    /* WS, EOL, then garbage that would be malformed if it were read. */
    const uint8_t opts[8] = {3, 3, 9, 0, 30, 0, 0xff, 0xff};
    assert_int_equal(parse_opts(opts, 8, &t), 28);
    assert_true(t.has_ws);
    assert_int_equal(t.ws, 9); /* as received; the caller clamps to 14 */
    /* All NOPs, all EOLs. */
    const uint8_t nops[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    const uint8_t eols[8] = {0};
    assert_int_equal(parse_opts(nops, 8, &t), 28);
    assert_false(t.has_ws);
    assert_int_equal(parse_opts(eols, 8, &t), 28);
}

/* Option fields from a previous parse never leak into the next one. */
static void test_options_reset_between_parses(void **state)
{
    (void)state;
    synack_tcp_repr t;
    assert_int_equal(synack_tcp_parse(SYN_TCP, SYN_TCP_LEN, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP),
                                      true, &t),
                     40);
    assert_true(t.has_mss);
    const uint8_t none[4] = {1, 1, 1, 1};
    assert_int_equal(parse_opts(none, 4, &t), 24);
    assert_false(t.has_mss || t.has_ws || t.sack_ok || t.has_ts);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    uint8_t buf[WIRE_GOLDEN_TCP_DATA_SACK_LEN];
    synack_tcp_repr t;
    for (size_t i = 0; i < sizeof buf; i++) {
        if (i == 12)
            continue; /* data offset is checked before the sum */
        memcpy(buf, wire_golden_tcp_data_sack, sizeof buf);
        buf[i] ^= 0x02;
        int rc = synack_tcp_parse(buf, sizeof buf, synack_ip4_pseudo_sum(CLIENT, SERVER, SYNACK_IPPROTO_TCP), true, &t);
#ifdef SYNACK_FUZZING
        assert_true(rc >= 0 || rc == SYNACK_WIRE_BAD_OPTION);
#else
        assert_int_equal(rc, SYNACK_WIRE_BAD_CHECKSUM);
#endif
    }
    /* Right bytes, wrong address: the pseudo-header is covered. (Swapping
     * source and destination would not show: the sum is commutative.) */
    assert_int_equal(synack_tcp_parse(wire_golden_tcp_data_sack,
                                      WIRE_GOLDEN_TCP_DATA_SACK_LEN, synack_ip4_pseudo_sum(CLIENT, SYNACK_IP4(192, 168, 0, 2), SYNACK_IPPROTO_TCP), true, &t),
                     WIRE_CSUM_FAIL(52));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_linux_syn),
        cmocka_unit_test(test_emit_linux_syn_and_synack),
        cmocka_unit_test(test_parse_synack_packet),
        cmocka_unit_test(test_parse_data_with_sack),
        cmocka_unit_test(test_plain_ack_round_trip),
        cmocka_unit_test(test_emit_option_layouts),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_data_offset),
        cmocka_unit_test(test_option_bad_lengths),
        cmocka_unit_test(test_known_option_wrong_size),
        cmocka_unit_test(test_unknown_options_skipped),
        cmocka_unit_test(test_eol_ends_list),
        cmocka_unit_test(test_options_reset_between_parses),
        cmocka_unit_test(test_bad_checksum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
