/*
 * Stream framing reader/writer (core/link/framing.c): DESIGN.md, CONTRACT:
 * stream framing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "framing.h"

static synack_framer *new_framer(void)
{
    synack_framer *f = malloc(sizeof *f);
    assert_non_null(f);
    synack_framer_init(f);
    return f;
}

static void one_frame_whole(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    const uint8_t in[] = {0, 0, 0, 3, 'a', 'b', 'c'};
    size_t used = 99, len = 0;
    assert_int_equal(synack_framer_feed(f, in, sizeof in, &used),
                     SYNACK_FRAMER_FRAME);
    assert_int_equal(used, sizeof in);
    const uint8_t *fr = synack_framer_frame(f, &len);
    assert_non_null(fr);
    assert_int_equal(len, 3);
    assert_memory_equal(fr, "abc", 3);
    assert_false(synack_framer_partial(f));
    /* The next feed discards the frame. */
    assert_int_equal(synack_framer_feed(f, in, 0, &used), SYNACK_FRAMER_MORE);
    assert_int_equal(used, 0);
    assert_null(synack_framer_frame(f, &len));
    assert_int_equal(len, 0);
    free(f);
}

static void split_byte_by_byte(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    const uint8_t in[] = {0, 0, 0, 5, 1, 2, 3, 4, 5};
    size_t used;
    for (size_t i = 0; i + 1 < sizeof in; i++) {
        assert_int_equal(synack_framer_feed(f, in + i, 1, &used),
                         SYNACK_FRAMER_MORE);
        assert_int_equal(used, 1);
        assert_true(synack_framer_partial(f));
    }
    assert_int_equal(synack_framer_feed(f, in + sizeof in - 1, 1, &used),
                     SYNACK_FRAMER_FRAME);
    size_t len;
    const uint8_t *fr = synack_framer_frame(f, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(fr, in + 4, 5);
    free(f);
}

static void two_frames_one_read(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    const uint8_t in[] = {0, 0, 0, 1, 'x', 0, 0, 0, 2, 'y', 'z', 0, 0};
    size_t used, off = 0, len;
    assert_int_equal(synack_framer_feed(f, in, sizeof in, &used),
                     SYNACK_FRAMER_FRAME);
    assert_int_equal(used, 5);
    off += used;
    assert_memory_equal(synack_framer_frame(f, &len), "x", 1);
    assert_int_equal(len, 1);
    assert_int_equal(synack_framer_feed(f, in + off, sizeof in - off, &used),
                     SYNACK_FRAMER_FRAME);
    assert_int_equal(used, 6);
    off += used;
    assert_memory_equal(synack_framer_frame(f, &len), "yz", 2);
    assert_int_equal(len, 2);
    /* Half a header left over. */
    assert_int_equal(synack_framer_feed(f, in + off, sizeof in - off, &used),
                     SYNACK_FRAMER_MORE);
    assert_int_equal(used, 2);
    assert_true(synack_framer_partial(f));
    free(f);
}

static void largest_frame(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    uint8_t *in = malloc(4 + 65535);
    assert_non_null(in);
    assert_int_equal(synack_frame_header(in, 65535), 0);
    assert_memory_equal(in, "\x00\x00\xff\xff", 4);
    for (size_t i = 0; i < 65535; i++)
        in[4 + i] = (uint8_t)(i * 7);
    size_t used, len;
    /* In uneven pieces. */
    size_t off = 0, step = 1000;
    synack_framer_status st = SYNACK_FRAMER_MORE;
    while (off < 4 + 65535) {
        size_t n = 4 + 65535 - off < step ? 4 + 65535 - off : step;
        st = synack_framer_feed(f, in + off, n, &used);
        assert_int_equal(used, n);
        off += used;
        step += 333;
    }
    assert_int_equal(st, SYNACK_FRAMER_FRAME);
    const uint8_t *fr = synack_framer_frame(f, &len);
    assert_int_equal(len, 65535);
    assert_memory_equal(fr, in + 4, 65535);
    free(in);
    free(f);
}

static void zero_length_is_error(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    const uint8_t in[] = {0, 0, 0, 0, 9, 9};
    size_t used;
    assert_int_equal(synack_framer_feed(f, in, sizeof in, &used),
                     SYNACK_FRAMER_ERROR);
    assert_int_equal(used, 4);
    /* Sticky. */
    const uint8_t good[] = {0, 0, 0, 1, 'a'};
    assert_int_equal(synack_framer_feed(f, good, sizeof good, &used),
                     SYNACK_FRAMER_ERROR);
    assert_int_equal(used, 0);
    assert_null(synack_framer_frame(f, NULL));
    free(f);
}

static void oversize_is_error(void **state)
{
    (void)state;
    synack_framer *f = new_framer();
    const uint8_t big[] = {0, 1, 0, 0};       /* 65536 */
    size_t used;
    assert_int_equal(synack_framer_feed(f, big, 2, &used), SYNACK_FRAMER_MORE);
    assert_int_equal(synack_framer_feed(f, big + 2, 2, &used),
                     SYNACK_FRAMER_ERROR);
    synack_framer_init(f);
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff};
    assert_int_equal(synack_framer_feed(f, huge, 4, &used),
                     SYNACK_FRAMER_ERROR);
    /* Init clears the error. */
    synack_framer_init(f);
    const uint8_t good[] = {0, 0, 0, 1, 'a'};
    assert_int_equal(synack_framer_feed(f, good, sizeof good, &used),
                     SYNACK_FRAMER_FRAME);
    free(f);
}

static void writer(void **state)
{
    (void)state;
    uint8_t h[4] = {7, 7, 7, 7};
    assert_int_equal(synack_frame_header(h, 0), -1);
    assert_memory_equal(h, "\x07\x07\x07\x07", 4);
    assert_int_equal(synack_frame_header(h, 65536), -1);
    assert_int_equal(synack_frame_header(h, 0x1234), 0);
    assert_memory_equal(h, "\x00\x00\x12\x34", 4);

    uint8_t out[8];
    assert_int_equal(synack_frame_encode(out, sizeof out,
                                         (const uint8_t *)"hey", 3), 7);
    assert_memory_equal(out, "\x00\x00\x00\x03hey", 7);
    assert_int_equal(synack_frame_encode(out, 6, (const uint8_t *)"hey", 3),
                     -1);
    assert_int_equal(synack_frame_encode(out, sizeof out, out, 0), -1);

    /* Round trip through the reader. */
    synack_framer *f = new_framer();
    size_t used, len;
    assert_int_equal(synack_framer_feed(f, out, 7, &used),
                     SYNACK_FRAMER_FRAME);
    assert_memory_equal(synack_framer_frame(f, &len), "hey", 3);
    assert_int_equal(len, 3);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_frame_whole),
        cmocka_unit_test(split_byte_by_byte),
        cmocka_unit_test(two_frames_one_read),
        cmocka_unit_test(largest_frame),
        cmocka_unit_test(zero_length_is_error),
        cmocka_unit_test(oversize_is_error),
        cmocka_unit_test(writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
