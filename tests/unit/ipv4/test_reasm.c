/* IPv4 reassembly: a 60 KB datagram end to end, out of order and
 * duplicated fragments, timeout (memory freed, ICMP time exceeded),
 * overlap, oversize, tiny fragments, set and memory limits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "ipv4/ipv4.h"
#include "net/stack.h"
#include "test_addr.h"

typedef struct setup {
    net_fixture *f;
    net_capture *cap;
    uint8_t dgram[4096]; /* a UDP datagram B -> A port 7 */
    size_t dlen;
    int sock;            /* A's socket on port 7 */
} setup;

static void small_limits(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->reasm_max_bytes = 4096;
    cfg->reasm_max_sets = 4;
}

static int setup_with(void **state, net_tune_fn tune)
{
    setup *st = calloc(1, sizeof *st);
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    *state = st;
    if (st == NULL || (st->f = net_fixture_captured(&o, &st->cap)) == NULL)
        return -1;
    /* a 1000-byte UDP payload with a valid checksum, B -> A */
    uint8_t payload[1000];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i ^ (i >> 8));
    synack_udp_repr u;
    memset(&u, 0, sizeof u);
    u.sport = 4000;
    u.dport = 7;
    memcpy(st->dgram + 8, payload, sizeof payload);
    st->dlen = synack_udp_emit(&u, st->dgram, sizeof payload, synack_ip4_pseudo_sum(net_ip(1), net_ip(0), SYNACK_IPPROTO_UDP));
    st->sock = synack_udp_open(st->f->a, 7);
    return 0;
}

static int fx_setup(void **state) { return setup_with(state, NULL); }
static int fx_setup_small(void **state) { return setup_with(state, small_limits); }

static int fx_teardown(void **state)
{
    setup *st = *state;
    size_t leaked = net_fixture_captured_free(st->f, st->cap);
    free(st);
    return leaked == 0 ? 0 : -1;
}

/* Inject bytes [off, off+len) of a datagram as one fragment to A. */
static void frag(setup *st, uint16_t id, const uint8_t *data, size_t off,
                 size_t len, bool mf)
{
    uint8_t buf[1600];
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), SYNACK_IPPROTO_UDP);
    ip.id = id;
    ip.mf = mf;
    ip.frag_off = (uint16_t)off;
    size_t n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, data + off, len);
    synack_input(st->f->a, st->f->now, buf, n);
}

static bool b_got(net_fixture *f, void *ctx)
{
    (void)f;
    int *h = ctx;
    return f->b->udp.socks[*h].count > 0;
}

static void test_60k_datagram(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int ha = synack_udp_open(f->a, 0);
    int hb = synack_udp_open(f->b, 9);
    size_t len = 60000;
    uint8_t *data = malloc(len), *got = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 31 + (i >> 9));
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 9, data, len), 0);
    assert_true(net_run_until(f, b_got, &hb, 1000));
    synack_addr src;
    uint16_t sport;
    assert_int_equal(synack_udp_recvfrom(f->b, hb, got, len, &src, &sport), (int)len);
    assert_memory_equal(got, data, len);
    assert_int_equal(synack_addr_to_ip4(&src), net_ip(0));
    assert_int_equal(sport, synack_udp_port(f->a, ha));
    synack_counters ca, cb;
    synack_get_counters(f->a, &ca);
    synack_get_counters(f->b, &cb);
    assert_int_equal(ca.ip_frags_out, 41); /* ceil(60008 / 1480) */
    assert_int_equal(cb.ip_reassembled, 1);
    assert_int_equal(f->b->ip.reasm_bytes, 0);
    assert_int_equal(synack_reasm_count(f->b), 0);
    /* and the largest one UDP allows */
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 9, data, 65508),
                     SYNACK_ERR_MSGSIZE);
    free(data);
    free(got);
}

static void test_out_of_order_and_duplicates(void **state)
{
    setup *st = *state;
    const uint8_t *d = st->dgram;
    /* 1008 bytes: 400 + 400 + 208, sent last-first with a duplicate */
    frag(st, 5, d, 800, 208, false);
    frag(st, 5, d, 400, 400, true);
    frag(st, 5, d, 400, 400, true); /* exact duplicate: ignored */
    assert_true(st->f->a->ip.reasm_bytes > 0);
    assert_int_equal(synack_reasm_count(st->f->a), 1);
    frag(st, 5, d, 0, 400, true);
    uint8_t got[1000];
    assert_int_equal(synack_udp_recvfrom(st->f->a, st->sock, got, sizeof got, NULL, NULL),
                     1000);
    assert_memory_equal(got, d + 8, 1000);
    assert_int_equal(synack_udp_recvfrom(st->f->a, st->sock, got, sizeof got, NULL, NULL),
                     SYNACK_ERR_AGAIN);
    assert_int_equal(st->f->a->ip.reasm_bytes, 0);
    assert_int_equal(synack_drops(st->f->a, SYNACK_DROP_IPV4_FRAG_OVERLAP), 0);
}

