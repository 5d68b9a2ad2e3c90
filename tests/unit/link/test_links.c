/* Portable link drivers: memory pair, impair (seeded statistics, delay,
 * rate), pcap writer (golden bytes). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "synack_libc.h"
#include "synack_links.h"
#include "test_addr.h"

/* A sink link that records arrival order, times and sizes. */
typedef struct sink {
    uint64_t *now;      /* clock to stamp arrivals with */
    size_t count;
    uint32_t ids[20000];
    uint64_t at[20000];
    size_t bytes;
    size_t corrupted;   /* frames whose body is not all the fill byte */
} sink;

static int sink_send(void *ctx, const uint8_t *frame, size_t len)
{
    sink *k = ctx;
    if (k->count < 20000) {
        k->ids[k->count] = (uint32_t)frame[0] << 24 | (uint32_t)frame[1] << 16 |
                           (uint32_t)frame[2] << 8 | frame[3];
        k->at[k->count] = k->now != NULL ? *k->now : 0;
    }
    for (size_t i = 4; i < len; i++)
        if (frame[i] != 0x5a) {
            k->corrupted++;
            break;
        }
    k->count++;
    k->bytes += len;
    return 0;
}

static synack_link sink_link(sink *k)
{
    synack_link l = {.send = sink_send, .ctx = k, .mtu = 1500, .medium = SYNACK_MEDIUM_ETHERNET};
    return l;
}

static size_t make_frame(uint8_t *buf, uint32_t id, size_t len)
{
    memset(buf, 0x5a, len);
    buf[0] = (uint8_t)(id >> 24);
    buf[1] = (uint8_t)(id >> 16);
    buf[2] = (uint8_t)(id >> 8);
    buf[3] = (uint8_t)id;
    return len;
}

static synack_impair *impair_over(sink *k, const synack_impair_config *cfg)
{
    synack_impair *im = NULL;
    assert_int_equal(synack_impair_new(&im, synack_libc_allocator(), cfg,
                                       sink_link(k)), SYNACK_OK);
    return im;
}

/* ---- pair ------------------------------------------------------------- */

static void test_pair_queues_and_delivers(void **state)
{
    (void)state;
    net_fixture *f = net_fixture_new(NULL);
    assert_non_null(f);
    synack_pair *p = f->pair;
    /* the two stacks' address announcements are waiting: discard them */
    assert_int_equal(synack_pair_pending(p), 2);
    assert_int_equal(synack_pair_deliver(p, 0, NULL, NULL, 0), 2);
    synack_link l0 = synack_pair_link(p, 0), l1 = synack_pair_link(p, 1);
    assert_int_equal(l0.mtu, 1500);
    assert_int_equal(l0.medium, SYNACK_MEDIUM_ETHERNET);
    uint8_t buf[1600];
    size_t n = net_build_udp(buf, 0, 1, 9, 9, "abc", 3);
    buf[5] = 0x77; /* to a MAC nobody has: received, dropped, no answer */
    assert_int_equal(l0.send(l0.ctx, buf, n), 0);
    assert_int_equal(l0.send(l0.ctx, buf, n), 0);
    assert_int_equal(l1.send(l1.ctx, buf, n), 0);
    assert_int_equal(l0.send(l0.ctx, buf, 1515), -1); /* above MTU + 14 */
    assert_int_equal(l0.send(l0.ctx, buf, 0), -1);
    assert_int_equal(synack_pair_pending(p), 3);

    synack_counters ca, cb;
    synack_get_counters(f->a, &ca);
    synack_get_counters(f->b, &cb);
    assert_int_equal(synack_pair_deliver(p, 5, f->a, f->b, 2), 2);
    assert_int_equal(synack_pair_pending(p), 1);
    synack_counters ca2, cb2;
    synack_get_counters(f->a, &ca2);
    synack_get_counters(f->b, &cb2);
    /* alternating: one from end 0 to B, one from end 1 to A */
    assert_int_equal(cb2.frames_in - cb.frames_in, 1);
    assert_int_equal(ca2.frames_in - ca.frames_in, 1);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ETH_NOT_FOR_US), 1);
    assert_int_equal(synack_pair_deliver(p, 5, NULL, NULL, 0), 1);
    assert_int_equal(synack_pair_pending(p), 0);
    /* frames left in the queues are freed with the pair */
    assert_int_equal(l1.send(l1.ctx, buf, n), 0);
    assert_int_equal(net_fixture_free(f), 0);
}

