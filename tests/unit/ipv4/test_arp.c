/* ARP: resolution with queueing, answering, the update (anti-spoof) rule,
 * give-up with unreachable reports, queue bound, ageing. */
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
#include "ipv4/arp.h"
#include "net/stack.h"
#include "test_addr.h"

static const synack_mac mac_g1 = {{0x02, 0xaa, 0, 0, 0, 1}};
static const synack_mac mac_g2 = {{0x02, 0xbb, 0, 0, 0, 2}};
static const synack_mac mac_g3 = {{0x02, 0xcc, 0, 0, 0, 3}};
#define GW SYNACK_IP4(10, 0, 0, 254)

static size_t build_arp(uint8_t *buf, uint16_t op, synack_mac eth_dst,
                        synack_mac sha, synack_ip4 spa, synack_mac tha,
                        synack_ip4 tpa)
{
    synack_eth_repr eth = {eth_dst, sha, SYNACK_ETHERTYPE_ARP};
    synack_arp_repr arp = {op, sha, tha, spa, tpa};
    size_t n = synack_eth_emit(&eth, buf);
    return n + synack_arp_emit(&arp, buf + n);
}

typedef net_setup setup;

static int fx_setup(void **state)
{
    net_fixture_opts o = net_fixture_defaults();
    o.gateway_a = GW;
    return net_setup_with(state, &o);
}

static bool b_has_datagram(net_fixture *f, void *ctx)
{
    (void)f;
    int *h = ctx;
    return synack_udp_recvfrom(f->b, *h, NULL, 0, NULL, NULL) >= 0;
}

static void test_resolve_and_send_queued(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int hb = synack_udp_open(f->b, 7);
    int ha = synack_udp_open(f->a, 0);
    assert_true(ha >= 0 && hb >= 0);
    assert_false(synack_arp_lookup(f->a, f->now, net_ip(1), NULL));
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "q", 1), 0);
    /* the datagram waits; a broadcast request went out */
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0), 0);
    const net_frame *req = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_ARP, 0, 0);
    assert_non_null(req);
    for (int i = 0; i < 6; i++)
        assert_int_equal(req->data[i], 0xff);
    synack_arp_repr r;
    assert_int_equal(synack_arp_parse(req->data + 14, req->len - 14, &r), 28);
    assert_int_equal(r.op, SYNACK_ARP_REQUEST);
    assert_int_equal(r.tpa, net_ip(1));
    assert_int_equal(r.spa, net_ip(0));

    assert_true(net_run_until(f, b_has_datagram, &hb, 100));
    synack_mac m;
    assert_true(synack_arp_lookup(f->a, f->now, net_ip(1), &m));
    synack_mac want = net_mac(1);
    assert_memory_equal(m.b, want.b, 6);
    /* B learned A from the request (RFC 826) and replied unicast */
    assert_true(synack_arp_lookup(f->b, f->now, net_ip(0), NULL));
    const net_frame *rep = net_capture_find(st->cap, 1, SYNACK_ETHERTYPE_ARP, 0, 0);
    assert_non_null(rep);
    synack_mac amac = net_mac(0);
    assert_memory_equal(rep->data, amac.b, 6);
    /* frame order on the wire: request, reply, then the queued datagram */
    assert_int_equal(st->cap->count, 3);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_UDP), 1);
    assert_true(net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0, 0) ==
                &st->cap->frames[2]);

    /* B answers without asking: it already knows A */
    net_capture_clear(st->cap);
    assert_int_equal(synack_udp_sendto(f->b, f->now, hb, ADDR4(net_ip(0)),
                     (uint16_t)synack_udp_port(f->a, ha), "r", 1), 0);
    net_run_for(f, 10);
    assert_int_equal(net_capture_count(st->cap, -1, SYNACK_ETHERTYPE_ARP, 0), 0);
    assert_int_equal(synack_udp_recvfrom(f->a, ha, NULL, 0, NULL, NULL), 1);
}

/* A's `neigh` trace events for IPv4 neighbours, as JSON lines. */
static struct {
    char line[16][160];
    int n;
} tr;

static void collect(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    if (ev->kind == SYNACK_TRACE_NEIGH && ev->u.neigh.addr.family == SYNACK_AF_IP4 &&
        tr.n < 16)
        synack_trace_json(ev, tr.line[tr.n++], sizeof tr.line[0]);
}

static void tune_trace(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    if (side == 0)
        cfg->trace = collect;
}

/*
 * ARP's entries report the same neighbour states as NDP's (DESIGN.md
 * trace events): INCOMPLETE while the request is out, REACHABLE on the
 * reply; after arp_timeout_ms the next use revalidates it (STALE ->
 * PROBE), and the reply makes it REACHABLE again.
 */
