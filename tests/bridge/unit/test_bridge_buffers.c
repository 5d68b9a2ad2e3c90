/* The bridge's output queue, token bucket and client framing reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bridge_frames.h"
#include "client.h"
#include "outq.h"
#include "ratelimit.h"

static void test_outq_whole_frames(void **state)
{
    (void)state;
    uint8_t buf[32];
    synack_br_outq q;
    synack_br_outq_init(&q, buf, sizeof(buf));
    uint8_t f[20];
    for (int i = 0; i < 20; i++)
        f[i] = (uint8_t)i;
    assert_true(synack_br_outq_push_frame(&q, f, 10));  /* 14 */
    assert_true(synack_br_outq_push_frame(&q, f, 14));  /* 32: full */
    assert_false(synack_br_outq_push_frame(&q, f, 1));
    assert_int_equal(q.len, 32);
    const uint8_t *p[2];
    size_t pl[2];
    assert_int_equal(synack_br_outq_peek(&q, p, pl), 1);
    static const uint8_t hdr10[4] = {0, 0, 0, 10};
    assert_memory_equal(p[0], hdr10, 4);
    assert_memory_equal(p[0] + 4, f, 10);
    /* Send 20 bytes, then a frame that wraps around the end. */
    synack_br_outq_consume(&q, 20);
    assert_true(synack_br_outq_push_frame(&q, f + 5, 12));
    assert_int_equal(synack_br_outq_peek(&q, p, pl), 2);
    assert_int_equal(pl[0] + pl[1], 28);
    uint8_t flat[28];
    memcpy(flat, p[0], pl[0]);
    memcpy(flat + pl[0], p[1], pl[1]);
    static const uint8_t hdr12[4] = {0, 0, 0, 12};
    assert_memory_equal(flat + 12, hdr12, 4);
    assert_memory_equal(flat + 16, f + 5, 12);
    synack_br_outq_consume(&q, 28);
    assert_int_equal(synack_br_outq_peek(&q, p, pl), 0);
}

static void test_bucket(void **state)
{
    (void)state;
    synack_br_bucket b;
    synack_br_bucket_init(&b, 100, 10, 0); /* 100/s, depth 10 */
    for (int i = 0; i < 10; i++)
        assert_true(synack_br_bucket_take(&b, 1, 0));
    assert_false(synack_br_bucket_take(&b, 1, 0));
    assert_false(synack_br_bucket_take(&b, 1, 9));  /* 0.9 token */
    assert_true(synack_br_bucket_take(&b, 1, 10));  /* 1 token after 10 ms */
    assert_false(synack_br_bucket_take(&b, 1, 10));
    assert_true(synack_br_bucket_take(&b, 10, 100000)); /* refills to depth only */
    assert_false(synack_br_bucket_take(&b, 1, 100000));
    assert_false(synack_br_bucket_take(&b, 11, 200000)); /* more than depth: never */
    synack_br_bucket_init(&b, 0, 0, 0); /* unlimited */
    assert_true(synack_br_bucket_take(&b, 1000000, 0));
}

typedef struct reader_fx {
    synack_br br;
    synack_br_port ports[5];
    synack_br_mac_entry macs[64];
    recorder rec;
    synack_br_client c1, c2;
} reader_fx;

static reader_fx *reader_new(void)
{
    static reader_fx fx;
    memset(&fx, 0, sizeof(fx));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_NONE);
    assert_int_equal(synack_br_init(&fx.br, &cfg, fx.ports, fx.macs, 64, rec_emit,
                                    &fx.rec, 0), 0);
    assert_int_equal(synack_br_attach(&fx.br, 0), 1);
    assert_int_equal(synack_br_attach(&fx.br, 0), 2);
    assert_int_equal(synack_br_client_open(&fx.c1, -1, 1, "one", 1518, 1 << 16), 0);
    return &fx;
}

static size_t framed(uint8_t *out, const uint8_t *f, size_t n)
{
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memcpy(out + 4, f, n);
    return n + 4;
}

static void test_reader_split_and_merged(void **state)
{
    (void)state;
    reader_fx *fx = reader_new();
    uint8_t f[100], stream[400];
    size_t n = build_arp(f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A,
                         SYNACK_IP4(10, 0, 2, 15), MAC_BCAST, SYNACK_IP4(10, 0, 2, 16));
    size_t s = framed(stream, f, n);
    s += framed(stream + s, f, n);
    s += framed(stream + s, f, n);
    /* One byte at a time for the first frame and a half... */
    size_t cut = (n + 4) + (n + 4) / 2;
    for (size_t i = 0; i < cut; i++)
        assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, stream + i, 1, 0),
                         SYNACK_BR_OPEN);
    assert_int_equal(fx->rec.count, 1);
    /* ...then the rest in one piece: two more frames. */
    assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, stream + cut, s - cut, 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(fx->rec.count, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(fx->rec.port[i], 2);
        assert_int_equal(fx->rec.len[i], n);
        assert_memory_equal(fx->rec.frame[i], f, n);
    }
    synack_br_client_close(&fx->c1);
}

static void test_reader_bad_lengths(void **state)
{
    (void)state;
    reader_fx *fx = reader_new();
    static const uint8_t zero[4] = {0, 0, 0, 0};
    assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, zero, 4, 0),
                     SYNACK_BR_CLOSED_FRAMING);
    synack_br_client_close(&fx->c1);

    fx = reader_new();
    static const uint8_t huge[4] = {0, 1, 0, 0}; /* 65536 */
    assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, huge, 4, 0),
                     SYNACK_BR_CLOSED_FRAMING);
    synack_br_client_close(&fx->c1);

    fx = reader_new();
    static const uint8_t big[4] = {0, 0, 0x20, 0}; /* 8192 > 1518 */
    assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, big, 4, 0),
                     SYNACK_BR_CLOSED_MALFORMED);
    assert_int_equal(fx->ports[1].stats.drop_invalid, 1);
    synack_br_client_close(&fx->c1);

    fx = reader_new();
    uint8_t runt[4 + 10] = {0, 0, 0, 10};
    assert_int_equal(synack_br_client_feed(&fx->c1, &fx->br, runt, sizeof(runt), 0),
                     SYNACK_BR_CLOSED_MALFORMED);
    assert_int_equal(fx->rec.count, 0);
    synack_br_client_close(&fx->c1);
}

static void test_client_queue_drops_when_full(void **state)
{
    (void)state;
    reader_fx *fx = reader_new();
    assert_int_equal(synack_br_client_open(&fx->c2, -1, 2, "two", 1518, 100), 0);
    uint8_t f[60] = {0};
    assert_true(synack_br_client_queue(&fx->c2, f, 60));
    assert_false(synack_br_client_queue(&fx->c2, f, 60));
    assert_true(synack_br_client_pending(&fx->c2));
    assert_true(synack_br_client_queue(&fx->c2, f, 32)); /* 64 + 36 = 100 */
    assert_false(synack_br_client_queue(&fx->c2, f, 1));
    synack_br_client_close(&fx->c2);
    synack_br_client_close(&fx->c1);
    assert_int_equal(fx->c2.fd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outq_whole_frames),
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_reader_split_and_merged),
        cmocka_unit_test(test_reader_bad_lengths),
        cmocka_unit_test(test_client_queue_drops_when_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
