/* The stack value: configuration, creation, address, input demux, counters,
 * drop counting and trace events, link output errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "net/stack.h"
#include "synack_libc.h"
#include "test_addr.h"

static int null_send(void *ctx, const uint8_t *frame, size_t len)
{
    (void)frame;
    (void)len;
    int *n = ctx;
    (*n)++;
    return 0;
}

static int fail_send(void *ctx, const uint8_t *frame, size_t len)
{
    (void)ctx;
    (void)frame;
    (void)len;
    return -1;
}

static synack_config base_config(int *sent)
{
    synack_config c;
    synack_config_default(&c);
    c.alloc = synack_libc_allocator();
    c.link.send = null_send;
    c.link.ctx = sent;
    c.link.mtu = 1500;
    c.link.medium = SYNACK_MEDIUM_ETHERNET;
    c.seed = 42;
    /* these tests count frames and timers of an IPv4 stack: no IPv6
     * start-up traffic (link-local DAD, MLD, router solicitations) */
    c.ipv6.slaac = false;
    return c;
}

/* The MAC a stack with no configured MAC chose (seed, secret or NULL). */
static synack_mac chosen_mac(uint64_t seed, const uint8_t *secret)
{
    int sent = 0;
    synack_config c = base_config(&sent);
    c.seed = seed;
    if (secret != NULL) {
        c.ipv6.has_stable_secret = true;
        memcpy(c.ipv6.stable_secret, secret, 16);
    }
    synack_stack *s = NULL;
    assert_int_equal(synack_stack_new(&s, &c, 0), 0);
    synack_mac m = s->cfg.mac;
    synack_stack_free(s);
    assert_int_equal(m.b[0] & 3, 2); /* unicast, locally administered */
    return m;
}

/* With a stable secret and no MAC the stack derives its MAC from the
 * secret (RFC 7217 keys the identifiers with the MAC too): the same
 * after a restart with another random source; without one, random. */
static void test_mac_from_stable_secret(void **state)
{
    (void)state;
    static const uint8_t k1[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
    static const uint8_t k2[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 8};
    synack_mac a = chosen_mac(1, k1), b = chosen_mac(2, k1), c = chosen_mac(1, k2);
    assert_memory_equal(a.b, b.b, 6);
    assert_true(memcmp(a.b, c.b, 6) != 0);
    synack_mac r1 = chosen_mac(1, NULL), r2 = chosen_mac(2, NULL);
    assert_true(memcmp(r1.b, r2.b, 6) != 0);
}

static void test_config_defaults(void **state)
{
    (void)state;
    synack_config c;
    memset(&c, 0xab, sizeof c);
    synack_config_default(&c);
    assert_int_equal(c.ttl, 64);
    assert_int_equal(c.neigh_cache_size, 64);
    assert_int_equal(c.neigh_queue_len, 16);
    assert_int_equal(c.arp_timeout_ms, 60000);
    assert_int_equal(c.arp_retry_ms, 1000);
    assert_int_equal(c.arp_retries, 3);
    assert_int_equal(c.reasm_max_bytes, 256 * 1024);
    assert_int_equal(c.reasm_timeout_ms, 30000);
    assert_int_equal(c.reasm_max_sets, 16);
    assert_int_equal(c.udp_max_sockets, 64);
    assert_int_equal(c.udp_queue_len, 64);
    assert_int_equal(c.icmp_max_sockets, 16);
    assert_int_equal(c.icmp_errors_per_s, 100);
    assert_true(c.verify_checksums);
    assert_int_equal(c.tcp.sndbuf, 8 * 1024 * 1024);
    assert_int_equal(c.tcp.rcvbuf, 8 * 1024 * 1024);
    assert_int_equal(c.tcp.rto_min_ms, 200);
    assert_int_equal(c.tcp.rto_max_ms, 60000);
    assert_int_equal(c.tcp.rto_initial_ms, 1000);
    assert_int_equal(c.tcp.syn_retries, 6);
    assert_int_equal(c.tcp.data_retries, 15);
    assert_int_equal(c.tcp.msl_ms, 30000);
    assert_int_equal(c.tcp.delack_ms, 40);
    assert_int_equal(c.tcp.max_conns, 1024);
    assert_int_equal(c.tcp.cc, SYNACK_CC_CUBIC);
    assert_true(c.tcp.sack && c.tcp.timestamps && c.tcp.window_scaling);
    assert_true(c.tcp.syn_cookies);
    assert_false(c.tcp.nodelay || c.tcp.keepalive);
    assert_null(c.alloc.alloc);
    assert_null(c.link.send);
}

static void test_new_validates(void **state)
{
    (void)state;
    int sent = 0;
    synack_stack *s = (synack_stack *)&sent;
    synack_config c = base_config(&sent);
    c.link.send = NULL;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_ERR_INVAL);
    assert_null(s);
    c = base_config(&sent);
    c.alloc.alloc = NULL;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_ERR_INVAL);
    c = base_config(&sent);
    c.link.mtu = 67;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_ERR_INVAL);
    c.link.mtu = 65536;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_ERR_INVAL);
    c.link.mtu = 68;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_OK);
    assert_non_null(s);
    synack_stack_free(s);
    synack_stack_free(NULL);
}

