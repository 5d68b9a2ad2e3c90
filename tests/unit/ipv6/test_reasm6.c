/*
 * IPv6 reassembly (ipv6/reasm6.c, RFC 8200 4.5): in and out of order,
 * overlaps and duplicates drop the set (RFC 5722), atomic fragments
 * (RFC 6946), timeouts with Time Exceeded, floods of sets and of tiny
 * fragments within the bounds, bad lengths and offsets answered with
 * Parameter Problem, a first fragment without the upper-layer header
 * (RFC 7112).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ip6_frames.h"
#include "net/stack.h"

typedef net_setup setup;

static int fx_setup(void **state) { return ip6_setup(state, NULL); }

static uint8_t dgram[70000]; /* room for offsets up to 65535 */
static uint8_t pkt[5000];

/* UDP to B's port 7 with 2000 bytes of data: 2008 bytes to cut. */
static size_t make_dgram(void)
{
    uint8_t data[2000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    return ip6_udp_bytes(dgram, 0, 1, 7, data, sizeof data);
}

static void send_frag(net_fixture *f, uint32_t id, uint16_t off, size_t len, bool more)
{
    size_t n = ip6_frag(pkt, 0, 1, id, off, more, SYNACK_IPPROTO_UDP, dgram + off, len);
    synack_input(f->b, f->now, pkt, n);
}

static int got(synack_stack *s, int h)
{
    static uint8_t buf[4096];
    int n = 0, rc;
    while ((rc = synack_udp_recvfrom(s, h, buf, sizeof buf, NULL, NULL)) >= 0) {
        assert_int_equal(rc, 2000);
        for (int i = 0; i < 2000; i++)
            assert_int_equal(buf[i], (uint8_t)(i * 7));
        n++;
    }
    return n;
}

static void test_orders(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    size_t len = make_dgram();
    assert_int_equal(len, 2008);
    /* in order, reversed, middle first */
    uint16_t orders[3][3] = {{0, 1, 2}, {2, 1, 0}, {1, 2, 0}};
    for (int o = 0; o < 3; o++) {
        for (int k = 0; k < 3; k++) {
            uint16_t i = orders[o][k];
            uint16_t off = (uint16_t)(i * 800);
            size_t n = i == 2 ? len - 1600 : 800;
            send_frag(f, 100u + (uint32_t)o, off, n, i != 2);
        }
        assert_int_equal(got(f->b, h), 1);
        assert_int_equal(synack_reasm6_count(f->b), 0);
    }
    synack_counters c;
    synack_get_counters(f->b, &c);
    assert_int_equal(c.ip6_reassembled, 3);
    assert_int_equal(f->b->ip6.reasm_bytes, 0);
    /* an atomic fragment (offset 0, M clear) is a whole packet at once,
       even while a set of the same identification waits (RFC 6946) */
    send_frag(f, 7, 0, 800, true);
    send_frag(f, 7, 0, len, false);
    assert_int_equal(got(f->b, h), 1);
    assert_int_equal(synack_reasm6_count(f->b), 1);
    synack_udp_close(f->b, h);
}

static void test_overlaps(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    size_t len = make_dgram();
    /* overlapping the previous one by 8 bytes: the set is dropped, and so
       is everything else that comes for it (RFC 5722) */
    send_frag(f, 1, 0, 800, true);
    send_frag(f, 1, 792, 808, true);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_OVERLAP), 1);
    send_frag(f, 1, 800, 800, true);
    send_frag(f, 1, 1600, len - 1600, false);
    assert_int_equal(got(f->b, h), 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_OVERLAP), 3);
    assert_int_equal(f->b->ip6.reasm_bytes, 0);
    /* an exact duplicate is an overlap too */
    send_frag(f, 2, 800, 800, true);
    send_frag(f, 2, 800, 800, true);
    send_frag(f, 2, 0, 800, true);
    send_frag(f, 2, 1600, len - 1600, false);
    assert_int_equal(got(f->b, h), 0);
    /* a last fragment that ends before data already held, or a second end */
    send_frag(f, 3, 1600, len - 1600, false);
    send_frag(f, 3, 800, 400, false);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_BAD), 1);
    /* the dead sets go away with the timeout */
    net_run_for(f, 31000);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    /* and a clean datagram of id 1 is whole again */
    send_frag(f, 1, 0, 800, true);
    send_frag(f, 1, 800, 800, true);
    send_frag(f, 1, 1600, len - 1600, false);
    assert_int_equal(got(f->b, h), 1);
    synack_udp_close(f->b, h);
}

