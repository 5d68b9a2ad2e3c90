/*
 * synack_addr: conversion from and to synack_ip4, parsing of both
 * families' text forms, RFC 5952 formatting, equality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "synack/synack.h"
#include "wire/wire.h"

static void ip4_round_trip(void **state)
{
    (void)state;
    synack_addr a = synack_addr_from_ip4(SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(a.family, SYNACK_AF_IP4);
    static const uint8_t want[16] = {10, 0, 2, 15};
    assert_memory_equal(a.b, want, 16); /* network order, rest zero */
    assert_int_equal(synack_addr_to_ip4(&a), SYNACK_IP4(10, 0, 2, 15));
    char buf[SYNACK_ADDR_STRLEN];
    assert_int_equal(synack_addr_format(&a, buf), 9);
    assert_string_equal(buf, "10.0.2.15");
    synack_addr b;
    assert_int_equal(synack_addr_parse("10.0.2.15", &b), 0);
    assert_true(synack_addr_equal(&a, &b));
    b.b[3]++;
    assert_false(synack_addr_equal(&a, &b));
}

/* Parse `in`, expect `out` back from the formatter. */
static void check6(const char *in, const char *out)
{
    synack_addr a;
    if (synack_addr_parse(in, &a) != 0)
        fail_msg("did not parse: %s", in);
    assert_int_equal(a.family, SYNACK_AF_IP6);
    assert_int_equal(synack_addr_to_ip4(&a), 0);
    char buf[SYNACK_ADDR_STRLEN];
    int n = synack_addr_format(&a, buf);
    assert_string_equal(buf, out);
    assert_int_equal(n, (int)strlen(out));
    /* the canonical form parses to the same address */
    synack_addr b;
    assert_int_equal(synack_addr_parse(buf, &b), 0);
    assert_true(synack_addr_equal(&a, &b));
}

static void ip6_text_forms(void **state)
{
    (void)state;
    check6("::", "::");
    check6("::1", "::1");
    check6("1::", "1::");
    check6("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
    check6("2001:db8:0000:0000:1:0:0:1", "2001:db8::1:0:0:1");      /* first of equal runs */
    check6("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::");             /* the longest run */
    check6("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");         /* one zero: no :: */
    check6("fe80::0123:4567:89ab:cdef", "fe80::123:4567:89ab:cdef");
    check6("::ffff:10.0.2.15", "::ffff:10.0.2.15");                /* IPv4-mapped */
    check6("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
    check6("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
    synack_addr a;
    assert_int_equal(synack_addr_parse("2001:db8::1", &a), 0);
    static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                     0,    0,    0,    0,    0, 0, 0, 1};
    assert_memory_equal(a.b, want, 16);
}

static void bad_text_is_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", ":", ":::", "1:::2", "1::2::3", ":1", "1:", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "12345::", "g::", "::1.2.3",
        "::1.2.3.4.5", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", "10.0.0", "10.0.0.256",
        "010.0.0.1", " ::1", "::1 ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        synack_addr a;
        if (synack_addr_parse(bad[i], &a) != SYNACK_ERR_INVAL)
            fail_msg("parsed: \"%s\"", bad[i]);
    }
    synack_addr a;
    assert_int_equal(synack_addr_parse(NULL, &a), SYNACK_ERR_INVAL);
    assert_int_equal(synack_addr_parse("::1", NULL), SYNACK_ERR_INVAL);
    /* family 0 formats as nothing; a family mismatch is not equal */
    synack_addr none;
    memset(&none, 0, sizeof none);
    char buf[SYNACK_ADDR_STRLEN] = "x";
    assert_int_equal(synack_addr_format(&none, buf), 0);
    assert_string_equal(buf, "");
    synack_addr z4 = synack_addr_from_ip4(0), z6;
    assert_int_equal(synack_addr_parse("::", &z6), 0);
    assert_false(synack_addr_equal(&z4, &z6));
}

/* The pseudo-header sums: IPv4's matches the accumulator form, IPv6's
 * adds all 16 bytes of each address. */
static void pseudo_sums(void **state)
{
    (void)state;
    synack_ip4 s4 = SYNACK_IP4(192, 168, 0, 104), d4 = SYNACK_IP4(10, 1, 2, 3);
    synack_addr s = synack_addr_from_ip4(s4), d = synack_addr_from_ip4(d4);
    uint32_t p = synack_ip4_pseudo_sum(s4, d4, 6);
    assert_int_equal(synack_addr_pseudo_sum(&s, &d, 6), p);
    assert_int_equal(p, 0xc0a8u + 0x0068u + 0x0a01u + 0x0203u + 6u);
    assert_int_equal(synack_csum_pseudo_len(p, 40), synack_csum_pseudo(s4, d4, 6, 40));
    synack_addr s6, d6;
    assert_int_equal(synack_addr_parse("2001:db8::1", &s6), 0);
    assert_int_equal(synack_addr_parse("2001:db8::ffff:2", &d6), 0);
    assert_int_equal(synack_addr_pseudo_sum(&s6, &d6, 17),
                     0x2001u + 0x0db8u + 1u + 0x2001u + 0x0db8u + 0xffffu + 2u + 17u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ip4_round_trip),
        cmocka_unit_test(ip6_text_forms),
        cmocka_unit_test(bad_text_is_refused),
        cmocka_unit_test(pseudo_sums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