static void test_zero_limits_mean_defaults(void **state)
{
    (void)state;
    int sent = 0;
    synack_config c;
    memset(&c, 0, sizeof c);
    c.alloc = synack_libc_allocator();
    c.link.send = null_send;
    c.link.ctx = &sent;
    c.link.mtu = 1500;
    synack_stack *s;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_OK);
    assert_int_equal(s->cfg.ttl, 64);
    assert_int_equal(s->cfg.neigh_cache_size, 64);
    assert_int_equal(s->cfg.udp_queue_len, 64);
    /* no MAC given: random, unicast, locally administered */
    synack_mac m = synack_get_mac(s);
    assert_int_equal(m.b[0] & 0x03, 0x02);
    synack_stack_free(s);
}

static void test_set_get_ipv4_announces(void **state)
{
    (void)state;
    net_fixture *f = net_fixture_new(NULL);
    assert_non_null(f);
    net_capture *cap = net_capture_attach(f);
    synack_ip4 addr, gw;
    uint8_t plen;
    synack_get_ipv4(f->a, &addr, &plen, &gw);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 1));
    assert_int_equal(plen, 24);
    assert_int_equal(gw, 0);
    assert_int_equal(synack_set_ipv4(f->a, f->now, SYNACK_IP4(10, 0, 0, 9), 33, 0),
                     SYNACK_ERR_INVAL);
    assert_int_equal(synack_set_ipv4(f->a, f->now, SYNACK_IP4(10, 0, 0, 9), 24,
                                     SYNACK_IP4(10, 0, 0, 254)), SYNACK_OK);
    synack_get_ipv4(f->a, &addr, NULL, &gw);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 9));
    /* a packet waiting for ARP is dropped (and counted) on a change */
    int u = synack_udp_open(f->a, 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, u, ADDR4(SYNACK_IP4(10, 0, 0, 50)),
                                       9, "w", 1), 0);
    assert_int_equal(synack_set_ipv4(f->a, f->now, SYNACK_IP4(10, 0, 0, 10), 24, 0),
                     SYNACK_OK);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED), 1);
    net_capture_clear(cap);
    assert_int_equal(synack_set_ipv4(f->a, f->now, SYNACK_IP4(10, 0, 0, 9), 24,
                                     SYNACK_IP4(10, 0, 0, 254)), SYNACK_OK);
    assert_int_equal(gw, SYNACK_IP4(10, 0, 0, 254));
    /* RFC 5227 announcement: broadcast request, spa == tpa == new address */
    assert_int_equal(net_capture_count(cap, 0, SYNACK_ETHERTYPE_ARP, 0), 1);
    const net_frame *fr = net_capture_find(cap, 0, SYNACK_ETHERTYPE_ARP, 0, 0);
    synack_arp_repr arp;
    assert_int_equal(synack_arp_parse(fr->data + 14, fr->len - 14, &arp), SYNACK_ARP_LEN);
    assert_int_equal(arp.op, SYNACK_ARP_REQUEST);
    assert_int_equal(arp.spa, SYNACK_IP4(10, 0, 0, 9));
    assert_int_equal(arp.tpa, SYNACK_IP4(10, 0, 0, 9));
    for (int i = 0; i < 6; i++)
        assert_int_equal(fr->data[i], 0xff);
    free(cap);
    assert_int_equal(net_fixture_free(f), 0);
}

