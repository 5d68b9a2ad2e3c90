/* MAC learning table: learning, moves, pinning, ageing, eviction, flush. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mactable.h"

static synack_br_mac_entry slots[16];

static void mac_n(uint8_t m[6], uint32_t n)
{
    m[0] = 0x02;
    m[1] = 0;
    m[2] = (uint8_t)(n >> 24);
    m[3] = (uint8_t)(n >> 16);
    m[4] = (uint8_t)(n >> 8);
    m[5] = (uint8_t)n;
}

static void test_init_sizes(void **state)
{
    (void)state;
    synack_br_mactable t;
    assert_int_equal(synack_br_mactable_init(&t, slots, 8, 1000), -1);
    assert_int_equal(synack_br_mactable_init(&t, slots, 24, 1000), -1);
    assert_int_equal(synack_br_mactable_init(&t, slots, 16, 1000), 0);
}

static void test_learn_lookup_age(void **state)
{
    (void)state;
    synack_br_mactable t;
    synack_br_mactable_init(&t, slots, 16, 1000);
    uint8_t a[6];
    mac_n(a, 1);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 0), -1);
    assert_int_equal(synack_br_mactable_learn(&t, a, 3, 100), SYNACK_BR_LEARN_NEW);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 500), 3);
    assert_int_equal(synack_br_mactable_learn(&t, a, 3, 600), SYNACK_BR_LEARN_REFRESH);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 1599), 3);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 1600), -1); /* aged out */
    assert_int_equal(synack_br_mactable_learn(&t, a, 4, 1700), SYNACK_BR_LEARN_NEW);
    assert_int_equal(synack_br_mactable_learn(&t, a, 5, 1800), SYNACK_BR_LEARN_MOVED);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 1800), 5);
    assert_int_equal(t.moved, 1);
    /* Group addresses are never learned. */
    uint8_t g[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
    assert_int_equal(synack_br_mactable_learn(&t, g, 1, 0), SYNACK_BR_LEARN_IGNORED);
    assert_int_equal(synack_br_mactable_lookup(&t, g, 0), -1);
}

static void test_pin(void **state)
{
    (void)state;
    synack_br_mactable t;
    synack_br_mactable_init(&t, slots, 16, 1000);
    uint8_t a[6], b[6];
    mac_n(a, 1);
    mac_n(b, 2);
    assert_int_equal(synack_br_mactable_pin(&t, a, 1, 0), 0);
    assert_true(synack_br_mactable_is_pinned(&t, a));
    /* Another port may neither pin nor move it; it never ages. */
    assert_int_equal(synack_br_mactable_pin(&t, a, 2, 0), -1);
    assert_int_equal(synack_br_mactable_learn(&t, a, 2, 10), SYNACK_BR_LEARN_PINNED);
    assert_int_equal(synack_br_mactable_lookup(&t, a, 1000000), 1);
    /* A live dynamic entry on another port blocks pinning; an aged one not. */
    synack_br_mactable_learn(&t, b, 0, 0);
    assert_int_equal(synack_br_mactable_pin(&t, b, 2, 500), -1);
    assert_int_equal(synack_br_mactable_pin(&t, b, 2, 1000), 0);
    /* Flushing the port frees the address. */
    synack_br_mactable_flush_port(&t, 1);
    assert_false(synack_br_mactable_is_pinned(&t, a));
    assert_int_equal(synack_br_mactable_lookup(&t, a, 0), -1);
    assert_int_equal(synack_br_mactable_pin(&t, a, 2, 0), 0);
}

static void test_eviction_bounded(void **state)
{
    (void)state;
    synack_br_mactable t;
    synack_br_mactable_init(&t, slots, 16, 1000000);
    /* 40 addresses into 16 slots: the table stays consistent, old ones go. */
    uint8_t m[6];
    for (uint32_t i = 0; i < 40; i++) {
        mac_n(m, i);
        synack_br_learn l = synack_br_mactable_learn(&t, m, (int32_t)i, i);
        assert_true(l == SYNACK_BR_LEARN_NEW);
    }
    assert_int_equal(t.evicted, 24);
    size_t found = 0;
    for (uint32_t i = 0; i < 40; i++) {
        mac_n(m, i);
        int32_t p = synack_br_mactable_lookup(&t, m, 100);
        if (p >= 0) {
            assert_int_equal(p, (int32_t)i);
            found++;
        }
    }
    assert_int_equal(found, 16);
    /* The newest is always there. */
    mac_n(m, 39);
    assert_int_equal(synack_br_mactable_lookup(&t, m, 100), 39);
}

static void test_pinned_never_evicted(void **state)
{
    (void)state;
    synack_br_mactable t;
    synack_br_mactable_init(&t, slots, 16, 1000000);
    uint8_t m[6];
    for (uint32_t i = 0; i < 16; i++) {
        mac_n(m, i);
        assert_int_equal(synack_br_mactable_pin(&t, m, 1, 0), 0);
    }
    mac_n(m, 100);
    assert_int_equal(synack_br_mactable_pin(&t, m, 1, 0), -1);
    assert_int_equal(synack_br_mactable_learn(&t, m, 2, 0), SYNACK_BR_LEARN_IGNORED);
    for (uint32_t i = 0; i < 16; i++) {
        mac_n(m, i);
        assert_int_equal(synack_br_mactable_lookup(&t, m, 0), 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_sizes),
        cmocka_unit_test(test_learn_lookup_age),
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_eviction_bounded),
        cmocka_unit_test(test_pinned_never_evicted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
