/*
 * DHCP client (RFC 2131) against the test server on stack B, with
 * explicit time: DISCOVER/OFFER/REQUEST/ACK, renewal at T1 (unicast),
 * rebinding at T2 (broadcast), expiry, NAK, retransmission backoff
 * (section 4.1) and malformed replies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cc_dhcp_server.h"
#include "cc_run.h"
#include "net_fixture.h"
#include "wire/wire_app.h"
#include "test_addr.h"

#define CLIENT_MAC_LAST 0x01 /* the fixture gives A 02:00:00:00:00:01 */

typedef struct env {
    net_fixture *f;
    cc_dhcp_server srv;
    cc_dhcp_log log;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    net_fixture_opts o = net_fixture_defaults();
    o.no_addresses = true;
    e->f = net_fixture_new(&o);
    assert_non_null(e->f);
    assert_int_equal(synack_set_ipv4(e->f->b, 0, SYNACK_IP4(10, 0, 0, 2), 24, 0), 0);
    assert_int_equal(cc_dhcp_server_start(&e->srv, e->f->b, 100), 0);
    e->f->tap = cc_dhcp_tap;
    e->f->tap_ctx = &e->log;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    assert_int_equal(net_fixture_free(e->f), 0);
    free(e);
    return 0;
}

static bool is_bound(net_fixture *f, void *ctx)
{
    (void)ctx;
    return synack_dhcp_get_state(f->a) == SYNACK_DHCP_BOUND;
}

static bool state_is(net_fixture *f, void *ctx)
{
    return synack_dhcp_get_state(f->a) == *(synack_dhcp_state *)ctx;
}

static bool run(env *e, net_cond_fn cond, void *ctx, uint64_t max_ms)
{
    return cc_run_until(e->f, cc_dhcp_server_service, &e->srv, cond, ctx, max_ms);
}

typedef struct msgs_goal {
    const env *e;
    uint32_t n;
} msgs_goal;

static bool enough_msgs(net_fixture *f, void *ctx)
{
    (void)f;
    const msgs_goal *g = ctx;
    return g->e->log.count >= g->n;
}

/* Run until the client has sent `n` messages in all. */
static bool run_to_msgs(env *e, uint32_t n, uint64_t max_ms)
{
    msgs_goal g = {e, n};
    return run(e, enough_msgs, &g, max_ms);
}

static void check_discover(const cc_dhcp_sent *m)
{
    assert_int_equal(m->m.msg_type, SYNACK_DHCPDISCOVER);
    assert_true(m->eth_bcast);
    assert_int_equal(m->ip_src, 0);
    assert_int_equal(m->ip_dst, 0xffffffffu);
    assert_int_equal(m->sport, 68);
    assert_int_equal(m->dport, 67);
    assert_int_equal(m->m.op, SYNACK_BOOTREQUEST);
    assert_int_equal(m->m.htype, 1);
    assert_int_equal(m->m.hlen, 6);
    assert_int_equal(m->m.ciaddr, 0);
    assert_int_equal(m->m.chaddr[5], CLIENT_MAC_LAST);
    assert_true(m->m.param_count >= 3);
}