typedef struct trace_log {
    int drops;
    const char *layer, *reason;
    uint64_t t;
} trace_log;

static void on_trace(void *ctx, const synack_trace_event *ev)
{
    trace_log *log = ctx;
    if (ev->kind == SYNACK_TRACE_DROP) {
        log->drops++;
        log->layer = ev->u.drop.layer;
        log->reason = ev->u.drop.reason;
        log->t = ev->t;
        assert_int_equal(ev->conn, -1);
    }
}

static void test_input_demux_and_drops(void **state)
{
    (void)state;
    net_fixture *f = net_fixture_new(NULL);
    trace_log log = {0};
    synack_set_trace(f->b, on_trace, &log);
    uint8_t buf[128];

    f->now = 77;
    synack_input(f->b, f->now, buf, 13); /* runt */
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ETH_RUNT), 1);
    assert_int_equal(log.drops, 1);
    assert_string_equal(log.layer, "eth");
    assert_int_equal(log.t, 77);

    /* another host's MAC */
    size_t n = net_build_udp(buf, 0, 1, 1000, 7, "x", 1);
    buf[5] = 0x77;
    synack_input(f->b, f->now, buf, n);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ETH_NOT_FOR_US), 1);

    /* our own frame looped back (source MAC is ours) */
    n = net_build_udp(buf, 1, 1, 1000, 7, "x", 1);
    synack_input(f->b, f->now, buf, n);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ETH_NOT_FOR_US), 2);

    /* unknown ethertype */
    n = net_build_udp(buf, 0, 1, 1000, 7, "x", 1);
    buf[12] = 0x88;
    buf[13] = 0xb5;
    synack_input(f->b, f->now, buf, n);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ETH_ETHERTYPE), 1);

    synack_counters c;
    synack_get_counters(f->b, &c);
    assert_int_equal(c.frames_in, 4);
    assert_int_equal(c.bytes_in, 13 + 3 * n);
    assert_int_equal(c.drops_total, 4);
    assert_int_equal(log.drops, 4);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP__COUNT), 0);

    synack_set_trace(f->b, NULL, NULL);
    synack_input(f->b, f->now, buf, 3);
    assert_int_equal(log.drops, 4);
    assert_int_equal(net_fixture_free(f), 0);
}

static void test_link_send_failure_counted(void **state)
{
    (void)state;
    synack_config c = base_config(NULL);
    c.link.send = fail_send;
    synack_stack *s;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_OK);
    assert_int_equal(synack_set_ipv4(s, 0, SYNACK_IP4(10, 0, 0, 1), 24, 0), SYNACK_OK);
    assert_int_equal(synack_drops(s, SYNACK_DROP_LINK_SEND), 1);
    synack_counters cnt;
    synack_get_counters(s, &cnt);
    assert_int_equal(cnt.frames_out, 0);
    synack_stack_free(s);
}

static void test_counters_out(void **state)
{
    (void)state;
    int sent = 0;
    synack_config c = base_config(&sent);
    synack_stack *s;
    assert_int_equal(synack_stack_new(&s, &c, 0), SYNACK_OK);
    assert_int_equal(synack_poll_at(s), UINT64_MAX);
    assert_int_equal(synack_set_ipv4(s, 0, SYNACK_IP4(10, 0, 0, 1), 24, 0), SYNACK_OK);
    synack_counters cnt;
    synack_get_counters(s, &cnt);
    assert_int_equal(sent, 1);
    assert_int_equal(cnt.frames_out, 1);
    assert_int_equal(cnt.bytes_out, 42);
    synack_stack_free(s);
}

static void test_same_seed_same_run(void **state)
{
    (void)state;
    int sent = 0;
    synack_config c = base_config(&sent);
    synack_stack *s1, *s2, *s3;
    assert_int_equal(synack_stack_new(&s1, &c, 0), SYNACK_OK);
    assert_int_equal(synack_stack_new(&s2, &c, 0), SYNACK_OK);
    c.seed = 43;
    assert_int_equal(synack_stack_new(&s3, &c, 0), SYNACK_OK);
    assert_memory_equal(s1->secret, s2->secret, 16);
    assert_true(memcmp(s1->secret, s3->secret, 16) != 0);
    synack_stack_free(s1);
    synack_stack_free(s2);
    synack_stack_free(s3);
}

