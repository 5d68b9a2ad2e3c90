/*
 * host/native/vnet.c: the virtio_net_hdr of an offloading TAP. A TCP
 * super-frame (larger than any MTU) arrives with the pseudo-header sum in
 * its checksum field, as Linux leaves it (CHECKSUM_PARTIAL); after
 * synack_vnet_rx the core's own parser must accept it with verification
 * on. The file is pure byte work, so it is compiled into this test
 * directly and runs on every target.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../../host/native/vnet.c"
#include "net_frames.h"
#include "wire/wire.h"

#define SRC SYNACK_IP4(10, 78, 0, 1)
#define DST SYNACK_IP4(10, 78, 0, 2)
#define TCP_OFF (SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN)

static uint8_t buf[SYNACK_VNET_FRAME_MAX];

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* buf = vnet header + Ethernet/IPv4/TCP frame with `plen` payload bytes
 * and a correct TCP checksum; returns the read length. */
static size_t build(size_t plen, uint8_t flags, uint8_t gso)
{
    static uint8_t l4[65535];
    memset(buf, 0, sizeof buf);
    synack_tcp_repr t;
    memset(&t, 0, sizeof t);
    t.sport = 5001;
    t.dport = 40000;
    t.seq = 1000;
    t.ack = 2000;
    t.flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH;
    t.win = 500;
    size_t h = synack_tcp_emit(&t, l4);
    for (size_t i = 0; i < plen; i++)
        l4[h + i] = (uint8_t)(i * 7 + 3);
    synack_tcp_fill_checksum(l4, h + plen, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_TCP));
    synack_ip4_repr ip = net_ip_repr(SRC, DST, SYNACK_IPPROTO_TCP);
    size_t n = net_build_ip(buf + SYNACK_VNET_HDR_LEN, net_mac(1), net_mac(0), &ip, l4,
                            h + plen);
    buf[0] = flags;
    buf[1] = gso;
    put_le16(buf + 4, 1448);            /* gso_size */
    put_le16(buf + 6, TCP_OFF);         /* csum_start */
    put_le16(buf + 8, 16);              /* csum_offset: TCP checksum */
    return SYNACK_VNET_HDR_LEN + n;
}

/* Replace the TCP checksum by the folded pseudo-header sum (Linux's
 * CHECKSUM_PARTIAL); returns the correct checksum it replaced. */
static uint16_t make_partial(size_t len)
{
    uint8_t *ck = buf + SYNACK_VNET_HDR_LEN + TCP_OFF + 16;
    uint16_t good = (uint16_t)(ck[0] << 8 | ck[1]);
    uint32_t l4len = (uint32_t)(len - SYNACK_VNET_HDR_LEN - TCP_OFF);
    uint16_t ps = (uint16_t)~synack_csum_finish(
        synack_csum_pseudo(SRC, DST, SYNACK_IPPROTO_TCP, l4len));
    synack_wr_be16(ck, ps);
    return good;
}

static void assert_tcp_valid(int32_t n, size_t plen)
{
    const uint8_t *f = buf + SYNACK_VNET_HDR_LEN;
    synack_ip4_repr ip;
    assert_int_equal(synack_ip4_parse(f + SYNACK_ETH_HDR_LEN,
                                      (size_t)n - SYNACK_ETH_HDR_LEN, true, &ip),
                     SYNACK_IP4_HDR_LEN);
    synack_tcp_repr t;
    assert_true(synack_tcp_parse(f + TCP_OFF, (size_t)ip.total_len - ip.hdr_len, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_TCP),
                                 true, &t) >= 0);
    assert_int_equal(t.payload_len, plen);
}

static void test_super_frame_checksum_completed(void **state)
{
    (void)state;
    /* even and odd payloads, one of them far above the 1500 MTU */
    size_t sizes[] = {0, 1, 1448, 60001, 65535 - 40};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t len = build(sizes[i], 1, 1);
        uint16_t good = make_partial(len);
        /* a partial checksum fails verification before the fix-up */
        if (good != 0)
            assert_true(synack_tcp_parse(buf + SYNACK_VNET_HDR_LEN + TCP_OFF,
                                         len - SYNACK_VNET_HDR_LEN - TCP_OFF, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_TCP), true,
                                         &(synack_tcp_repr){0}) < 0);
        int32_t n = synack_vnet_rx(buf, len);
        assert_int_equal(n, (int32_t)(len - SYNACK_VNET_HDR_LEN));
        const uint8_t *ck = buf + SYNACK_VNET_HDR_LEN + TCP_OFF + 16;
        assert_int_equal((uint16_t)(ck[0] << 8 | ck[1]), good == 0 ? 0xffff : good);
        assert_tcp_valid(n, sizes[i]);
    }
}

