/*
 * The runner behind tests/harness/cmocka.h: runs a group of tests, prints
 * cmocka's console lines, and ends the process on the first failed assertion
 * (there is no longjmp under WASI to return from the failing test).
 *
 * The runner keeps what the summary needs (group name, counters, names of
 * failed tests) in one file-scope struct: an assertion has no other way to
 * reach it. This is test code; the core's no-mutable-globals rule is about
 * core/ and is checked there.
 */
#include "cmocka.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HARNESS_MAX_LISTED 256

struct harness_run {
    const char *group;
    const char *current;
    size_t total;
    size_t ran;
    size_t passed;
    size_t skipped_now;
    size_t skipped;
    size_t failed;
    const char *failed_names[HARNESS_MAX_LISTED];
    const char *skipped_names[HARNESS_MAX_LISTED];
};

static struct harness_run run;

static void print_list(const char *tag, const char *const *names, size_t count)
{
    size_t i;
    for (i = 0; i < count && i < HARNESS_MAX_LISTED; i++)
        printf("%s %s\n", tag, names[i]);
}

/* The closing lines, as cmocka (1.1.5, Debian's) prints them. */
static void print_summary(void)
{
    printf("[==========] %zu test(s) run.\n", run.ran);
    printf("[  PASSED  ] %zu test(s).\n", run.passed);
    if (run.skipped > 0) {
        printf("[  SKIPPED ] %zu test(s), listed below:\n", run.skipped);
        print_list("[  SKIPPED ]", run.skipped_names, run.skipped);
        printf("\n %zu SKIPPED TEST(S)\n", run.skipped);
    }
    if (run.failed > 0) {
        printf("[  FAILED  ] %zu test(s), listed below:\n", run.failed);
        print_list("[  FAILED  ]", run.failed_names, run.failed);
        printf("\n %zu FAILED TEST(S)\n", run.failed);
    }
    fflush(stdout);
}

static void record_failure(const char *name)
{
    if (run.failed < HARNESS_MAX_LISTED)
        run.failed_names[run.failed] = name;
    run.failed++;
    printf("[  FAILED  ] %s\n", name);
}

/* Ends the process after a failed assertion in the running test. */
static _Noreturn void fail_current(const char *file, int line)
{
    printf("[   LINE   ] --- %s:%d: error: Failure!\n", file, line);
    if (run.current != NULL) {
        run.ran++;
        record_failure(run.current);
    }
    print_summary();
    if (run.total > run.ran)
        printf("harness: no longjmp on this target, so %zu later test(s) "
               "of %s did not run\n", run.total - run.ran, run.group);
    fflush(stdout);
    exit(1);
}

int _cmocka_run_group_tests(const char *group_name,
                            const struct CMUnitTest *tests, size_t count,
                            CMFixtureFunction group_setup,
                            CMFixtureFunction group_teardown)
{
    void *group_state = NULL;
    size_t i;

    memset(&run, 0, sizeof run);
    run.group = group_name;
    run.total = count;
    printf("[==========] Running %zu test(s).\n", count);
    if (group_setup != NULL && group_setup(&group_state) != 0) {
        printf("[  ERROR   ] %s: group setup failed\n", group_name);
        fflush(stdout);
        return (int)(count > 0 ? count : 1);
    }
    for (i = 0; i < count; i++) {
        const struct CMUnitTest *t = &tests[i];
        void *state = t->initial_state != NULL ? t->initial_state : group_state;

        run.current = t->name;
        run.skipped_now = 0;
        printf("[ RUN      ] %s\n", t->name);
        fflush(stdout);
        if (t->setup_func != NULL && t->setup_func(&state) != 0) {
            printf("[  ERROR   ] %s: setup failed\n", t->name);
            run.ran++;
            record_failure(t->name);
            continue;
        }
        t->test_func(&state);
        if (t->teardown_func != NULL && t->teardown_func(&state) != 0) {
            printf("[  ERROR   ] %s: teardown failed\n", t->name);
            run.ran++;
            record_failure(t->name);
            continue;
        }
        run.ran++;
        if (run.skipped_now) {
            if (run.skipped < HARNESS_MAX_LISTED)
                run.skipped_names[run.skipped] = t->name;
            run.skipped++;
            printf("[  SKIPPED ] %s\n", t->name);
        } else {
            run.passed++;
            printf("[       OK ] %s\n", t->name);
        }
        fflush(stdout);
    }
    run.current = NULL;
    if (group_teardown != NULL && group_teardown(&group_state) != 0) {
        printf("[  ERROR   ] %s: group teardown failed\n", group_name);
        run.failed++;
    }
    print_summary();
    return (int)run.failed;
}

void _harness_assert_true(int ok, const char *expr, const char *file, int line)
{
    if (ok)
        return;
    printf("[  ERROR   ] --- %s\n", expr);
    fail_current(file, line);
}

/* Prints a value the way it was probably meant: signed and hexadecimal. */
static void print_value(uintmax_t v)
{
    printf("%jd (%#jx)", (intmax_t)v, v);
}

void _harness_assert_int(uintmax_t a, uintmax_t b, int want_equal,
                         const char *file, int line)
{
    if ((a == b) == (want_equal != 0))
        return;
    printf("[  ERROR   ] --- ");
    print_value(a);
    printf(want_equal ? " != " : " == ");
    print_value(b);
    printf("\n");
    fail_current(file, line);
}

void _harness_assert_in_range(uintmax_t value, uintmax_t minimum,
                              uintmax_t maximum, const char *file, int line)
{
    /* Unsigned comparison, as cmocka does it. */
    if (value >= minimum && value <= maximum)
        return;
    printf("[  ERROR   ] --- %ju is not within the range %ju-%ju\n",
           value, minimum, maximum);
    fail_current(file, line);
}

void _harness_assert_memory(const void *a, const void *b, size_t size,
                            const char *file, int line)
{
    const unsigned char *pa = a;
    const unsigned char *pb = b;
    size_t i;
    size_t differ = 0;

    if (pa == NULL || pb == NULL) {
        printf("[  ERROR   ] --- assert_memory_equal on a NULL pointer\n");
        fail_current(file, line);
    }
    for (i = 0; i < size; i++) {
        if (pa[i] == pb[i])
            continue;
        if (differ < 16)
            printf("[  ERROR   ] --- difference at offset %zu 0x%02x 0x%02x\n",
                   i, pa[i], pb[i]);
        differ++;
    }
    if (differ == 0)
        return;
    printf("[  ERROR   ] --- %zu bytes of %p and %p differ\n", differ, a, b);
    fail_current(file, line);
}

void _harness_assert_string(const char *a, const char *b,
                            const char *file, int line)
{
    if (a != NULL && b != NULL && strcmp(a, b) == 0)
        return;
    printf("[  ERROR   ] --- \"%s\" != \"%s\"\n",
           a != NULL ? a : "(null)", b != NULL ? b : "(null)");
    fail_current(file, line);
}

void _harness_assert_null(uintmax_t value, int want_null, const char *expr,
                          const char *file, int line)
{
    if ((value == 0) == (want_null != 0))
        return;
    printf("[  ERROR   ] --- %s is %s\n", expr, want_null ? "not NULL" : "NULL");
    fail_current(file, line);
}

void _harness_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    printf("[  ERROR   ] --- ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fail_current(file, line);
}

void _harness_skip(const char *file, int line)
{
    printf("[  SKIPPED ] --- %s:%d: skipped\n", file, line);
    run.skipped_now = 1;
}