/* ---- impair ----------------------------------------------------------- */

static void run_loss(uint64_t seed, double p)
{
    sink *k = calloc(1, sizeof *k);
    synack_impair_config cfg = {0};
    cfg.loss = p;
    cfg.seed = seed;
    synack_impair *im = impair_over(k, &cfg);
    synack_link l = synack_impair_link(im);
    uint8_t buf[64];
    for (uint32_t i = 0; i < 10000; i++)
        assert_int_equal(l.send(l.ctx, buf, make_frame(buf, i, 64)), 0);
    synack_impair_poll(im, 1);
    synack_impair_stats st;
    synack_impair_get_stats(im, &st);
    assert_int_equal(st.frames, 10000);
    assert_int_equal(st.lost + k->count, 10000);
    /* binomial: sd = sqrt(n p (1-p)) <= 50; allow about 4 sd */
    double lost = (double)st.lost;
    assert_true(lost > 10000 * p - 200 && lost < 10000 * p + 200);
    /* in order when nothing delays */
    for (size_t i = 1; i < k->count; i++)
        assert_true(k->ids[i] > k->ids[i - 1]);
    synack_impair_free(im);
    free(k);
}

static void test_impair_loss_statistics(void **state)
{
    (void)state;
    run_loss(1, 0.10);
    run_loss(2, 0.10);
    run_loss(3, 0.01);
    run_loss(4, 0.50);
    run_loss(5, 0.0);
}

static void test_impair_seed_reproducible(void **state)
{
    (void)state;
    sink *k1 = calloc(1, sizeof *k1), *k2 = calloc(1, sizeof *k2);
    synack_impair_config cfg = {0};
    cfg.loss = 0.3;
    cfg.seed = 99;
    synack_impair *a = impair_over(k1, &cfg), *b = impair_over(k2, &cfg);
    synack_link la = synack_impair_link(a), lb = synack_impair_link(b);
    uint8_t buf[64];
    for (uint32_t i = 0; i < 1000; i++) {
        la.send(la.ctx, buf, make_frame(buf, i, 64));
        lb.send(lb.ctx, buf, make_frame(buf, i, 64));
    }
    assert_int_equal(k1->count, k2->count);
    assert_memory_equal(k1->ids, k2->ids, k1->count * sizeof k1->ids[0]);
    synack_impair_free(a);
    synack_impair_free(b);
    free(k1);
    free(k2);
}

static void test_impair_delay_and_jitter(void **state)
{
    (void)state;
    uint64_t now = 100;
    sink *k = calloc(1, sizeof *k);
    k->now = &now;
    synack_impair_config cfg = {0};
    cfg.delay_ms = 50;
    cfg.jitter_ms = 10;
    cfg.seed = 7;
    synack_impair *im = impair_over(k, &cfg);
    synack_impair_poll(im, now);
    synack_link l = synack_impair_link(im);
    uint8_t buf[64];
    for (uint32_t i = 0; i < 200; i++)
        l.send(l.ctx, buf, make_frame(buf, i, 64));
    assert_int_equal(k->count, 0);
    assert_true(synack_impair_poll_at(im) >= 150);
    for (now = 100; now <= 200; now++)
        synack_impair_poll(im, now);
    assert_int_equal(k->count, 200);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < k->count; i++) {
        lo = k->at[i] < lo ? k->at[i] : lo;
        hi = k->at[i] > hi ? k->at[i] : hi;
    }
    assert_true(lo >= 150);
    assert_true(hi <= 160);
    assert_true(hi > lo); /* jitter spreads them */
    assert_int_equal(synack_impair_poll_at(im), UINT64_MAX);
    synack_impair_free(im);
    free(k);
}

static void test_impair_rate_spacing_and_queue(void **state)
{
    (void)state;
    uint64_t now = 0;
    sink *k = calloc(1, sizeof *k);
    k->now = &now;
    synack_impair_config cfg = {0};
    cfg.rate_mbit = 10.0; /* 1250 bytes take exactly 1 ms */
    cfg.queue_bytes = 5000;
    cfg.seed = 1;
    synack_impair *im = impair_over(k, &cfg);
    synack_link l = synack_impair_link(im);
    uint8_t buf[1250];
    for (uint32_t i = 0; i < 10; i++)
        l.send(l.ctx, buf, make_frame(buf, i, 1250));
    synack_impair_stats st;
    synack_impair_get_stats(im, &st);
    /* 4 x 1250 fill the 5000-byte queue; the rest is tail-dropped */
    assert_int_equal(st.queue_drops, 6);
    for (now = 0; now <= 20; now++)
        synack_impair_poll(im, now);
    assert_int_equal(k->count, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(k->ids[i], i);
        assert_int_equal(k->at[i], i + 1);
    }
    /* once drained, the queue takes frames again */
    l.send(l.ctx, buf, make_frame(buf, 50, 1250));
    synack_impair_poll(im, 21);
    assert_int_equal(k->count, 5);
    assert_int_equal(k->at[4], 21);
    synack_impair_free(im);
    free(k);
}

