/*
 * Hostile Ethernet/IPv4/TCP framing at the stack's input (issue 10): zero
 * length and runt frames, IHL below 5, total length below the header or
 * beyond the frame, TCP data offset below 5 or beyond the segment, and
 * teardrop-style fragments. Each malformed frame must be dropped and
 * counted under its reason exactly once, with no answer, while the same
 * frame made whole is answered. Wire-level cases are in test_wire_*.c,
 * the other fragment attacks in test_reasm.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

static const synack_mac us = {{0x02, 0, 0, 0, 0, 0x01}}, peer = {{0x02, 0, 0, 0, 0, 0x02}};

static int setup(void **state)
{
    tcp_harness *th = th_new(NULL);
    *state = th;
    return th ? 0 : -1;
}

static int teardown(void **state)
{
    return th_free(*state) == 0 ? 0 : -1;
}

/* An Ethernet frame holding an IPv4 packet from the peer; returns its length. */
static size_t ip_frame(uint8_t *buf, uint8_t proto, uint16_t id, bool mf, uint16_t frag_off,
                       const uint8_t *payload, size_t len)
{
    synack_eth_repr e = {.dst = us, .src = peer, .ethertype = SYNACK_ETHERTYPE_IPV4};
    synack_eth_emit(&e, buf);
    synack_ip4_repr ip = {.ttl = 64, .proto = proto, .id = id, .mf = mf, .frag_off = frag_off,
                          .src = TH_PEER_IP, .dst = TH_LOCAL_IP,
                          .total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + len)};
    synack_ip4_emit(&ip, buf + SYNACK_ETH_HDR_LEN);
    memcpy(buf + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN, payload, len);
    return SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN + len;
}

/* An ICMP echo request frame with `len` bytes of payload. */
static size_t echo_frame(uint8_t *buf, uint16_t seq, size_t len)
{
    uint8_t icmp[1500];
    uint8_t data[1400];
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i + seq);
    synack_icmp_repr r = {.type = SYNACK_ICMP_ECHO_REQUEST, .id = 77, .seq = seq,
                          .payload = data, .payload_len = len};
    size_t n = synack_icmp_emit(&r, icmp);
    return ip_frame(buf, SYNACK_IPPROTO_ICMP, seq, false, 0, icmp, n);
}

/* Recompute the IPv4 header checksum over `hlen` bytes. */
static void fix_ip_checksum(uint8_t *ip, size_t hlen)
{
    ip[10] = ip[11] = 0;
    uint16_t c = synack_csum_finish(synack_csum_add(0, ip, hlen));
    synack_wr_be16(ip + 10, c);
}

static uint64_t total_drops(tcp_harness *th)
{
    synack_counters c;
    synack_get_counters(th->s, &c);
    return c.drops_total;
}

/* Feed a frame that must be dropped for `reason`, once, with no answer. */
static void expect_dropped(tcp_harness *th, const uint8_t *frame, size_t len, synack_drop reason)
{
    uint64_t before = synack_drops(th->s, reason), all = total_drops(th);
    th_flush(th);
    synack_input(th->s, th->now, frame, len);
    if (th->count != 0)
        fail_msg("a %zu-byte frame was answered (%s expected)", len, synack_drop_reason(reason));
    if (synack_drops(th->s, reason) != before + 1 || total_drops(th) != all + 1)
        fail_msg("a %zu-byte frame: %s %llu -> %llu, all drops %llu -> %llu", len,
                 synack_drop_reason(reason), (unsigned long long)before,
                 (unsigned long long)synack_drops(th->s, reason), (unsigned long long)all,
                 (unsigned long long)total_drops(th));
}

static void expect_echo_reply(tcp_harness *th, const uint8_t *frame, size_t len)
{
    th_flush(th);
    synack_input(th->s, th->now, frame, len);
    assert_int_equal(th->count, 1);
    const th_frame *f = &th->frames[th->head];
    assert_true(f->len > SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN);
    assert_int_equal(f->data[SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN], SYNACK_ICMP_ECHO_REPLY);
    th_flush(th);
}

