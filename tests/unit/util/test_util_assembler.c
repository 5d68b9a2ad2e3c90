/* Out-of-order assembler: merging, overlaps, the range limit, take_front. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "util/assembler.h"

/* Compare the ranges with a flat list {start, end, start, end, ...}. */
static void expect_ranges(const synack_assembler *a, const uint32_t *want,
                          uint32_t pairs)
{
    assert_int_equal(a->count, pairs);
    for (uint32_t i = 0; i < pairs; i++) {
        assert_int_equal(a->ranges[i].start, want[2 * i]);
        assert_int_equal(a->ranges[i].end, want[2 * i + 1]);
    }
}

static void test_disjoint_sorted(void **state)
{
    (void)state;
    synack_range st[4];
    synack_assembler a;
    synack_asm_init(&a, st, 4);
    assert_true(synack_asm_empty(&a));
    assert_true(synack_asm_add(&a, 30, 10));
    assert_true(synack_asm_add(&a, 10, 5));
    assert_true(synack_asm_add(&a, 50, 1));
    const uint32_t want[] = {10, 15, 30, 40, 50, 51};
    expect_ranges(&a, want, 3);
    assert_false(synack_asm_empty(&a));
    assert_int_equal(synack_asm_take_front(&a), 0); /* nothing at 0 */
}

static void test_merging(void **state)
{
    (void)state;
    synack_range st[4];
    synack_assembler a;
    synack_asm_init(&a, st, 4);
    synack_asm_add(&a, 10, 10); /* [10,20) */
    synack_asm_add(&a, 30, 10); /* [30,40) */
    synack_asm_add(&a, 50, 10); /* [50,60) */

    /* Adjacent on the left and right: touching ranges merge. */
    assert_true(synack_asm_add(&a, 20, 2));
    assert_true(synack_asm_add(&a, 28, 2));
    const uint32_t w1[] = {10, 22, 28, 40, 50, 60};
    expect_ranges(&a, w1, 3);

    /* Inside an existing range: nothing changes. */
    assert_true(synack_asm_add(&a, 12, 3));
    expect_ranges(&a, w1, 3);

    /* Overlapping two ranges and the gap between them. */
    assert_true(synack_asm_add(&a, 21, 8));
    const uint32_t w2[] = {10, 40, 50, 60};
    expect_ranges(&a, w2, 2);

    /* Covering everything at once. */
    assert_true(synack_asm_add(&a, 5, 100));
    const uint32_t w3[] = {5, 105};
    expect_ranges(&a, w3, 1);

    /* Zero length is a no-op that succeeds. */
    assert_true(synack_asm_add(&a, 200, 0));
    expect_ranges(&a, w3, 1);
}

static void test_limit_refusal(void **state)
{
    (void)state;
    synack_range st[3];
    synack_assembler a;
    synack_asm_init(&a, st, 3);
    assert_true(synack_asm_add(&a, 10, 1));
    assert_true(synack_asm_add(&a, 20, 1));
    assert_true(synack_asm_add(&a, 30, 1));
    /* A fourth separate range is refused and nothing changes. */
    assert_false(synack_asm_add(&a, 40, 1));
    assert_false(synack_asm_add(&a, 0, 1));
    assert_false(synack_asm_add(&a, 15, 2));
    const uint32_t want[] = {10, 11, 20, 21, 30, 31};
    expect_ranges(&a, want, 3);
    /* Ranges that merge still succeed when full. */
    assert_true(synack_asm_add(&a, 11, 2));
    assert_true(synack_asm_add(&a, 19, 12));
    const uint32_t want2[] = {10, 13, 19, 31};
    expect_ranges(&a, want2, 2);
    assert_true(synack_asm_add(&a, 40, 1));

    synack_assembler none;
    synack_asm_init(&none, NULL, 0);
    assert_false(synack_asm_add(&none, 0, 1));
    assert_true(synack_asm_add(&none, 0, 0));
}

static void test_take_front(void **state)
{
    (void)state;
    synack_range st[4];
    synack_assembler a;
    synack_asm_init(&a, st, 4);
    synack_asm_add(&a, 5, 5);   /* [5,10) */
    synack_asm_add(&a, 20, 5);  /* [20,25) */
    assert_int_equal(synack_asm_take_front(&a), 0);
    /* The hole at the front fills: [0,10) becomes in order. */
    synack_asm_add(&a, 0, 5);
    assert_int_equal(synack_asm_take_front(&a), 10);
    const uint32_t want[] = {10, 15};
    expect_ranges(&a, want, 1);
    assert_int_equal(synack_asm_take_front(&a), 0);
    synack_asm_add(&a, 0, 10);
    assert_int_equal(synack_asm_take_front(&a), 15);
    assert_true(synack_asm_empty(&a));
    assert_int_equal(synack_asm_take_front(&a), 0);
}

static void test_advance(void **state)
{
    (void)state;
    synack_range st[4];
    synack_assembler a;
    synack_asm_init(&a, st, 4);
    synack_asm_add(&a, 5, 5);   /* [5,10) */
    synack_asm_add(&a, 20, 10); /* [20,30) */
    synack_asm_add(&a, 40, 5);  /* [40,45) */
    synack_asm_advance(&a, 0);
    synack_asm_advance(&a, 10); /* first range falls away entirely */
    const uint32_t w1[] = {10, 20, 30, 35};
    expect_ranges(&a, w1, 2);
    synack_asm_advance(&a, 15); /* trims the first range to start at 0 */
    const uint32_t w2[] = {0, 5, 15, 20};
    expect_ranges(&a, w2, 2);
    synack_asm_advance(&a, 1000);
    assert_true(synack_asm_empty(&a));
}

/* Random ranges against a bitmap model (no limit pressure). */
static void test_random_model(void **state)
{
    (void)state;
    enum { SPAN = 200 };
    synack_range st[SPAN];
    synack_assembler a;
    bool have[SPAN];
    uint32_t seed = 42;
    for (int round = 0; round < 50; round++) {
        synack_asm_init(&a, st, SPAN);
        memset(have, 0, sizeof have);
        for (int k = 0; k < 30; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t off = (seed >> 8) % 180;
            uint32_t len = (seed >> 20) % 20;
            assert_true(synack_asm_add(&a, off, len));
            for (uint32_t i = off; i < off + len; i++)
                have[i] = true;
        }
        /* Rebuild the ranges from the bitmap and compare. */
        uint32_t idx = 0;
        for (uint32_t i = 0; i < SPAN; i++) {
            if (!have[i] || (i > 0 && have[i - 1]))
                continue;
            uint32_t j = i;
            while (j < SPAN && have[j])
                j++;
            assert_true(idx < a.count);
            assert_int_equal(a.ranges[idx].start, i);
            assert_int_equal(a.ranges[idx].end, j);
            idx++;
        }
        assert_int_equal(idx, a.count);
    }
}

static void test_end_saturates(void **state)
{
    (void)state;
    synack_range st[2];
    synack_assembler a;
    synack_asm_init(&a, st, 2);
    assert_true(synack_asm_add(&a, UINT32_MAX - 5, 100));
    assert_int_equal(a.ranges[0].end, UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disjoint_sorted),
        cmocka_unit_test(test_merging),
        cmocka_unit_test(test_limit_refusal),
        cmocka_unit_test(test_take_front),
        cmocka_unit_test(test_advance),
        cmocka_unit_test(test_random_model),
        cmocka_unit_test(test_end_saturates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
