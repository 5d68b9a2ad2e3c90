/* Internet checksum (RFC 1071): the fast sum against a byte-pair reference. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/rng.h"
#include "wire/wire.h"

/* The textbook definition: big-endian 16-bit words, end-around carry. */
static uint16_t ref_checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 2) {
        uint32_t word = (uint32_t)p[i] << 8;
        if (i + 1 < len)
            word |= p[i + 1];
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

/* RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2. */
static void test_rfc1071_example(void **state)
{
    (void)state;
    const uint8_t data[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    assert_int_equal(synack_csum_finish(synack_csum_add(0, data, 8)),
                     (uint16_t)~0xddf2);
    assert_int_equal(ref_checksum(data, 8), (uint16_t)~0xddf2);
}

static void test_empty_and_zero(void **state)
{
    (void)state;
    const uint8_t zeros[7] = {0};
    assert_int_equal(synack_csum_finish(0), 0xffff);
    assert_int_equal(synack_csum_finish(synack_csum_add(0, zeros, 7)), 0xffff);
    assert_int_equal(synack_csum_finish(synack_csum_add(0, zeros, 0)), 0xffff);
}

static void test_all_ones_carries(void **state)
{
    (void)state;
    uint8_t ff[1500];
    memset(ff, 0xff, sizeof ff);
    for (size_t len = 0; len <= sizeof ff; len += 37)
        assert_int_equal(synack_csum_finish(synack_csum_add(0, ff, len)),
                         ref_checksum(ff, len));
}

/* Random buffers of every length 0..300 and at every alignment 0..7. */
static void test_random_vs_reference(void **state)
{
    (void)state;
    synack_rng rng;
    synack_rng_seed(&rng, 1071);
    uint8_t buf[320];
    for (size_t len = 0; len <= 300; len++) {
        for (size_t align = 0; align < 8; align++) {
            synack_rng_fill(&rng, buf, sizeof buf);
            uint16_t fast =
                synack_csum_finish(synack_csum_add(0, buf + align, len));
            assert_int_equal(fast, ref_checksum(buf + align, len));
        }
    }
}

static void test_large_random_vs_reference(void **state)
{
    (void)state;
    static uint8_t big[65535];
    synack_rng rng;
    synack_rng_seed(&rng, 65535);
    for (int round = 0; round < 4; round++) {
        synack_rng_fill(&rng, big, sizeof big);
        size_t len = sizeof big - synack_rng_below(&rng, 64);
        assert_int_equal(synack_csum_finish(synack_csum_add(0, big, len)),
                         ref_checksum(big, len));
    }
}

/* Sums split at even offsets combine to the same checksum. */
static void test_split_sums(void **state)
{
    (void)state;
    synack_rng rng;
    synack_rng_seed(&rng, 7);
    uint8_t buf[257];
    synack_rng_fill(&rng, buf, sizeof buf);
    uint16_t whole = ref_checksum(buf, sizeof buf);
    for (size_t cut = 0; cut < sizeof buf; cut += 2) {
        uint64_t s = synack_csum_add(0, buf, cut);
        s = synack_csum_add(s, buf + cut, sizeof buf - cut);
        assert_int_equal(synack_csum_finish(s), whole);
        /* Adding two separate accumulators works too. */
        uint64_t a = synack_csum_add(0, buf, cut);
        uint64_t b = synack_csum_add(0, buf + cut, sizeof buf - cut);
        assert_int_equal(synack_csum_finish(a + b), whole);
    }
}

/* A buffer with its checksum stored in it verifies to 0. */
static void test_verify_to_zero(void **state)
{
    (void)state;
    synack_rng rng;
    synack_rng_seed(&rng, 99);
    uint8_t buf[64];
    for (int round = 0; round < 50; round++) {
        synack_rng_fill(&rng, buf, sizeof buf);
        buf[10] = 0;
        buf[11] = 0;
        synack_wr_be16(buf + 10, synack_csum_finish(synack_csum_add(0, buf, 64)));
        assert_int_equal(synack_csum_finish(synack_csum_add(0, buf, 64)), 0);
    }
}

/* The pseudo-header sum equals summing the 12 bytes of RFC 9293 3.1. */
static void test_pseudo_header(void **state)
{
    (void)state;
    const uint8_t ph[12] = {192, 168, 0, 104, 192, 168, 0, 1, 0, 6, 0x05, 0xdc};
    uint8_t seg[4] = {0x12, 0x34, 0xab, 0xcd};
    uint8_t all[16];
    memcpy(all, ph, 12);
    memcpy(all + 12, seg, 4);
    uint64_t s = synack_csum_pseudo(SYNACK_IP4(192, 168, 0, 104),
                                    SYNACK_IP4(192, 168, 0, 1), 6, 1500);
    s = synack_csum_add(s, seg, 4);
    assert_int_equal(synack_csum_finish(s), ref_checksum(all, 16));
}

/* Random and extreme addresses, protocols and lengths, against the bytes. */
static void test_pseudo_header_random(void **state)
{
    (void)state;
    synack_rng rng;
    synack_rng_seed(&rng, 9293);
    for (int round = 0; round < 2000; round++) {
        uint32_t src = (uint32_t)synack_rng_next(&rng), dst = (uint32_t)synack_rng_next(&rng);
        uint8_t proto = (uint8_t)synack_rng_next(&rng);
        uint32_t len = (uint32_t)synack_rng_below(&rng, 65536);
        if (round < 4) { /* every word 0xffff: the most carries */
            src = dst = 0xffffffffu;
            proto = 0xff;
            len = round < 2 ? 0xffffu : 0;
        }
        uint8_t ph[12];
        synack_wr_be32(ph, src);
        synack_wr_be32(ph + 4, dst);
        ph[8] = 0;
        ph[9] = proto;
        synack_wr_be16(ph + 10, (uint16_t)len);
        uint64_t s = synack_csum_pseudo(src, dst, proto, len);
        assert_int_equal(synack_csum_finish(s), ref_checksum(ph, 12));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1071_example),
        cmocka_unit_test(test_empty_and_zero),
        cmocka_unit_test(test_all_ones_carries),
        cmocka_unit_test(test_random_vs_reference),
        cmocka_unit_test(test_large_random_vs_reference),
        cmocka_unit_test(test_split_sums),
        cmocka_unit_test(test_verify_to_zero),
        cmocka_unit_test(test_pseudo_header),
        cmocka_unit_test(test_pseudo_header_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