static void zero_length_and_runt_frames(void **state)
{
    tcp_harness *th = *state;
    uint8_t frame[1600];
    size_t n = echo_frame(frame, 1, 32);
    expect_echo_reply(th, frame, n);
    /* nothing at all, also with no buffer */
    expect_dropped(th, NULL, 0, SYNACK_DROP_ETH_RUNT);
    expect_dropped(th, frame, 0, SYNACK_DROP_ETH_RUNT);
    /* every cut of the frame: shorter than Ethernet, than IPv4, than the
     * total length */
    for (size_t len = 1; len < n; len++) {
        synack_drop why = len < SYNACK_ETH_HDR_LEN ? SYNACK_DROP_ETH_RUNT
                          : len < SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN
                              ? SYNACK_DROP_IPV4_TRUNCATED
                              : SYNACK_DROP_IPV4_BAD_TOTAL_LEN;
        /* a fresh copy of exactly len bytes, so over-reads show in ASan and valgrind */
        uint8_t *cut = malloc(len);
        assert_non_null(cut);
        memcpy(cut, frame, len);
        expect_dropped(th, cut, len, why);
        free(cut);
    }
    /* Ethernet padding after the IP packet is fine */
    memset(frame + n, 0xee, 30);
    expect_echo_reply(th, frame, n + 30);
}

static void ip_header_lengths(void **state)
{
    tcp_harness *th = *state;
    uint8_t good[1600], f[1600];
    size_t n = echo_frame(good, 2, 40);
    uint8_t *ip = f + SYNACK_ETH_HDR_LEN;
    /* IHL 0..4 */
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        memcpy(f, good, n);
        ip[0] = (uint8_t)(0x40 | ihl);
        fix_ip_checksum(ip, SYNACK_IP4_HDR_LEN);
        expect_dropped(th, f, n, SYNACK_DROP_IPV4_BAD_HDR_LEN);
    }
    /* IHL 15 (60 bytes) beyond a 40-byte packet's total length */
    memcpy(f, good, n);
    ip[0] = 0x4f;
    synack_wr_be16(ip + 2, 40);
    fix_ip_checksum(ip, 60);
    expect_dropped(th, f, n, SYNACK_DROP_IPV4_BAD_TOTAL_LEN);
    /* IHL beyond the frame itself */
    memcpy(f, good, n);
    ip[0] = 0x4f;
    expect_dropped(th, f, SYNACK_ETH_HDR_LEN + 24, SYNACK_DROP_IPV4_BAD_HDR_LEN);
    /* total length 0, 19 (below the header), and one past the frame */
    static const uint16_t totals[] = {0, 19};
    for (size_t i = 0; i < 2; i++) {
        memcpy(f, good, n);
        synack_wr_be16(ip + 2, totals[i]);
        fix_ip_checksum(ip, SYNACK_IP4_HDR_LEN);
        expect_dropped(th, f, n, SYNACK_DROP_IPV4_BAD_TOTAL_LEN);
    }
    memcpy(f, good, n);
    synack_wr_be16(ip + 2, (uint16_t)(n - SYNACK_ETH_HDR_LEN + 1));
    fix_ip_checksum(ip, SYNACK_IP4_HDR_LEN);
    expect_dropped(th, f, n, SYNACK_DROP_IPV4_BAD_TOTAL_LEN);
    memcpy(f, good, n);
    synack_wr_be16(ip + 2, 65535);
    fix_ip_checksum(ip, SYNACK_IP4_HDR_LEN);
    expect_dropped(th, f, n, SYNACK_DROP_IPV4_BAD_TOTAL_LEN);
    /* and the stack still answers the good one */
    expect_echo_reply(th, good, n);
}

