/*
 * Self-test of the test runner: built against tests/harness (every target)
 * and, natively, against real cmocka, then driven by check_selftest.cmake.
 *
 *   selftest pass      every supported macro on a passing value; must exit 0
 *   selftest MODE      one group whose second test fails through MODE
 *                      (true, false, int, int_not, range, memory, string,
 *                      null, non_null, fail, fail_msg, setup); must exit
 *                      non-zero and name the failing line
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

static int group_value = 42;

static int group_setup(void **state)
{
    *state = &group_value;
    return 0;
}

static int group_teardown(void **state)
{
    return *state == &group_value ? 0 : -1;
}

static int fixture_setup(void **state)
{
    static const char text[] = "fixture";
    *state = (void *)text;
    return 0;
}

static int fixture_teardown(void **state)
{
    return strcmp((const char *)*state, "fixture") == 0 ? 0 : -1;
}

static int failing_setup(void **state)
{
    (void)state;
    return -1;
}

static void test_group_state(void **state)
{
    assert_non_null(*state);
    assert_int_equal(*(int *)*state, 42);
}

static void test_fixture_state(void **state)
{
    assert_string_equal((const char *)*state, "fixture");
}

static void test_every_assertion_passes(void **state)
{
    const uint8_t a[4] = { 1, 2, 3, 4 };
    const uint8_t b[4] = { 1, 2, 3, 4 };
    uint32_t big = 0xffffffffu;

    (void)state;
    assert_true(1 + 1 == 2);
    assert_false(2 + 2 == 5);
    assert_int_equal(big, 0xffffffffu);
    assert_int_equal(-1, -1);
    assert_int_not_equal(3, 4);
    assert_in_range(5, 1, 10);
    assert_in_range(UINT64_MAX, 0, UINT64_MAX);
    assert_memory_equal(a, b, sizeof a);
    assert_string_equal("abc", "abc");
    assert_null(NULL);
    assert_non_null(a);
}

static void test_skipped(void **state)
{
    (void)state;
    skip();
}

static void test_first(void **state)
{
    (void)state;
    assert_true(1);
}

static void test_after_failure(void **state)
{
    (void)state;
    assert_true(1);
}

static const char *mode = "pass";

static void test_failing(void **state)
{
    const uint8_t a[3] = { 1, 2, 3 };
    const uint8_t b[3] = { 1, 9, 3 };

    (void)state;
    if (strcmp(mode, "true") == 0)
        assert_true(1 == 2);
    else if (strcmp(mode, "false") == 0)
        assert_false(1 == 1);
    else if (strcmp(mode, "int") == 0)
        assert_int_equal(7, 8);
    else if (strcmp(mode, "int_not") == 0)
        assert_int_not_equal(7, 7);
    else if (strcmp(mode, "range") == 0)
        assert_in_range(11, 1, 10);
    else if (strcmp(mode, "memory") == 0)
        assert_memory_equal(a, b, sizeof a);
    else if (strcmp(mode, "string") == 0)
        assert_string_equal("abc", "abd");
    else if (strcmp(mode, "null") == 0)
        assert_null(a);
    else if (strcmp(mode, "non_null") == 0)
        assert_non_null(NULL);
    else if (strcmp(mode, "fail") == 0)
        fail();
    else if (strcmp(mode, "fail_msg") == 0)
        fail_msg("custom message %d", 17);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest passing[] = {
        cmocka_unit_test(test_group_state),
        cmocka_unit_test_setup_teardown(test_fixture_state, fixture_setup,
                                        fixture_teardown),
        cmocka_unit_test(test_every_assertion_passes),
        cmocka_unit_test(test_skipped),
    };
    const struct CMUnitTest failing[] = {
        cmocka_unit_test(test_first),
        cmocka_unit_test(test_failing),
        cmocka_unit_test(test_after_failure),
    };
    const struct CMUnitTest failing_setup_group[] = {
        cmocka_unit_test(test_first),
        cmocka_unit_test_setup_teardown(test_failing, failing_setup, NULL),
        cmocka_unit_test(test_after_failure),
    };

    if (argc > 1)
        mode = argv[1];
    if (strcmp(mode, "pass") == 0)
        return cmocka_run_group_tests(passing, group_setup, group_teardown);
    if (strcmp(mode, "setup") == 0)
        return cmocka_run_group_tests(failing_setup_group, NULL, NULL);
    return cmocka_run_group_tests(failing, NULL, NULL);
}
