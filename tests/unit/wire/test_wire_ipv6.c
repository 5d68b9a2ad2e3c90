/* IPv6 fixed header (RFC 8200 section 3): parse, emit, validation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
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

/* Extension headers: a Hop-by-Hop header with PadN and an unknown
 * skippable option, Destination Options with Pad1s, then UDP. */
static void ext_chain_to_udp(void **state)
{
    (void)state;
    const uint8_t p[] = {
        60, 0, 1, 1, 0, 0x1e, 1, 0xaa,  /* HBH: PadN(1), type 0x1e (skip), 1 byte */
        17, 0, 0, 0, 0, 0, 0, 0,        /* DstOpts: six Pad1 */
        0x12, 0x34, 0, 53, 0, 8, 0, 0,  /* UDP */
    };
    synack_ip6_ext e;
    assert_int_equal(synack_ip6_ext_walk(p, sizeof p, SYNACK_IP6_NEXT_HOPOPTS, &e),
                     SYNACK_IP6_EXT_OK);
    assert_int_equal(e.proto, SYNACK_IPPROTO_UDP);
    assert_int_equal(e.off, 16);
    assert_false(e.frag);
    /* no extension header at all */
    assert_int_equal(synack_ip6_ext_walk(p + 16, 8, SYNACK_IPPROTO_UDP, &e), SYNACK_IP6_EXT_OK);
    assert_int_equal(e.off, 0);
    assert_int_equal(e.proto, SYNACK_IPPROTO_UDP);
    /* cut anywhere inside the headers: dropped, never read past */
    for (size_t n = 0; n < 16; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, p, n);
        assert_int_equal(synack_ip6_ext_walk(cut, n, SYNACK_IP6_NEXT_HOPOPTS, &e),
                         SYNACK_IP6_EXT_DROP);
        free(cut);
    }
}

/* Unknown options by their two high bits (RFC 8200 4.2). */
static void unknown_option_actions(void **state)
{
    (void)state;
    static const struct { uint8_t type; int verdict; } cases[] = {
        {0x3e, SYNACK_IP6_EXT_OK}, {0x7e, SYNACK_IP6_EXT_DROP},
        {0xbe, SYNACK_IP6_EXT_PARAM}, {0xfe, SYNACK_IP6_EXT_PARAM_MCAST},
    };
    for (size_t k = 0; k < 4; k++) {
        uint8_t p[16] = {59, 0, 1, 0, cases[k].type, 0, 1, 0};
        synack_ip6_ext e;
        assert_int_equal(synack_ip6_ext_walk(p, sizeof p, SYNACK_IP6_NEXT_DSTOPTS, &e),
                         cases[k].verdict);
        if (cases[k].verdict >= SYNACK_IP6_EXT_PARAM) {
            assert_int_equal(e.code, 2);
            assert_int_equal(e.pointer, 40 + 4); /* the option's type octet */
        }
        if (cases[k].verdict == SYNACK_IP6_EXT_OK)
            assert_int_equal(e.proto, SYNACK_IP6_NEXT_NONE);
    }
    /* an option running past its header */
    uint8_t bad[8] = {59, 0, 0x3e, 9, 0, 0, 0, 0};
    synack_ip6_ext e;
    assert_int_equal(synack_ip6_ext_walk(bad, sizeof bad, SYNACK_IP6_NEXT_DSTOPTS, &e),
                     SYNACK_IP6_EXT_DROP);
}