static void test_impair_duplicate_corrupt(void **state)
{
    (void)state;
    sink *k = calloc(1, sizeof *k);
    synack_impair_config cfg = {0};
    cfg.duplicate = 1.0;
    cfg.corrupt = 1.0;
    cfg.seed = 3;
    synack_impair *im = impair_over(k, &cfg);
    synack_link l = synack_impair_link(im);
    uint8_t buf[600];
    for (uint32_t i = 0; i < 100; i++)
        l.send(l.ctx, buf, make_frame(buf, i, 600));
    synack_impair_stats st;
    synack_impair_get_stats(im, &st);
    assert_int_equal(k->count, 200);
    assert_int_equal(st.duplicated, 100);
    assert_int_equal(st.corrupted, 200);
    /* the flipped byte lands in the id in ~4/600 of cases, else the body */
    assert_true(k->corrupted >= 180);
    synack_impair_free(im);
    free(k);
}

static void test_impair_reorder(void **state)
{
    (void)state;
    uint64_t now = 0;
    sink *k = calloc(1, sizeof *k);
    k->now = &now;
    synack_impair_config cfg = {0};
    cfg.reorder = 0.25;
    cfg.delay_ms = 5;
    cfg.seed = 11;
    synack_impair *im = impair_over(k, &cfg);
    synack_link l = synack_impair_link(im);
    uint8_t buf[64];
    for (now = 0; now < 1000; now++) {
        synack_impair_poll(im, now);
        l.send(l.ctx, buf, make_frame(buf, (uint32_t)now, 64));
    }
    for (; now < 1100; now++)
        synack_impair_poll(im, now);
    synack_impair_stats st;
    synack_impair_get_stats(im, &st);
    assert_int_equal(k->count, 1000);
    assert_in_range(st.reordered, 180, 320);
    size_t inversions = 0;
    for (size_t i = 1; i < k->count; i++)
        inversions += k->ids[i] < k->ids[i - 1];
    assert_true(inversions > 50);
    synack_impair_free(im);
    free(k);
}

static void test_impair_bounded(void **state)
{
    (void)state;
    sink *k = calloc(1, sizeof *k);
    synack_impair_config cfg = {0};
    cfg.delay_ms = 1000;
    synack_impair *im = impair_over(k, &cfg);
    synack_link l = synack_impair_link(im);
    uint8_t buf[64];
    for (uint32_t i = 0; i < 70000; i++)
        l.send(l.ctx, buf, make_frame(buf, i, 64));
    synack_impair_stats st;
    synack_impair_get_stats(im, &st);
    assert_int_equal(st.queue_drops, 70000 - 65536);
    synack_impair_poll(im, 1000);
    assert_int_equal(k->count, 65536);
    synack_impair_free(im);
    free(k);
}

/* ---- pcap --------------------------------------------------------------- */

typedef struct membuf {
    uint8_t data[512];
    size_t len;
} membuf;

static int mem_write(void *ctx, const void *data, size_t len)
{
    membuf *m = ctx;
    if (m->len + len > sizeof m->data)
        return -1;
    memcpy(m->data + m->len, data, len);
    m->len += len;
    return 0;
}