static void test_neigh_trace_events(void **state)
{
    (void)state;
    memset(&tr, 0, sizeof tr);
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune_trace;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    int hb = synack_udp_open(f->b, 7);
    int ha = synack_udp_open(f->a, 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "q", 1), 0);
    assert_true(net_run_until(f, b_has_datagram, &hb, 100));
    assert_int_equal(tr.n, 2);
    assert_non_null(strstr(tr.line[0], "\"ev\":\"neigh\",\"addr\":\"10.0.0.2\","
                                       "\"mac\":\"00:00:00:00:00:00\","
                                       "\"from\":\"NONE\",\"to\":\"INCOMPLETE\"}"));
    synack_mac m = net_mac(1);
    char want[160];
    snprintf(want, sizeof want,
             "\"addr\":\"10.0.0.2\",\"mac\":\"%02x:%02x:%02x:%02x:%02x:%02x\","
             "\"from\":\"INCOMPLETE\",\"to\":\"REACHABLE\"}",
             m.b[0], m.b[1], m.b[2], m.b[3], m.b[4], m.b[5]);
    assert_non_null(strstr(tr.line[1], want));
    net_run_for(f, f->a->cfg.arp_timeout_ms);
    assert_int_equal(tr.n, 2); /* expiry is lazy: nothing until used */
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "r", 1), 0);
    net_run_for(f, 100);
    assert_int_equal(tr.n, 4);
    assert_non_null(strstr(tr.line[2], "\"from\":\"STALE\",\"to\":\"PROBE\"}"));
    assert_non_null(strstr(tr.line[3], "\"from\":\"PROBE\",\"to\":\"REACHABLE\"}"));
    assert_int_equal(net_fixture_free(f), 0);
}

static void test_answers_only_own_address(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    uint8_t buf[64];
    static const synack_mac zero = {{0}};
    static const synack_mac bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    /* B's announcement already counted as one "not for us" */
    uint64_t base = synack_drops(f->a, SYNACK_DROP_ARP_NOT_FOR_US);
    size_t n = build_arp(buf, SYNACK_ARP_REQUEST, bc, mac_g1,
                         SYNACK_IP4(10, 0, 0, 50), zero, SYNACK_IP4(10, 0, 0, 51));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_NOT_FOR_US), base + 1);
    assert_int_equal(st->cap->count, 0);
    assert_false(synack_arp_lookup(f->a, f->now, SYNACK_IP4(10, 0, 0, 50), NULL));

    n = build_arp(buf, SYNACK_ARP_REQUEST, bc, mac_g1, SYNACK_IP4(10, 0, 0, 50),
                  zero, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(st->cap->count, 1);
    const net_frame *fr = &st->cap->frames[0];
    synack_arp_repr r;
    assert_int_equal(synack_arp_parse(fr->data + 14, fr->len - 14, &r), 28);
    assert_int_equal(r.op, SYNACK_ARP_REPLY);
    assert_int_equal(r.spa, net_ip(0));
    assert_int_equal(r.tpa, SYNACK_IP4(10, 0, 0, 50));
    assert_memory_equal(r.tha.b, mac_g1.b, 6);
    assert_memory_equal(fr->data, mac_g1.b, 6);
    assert_true(synack_arp_lookup(f->a, f->now, SYNACK_IP4(10, 0, 0, 50), NULL));

    /* malformed: truncated, and a multicast sender */
    synack_input(f->a, f->now, buf, 30);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_MALFORMED), 1);
    synack_mac mc = {{0x01, 0, 0x5e, 0, 0, 1}};
    n = build_arp(buf, SYNACK_ARP_REQUEST, bc, mc, SYNACK_IP4(10, 0, 0, 52),
                  zero, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_MALFORMED), 2);
}

