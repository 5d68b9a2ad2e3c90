/* Byte ring: wraparound, full/empty, write_at beyond len then commit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/ring.h"

static void test_empty_and_full(void **state)
{
    (void)state;
    uint8_t store[8];
    synack_ring r;
    synack_ring_init(&r, store, sizeof store);
    uint8_t out[16];
    assert_int_equal(synack_ring_len(&r), 0);
    assert_int_equal(synack_ring_free(&r), 8);
    assert_int_equal(synack_ring_read(&r, out, 4), 0);
    assert_int_equal(synack_ring_peek(&r, 0, out, 4), 0);

    assert_int_equal(synack_ring_write(&r, "0123456789", 10), 8); /* clipped */
    assert_int_equal(synack_ring_len(&r), 8);
    assert_int_equal(synack_ring_free(&r), 0);
    assert_int_equal(synack_ring_write(&r, "x", 1), 0);
    assert_int_equal(synack_ring_read(&r, out, sizeof out), 8);
    assert_memory_equal(out, "01234567", 8);
    assert_int_equal(synack_ring_len(&r), 0);
}

static void test_wraparound(void **state)
{
    (void)state;
    uint8_t store[8];
    synack_ring r;
    synack_ring_init(&r, store, sizeof store);
    uint8_t out[8];
    assert_int_equal(synack_ring_write(&r, "abcdef", 6), 6);
    assert_int_equal(synack_ring_read(&r, out, 5), 5); /* head at 5 */
    assert_int_equal(synack_ring_write(&r, "ghijkl", 6), 6); /* wraps */
    assert_int_equal(synack_ring_len(&r), 7);
    assert_int_equal(synack_ring_peek(&r, 0, out, 8), 7);
    assert_memory_equal(out, "fghijkl", 7);
    assert_int_equal(synack_ring_peek(&r, 2, out, 3), 3); /* across the end */
    assert_memory_equal(out, "hij", 3);
    assert_int_equal(synack_ring_peek(&r, 7, out, 3), 0);

    /* view: the contiguous piece up to the end of storage, then the rest. */
    uint32_t n = 0;
    const uint8_t *v = synack_ring_view(&r, 0, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(v, "fgh", 3);
    v = synack_ring_view(&r, 3, &n);
    assert_int_equal(n, 4);
    assert_memory_equal(v, "ijkl", 4);
    v = synack_ring_view(&r, 7, &n);
    assert_int_equal(n, 0);
    (void)v;

    synack_ring_consume(&r, 4);
    assert_int_equal(synack_ring_read(&r, out, 8), 3);
    assert_memory_equal(out, "jkl", 3);
}

/* Many small writes and reads of varying sizes against a model. */
static void test_stream_model(void **state)
{
    (void)state;
    uint8_t store[13];
    synack_ring r;
    synack_ring_init(&r, store, sizeof store);
    uint8_t next_in = 0, next_out = 0;
    uint32_t seed = 1;
    for (int step = 0; step < 5000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t n = (seed >> 16) % 9;
        uint8_t tmp[16];
        if ((seed >> 8) & 1) {
            for (uint32_t i = 0; i < n; i++)
                tmp[i] = (uint8_t)(next_in + i);
            uint32_t free_before = synack_ring_free(&r);
            uint32_t w = synack_ring_write(&r, tmp, n);
            assert_int_equal(w, n < free_before ? n : free_before);
            next_in = (uint8_t)(next_in + w);
        } else {
            uint32_t len_before = synack_ring_len(&r);
            uint32_t got = synack_ring_read(&r, tmp, n);
            assert_int_equal(got, n < len_before ? n : len_before);
            for (uint32_t i = 0; i < got; i++)
                assert_int_equal(tmp[i], (uint8_t)(next_out + i));
            next_out = (uint8_t)(next_out + got);
        }
        assert_int_equal(synack_ring_len(&r), (uint8_t)(next_in - next_out));
    }
}

/* Out-of-order data: write_at beyond len, then fill the hole and commit. */
static void test_write_at_then_commit(void **state)
{
    (void)state;
    uint8_t store[10];
    synack_ring r;
    synack_ring_init(&r, store, sizeof store);
    uint8_t out[10];

    /* Move the read position so the later writes wrap. */
    synack_ring_write(&r, "1234567", 7);
    synack_ring_consume(&r, 7);
    assert_int_equal(synack_ring_len(&r), 0);

    assert_int_equal(synack_ring_write_at(&r, 4, "EFGH", 4), 4);
    assert_int_equal(synack_ring_len(&r), 0); /* not visible yet */
    assert_int_equal(synack_ring_write_at(&r, 0, "ABCD", 4), 4);
    synack_ring_commit(&r, 8);
    assert_int_equal(synack_ring_len(&r), 8);
    assert_int_equal(synack_ring_read(&r, out, 10), 8);
    assert_memory_equal(out, "ABCDEFGH", 8);

    /* write_at past the capacity is refused. */
    assert_int_equal(synack_ring_write_at(&r, 7, "xyzw", 4), 0);
    assert_int_equal(synack_ring_write_at(&r, 6, "xyzw", 4), 4);
    assert_int_equal(synack_ring_write_at(&r, UINT32_MAX, "x", 1), 0);

    /* write_at after stored bytes keeps them, and commit never overflows. */
    synack_ring_write(&r, "ab", 2);
    assert_int_equal(synack_ring_write_at(&r, 2, "cdefghij", 8), 8);
    synack_ring_commit(&r, 100);
    assert_int_equal(synack_ring_len(&r), 10);
    assert_int_equal(synack_ring_free(&r), 0);
    assert_int_equal(synack_ring_read(&r, out, 10), 10);
    assert_memory_equal(out, "abcdefghij", 10);
}

static void test_consume_clamps_and_degenerate(void **state)
{
    (void)state;
    uint8_t store[4];
    synack_ring r;
    synack_ring_init(&r, store, sizeof store);
    synack_ring_write(&r, "ab", 2);
    synack_ring_consume(&r, 10);
    assert_int_equal(synack_ring_len(&r), 0);

    synack_ring z;
    synack_ring_init(&z, NULL, 0);
    uint8_t out[2];
    uint32_t n = 1;
    assert_int_equal(synack_ring_write(&z, "a", 1), 0);
    assert_int_equal(synack_ring_write_at(&z, 0, "a", 1), 0);
    assert_int_equal(synack_ring_read(&z, out, 2), 0);
    synack_ring_view(&z, 0, &n);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_full),
        cmocka_unit_test(test_wraparound),
        cmocka_unit_test(test_stream_model),
        cmocka_unit_test(test_write_at_then_commit),
        cmocka_unit_test(test_consume_clamps_and_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