/* The whole life of a lease (100 s: T1 50 s, T2 87.5 s). */
static void test_lease_lifecycle(void **state)
{
    env *e = *state;
    net_fixture *f = e->f;
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_STOPPED);
    synack_dhcp_lease l;
    assert_int_equal(synack_dhcp_get_lease(f->a, &l), SYNACK_ERR_AGAIN);

    /* DISCOVER -> OFFER -> REQUEST -> ACK */
    assert_int_equal(synack_dhcp_start(f->a, f->now), 0);
    assert_int_equal(synack_dhcp_start(f->a, f->now), SYNACK_ERR_ISCONN);
    assert_true(run(e, is_bound, NULL, 100));
    uint64_t bound_at = f->now;
    assert_true(bound_at < 10);
    assert_int_equal(e->log.count, 2);
    check_discover(&e->log.e[0]);
    const cc_dhcp_sent *req = &e->log.e[1];
    assert_int_equal(req->m.msg_type, SYNACK_DHCPREQUEST);
    assert_true(req->eth_bcast);
    assert_int_equal(req->ip_src, 0);
    assert_int_equal(req->ip_dst, 0xffffffffu);
    assert_int_equal(req->m.xid, e->log.e[0].m.xid); /* answers the OFFER */
    assert_int_equal(req->m.ciaddr, 0);
    assert_true(req->m.has_requested_ip);
    assert_int_equal(req->m.requested_ip, SYNACK_IP4(10, 0, 0, 15));
    assert_true(req->m.has_server_id);
    assert_int_equal(req->m.server_id, SYNACK_IP4(10, 0, 0, 2));

    assert_int_equal(synack_dhcp_get_lease(f->a, &l), 0);
    assert_int_equal(l.addr, SYNACK_IP4(10, 0, 0, 15));
    assert_int_equal(l.prefix_len, 24);
    assert_int_equal(l.gateway, SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(l.dns[0], SYNACK_IP4(10, 0, 0, 3));
    assert_int_equal(l.dns[1], 0);
    assert_int_equal(l.server, SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(l.lease_s, 100);
    synack_ip4 addr, gw;
    uint8_t plen;
    synack_get_ipv4(f->a, &addr, &plen, &gw);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 15));
    assert_int_equal(plen, 24);
    assert_int_equal(gw, SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(synack_get_dns(f->a), SYNACK_IP4(10, 0, 0, 3));

    /* Quiet until T1 = 50 s after the REQUEST. */
    uint64_t t0 = e->log.e[1].t;
    assert_int_equal(synack_poll_at(f->a) <= t0 + 50000, true);
    assert_false(run_to_msgs(e, 3, t0 + 50000 - 1 - f->now));
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_BOUND);

    /* T1: REQUEST unicast to the server from our address (4.4.5). */
    assert_true(run_to_msgs(e, 3, 10));
    const cc_dhcp_sent *renew = &e->log.e[2];
    assert_int_equal(renew->t, t0 + 50000);
    assert_int_equal(renew->m.msg_type, SYNACK_DHCPREQUEST);
    assert_false(renew->eth_bcast);
    assert_int_equal(renew->ip_src, SYNACK_IP4(10, 0, 0, 15));
    assert_int_equal(renew->ip_dst, SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(renew->m.ciaddr, SYNACK_IP4(10, 0, 0, 15));
    assert_false(renew->m.has_requested_ip);
    assert_false(renew->m.has_server_id);
    assert_true(run(e, is_bound, NULL, 100));
    assert_int_equal(e->srv.acks, 2);
    uint64_t t1 = renew->t; /* the renewed lease runs from here */

    /* The server cannot be reached by unicast: the renewal at the next T1
     * goes unanswered; at T2 the client broadcasts (REBINDING). */
    e->log.drop_unicast = true;
    assert_true(run_to_msgs(e, 4, 60000));
    assert_int_equal(e->log.e[3].t, t1 + 50000);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_RENEWING);
    assert_true(run_to_msgs(e, 5, 60000));
    const cc_dhcp_sent *rebind = &e->log.e[4];
    assert_int_equal(rebind->t, t1 + 87500);
    assert_true(rebind->eth_bcast);
    assert_int_equal(rebind->ip_dst, 0xffffffffu);
    assert_int_equal(rebind->ip_src, SYNACK_IP4(10, 0, 0, 15));
    assert_int_equal(rebind->m.ciaddr, SYNACK_IP4(10, 0, 0, 15));
    assert_int_not_equal(rebind->m.xid, e->log.e[3].m.xid);
    assert_true(run(e, is_bound, NULL, 100));
    assert_int_equal(e->srv.acks, 3);
    uint64_t t2 = rebind->t;

    /* The server is gone: renew at T1, rebind at T2, then the lease
     * expires, the address is removed and the client starts over. */
    e->log.drop_all = true;
    assert_true(run_to_msgs(e, 7, 100000));
    assert_int_equal(e->log.e[5].t, t2 + 50000);
    assert_false(e->log.e[5].eth_bcast);
    assert_int_equal(e->log.e[6].t, t2 + 87500);
    assert_true(e->log.e[6].eth_bcast);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_REBINDING);
    synack_get_ipv4(f->a, &addr, NULL, NULL);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 15));
    assert_true(run_to_msgs(e, 8, 100000));
    const cc_dhcp_sent *again = &e->log.e[7];
    assert_int_equal(again->t, t2 + 100000);
    check_discover(again);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_SELECTING);
    synack_get_ipv4(f->a, &addr, &plen, &gw);
    assert_int_equal(addr, 0);
    assert_int_equal(gw, 0);
    assert_int_equal(synack_get_dns(f->a), 0);
    assert_int_equal(synack_dhcp_get_lease(f->a, &l), SYNACK_ERR_AGAIN);

    /* The server is back: the next DISCOVER (4 s +- 1 s later) binds. */
    e->log.drop_all = false;
    assert_true(run(e, is_bound, NULL, 10000));
    assert_in_range(e->log.e[8].t, again->t + 3000, again->t + 5000);
    synack_get_ipv4(f->a, &addr, NULL, NULL);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 15));
}