/* A TSO6 super-frame (tap.c asks TUN_F_TSO6): GSO_TCPV6, NEEDS_CSUM with
 * csum_start at the TCP header after the 40-byte IPv6 header and the
 * IPv6 pseudo-header sum in the field. After the fix-up the core's IPv6
 * and TCP parsers take it with verification on; the IPv6 payload length
 * (the kernel's, correct for up to 64 KB) is left alone. */
static void test_tcp6_super_frame_checksum_completed(void **state)
{
    (void)state;
    synack_addr src, dst;
    assert_int_equal(synack_addr_parse("fd77::1", &src), 0);
    assert_int_equal(synack_addr_parse("fd77::2", &dst), 0);
    uint32_t ph = synack_addr_pseudo_sum(&src, &dst, SYNACK_IPPROTO_TCP);
    const size_t off = SYNACK_ETH_HDR_LEN + SYNACK_IP6_HDR_LEN;
    size_t sizes[] = {1, 1440, 60001, 65535 - 40 - 20};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(buf, 0, sizeof buf);
        uint8_t *f = buf + SYNACK_VNET_HDR_LEN;
        synack_eth_repr eth = {net_mac(0), net_mac(1), SYNACK_ETHERTYPE_IPV6};
        synack_eth_emit(&eth, f);
        synack_ip6_repr ip;
        memset(&ip, 0, sizeof ip);
        ip.payload_len = (uint16_t)(20 + sizes[i]);
        ip.next = SYNACK_IPPROTO_TCP;
        ip.hop_limit = 64;
        ip.src = src;
        ip.dst = dst;
        synack_ip6_emit(&ip, f + SYNACK_ETH_HDR_LEN);
        synack_tcp_repr t;
        memset(&t, 0, sizeof t);
        t.sport = 5001;
        t.dport = 40000;
        t.seq = 1000;
        t.ack = 2000;
        t.flags = SYNACK_TCP_ACK;
        t.win = 500;
        uint8_t *l4 = f + off;
        size_t h = synack_tcp_emit(&t, l4);
        for (size_t k = 0; k < sizes[i]; k++)
            l4[h + k] = (uint8_t)(k * 13 + 5);
        size_t l4len = h + sizes[i];
        synack_tcp_fill_checksum(l4, l4len, ph);
        uint16_t good = (uint16_t)(l4[16] << 8 | l4[17]);
        synack_tcp_fill_checksum_partial(l4, l4len, ph);
        if (good != 0)
            assert_true(synack_tcp_parse(l4, l4len, ph, true, &(synack_tcp_repr){0}) < 0);
        buf[0] = 1; /* NEEDS_CSUM */
        buf[1] = 4; /* GSO_TCPV6 */
        put_le16(buf + 2, (uint16_t)(off + h));
        put_le16(buf + 4, 1440);
        put_le16(buf + 6, (uint16_t)off);
        put_le16(buf + 8, 16);
        size_t len = SYNACK_VNET_HDR_LEN + off + l4len;
        int32_t n = synack_vnet_rx(buf, len);
        assert_int_equal(n, (int32_t)(len - SYNACK_VNET_HDR_LEN));
        assert_int_equal((uint16_t)(l4[16] << 8 | l4[17]), good == 0 ? 0xffff : good);
        synack_ip6_repr got;
        assert_int_equal(synack_ip6_parse(f + SYNACK_ETH_HDR_LEN,
                                          (size_t)n - SYNACK_ETH_HDR_LEN, &got),
                         SYNACK_IP6_HDR_LEN);
        assert_int_equal(got.payload_len, l4len);
        synack_tcp_repr tr;
        assert_true(synack_tcp_parse(l4, got.payload_len, ph, true, &tr) >= 0);
        assert_int_equal(tr.payload_len, sizes[i]);
    }
}

