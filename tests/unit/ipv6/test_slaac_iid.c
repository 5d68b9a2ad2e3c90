/*
 * RFC 7217 interface identifiers: stable for the same secret, prefix and
 * interface; different when any of them or the DAD counter changes; never
 * a reserved identifier (RFC 5453); pinned to one known value so that a
 * change of the function (which would renumber every host) is noticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ipv6/slaac_iid.h"

static const uint8_t key1[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const synack_mac mac1 = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};

static synack_addr A6(const char *t)
{
    synack_addr a;
    assert_int_equal(synack_addr_parse(t, &a), 0);
    return a;
}

static void stable_and_pinned(void **state)
{
    (void)state;
    synack_addr p = A6("2001:db8:1:2::");
    synack_addr a = synack_slaac_address(key1, &p, &mac1, 0);
    synack_addr b = synack_slaac_address(key1, &p, &mac1, 0);
    assert_true(synack_addr_equal(&a, &b));
    assert_memory_equal(a.b, p.b, 8);
    /* the value this function gives today; any change renumbers hosts */
    char text[SYNACK_ADDR_STRLEN];
    synack_addr_format(&a, text);
    assert_string_equal(text, "2001:db8:1:2:9550:548e:b249:a651");
    /* the prefix's last 64 bits do not matter */
    synack_addr p2 = A6("2001:db8:1:2:ffff::1");
    synack_addr c = synack_slaac_address(key1, &p2, &mac1, 0);
    assert_true(synack_addr_equal(&a, &c));
}

static void varies_with_every_input(void **state)
{
    (void)state;
    synack_addr p = A6("2001:db8:1:2::"), q = A6("2001:db8:1:3::");
    synack_addr base = synack_slaac_address(key1, &p, &mac1, 0);
    uint8_t key2[16];
    memcpy(key2, key1, 16);
    key2[15] ^= 1;
    synack_mac mac2 = mac1;
    mac2.b[5] = 2;
    synack_addr v[4] = {
        synack_slaac_address(key1, &q, &mac1, 0),
        synack_slaac_address(key2, &p, &mac1, 0),
        synack_slaac_address(key1, &p, &mac2, 0),
        synack_slaac_address(key1, &p, &mac1, 1),
    };
    for (int i = 0; i < 4; i++) {
        assert_int_equal(v[i].family, SYNACK_AF_IP6);
        /* a different identifier (the low 64 bits), not only a different prefix */
        assert_true(memcmp(v[i].b + 8, base.b + 8, 8) != 0);
        for (int j = 0; j < i; j++)
            assert_true(memcmp(v[i].b + 8, v[j].b + 8, 8) != 0);
    }
    /* and the MAC does not show in it (no EUI-64 ff:fe in the middle) */
    assert_false(base.b[11] == 0xff && base.b[12] == 0xfe);
    /* many prefixes: all distinct, none reserved */
    uint8_t seen[200][8];
    for (int i = 0; i < 200; i++) {
        uint8_t pre[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
        assert_true(synack_slaac_iid(key1, pre, &mac1, 0, seen[i]) == 0);
        assert_false(synack_slaac_iid_reserved(seen[i]));
        for (int j = 0; j < i; j++)
            assert_true(memcmp(seen[i], seen[j], 8) != 0);
    }
}

static void reserved_identifiers(void **state)
{
    (void)state;
    static const uint8_t zero[8] = {0};
    static const uint8_t eth_lo[8] = {0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x00, 0x00};
    static const uint8_t eth_hi[8] = {0x02, 0x00, 0x5e, 0xff, 0xfe, 0xff, 0xff, 0xff};
    static const uint8_t any_lo[8] = {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80};
    static const uint8_t any_below[8] = {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
    static const uint8_t eth_near[8] = {0x02, 0x00, 0x5e, 0xff, 0xfd, 0xff, 0xff, 0xff};
    assert_true(synack_slaac_iid_reserved(zero));
    assert_true(synack_slaac_iid_reserved(eth_lo));
    assert_true(synack_slaac_iid_reserved(eth_hi));
    assert_true(synack_slaac_iid_reserved(any_lo));
    assert_false(synack_slaac_iid_reserved(any_below));
    assert_false(synack_slaac_iid_reserved(eth_near));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stable_and_pinned),
        cmocka_unit_test(varies_with_every_input),
        cmocka_unit_test(reserved_identifiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