/* Section 4.1: DISCOVER at 4, 8, 16, 32, 64, 64 s intervals, +-1 s. */
static void test_discover_backoff(void **state)
{
    env *e = *state;
    e->srv.silent = true;
    assert_int_equal(synack_dhcp_start(e->f->a, e->f->now), 0);
    assert_true(run_to_msgs(e, 7, 300000));
    static const uint64_t gaps[] = {4000, 8000, 16000, 32000, 64000, 64000};
    for (int i = 0; i < 6; i++) {
        uint64_t gap = e->log.e[i + 1].t - e->log.e[i].t;
        assert_in_range(gap, gaps[i] - 1000, gaps[i] + 1000);
        check_discover(&e->log.e[i + 1]);
        /* same transaction; secs counts from the start */
        assert_int_equal(e->log.e[i + 1].m.xid, e->log.e[0].m.xid);
        assert_int_equal(e->log.e[i + 1].m.secs, e->log.e[i + 1].t / 1000);
    }
    assert_int_equal(synack_dhcp_get_state(e->f->a), SYNACK_DHCP_SELECTING);
}

/* REQUESTING: the REQUEST is retransmitted, then the client restarts. */
static void test_request_gives_up(void **state)
{
    env *e = *state;
    e->srv.ignore_requests = true;
    assert_int_equal(synack_dhcp_start(e->f->a, e->f->now), 0);
    assert_true(run_to_msgs(e, 6, 100000));
    assert_int_equal(e->log.e[0].m.msg_type, SYNACK_DHCPDISCOVER);
    for (int i = 1; i <= 4; i++)
        assert_int_equal(e->log.e[i].m.msg_type, SYNACK_DHCPREQUEST);
    assert_in_range(e->log.e[2].t - e->log.e[1].t, 3000, 5000);
    assert_in_range(e->log.e[3].t - e->log.e[2].t, 7000, 9000);
    assert_in_range(e->log.e[4].t - e->log.e[3].t, 15000, 17000);
    /* after the fourth REQUEST times out: DISCOVER, new transaction */
    assert_in_range(e->log.e[5].t - e->log.e[4].t, 31000, 33000);
    check_discover(&e->log.e[5]);
    assert_int_not_equal(e->log.e[5].m.xid, e->log.e[0].m.xid);
    e->srv.ignore_requests = false;
    assert_true(run(e, is_bound, NULL, 10000));
}

/* A NAK sends the client back to INIT, also from RENEWING (3.1 step 5). */
static void test_nak_restarts(void **state)
{
    env *e = *state;
    net_fixture *f = e->f;
    e->srv.nak = true;
    assert_int_equal(synack_dhcp_start(f->a, f->now), 0);
    assert_true(run_to_msgs(e, 3, 2000));
    assert_true(e->srv.naks >= 1);
    check_discover(&e->log.e[2]);
    assert_int_not_equal(e->log.e[2].m.xid, e->log.e[0].m.xid);
    /* not at once: 1 s after the first NAK, then doubling */
    assert_int_equal(e->log.e[2].t, e->log.e[1].t + 1000);
    assert_true(run_to_msgs(e, 5, 3000));
    assert_int_equal(e->log.e[4].t, e->log.e[3].t + 2000);
    e->srv.nak = false;
    assert_true(run(e, is_bound, NULL, 10000));
    uint64_t t0 = e->log.e[e->log.count - 1].t; /* the REQUEST that bound */

    /* NAK in RENEWING (at T1): the address goes away at once. */
    e->srv.nak = true;
    synack_dhcp_state selecting = SYNACK_DHCP_SELECTING;
    assert_true(run(e, state_is, &selecting, 60000));
    assert_int_equal(f->now, t0 + 50000);
    synack_ip4 addr;
    synack_get_ipv4(f->a, &addr, NULL, NULL);
    assert_int_equal(addr, 0);
    e->srv.nak = false;
    assert_true(run(e, is_bound, NULL, 10000));
}

/* The server's T1 and T2 are used when they make sense. */
static void test_server_t1_t2(void **state)
{
    env *e = *state;
    e->srv.t1_s = 10;
    e->srv.t2_s = 20;
    assert_int_equal(synack_dhcp_start(e->f->a, e->f->now), 0);
    assert_true(run(e, is_bound, NULL, 100));
    uint64_t t0 = e->log.e[1].t;
    e->log.drop_all = true;
    assert_true(run_to_msgs(e, 4, 30000));
    assert_int_equal(e->log.e[2].t, t0 + 10000);
    assert_false(e->log.e[2].eth_bcast);
    assert_int_equal(e->log.e[3].t, t0 + 20000);
    assert_true(e->log.e[3].eth_bcast);
}