static void test_plain_header_leaves_frame(void **state)
{
    (void)state;
    size_t len = build(100, 0, 0);
    static uint8_t copy[SYNACK_VNET_FRAME_MAX];
    memcpy(copy, buf, len);
    assert_int_equal(synack_vnet_rx(buf, len), (int32_t)(len - SYNACK_VNET_HDR_LEN));
    assert_memory_equal(buf, copy, len);
    assert_tcp_valid((int32_t)(len - SYNACK_VNET_HDR_LEN), 100);
}

static void test_gso_zero_total_length_set(void **state)
{
    (void)state;
    size_t len = build(30000, 1, 1);
    make_partial(len);
    uint8_t *ip = buf + SYNACK_VNET_HDR_LEN + SYNACK_ETH_HDR_LEN;
    ip[2] = ip[3] = 0;
    int32_t n = synack_vnet_rx(buf, len);
    assert_int_equal(n, (int32_t)(len - SYNACK_VNET_HDR_LEN));
    assert_int_equal(ip[2] << 8 | ip[3], 20 + 20 + 30000);
    assert_tcp_valid(n, 30000);
    /* without GSO a zero length is not ours to repair */
    len = build(10, 0, 0);
    ip[2] = ip[3] = 0;
    assert_int_equal(synack_vnet_rx(buf, len), (int32_t)(len - SYNACK_VNET_HDR_LEN));
    assert_int_equal(ip[2] << 8 | ip[3], 0);
}

/* Send side: the header for a GSO segment whose checksum field holds the
 * pseudo-header sum; the same header read back completes the checksum. */
static void test_tx_gso_header(void **state)
{
    (void)state;
    size_t len = build(10 * 1448, 0, 0);
    uint16_t good = make_partial(len);
    uint8_t *f = buf + SYNACK_VNET_HDR_LEN;
    size_t n = len - SYNACK_VNET_HDR_LEN;
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    synack_gso g4 = {1448, TCP_OFF + 20, TCP_OFF, 16, SYNACK_AF_IP4};
    synack_vnet_tx_gso(hdr, n, &g4);
    assert_int_equal(hdr[0], 1); /* NEEDS_CSUM */
    assert_int_equal(hdr[1], 1); /* GSO_TCPV4 */
    assert_int_equal(get_le16(hdr + 2), TCP_OFF + 20); /* hdr_len */
    assert_int_equal(get_le16(hdr + 4), 1448);
    assert_int_equal(get_le16(hdr + 6), TCP_OFF);
    assert_int_equal(get_le16(hdr + 8), 16);
    assert_int_equal(synack_vnet_fix(hdr, f, n), (int32_t)n);
    const uint8_t *ck = f + TCP_OFF + 16;
    assert_int_equal((uint16_t)(ck[0] << 8 | ck[1]), good == 0 ? 0xffff : good);
    assert_tcp_valid((int32_t)n, 10 * 1448);
    /* TCP over IPv6 (right after the fixed header): GSO_TCPV6 */
    static uint8_t f6[SYNACK_ETH_HDR_LEN + 40 + 20 + 3000];
    memset(f6, 0, sizeof f6);
    f6[12] = 0x86;
    f6[13] = 0xdd;
    f6[SYNACK_ETH_HDR_LEN] = 0x60;
    f6[SYNACK_ETH_HDR_LEN + 6] = 6;
    f6[SYNACK_ETH_HDR_LEN + 40 + 12] = 5 << 4;
    synack_gso g6 = {1440, SYNACK_ETH_HDR_LEN + 40 + 20, SYNACK_ETH_HDR_LEN + 40, 16,
                     SYNACK_AF_IP6};
    synack_vnet_tx_gso(hdr, sizeof f6, &g6);
    assert_int_equal(hdr[0], 1);
    assert_int_equal(hdr[1], 4); /* GSO_TCPV6 */
    assert_int_equal(get_le16(hdr + 2), SYNACK_ETH_HDR_LEN + 40 + 20);
    assert_int_equal(get_le16(hdr + 4), 1440);
    assert_int_equal(get_le16(hdr + 6), SYNACK_ETH_HDR_LEN + 40);
    assert_int_equal(get_le16(hdr + 8), 16);
    /* offsets that do not fit the frame, no piece size, another family:
     * a plain (zero) header */
    static const uint8_t zero[SYNACK_VNET_HDR_LEN];
    synack_vnet_tx_gso(hdr, SYNACK_ETH_HDR_LEN + 40 + 19, &g6);
    assert_memory_equal(hdr, zero, sizeof zero);
    synack_gso bad = g4;
    bad.csum_offset = 20; /* the field past the header's end */
    synack_vnet_tx_gso(hdr, n, &bad);
    assert_memory_equal(hdr, zero, sizeof zero);
    bad = g4;
    bad.seg = 0;
    synack_vnet_tx_gso(hdr, n, &bad);
    assert_memory_equal(hdr, zero, sizeof zero);
    bad = g4;
    bad.family = 0;
    synack_vnet_tx_gso(hdr, n, &bad);
    assert_memory_equal(hdr, zero, sizeof zero);
}