static void tcp_data_offsets(void **state)
{
    tcp_harness *th = *state;
    /* a SYN to a closed port would get a RST: a malformed one gets nothing */
    uint8_t seg[64];
    memset(seg, 0, sizeof seg);
    synack_wr_be16(seg, 40000);
    synack_wr_be16(seg + 2, 4444);
    synack_wr_be32(seg + 4, 1000);
    seg[13] = SYNACK_TCP_SYN;
    synack_wr_be16(seg + 14, 1000);
    uint8_t f[200];
    for (uint8_t doff = 0; doff < 16; doff++) {
        seg[12] = (uint8_t)(doff << 4);
        size_t n = ip_frame(f, SYNACK_IPPROTO_TCP, doff, false, 0, seg, 24);
        uint8_t *l4 = f + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
        synack_tcp_fill_checksum(l4, 24, synack_ip4_pseudo_sum(TH_PEER_IP, TH_LOCAL_IP, SYNACK_IPPROTO_TCP));
        th_flush(th);
        if (doff == 5 || doff == 6) {
            /* 20 or 24 bytes of header in a 24-byte segment: fine, RST */
            synack_input(th->s, th->now, f, n);
            assert_true(th_next(th));
            assert_true(th->last.flags & SYNACK_TCP_RST);
            continue;
        }
        /* below 5, or a header longer than the 24-byte segment */
        expect_dropped(th, f, n, SYNACK_DROP_TCP_MALFORMED);
    }
    /* a segment shorter than the fixed header */
    size_t n = ip_frame(f, SYNACK_IPPROTO_TCP, 99, false, 0, seg, 19);
    expect_dropped(th, f, n, SYNACK_DROP_TCP_MALFORMED);
}

/* Feed the peer's ICMP fragment `id` at byte offset `off` (mf: more follow). */
static void frag_in(tcp_harness *th, uint16_t id, bool mf, uint16_t off, const uint8_t *p,
                    size_t len)
{
    uint8_t f[1600];
    size_t n = ip_frame(f, SYNACK_IPPROTO_ICMP, id, mf, off, p, len);
    synack_input(th->s, th->now, f, n);
}

static void teardrop_fragments(void **state)
{
    tcp_harness *th = *state;
    uint8_t icmp[1500];
    uint8_t data[600];
    memset(data, 0x5a, sizeof data);
    synack_icmp_repr r = {.type = SYNACK_ICMP_ECHO_REQUEST, .id = 77, .seq = 9,
                          .payload = data, .payload_len = sizeof data};
    size_t len = synack_icmp_emit(&r, icmp);
    /* teardrop: the second fragment lies inside the first one and ends
     * before it, so "end - previous end" would be negative */
    th_flush(th);
    frag_in(th, 500, true, 0, icmp, 400);
    uint8_t other[16];
    for (size_t i = 0; i < sizeof other; i++)
        other[i] = (uint8_t)(icmp[24 + i] ^ 0xff);
    frag_in(th, 500, true, 24, other, 16);
    frag_in(th, 500, false, 400, icmp + 400, len - 400);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_IPV4_FRAG_OVERLAP), 1);
    assert_int_equal(th->count, 0);
    /* overlap at the tail (the Linux/Windows 1997 variant): a last fragment
     * starting inside the first */
    frag_in(th, 501, true, 0, icmp, 400);
    frag_in(th, 501, false, 392, icmp + 392, len - 392);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_IPV4_FRAG_OVERLAP), 2);
    assert_int_equal(th->count, 0);
    /* a contained fragment with the very same bytes is a link duplicate:
     * ignored, and the datagram (answered once) is intact */
    frag_in(th, 503, true, 0, icmp, 400);
    frag_in(th, 503, true, 24, icmp + 24, 16);
    frag_in(th, 503, false, 400, icmp + 400, len - 400);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_IPV4_FRAG_OVERLAP), 2);
    assert_true(th->count >= 1);
    th_flush(th);
    /* the same datagram in clean fragments is answered */
    frag_in(th, 502, true, 0, icmp, 400);
    frag_in(th, 502, false, 400, icmp + 400, len - 400);
    assert_true(th->count >= 1);
    th_flush(th);
    /* whatever was held is freed when the sets expire */
    th_advance(th, 60000);
    synack_counters c;
    synack_get_counters(th->s, &c);
    assert_int_equal(c.ip_reassembled, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(zero_length_and_runt_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(ip_header_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(tcp_data_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(teardrop_fragments, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