static void test_alloc_failure_no_leak(void **state)
{
    (void)state;
    /* Every allocation limit from 0 up: creation fails cleanly or works. */
    net_fixture *f = net_fixture_new(NULL);
    assert_non_null(f);
    size_t base = f->mem_in_use;
    int ok = 0;
    /* step finely through small limits, then coarsely (bounded) */
    for (size_t limit = 0; limit < (64u << 20) && ok == 0;
         limit += limit < 300000 ? 1024 : 65536) {
        synack_config c;
        synack_config_default(&c);
        c.alloc = f->alloc;
        c.link = synack_pair_link(f->pair, 0);
        f->mem_limit = base + limit;
        synack_stack *s = NULL;
        int rc = synack_stack_new(&s, &c, 0);
        if (rc == SYNACK_OK) {
            ok++;
            synack_stack_free(s);
        } else {
            assert_int_equal(rc, SYNACK_ERR_NOMEM);
            assert_null(s);
        }
        assert_int_equal(f->mem_in_use, base);
    }
    f->mem_limit = 0;
    assert_true(ok > 0);
    assert_int_equal(net_fixture_free(f), 0);
}

/* Mutated valid frames of every kind: never a crash, always accounted. */
static void test_mutated_frames(void **state)
{
    (void)state;
    net_fixture *f = net_fixture_new(NULL);
    assert_non_null(f);
    synack_udp_open(f->b, 7);
    int ph = synack_ping_open(f->b);
    assert_true(ph >= 0);
    synack_rng rng;
    synack_rng_seed(&rng, 1234);
    static uint8_t buf[1600];
    for (int i = 0; i < 20000; i++) {
        size_t n;
        switch (i % 4) {
        case 0:
            n = net_build_udp(buf, 0, 1, 1000, 7, "payload!", 8);
            break;
        case 1:
            n = net_build_echo(buf, 0, 1, 1, (uint16_t)i, "ping", 4);
            break;
        case 2: {
            synack_ip4_repr ip = net_ip_repr(net_ip(0), net_ip(1), SYNACK_IPPROTO_UDP);
            ip.mf = (i & 8) != 0;
            ip.frag_off = (uint16_t)(synack_rng_below(&rng, 64) * 8);
            ip.id = (uint16_t)synack_rng_below(&rng, 4);
            uint8_t l4[64];
            memset(l4, (int)i, sizeof l4);
            n = net_build_ip(buf, net_mac(1), net_mac(0), &ip, l4,
                             8 * (1 + synack_rng_below(&rng, 8)));
            break;
        }
        default: {
            synack_eth_repr eth = {net_mac(1), net_mac(0), SYNACK_ETHERTYPE_ARP};
            synack_arp_repr arp = {SYNACK_ARP_REQUEST, net_mac(0), {{0}}, net_ip(0),
                                   net_ip(1)};
            n = synack_eth_emit(&eth, buf);
            n += synack_arp_emit(&arp, buf + n);
            break;
        }
        }
        /* flip a few bytes after the Ethernet addresses, maybe cut it */
        uint32_t flips = 1 + synack_rng_below(&rng, 4);
        for (uint32_t k = 0; k < flips; k++)
            buf[12 + synack_rng_below(&rng, (uint32_t)n - 12)] ^=
                (uint8_t)(1 + synack_rng_below(&rng, 255));
        if (synack_rng_below(&rng, 4) == 0)
            n = synack_rng_below(&rng, (uint32_t)n + 1);
        synack_input(f->b, f->now, buf, n);
        if (i % 100 == 0)
            net_run_for(f, 50);
    }
    net_run_for(f, 60000);
    synack_counters c;
    synack_get_counters(f->b, &c);
    assert_true(c.frames_in > 20000);
    assert_true(c.drops_total > 1000);
    assert_int_equal(f->b->ip.reasm_bytes, 0);
    synack_ping_close(f->b, ph);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_mac_from_stable_secret),
        cmocka_unit_test(test_new_validates),
        cmocka_unit_test(test_zero_limits_mean_defaults),
        cmocka_unit_test(test_set_get_ipv4_announces),
        cmocka_unit_test(test_input_demux_and_drops),
        cmocka_unit_test(test_link_send_failure_counted),
        cmocka_unit_test(test_counters_out),
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_alloc_failure_no_leak),
        cmocka_unit_test(test_mutated_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
