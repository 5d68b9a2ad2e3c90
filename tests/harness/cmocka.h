/*
 * A small cmocka-compatible test runner for targets without setjmp/longjmp.
 *
 * Why: Debian's wasi-libc has no <setjmp.h>, and real cmocka needs longjmp to
 * leave a test whose assertion failed. This header offers the subset of
 * cmocka's API that synack's tests use, with the same names and the same
 * console output, so one test source builds against either library:
 *
 *   cmocka_unit_test, cmocka_unit_test_setup_teardown, cmocka_run_group_tests,
 *   assert_true, assert_false, assert_int_equal, assert_int_not_equal,
 *   assert_memory_equal, assert_string_equal, assert_non_null, assert_null,
 *   assert_in_range, fail, fail_msg, skip.
 *
 * Differences from cmocka, all caused by the missing longjmp:
 *   - the first failing assertion prints file:line and the values, then the
 *     summary, and exits the process with status 1 (later tests do not run);
 *   - skip() returns from the function that calls it, so call it from the
 *     test function itself; the test counts as skipped, which passes.
 *
 * Anything outside this subset is deliberately missing, so that a test using
 * it fails to compile under WASI instead of misbehaving.
 */
#ifndef SYNACK_HARNESS_CMOCKA_H
#define SYNACK_HARNESS_CMOCKA_H

#include <stddef.h>
#include <stdint.h>

/* A test body; *state is what the setup function (or group setup) left. */
typedef void (*CMUnitTestFunction)(void **state);
/* A setup or teardown; non-zero means it failed. */
typedef int (*CMFixtureFunction)(void **state);

/* One entry of a test group: field names as in cmocka. */
struct CMUnitTest {
    const char *name;
    CMUnitTestFunction test_func;
    CMFixtureFunction setup_func;
    CMFixtureFunction teardown_func;
    void *initial_state;
};

/* A test with no fixture. */
#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }
/* A test with a setup and a teardown (either may be NULL). */
#define cmocka_unit_test_setup_teardown(f, setup, teardown) \
    { #f, f, setup, teardown, NULL }

/*
 * Runs every test of the array group_tests between the optional group setup
 * and teardown. Returns the number of tests that failed (0 when all passed);
 * a failing assertion does not return but exits with status 1.
 */
#define cmocka_run_group_tests(group_tests, group_setup, group_teardown) \
    _cmocka_run_group_tests(#group_tests, group_tests, \
                            sizeof(group_tests) / sizeof((group_tests)[0]), \
                            group_setup, group_teardown)

int _cmocka_run_group_tests(const char *group_name,
                            const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup,
                            CMFixtureFunction group_teardown);

/* Assertions: each evaluates its arguments exactly once. */
#define assert_true(c) \
    _harness_assert_true((c) ? 1 : 0, #c, __FILE__, __LINE__)
#define assert_false(c) \
    _harness_assert_true((c) ? 0 : 1, "!(" #c ")", __FILE__, __LINE__)
#define assert_int_equal(a, b) \
    _harness_assert_int((uintmax_t)(a), (uintmax_t)(b), 1, __FILE__, __LINE__)
#define assert_int_not_equal(a, b) \
    _harness_assert_int((uintmax_t)(a), (uintmax_t)(b), 0, __FILE__, __LINE__)
#define assert_in_range(value, minimum, maximum) \
    _harness_assert_in_range((uintmax_t)(value), (uintmax_t)(minimum), \
                             (uintmax_t)(maximum), __FILE__, __LINE__)
#define assert_memory_equal(a, b, size) \
    _harness_assert_memory((const void *)(a), (const void *)(b), \
                           (size_t)(size), __FILE__, __LINE__)
#define assert_string_equal(a, b) \
    _harness_assert_string((const char *)(a), (const char *)(b), \
                           __FILE__, __LINE__)
#define assert_non_null(c) \
    _harness_assert_null((uintmax_t)(uintptr_t)(c), 0, #c, __FILE__, __LINE__)
#define assert_null(c) \
    _harness_assert_null((uintmax_t)(uintptr_t)(c), 1, #c, __FILE__, __LINE__)

/* Fails the running test unconditionally. */
#define fail() _harness_fail(__FILE__, __LINE__, "%s", "Failure!")
/* Fails the running test with a printf-style message. */
#define fail_msg(...) _harness_fail(__FILE__, __LINE__, __VA_ARGS__)
/* Marks the running test skipped and returns from the calling function. */
#define skip() do { _harness_skip(__FILE__, __LINE__); return; } while (0)

void _harness_assert_true(int ok, const char *expr, const char *file, int line);
void _harness_assert_int(uintmax_t a, uintmax_t b, int want_equal,
                         const char *file, int line);
void _harness_assert_in_range(uintmax_t value, uintmax_t minimum,
                              uintmax_t maximum, const char *file, int line);
void _harness_assert_memory(const void *a, const void *b, size_t size,
                            const char *file, int line);
void _harness_assert_string(const char *a, const char *b,
                            const char *file, int line);
void _harness_assert_null(uintmax_t value, int want_null, const char *expr,
                          const char *file, int line);
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
_Noreturn void _harness_fail(const char *file, int line, const char *fmt, ...);
void _harness_skip(const char *file, int line);

#endif