/* Hop-by-Hop anywhere but first; routing headers; fragments; limits. */
static void chain_rules(void **state)
{
    (void)state;
    synack_ip6_ext e;
    /* DstOpts then HBH: code 1 at the DstOpts' Next Header octet */
    uint8_t hbh2[16] = {0, 0, 1, 4, 0, 0, 0, 0, 59, 0, 1, 4, 0, 0, 0, 0};
    assert_int_equal(synack_ip6_ext_walk(hbh2, sizeof hbh2, SYNACK_IP6_NEXT_DSTOPTS, &e),
                     SYNACK_IP6_EXT_PARAM);
    assert_int_equal(e.code, 1);
    assert_int_equal(e.pointer, 40);
    /* routing type 0 with segments left: refused at the type (RFC 5095) */
    uint8_t rh0[24] = {6, 2, 0, 1};
    assert_int_equal(synack_ip6_ext_walk(rh0, sizeof rh0, SYNACK_IP6_NEXT_ROUTING, &e),
                     SYNACK_IP6_EXT_PARAM);
    assert_int_equal(e.code, 0);
    assert_int_equal(e.pointer, 42);
    /* any routing header with no segments left is skipped */
    rh0[3] = 0;
    assert_int_equal(synack_ip6_ext_walk(rh0, sizeof rh0, SYNACK_IP6_NEXT_ROUTING, &e),
                     SYNACK_IP6_EXT_OK);
    assert_int_equal(e.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(e.off, 24);
    /* a fragment: offset, M, identification; an atomic one (RFC 6946) */
    uint8_t fr[16] = {17, 0, 0x05, 0x01, 0xde, 0xad, 0xbe, 0xef};
    assert_int_equal(synack_ip6_ext_walk(fr, sizeof fr, SYNACK_IP6_NEXT_FRAGMENT, &e),
                     SYNACK_IP6_EXT_OK);
    assert_true(e.frag);
    assert_true(e.more);
    assert_int_equal(e.frag_off, 0x500);
    assert_int_equal(e.frag_id, 0xdeadbeef);
    assert_int_equal(e.proto, SYNACK_IPPROTO_UDP);
    assert_int_equal(e.off, 8);
    fr[2] = fr[3] = 0;
    assert_int_equal(synack_ip6_ext_walk(fr, sizeof fr, SYNACK_IP6_NEXT_FRAGMENT, &e),
                     SYNACK_IP6_EXT_OK);
    assert_true(e.frag && !e.more && e.frag_off == 0);
    /* a chain longer than SYNACK_IP6_EXT_MAX, every length of it */
    uint8_t many[8 * (SYNACK_IP6_EXT_MAX + 1)];
    memset(many, 0, sizeof many);
    for (size_t k = 0; k <= SYNACK_IP6_EXT_MAX; k++)
        many[8 * k] = k < SYNACK_IP6_EXT_MAX ? SYNACK_IP6_NEXT_DSTOPTS : 59;
    for (size_t hdrs = 1; hdrs <= SYNACK_IP6_EXT_MAX + 1; hdrs++) {
        int v = synack_ip6_ext_walk(many + 8 * (SYNACK_IP6_EXT_MAX + 1 - hdrs), 8 * hdrs,
                                    SYNACK_IP6_NEXT_DSTOPTS, &e);
        assert_int_equal(v, hdrs <= SYNACK_IP6_EXT_MAX ? SYNACK_IP6_EXT_OK : SYNACK_IP6_EXT_DROP);
    }
}

/* An ICMPv6 error's quote: addresses, the transport header after the
 * extension headers, a non-first fragment's offset; too short, refused. */
static void quote_parse(void **state)
{
    (void)state;
    uint8_t q[40 + 8 + 8 + 4];
    memcpy(q, PKT, 40);
    q[6] = SYNACK_IP6_NEXT_FRAGMENT;
    const uint8_t frag[8] = {SYNACK_IPPROTO_TCP, 0, 0, 0, 0, 0, 0, 9};
    memcpy(q + 40, frag, 8);
    const uint8_t tcp8[8] = {0x13, 0x88, 0x00, 0x50, 0, 0, 0, 1};
    memcpy(q + 48, tcp8, 8);
    memset(q + 56, 0, 4);
    synack_quote_repr r;
    assert_int_equal(synack_ip6_quote_parse(q, sizeof q, &r), 48);
    assert_int_equal(r.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(r.src.family, SYNACK_AF_IP6);
    assert_int_equal(r.src.b[15], 1);
    assert_int_equal(r.dst.b[15], 2);
    assert_int_equal(r.frag_off, 0);
    assert_true(r.l4 == q + 48);
    assert_int_equal(r.l4len, 12);
    assert_int_equal(synack_ld_be16(r.l4), 5000);
    /* 8 transport bytes are needed; the quote's payload length is not checked */
    assert_true(synack_ip6_quote_parse(q, 55, &r) < 0);
    assert_int_equal(synack_ip6_quote_parse(q, 56, &r), 48);
    /* a non-first fragment names its offset */
    q[43] = 0x08; /* offset 8 bytes (the low three bits are flags) */
    assert_int_equal(synack_ip6_quote_parse(q, sizeof q, &r), 48);
    assert_int_equal(r.frag_off, 8);
    /* IPv4 is not IPv6 */
    q[0] = 0x45;
    assert_int_equal(synack_ip6_quote_parse(q, sizeof q, &r), SYNACK_WIRE_BAD_VERSION);
    assert_int_equal(synack_ip6_quote_parse(q, 39, &r), SYNACK_WIRE_TRUNCATED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_fields),
        cmocka_unit_test(emit_round_trip),
        cmocka_unit_test(truncated_and_bad),
        cmocka_unit_test(ext_chain_to_udp),
        cmocka_unit_test(unknown_option_actions),
        cmocka_unit_test(chain_rules),
        cmocka_unit_test(quote_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