/* Malformed replies are counted and dropped; other transactions ignored. */
static void test_malformed_and_foreign(void **state)
{
    env *e = *state;
    net_fixture *f = e->f;
    e->srv.silent = true;
    assert_int_equal(synack_dhcp_start(f->a, f->now), 0);
    run(e, NULL, NULL, 10);
    uint32_t xid = e->log.e[0].m.xid;

    /* An OFFER whose options run past the end. */
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = SYNACK_BOOTREPLY;
    r.htype = 1;
    r.hlen = 6;
    r.xid = xid;
    r.chaddr[0] = 0x02;
    r.chaddr[5] = CLIENT_MAC_LAST;
    r.yiaddr = SYNACK_IP4(10, 0, 0, 15);
    r.msg_type = SYNACK_DHCPOFFER;
    r.has_server_id = true;
    r.server_id = SYNACK_IP4(10, 0, 0, 2);
    r.has_lease_time = true;
    r.lease_time = 100;
    uint8_t buf[600];
    size_t n = synack_dhcp_emit(&r, buf, sizeof buf);
    /* options: 53 at +0..2, then 51 at +3..8; cut inside option 51 */
    assert_int_equal(buf[SYNACK_DHCP_MIN_LEN + 3], SYNACK_DHCPOPT_LEASE_TIME);
    n = SYNACK_DHCP_MIN_LEN + 7;
    uint64_t before = synack_drops(f->a, SYNACK_DROP_DHCP_MALFORMED);
    assert_int_equal(synack_udp_sendto(f->b, f->now, e->srv.sock, ADDR4(0xffffffffu),
                                       68, buf, n), 0);
    run(e, NULL, NULL, 10);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_DHCP_MALFORMED), before + 1);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_SELECTING);

    /* A good OFFER for another transaction: ignored, not counted. */
    r.xid = xid + 1;
    n = synack_dhcp_emit(&r, buf, sizeof buf);
    assert_int_equal(synack_udp_sendto(f->b, f->now, e->srv.sock, ADDR4(0xffffffffu),
                                       68, buf, n), 0);
    run(e, NULL, NULL, 10);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_DHCP_MALFORMED), before + 1);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_SELECTING);

    /* An OFFER without a server identifier: counted. */
    r.xid = xid;
    r.has_server_id = false;
    n = synack_dhcp_emit(&r, buf, sizeof buf);
    assert_int_equal(synack_udp_sendto(f->b, f->now, e->srv.sock, ADDR4(0xffffffffu),
                                       68, buf, n), 0);
    run(e, NULL, NULL, 10);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_DHCP_MALFORMED), before + 2);

    /* The real one binds. */
    r.has_server_id = true;
    n = synack_dhcp_emit(&r, buf, sizeof buf);
    assert_int_equal(synack_udp_sendto(f->b, f->now, e->srv.sock, ADDR4(0xffffffffu),
                                       68, buf, n), 0);
    e->srv.silent = false;
    assert_true(run(e, is_bound, NULL, 100));
}

/* A resolver set by hand wins over DHCP's; stop ends the timers. */
static void test_dns_override_and_stop(void **state)
{
    env *e = *state;
    net_fixture *f = e->f;
    synack_set_dns(f->a, SYNACK_IP4(9, 9, 9, 9));
    assert_int_equal(synack_dhcp_start(f->a, f->now), 0);
    assert_true(run(e, is_bound, NULL, 100));
    assert_int_equal(synack_get_dns(f->a), SYNACK_IP4(9, 9, 9, 9));
    synack_set_dns(f->a, 0); /* back to DHCP's */
    assert_int_equal(synack_get_dns(f->a), SYNACK_IP4(10, 0, 0, 3));

    synack_dhcp_stop(f->a, f->now);
    assert_int_equal(synack_dhcp_get_state(f->a), SYNACK_DHCP_STOPPED);
    uint32_t sent = e->log.count;
    run(e, NULL, NULL, 200000);
    assert_int_equal(e->log.count, sent);
    synack_ip4 addr;
    synack_get_ipv4(f->a, &addr, NULL, NULL);
    assert_int_equal(addr, SYNACK_IP4(10, 0, 0, 15)); /* left configured */
    assert_int_equal(synack_get_dns(f->a), SYNACK_IP4(10, 0, 0, 3)); /* so is DNS */
    /* with no lease, a static resolver set and cleared leaves none */
    synack_set_dns(f->a, SYNACK_IP4(9, 9, 9, 9));
    synack_set_dns(f->a, 0);
    assert_int_equal(synack_get_dns(f->a), 0);
    /* and it can start again */
    assert_int_equal(synack_dhcp_start(f->a, f->now), 0);
    assert_true(run(e, is_bound, NULL, 100));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lease_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discover_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nak_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_t1_t2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_and_foreign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dns_override_and_stop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