static void test_timeout_frees_memory(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *a = f->a;
    frag(st, 6, st->dgram, 0, 400, true);  /* first fragment only */
    frag(st, 7, st->dgram, 400, 400, true); /* a middle one only */
    assert_true(a->ip.reasm_bytes >= 800);
    assert_int_equal(synack_poll_at(a), f->now + 30000);
    uint64_t t0 = f->now;
    net_run_for(f, 29999);
    assert_int_equal(synack_reasm_count(a), 2);
    net_run_for(f, 1);
    assert_int_equal(f->now - t0, 30000);
    assert_int_equal(a->ip.reasm_bytes, 0);
    assert_int_equal(synack_reasm_count(a), 0);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_TIMEOUT), 2);
    /* time exceeded, code 1, only for the set whose first fragment came */
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 1);
    const net_frame *fr = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                           SYNACK_IPPROTO_ICMP, 0);
    assert_int_equal(fr->data[34], SYNACK_ICMP_TIME_EXCEEDED);
    assert_int_equal(fr->data[35], 1);
    /* quoted header names id 6 */
    assert_int_equal(fr->data[42 + 4], 0);
    assert_int_equal(fr->data[42 + 5], 6);
    assert_int_equal(synack_poll_at(a) > f->now, true);
}

static void test_overlap_rejected(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    uint8_t other[1008];
    memcpy(other, st->dgram, sizeof other);
    other[420] ^= 0xff;
    /* conflicting bytes in an overlapping fragment: the whole set goes */
    frag(st, 8, st->dgram, 0, 416, true);
    frag(st, 8, other, 400, 400, true);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_OVERLAP), 1);
    assert_int_equal(synack_reasm_count(a), 0);
    assert_int_equal(a->ip.reasm_bytes, 0);
    /* the rest of it alone can never complete the datagram */
    frag(st, 8, st->dgram, 800, 208, false);
    assert_int_equal(synack_udp_recvfrom(a, st->sock, NULL, 0, NULL, NULL),
                     SYNACK_ERR_AGAIN);
    /* a partial overlap with identical bytes is rejected too */
    frag(st, 9, st->dgram, 0, 400, true);
    frag(st, 9, st->dgram, 392, 400, true);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_OVERLAP), 2);
    /* two different ends for one datagram */
    frag(st, 10, st->dgram, 800, 208, false);
    frag(st, 10, st->dgram, 400, 200, false);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_OVERLAP), 3);
    assert_int_equal(a->ip.reasm_bytes - (synack_reasm_count(a) ? 0 : 0),
                     a->ip.reasm_bytes);
    net_run_for(st->f, 31000);
    assert_int_equal(a->ip.reasm_bytes, 0);
}

static void test_too_big_rejected(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    static uint8_t big[65536];
    /* ping of death: offset 65528 + 16 bytes > 65535 - 20 */
    frag(st, 11, big, 0, 400, true);
    frag(st, 11, big, 65528 - 400, 0, false); /* harmless: ends in range */
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_TOO_BIG), 0);
    frag(st, 12, big, 0, 400, true);
    frag(st, 12, big, 65512, 16, true);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_TOO_BIG), 1);
    assert_int_equal(synack_reasm_count(a), 1); /* set 12 went with it */
    frag(st, 13, big, 65512, 8, false);           /* ends at 65520 > 65515 */
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_TOO_BIG), 2);
    net_run_for(st->f, 31000);
    assert_int_equal(a->ip.reasm_bytes, 0);
}

static void test_tiny_fragments(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    frag(st, 14, st->dgram, 0, 12, true); /* not a multiple of 8 */
    frag(st, 15, st->dgram, 0, 0, true);  /* empty middle fragment */
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_BAD), 2);
    assert_int_equal(synack_reasm_count(a), 0);
    /* a non-first fragment says nothing about ports: no ICMP about it */
    frag(st, 16, st->dgram, 8, 8, false);
    net_run_for(st->f, 31000);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0), 0);
}

static void test_set_and_memory_limits(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *a = f->a;
    for (uint16_t id = 100; id < 105; id++)
        frag(st, id, st->dgram, 0, 8, true);
    assert_int_equal(synack_reasm_count(a), 4);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_FRAG_NOMEM), 1);
    net_run_for(f, 31000);
    assert_int_equal(a->ip.reasm_bytes, 0);

    /* 4096-byte cap: a 6000-byte datagram cannot be held */
    int hb = synack_udp_open(f->b, 0);
    static uint8_t data[6000];
    assert_int_equal(synack_udp_sendto(f->b, f->now, hb, ADDR4(net_ip(0)), 7, data,
                                       sizeof data), 0);
    net_run_for(f, 10);
    assert_true(synack_drops(a, SYNACK_DROP_IPV4_FRAG_NOMEM) >= 2);
    assert_int_equal(synack_udp_recvfrom(a, st->sock, NULL, 0, NULL, NULL),
                     SYNACK_ERR_AGAIN);
    assert_true(a->ip.reasm_bytes <= 4096);
    net_run_for(f, 31000);
    assert_int_equal(a->ip.reasm_bytes, 0);
    /* 3000 bytes fit */
    assert_int_equal(synack_udp_sendto(f->b, f->now, hb, ADDR4(net_ip(0)), 7, data, 3000), 0);
    net_run_for(f, 10);
    assert_int_equal(synack_udp_recvfrom(a, st->sock, NULL, 0, NULL, NULL), 3000);
    assert_int_equal(a->ip.reasm_bytes, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_60k_datagram, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_and_duplicates, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_frees_memory, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_overlap_rejected, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_too_big_rejected, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_tiny_fragments, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_set_and_memory_limits, fx_setup_small, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