static void test_gateway_spoof_refused(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    uint8_t buf[64];
    synack_mac amac = net_mac(0);
    static const synack_mac bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    static const synack_mac zero = {{0}};

    /* an unsolicited reply creates nothing */
    size_t n = build_arp(buf, SYNACK_ARP_REPLY, amac, mac_g2, GW, amac, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_false(synack_arp_lookup(f->a, f->now, GW, NULL));

    /* traffic off-link goes through the gateway: resolve it */
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR4(SYNACK_IP4(8, 8, 8, 8)), 1,
                                      NULL, 0), 0);
    const net_frame *req = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_ARP, 0, 0);
    assert_non_null(req);
    synack_arp_repr r;
    synack_arp_parse(req->data + 14, req->len - 14, &r);
    assert_int_equal(r.tpa, GW);
    n = build_arp(buf, SYNACK_ARP_REPLY, amac, mac_g1, GW, amac, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    synack_mac m;
    assert_true(synack_arp_lookup(f->a, f->now, GW, &m));
    assert_memory_equal(m.b, mac_g1.b, 6);
    /* the queued echo request left for the gateway's MAC */
    const net_frame *ping = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                             SYNACK_IPPROTO_ICMP, 0);
    assert_non_null(ping);
    assert_memory_equal(ping->data, mac_g1.b, 6);

    /* unsolicited reply with another MAC: refused and counted */
    f->now += 10;
    n = build_arp(buf, SYNACK_ARP_REPLY, amac, mac_g2, GW, amac, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_SPOOF), 1);
    assert_true(synack_arp_lookup(f->a, f->now, GW, &m));
    assert_memory_equal(m.b, mac_g1.b, 6);

    /* same MAC again: a harmless refresh, not a spoof */
    n = build_arp(buf, SYNACK_ARP_REPLY, amac, mac_g1, GW, amac, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_SPOOF), 1);

    /* the gateway speaking for itself (a request from GW) may move it */
    n = build_arp(buf, SYNACK_ARP_REQUEST, bc, mac_g3, GW, zero, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_true(synack_arp_lookup(f->a, f->now, GW, &m));
    assert_memory_equal(m.b, mac_g3.b, 6);

    /* somebody claiming our own address: conflict, dropped */
    n = build_arp(buf, SYNACK_ARP_REPLY, amac, mac_g2, net_ip(0), amac, net_ip(0));
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ARP_SPOOF), 2);
    synack_ping_close(f->a, h);
}

static bool ping_error(net_fixture *f, void *ctx)
{
    int *h = ctx;
    int rc = synack_ping_recv(f->a, *h, NULL, NULL, NULL, 0);
    if (rc == SYNACK_ERR_AGAIN)
        return false;
    h[1] = rc;
    return true;
}

static void test_give_up_reports_unreachable(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_ip4 missing = SYNACK_IP4(10, 0, 0, 99);
    int h[2] = {synack_ping_open(f->a), 0};
    int u = synack_udp_open(f->a, 5000);
    int other = synack_udp_open(f->a, 5001);
    uint64_t t0 = f->now;
    assert_int_equal(synack_ping_send(f->a, f->now, h[0], ADDR4(missing), 1, "a", 1), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, u, ADDR4(missing), 9, "b", 1), 0);
    assert_true(net_run_until(f, ping_error, h, 10000));
    assert_int_equal(h[1], SYNACK_ERR_UNREACHABLE);
    /* 1 request + arp_retries (3) retransmissions, 1 s apart, give-up at 4 s */
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_ARP, 0), 4);
    assert_int_equal(f->now - t0, 4000);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED), 2);
    assert_int_equal(synack_ping_recv(f->a, h[0], NULL, NULL, NULL, 0), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_udp_recvfrom(f->a, u, NULL, 0, NULL, NULL),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_udp_recvfrom(f->a, u, NULL, 0, NULL, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_udp_recvfrom(f->a, other, NULL, 0, NULL, NULL),
                     SYNACK_ERR_AGAIN);
    assert_int_equal(synack_poll_at(f->a), UINT64_MAX);
    synack_ping_close(f->a, h[0]);
}

static void test_queue_bound(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int u = synack_udp_open(f->a, 0);
    for (int i = 0; i < 20; i++)
        assert_int_equal(synack_udp_sendto(f->a, f->now, u, ADDR4(SYNACK_IP4(10, 0, 0, 77)),
                                           9, "z", 1), 0);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_QUEUE_FULL), 4);
    /* only one request for all of them */
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_ARP, 0), 1);
    net_run_for(f, 5000);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_NEIGH_FAILED), 16);
}

static void test_ageing_and_refresh(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int ha = synack_udp_open(f->a, 0);
    int hb = synack_udp_open(f->b, 7);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "q", 1), 0);
    net_run_for(f, 10);
    assert_true(synack_arp_lookup(f->a, f->now, net_ip(1), NULL));
    net_capture_clear(st->cap);

    /* keep using it in the second half of its life: refreshed, never lost */
    for (int i = 0; i < 8; i++) {
        net_run_for(f, 10000);
        assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "q", 1), 0);
    }
    net_run_for(f, 100);
    assert_true(synack_arp_lookup(f->a, f->now, net_ip(1), NULL));
    assert_true(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_ARP, 0) >= 1);
    for (int i = 0; i < 9; i++)
        assert_int_equal(synack_udp_recvfrom(f->b, hb, NULL, 0, NULL, NULL), 1);

    /* unused: aged out after arp_timeout_ms */
    net_run_for(f, 130000);
    assert_false(synack_arp_lookup(f->a, f->now, net_ip(1), NULL));
    assert_false(synack_arp_lookup(f->b, f->now, net_ip(0), NULL));
    assert_int_equal(synack_poll_at(f->a), UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_neigh_trace_events),
        cmocka_unit_test_setup_teardown(test_resolve_and_send_queued, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_answers_only_own_address, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_gateway_spoof_refused, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_give_up_reports_unreachable, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_queue_bound, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_ageing_and_refresh, fx_setup, net_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
