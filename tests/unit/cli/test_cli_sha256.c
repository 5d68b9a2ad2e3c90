/*
 * SHA-256 (host/cli/sha256.c) against the FIPS 180-2 appendix B vectors
 * ("abc", the 448-bit message, one million 'a') and the empty string.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sha256.h"

static void hex_of(const void *data, size_t len, char hex[65])
{
    synack_sha256 c;
    uint8_t d[32];
    synack_sha256_init(&c);
    synack_sha256_update(&c, data, len);
    synack_sha256_final(&c, d);
    synack_sha256_hex(d, hex);
}

static void abc(void **state)
{
    (void)state;
    char hex[65];
    hex_of("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
                             "b00361a396177a9cb410ff61f20015ad");
}

static void empty(void **state)
{
    (void)state;
    char hex[65];
    hex_of("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
                             "27ae41e4649b934ca495991b7852b855");
}

static void two_blocks(void **state)
{
    (void)state;
    char hex[65];
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m, strlen(m), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
                             "a33ce45964ff2167f6ecedd419db06c1");
}

static void million_a(void **state)
{
    (void)state;
    /* Fed in odd-sized pieces to exercise the block buffer. */
    uint8_t a[997];
    memset(a, 'a', sizeof a);
    synack_sha256 c;
    synack_sha256_init(&c);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof a ? left : sizeof a;
        synack_sha256_update(&c, a, n);
        left -= n;
    }
    uint8_t d[32];
    char hex[65];
    synack_sha256_final(&c, d);
    synack_sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
                             "f1809a48a497200e046d39ccc7112cd0");
}

static void split_equals_whole(void **state)
{
    (void)state;
    /* Lengths around the 55/56/64-byte padding edges, split everywhere. */
    uint8_t msg[130];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    for (size_t len = 54; len <= 130; len++) {
        char whole[65];
        hex_of(msg, len, whole);
        for (size_t cut = 0; cut <= len; cut += 13) {
            synack_sha256 c;
            uint8_t d[32];
            char hex[65];
            synack_sha256_init(&c);
            synack_sha256_update(&c, msg, cut);
            synack_sha256_update(&c, msg + cut, len - cut);
            synack_sha256_final(&c, d);
            synack_sha256_hex(d, hex);
            assert_string_equal(hex, whole);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abc),
        cmocka_unit_test(empty),
        cmocka_unit_test(two_blocks),
        cmocka_unit_test(million_a),
        cmocka_unit_test(split_equals_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