static void test_timeout(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    make_dgram();
    /* without the first fragment: expires silently */
    send_frag(f, 9, 800, 800, true);
    net_run_for(f, 29000);
    assert_int_equal(synack_reasm6_count(f->b), 1);
    net_run_for(f, 2000);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_TIMEOUT), 1);
    assert_null(ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_TIME_EXCEEDED));
    /* with it: Time Exceeded code 1 quoting the first fragment */
    send_frag(f, 10, 0, 800, true);
    net_run_for(f, 31000);
    const uint8_t *m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_TIME_EXCEEDED);
    assert_non_null(m);
    assert_int_equal(m[1], 1);
    assert_int_equal(memcmp(m + 8 + 8, net_ip6(0).b, 16), 0); /* quoted source */
    assert_int_equal(f->b->ip6.reasm_bytes, 0);
}

static void test_floods(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    size_t len = make_dgram();
    (void)len;
    uint32_t sets = f->b->cfg.reasm_max_sets;
    /* many datagrams at once: at most reasm_max_sets held */
    for (uint32_t id = 0; id < sets + 50; id++)
        send_frag(f, 1000 + id, 0, 800, true);
    assert_int_equal(synack_reasm6_count(f->b), sets);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_NOMEM), 50);
    assert_true(f->b->ip6.reasm_bytes <= f->b->cfg.reasm_max_bytes);
    net_run_for(f, 31000);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    assert_int_equal(f->b->ip6.reasm_bytes, 0);
    /* tiny fragments: the set is dropped past 64 pieces */
    for (uint16_t i = 0; i < 80; i++)
        send_frag(f, 77, (uint16_t)(i * 8), 8, true);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    assert_true(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_NOMEM) >= 51);
    /* the memory cap: big fragments to fresh sets stop at reasm_max_bytes */
    static uint8_t big[1400];
    for (uint32_t id = 0; id < 400; id++) {
        size_t n = ip6_frag(pkt, 0, 1, 5000 + id, (uint16_t)(8 * (id % 100 + 1)),
                            true, SYNACK_IPPROTO_UDP, big, sizeof big);
        synack_input(f->b, f->now, pkt, n);
        assert_true(f->b->ip6.reasm_bytes <= f->b->cfg.reasm_max_bytes);
    }
}

static void test_bad_fragments(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    make_dgram();
    /* a non-last fragment not a multiple of 8: Parameter Problem code 0,
       pointing at the Payload Length */
    send_frag(f, 1, 0, 801, true);
    net_settle(f);
    const uint8_t *m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(m);
    assert_int_equal(m[1], 0);
    assert_int_equal(synack_ld_be32(m + 4), 4);
    /* past 65535 bytes: pointing at the Fragment Offset */
    net_capture_clear(st->cap);
    send_frag(f, 2, 65000, 800, false);
    net_settle(f);
    m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(m);
    assert_int_equal(synack_ld_be32(m + 4), 42);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    /* RFC 7112: a first fragment that ends inside the header chain */
    uint8_t chain[16] = {SYNACK_IPPROTO_UDP, 1, 1, 12};
    size_t n = ip6_frag(pkt, 0, 1, 3, 0, true, SYNACK_IP6_NEXT_DSTOPTS, chain, 8);
    synack_input(f->b, f->now, pkt, n);
    assert_int_equal(synack_reasm6_count(f->b), 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_FRAG_BAD), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_orders, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_overlaps, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_timeout, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_floods, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_bad_fragments, fx_setup, net_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