static void test_pcap_golden(void **state)
{
    (void)state;
    membuf m = {{0}, 0};
    sink *k = calloc(1, sizeof *k);
    synack_pcap *pc;
    assert_int_equal(synack_pcap_new(&pc, synack_libc_allocator(), sink_link(k),
                                     mem_write, &m), SYNACK_OK);
    static const uint8_t hdr[24] = {
        0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
    assert_int_equal(m.len, 24);
    assert_memory_equal(m.data, hdr, 24);

    synack_link l = synack_pcap_link(pc);
    assert_int_equal(l.mtu, 1500);
    uint8_t frame[6] = {1, 2, 3, 4, 5, 6};
    synack_pcap_set_time(pc, 3723456); /* 3723.456 s */
    assert_int_equal(l.send(l.ctx, frame, sizeof frame), 0);
    assert_int_equal(k->count, 1); /* passed through */
    synack_pcap_set_time(pc, 3723457);
    synack_pcap_record_in(pc, frame, 2);
    static const uint8_t recs[] = {
        0x8b, 0x0e, 0x00, 0x00, 0x40, 0xf5, 0x06, 0x00, 6, 0, 0, 0, 6, 0, 0, 0,
        1, 2, 3, 4, 5, 6,
        0x8b, 0x0e, 0x00, 0x00, 0x28, 0xf9, 0x06, 0x00, 2, 0, 0, 0, 2, 0, 0, 0,
        1, 2};
    assert_int_equal(m.len, 24 + sizeof recs);
    assert_memory_equal(m.data + 24, recs, sizeof recs);
    synack_pcap_free(pc);

    /* raw IP medium: linktype 101 (LINKTYPE_RAW: IPv4 or IPv6) */
    membuf m2 = {{0}, 0};
    synack_link raw = {.send = sink_send, .ctx = k, .mtu = 1500, .medium = SYNACK_MEDIUM_IP};
    assert_int_equal(synack_pcap_new(&pc, synack_libc_allocator(), raw,
                                     mem_write, &m2), SYNACK_OK);
    assert_int_equal(m2.data[20], 101);
    assert_int_equal(m2.data[21], 0);
    synack_pcap_free(pc);
    free(k);
}

static void test_fixture_impaired_ping(void **state)
{
    (void)state;
    /* The fixture with both directions impaired still carries pings. */
    net_fixture_opts o = net_fixture_defaults();
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        o.impair_cfg[i].delay_ms = 20;
        o.impair_cfg[i].jitter_ms = 5;
        o.impair_cfg[i].seed = 100 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    int h = synack_ping_open(f->a);
    assert_true(h >= 0);
    uint64_t t0 = f->now;
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR4(net_ip(1)), 1, "hi", 2), 0);
    net_run_for(f, 1000);
    synack_addr src;
    uint16_t seq;
    char buf[8];
    assert_int_equal(synack_ping_recv(f->a, h, &src, &seq, buf, sizeof buf), 2);
    assert_int_equal(seq, 1);
    assert_true(f->now - t0 >= 80); /* ARP + echo: two round trips of >= 40 */
    synack_ping_close(f->a, h);
    assert_int_equal(net_fixture_free(f), 0);
}

static void test_fixture_pcap_option(void **state)
{
    (void)state;
    const char *path = "test_links_fixture.pcap";
    FILE *probe = fopen(path, "wb");
    net_fixture_opts o = net_fixture_defaults();
    o.pcap_path = path;
    net_fixture *f = net_fixture_new(&o);
    if (probe == NULL) {
        /* no writable directory (a sandbox): the fixture reports it */
        assert_null(f);
        return;
    }
    fclose(probe);
    assert_non_null(f);
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR4(net_ip(1)), 1, "pc", 2), 0);
    net_run_for(f, 10);
    synack_ping_close(f->a, h);
    assert_int_equal(net_fixture_free(f), 0);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t buf[4096];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    remove(path);
    /* header + 2 announcements + ARP request/reply + echo request/reply */
    assert_int_equal(buf[0], 0xd4);
    assert_int_equal(buf[20], 1);
    size_t off = 24, records = 0;
    while (off + 16 <= n) {
        size_t incl = (size_t)buf[off + 8] | (size_t)buf[off + 9] << 8;
        off += 16 + incl;
        records++;
    }
    assert_int_equal(off, n);
    assert_int_equal(records, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_queues_and_delivers),
        cmocka_unit_test(test_impair_loss_statistics),
        cmocka_unit_test(test_impair_seed_reproducible),
        cmocka_unit_test(test_impair_delay_and_jitter),
        cmocka_unit_test(test_impair_rate_spacing_and_queue),
        cmocka_unit_test(test_impair_duplicate_corrupt),
        cmocka_unit_test(test_impair_reorder),
        cmocka_unit_test(test_impair_bounded),
        cmocka_unit_test(test_pcap_golden),
        cmocka_unit_test(test_fixture_impaired_ping),
        cmocka_unit_test(test_fixture_pcap_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