/*
 * The header says what the stack gave, not what the bytes say (issue 15:
 * transmit metadata passed explicitly): a 24-byte IPv4 header (one option
 * word) described by the sender gives csum_start 38 and hdr_len 58 even
 * when the frame's bytes are not looked at (zeroed here).
 */
static void test_tx_gso_uses_given_offsets(void **state)
{
    (void)state;
    static uint8_t f[SYNACK_ETH_HDR_LEN + 24 + 20 + 4000];
    memset(f, 0, sizeof f);
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    synack_gso g = {1000, SYNACK_ETH_HDR_LEN + 24 + 20, SYNACK_ETH_HDR_LEN + 24, 16,
                    SYNACK_AF_IP4};
    synack_vnet_tx_gso(hdr, sizeof f, &g);
    assert_int_equal(hdr[0], 1);
    assert_int_equal(hdr[1], 1);
    assert_int_equal(get_le16(hdr + 2), SYNACK_ETH_HDR_LEN + 24 + 20);
    assert_int_equal(get_le16(hdr + 4), 1000);
    assert_int_equal(get_le16(hdr + 6), SYNACK_ETH_HDR_LEN + 24);
    assert_int_equal(get_le16(hdr + 8), 16);
}

static void test_bad_header_dropped(void **state)
{
    (void)state;
    assert_int_equal(synack_vnet_rx(buf, 0), -1);
    assert_int_equal(synack_vnet_rx(buf, SYNACK_VNET_HDR_LEN - 1), -1);
    size_t len = build(10, 1, 0);
    /* checksum field past the end of the frame */
    put_le16(buf + 6, (uint16_t)(len - SYNACK_VNET_HDR_LEN - 17));
    assert_int_equal(synack_vnet_rx(buf, len), -1);
    put_le16(buf + 6, TCP_OFF);
    put_le16(buf + 8, 0xffff);
    assert_int_equal(synack_vnet_rx(buf, len), -1);
    /* the header alone: an empty frame, nothing to complete */
    memset(buf, 0, SYNACK_VNET_HDR_LEN);
    assert_int_equal(synack_vnet_rx(buf, SYNACK_VNET_HDR_LEN), 0);
}

static void test_split_header_same_result(void **state)
{
    (void)state;
    /* synack_vnet_fix (header read apart, as tap.c's readv does) must
     * complete the checksum exactly as the contiguous synack_vnet_rx */
    size_t len = build(60001, 1, 1);
    make_partial(len);
    static uint8_t frame[SYNACK_VNET_FRAME_MAX];
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    memcpy(hdr, buf, sizeof hdr);
    size_t n = len - SYNACK_VNET_HDR_LEN;
    memcpy(frame, buf + SYNACK_VNET_HDR_LEN, n);
    assert_int_equal(synack_vnet_fix(hdr, frame, n), (int32_t)n);
    assert_int_equal(synack_vnet_rx(buf, len), (int32_t)n);
    assert_memory_equal(frame, buf + SYNACK_VNET_HDR_LEN, n);
    assert_tcp_valid((int32_t)n, 60001);
    /* offsets past the frame: dropped the same way */
    put_le16(hdr + 8, 0xffff);
    assert_int_equal(synack_vnet_fix(hdr, frame, n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_super_frame_checksum_completed),
        cmocka_unit_test(test_tcp6_super_frame_checksum_completed),
        cmocka_unit_test(test_plain_header_leaves_frame),
        cmocka_unit_test(test_gso_zero_total_length_set),
        cmocka_unit_test(test_tx_gso_header),
        cmocka_unit_test(test_tx_gso_uses_given_offsets),
        cmocka_unit_test(test_bad_header_dropped),
        cmocka_unit_test(test_split_header_same_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
