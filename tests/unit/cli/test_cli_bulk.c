/*
 * The `send` stream and the send/sink JSON summary (host/cli/bulk.c).
 * Expected values come from an independent splitmix64 in Python.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "sha256.h"

static void stream_known_bytes(void **state)
{
    (void)state;
    synack_cli_stream g;
    uint8_t b[16];
    synack_cli_stream_init(&g, 1);
    synack_cli_stream_fill(&g, b, sizeof b);
    const uint8_t want[16] = {0xc1, 0x5c, 0x02, 0x89, 0xec, 0x2d, 0x0a, 0x91,
                              0x67, 0xec, 0x8e, 0x65, 0xa1, 0x8d, 0xeb, 0xbe};
    assert_memory_equal(b, want, 16);
}

static void sha_of_stream(uint64_t seed, size_t len, size_t piece, char hex[65])
{
    synack_cli_stream g;
    synack_sha256 c;
    uint8_t *buf = malloc(piece);
    assert_non_null(buf);
    synack_cli_stream_init(&g, seed);
    synack_sha256_init(&c);
    while (len > 0) {
        size_t n = len < piece ? len : piece;
        synack_cli_stream_fill(&g, buf, n);
        synack_sha256_update(&c, buf, n);
        len -= n;
    }
    uint8_t d[32];
    synack_sha256_final(&c, d);
    synack_sha256_hex(d, hex);
    free(buf);
}

static void stream_predictable(void **state)
{
    (void)state;
    char a[65], b[65];
    /* Same seed, same bytes, however they are cut. */
    sha_of_stream(1, 1000003, 65536, a);
    sha_of_stream(1, 1000003, 7, b);
    assert_string_equal(a, b);
    assert_string_equal(a, "b7e6df0f4c3f6ca0af79050de73bbc8c"
                           "23434edf36c30596d25c14f3335a8768");
    sha_of_stream(42, 100, 3, a);
    assert_string_equal(a, "d06e69f1b273f6f3446362b25dff8fe1"
                           "598d4b818058af69c67e069a0b9a5d58");
    /* Another seed, other bytes. */
    sha_of_stream(2, 100, 100, b);
    assert_true(strcmp(a, b) != 0);
}

static void summary_format(void **state)
{
    (void)state;
    char buf[256];
    const char *sha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    int n = synack_cli_summary(buf, sizeof buf, 100000000, 8000, sha, 12);
    assert_true(n > 0);
    assert_string_equal(buf, "{\"bytes\":100000000,\"seconds\":8.000,"
                             "\"mbit_per_s\":100.00,\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\","
                             "\"retransmits\":12}");
    assert_int_equal((size_t)n, strlen(buf));
    n = synack_cli_summary(buf, sizeof buf, 0, 0, sha, 0);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "\"seconds\":0.000,\"mbit_per_s\":0.00,"));
    assert_int_equal(synack_cli_summary(buf, 40, 1, 1, sha, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_known_bytes),
        cmocka_unit_test(stream_predictable),
        cmocka_unit_test(summary_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
