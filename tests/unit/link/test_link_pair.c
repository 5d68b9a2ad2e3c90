/* Memory pair: frame slots are pooled and reused, and the pool is bounded. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "synack_links.h"

typedef struct counting {
    size_t in_use, allocs;
} counting;

static void *c_alloc(void *ctx, size_t size)
{
    counting *c = ctx;
    c->in_use += size;
    c->allocs++;
    return malloc(size);
}

static void c_free(void *ctx, void *p, size_t size)
{
    counting *c = ctx;
    if (p != NULL)
        c->in_use -= size;
    free(p);
}

static size_t send_round(synack_link l, size_t n, size_t big)
{
    static uint8_t frame[65535 + 14];
    size_t sent = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = i % 3 == 0 ? 60 : big; /* ACK-sized and full frames */
        memset(frame, (int)i, len);
        sent += l.send(l.ctx, frame, len) == 0;
    }
    return sent;
}

/* After the first round, the same traffic allocates nothing new. */
static void test_pair_reuses_slots(void **state)
{
    (void)state;
    counting c = {0};
    synack_allocator al = {c_alloc, c_free, &c};
    synack_pair *p;
    assert_int_equal(synack_pair_new(&p, al, 1500, SYNACK_MEDIUM_ETHERNET), 0);
    synack_link l0 = synack_pair_link(p, 0), l1 = synack_pair_link(p, 1);
    assert_int_equal(send_round(l0, 300, 1514), 300);
    assert_int_equal(send_round(l1, 30, 1514), 30);
    assert_int_equal(synack_pair_deliver(p, 0, NULL, NULL, 0), 330);
    size_t allocs = c.allocs;
    for (int round = 0; round < 20; round++) {
        assert_int_equal(send_round(l0, 300, 1514), 300);
        assert_int_equal(send_round(l1, 30, 1514), 30);
        assert_int_equal(synack_pair_deliver(p, 0, NULL, NULL, 0), 330);
    }
    assert_int_equal(c.allocs, allocs);
    /* too long for the MTU: refused, as before */
    static uint8_t big[1515];
    assert_int_not_equal(l0.send(l0.ctx, big, sizeof big), 0);
    synack_pair_free(p);
    assert_int_equal(c.in_use, 0);
}

/* Free slots kept for reuse stay under the pool bound (8 MiB). */
static void test_pair_pool_bounded(void **state)
{
    (void)state;
    counting c = {0};
    synack_allocator al = {c_alloc, c_free, &c};
    synack_pair *p;
    assert_int_equal(synack_pair_new(&p, al, 65535, SYNACK_MEDIUM_ETHERNET), 0);
    synack_link l0 = synack_pair_link(p, 0);
    /* about 26 MiB of full frames queued at once */
    assert_int_equal(send_round(l0, 600, 65535 + 14), 600);
    assert_true(c.in_use > 20u * 1024 * 1024);
    assert_int_equal(synack_pair_deliver(p, 0, NULL, NULL, 0), 600);
    assert_true(c.in_use <= 8u * 1024 * 1024 + 4096);
    assert_true(c.in_use > 0);
    synack_pair_free(p);
    assert_int_equal(c.in_use, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_reuses_slots),
        cmocka_unit_test(test_pair_pool_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
