/*
 * Connecting by name with Happy Eyeballs v2 (RFC 8305) on virtual time:
 * stack A resolves through the test DNS server on B (10.0.0.2) and
 * connects to B's listener on port 80, over fd00::/64 or 10.0.0.0/24.
 * A tap on A's frames black-holes one family's TCP and notes when each
 * SYN left, so the delays of sections 3 and 5 are measured, not assumed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cc_dns_server.h"
#include "cc_run.h"
#include "net_fixture.h"
#include "test_addr.h"
#include "wire/wire_app.h"

#define PORT 80

static const cc_dns_record records[] = {
    {"svc.test", SYNACK_DNS_TYPE_A, SYNACK_IP4(10, 0, 0, 2), NULL},
    {"svc.test", SYNACK_DNS_TYPE_AAAA, 0, "fd00::2"},
    {"far6.test", SYNACK_DNS_TYPE_A, SYNACK_IP4(10, 0, 0, 2), NULL},
    {"far6.test", SYNACK_DNS_TYPE_AAAA, 0, "2001:db8::2"},
};

typedef struct env {
    net_fixture *f;
    cc_dns_server srv;
    int listener;
    /* tap */
    bool drop[2];            /* black-hole A's TCP: [0] IPv6, [1] IPv4 */
    uint32_t syns[2];        /* SYNs A sent per family */
    uint64_t first_syn[2];
    uint64_t a_answer_at;    /* B sent the answer to the A query */
    bool a_answered;
    uint32_t rsts;           /* RSTs A sent (losers aborted) */
} env;

static void tune(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    if (side == 0)
        cfg->tcp.syn_retries = 2; /* a black-holed attempt ends after 7 s */
}

/* Notes A's SYNs and RSTs per family, drops black-holed TCP. */
static bool tap(void *ctx, net_fixture *f, int side, const uint8_t *fr, size_t len)
{
    env *e = ctx;
    if (len < 14 + 20)
        return true;
    uint16_t et = synack_ld_be16(fr + 12);
    int fam = -1;
    const uint8_t *l4 = NULL;
    uint8_t proto = 0;
    if (et == 0x86dd && len >= 14 + 40 + 20) {
        fam = 0;
        proto = fr[14 + 6];
        l4 = fr + 14 + 40;
    } else if (et == 0x0800) {
        fam = 1;
        proto = fr[14 + 9];
        l4 = fr + 14 + (size_t)(fr[14] & 0x0f) * 4;
    }
    if (fam < 0 || l4 + 20 > fr + len)
        return true;
    if (side == 1) {
        /* B's DNS answer to an A query (type at the question's end) */
        if (proto == 17 && synack_ld_be16(l4) == 53 && fam == 1) {
            size_t ulen = synack_ld_be16(l4 + 4);
            synack_dns_repr r;
            if (ulen >= 8 && synack_dns_parse(l4 + 8, ulen - 8, &r) >= 0 &&
                r.qtype == SYNACK_DNS_TYPE_A && !e->a_answered) {
                e->a_answered = true;
                e->a_answer_at = f->now;
            }
        }
        return true;
    }
    if (proto != 6)
        return true;
    uint8_t flags = l4[13];
    if ((flags & 0x02) != 0 && (flags & 0x10) == 0) {
        if (e->syns[fam]++ == 0)
            e->first_syn[fam] = f->now;
    }
    if ((flags & 0x04) != 0)
        e->rsts++;
    return !e->drop[fam];
}

/* Both stacks' IPv6 addresses usable (DAD over). */
static bool ip6_ready(net_fixture *f, void *ctx)
{
    (void)ctx;
    for (int side = 0; side < 2; side++) {
        synack_ip6_addr_info info[8];
        size_t n = synack_get_ipv6(net_stack(f, side), info, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            if (info[i].state == SYNACK_IP6_TENTATIVE)
                return false;
    }
    return true;
}

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    net_fixture_opts o = net_fixture_defaults();
    o.ipv6 = true;
    o.tune = tune;
    e->f = net_fixture_new(&o);
    assert_non_null(e->f);
    assert_int_equal(cc_dns_server_start(&e->srv, e->f->b, 53, records,
                                         sizeof records / sizeof records[0]),
                     0);
    synack_set_dns(e->f->a, SYNACK_IP4(10, 0, 0, 2));
    e->listener = synack_tcp_open(e->f->b);
    assert_int_equal(synack_tcp_bind(e->f->b, e->listener, PORT), 0);
    assert_int_equal(synack_tcp_listen(e->f->b, e->listener, 8), 0);
    assert_true(net_run_until(e->f, ip6_ready, NULL, 10000));
    e->f->tap = tap;
    e->f->tap_ctx = e;
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

typedef struct op {
    int h, rc, conn;
    synack_addr peer;
} op;

static bool done(net_fixture *f, void *ctx)
{
    op *p = ctx;
    p->rc = synack_connect_name_result(f->a, f->now, p->h, &p->conn, &p->peer);
    return p->rc != SYNACK_ERR_AGAIN;
}

/* Connect to name:80 and run until it ends; *at gets the time. */
static int connect_name(env *e, const char *name, uint32_t delay, op *p,
                        uint64_t *at)
{
    memset(p, 0, sizeof *p);
    p->conn = -1;
    p->h = synack_connect_name(e->f->a, e->f->now, name, PORT, delay, -1);
    assert_true(p->h >= 0);
    assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, done, p,
                             120000));
    if (at != NULL)
        *at = e->f->now;
    return p->rc;
}

/* Both work: IPv6 first, and it wins well before a second attempt. */
static void test_v6_wins(void **state)
{
    env *e = *state;
    op p;
    uint64_t start = e->f->now, at;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, &at), 0);
    assert_int_equal(p.peer.family, SYNACK_AF_IP6);
    assert_true(synack_addr_equal(&p.peer, &(synack_addr){0}) == false);
    assert_int_equal(synack_connect_name_attempts(e->f->a, p.h), 1);
    assert_true(at - start < 100);
    assert_int_equal(e->syns[1], 0);
    /* the connection is the caller's and works */
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(e->f->a, p.conn, &info), 0);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    assert_int_equal(synack_tcp_get_info(e->f->a, p.conn, &info), 0);
    assert_int_equal(synack_tcp_abort(e->f->a, e->f->now, p.conn), 0);
}

/* IPv6 black-holed: the IPv4 attempt starts 250 ms later and wins; the
 * IPv6 attempt is aborted (no more SYN retransmissions). */
static void test_v6_blackholed(void **state)
{
    env *e = *state;
    e->drop[0] = true;
    op p;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, NULL), 0);
    assert_int_equal(p.peer.family, SYNACK_AF_IP4);
    assert_int_equal(synack_addr_to_ip4(&p.peer), SYNACK_IP4(10, 0, 0, 2));
    assert_int_equal(synack_connect_name_attempts(e->f->a, p.h), 2);
    assert_int_equal(e->first_syn[1] - e->first_syn[0], SYNACK_HE_ATTEMPT_DELAY_MS);
    uint32_t v6_syns = e->syns[0];
    net_run_for(e->f, 5000); /* past the 1 s and 3 s retransmissions */
    assert_int_equal(e->syns[0], v6_syns);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    synack_tcp_abort(e->f->a, e->f->now, p.conn);
}

/* The attempt delay is configurable and clamped to 10 ms .. 2 s. */
static void test_attempt_delay_bounds(void **state)
{
    env *e = *state;
    e->drop[0] = true;
    op p;
    assert_int_equal(connect_name(e, "svc.test", 1, &p, NULL), 0);
    assert_int_equal(e->first_syn[1] - e->first_syn[0], SYNACK_HE_ATTEMPT_DELAY_MIN_MS);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    synack_tcp_abort(e->f->a, e->f->now, p.conn);
    memset(e->syns, 0, sizeof e->syns);
    assert_int_equal(connect_name(e, "svc.test", 99999, &p, NULL), 0);
    assert_int_equal(e->first_syn[1] - e->first_syn[0], SYNACK_HE_ATTEMPT_DELAY_MAX_MS);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    synack_tcp_abort(e->f->a, e->f->now, p.conn);
}

/* No AAAA answer: A is used once the resolution delay (50 ms) passed. */
static void test_aaaa_slow(void **state)
{
    env *e = *state;
    e->srv.ignore_type = SYNACK_DNS_TYPE_AAAA;
    op p;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, NULL), 0);
    assert_int_equal(p.peer.family, SYNACK_AF_IP4);
    assert_int_equal(e->syns[0], 0);
    assert_true(e->a_answered);
    assert_int_equal(e->first_syn[1] - e->a_answer_at, SYNACK_HE_RESOLUTION_DELAY_MS);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    synack_tcp_abort(e->f->a, e->f->now, p.conn);
}

/* Every attempt fails: the result is the error of the last one started,
 * even when an earlier one fails later. */
static void test_all_fail_last_error(void **state)
{
    env *e = *state;
    synack_tcp_close(e->f->b, e->f->now, e->listener); /* B refuses */
    op p;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, NULL), SYNACK_ERR_REFUSED);
    assert_int_equal(synack_connect_name_attempts(e->f->a, p.h), 2);
    synack_connect_name_close(e->f->a, e->f->now, p.h);

    /* IPv6 refused at once, IPv4 black-holed: IPv4's timeout */
    e->drop[1] = true;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, NULL), SYNACK_ERR_TIMEOUT);
    synack_connect_name_close(e->f->a, e->f->now, p.h);

    /* IPv6 black-holed (times out last), IPv4 refused (started last) */
    e->drop[0] = true;
    e->drop[1] = false;
    uint64_t at;
    assert_int_equal(connect_name(e, "svc.test", 0, &p, &at), SYNACK_ERR_REFUSED);
    assert_true(at - e->first_syn[0] >= 7000); /* waited for IPv6 to time out */
    synack_connect_name_close(e->f->a, e->f->now, p.h);

    /* no such name: the DNS error */
    assert_int_equal(connect_name(e, "none.test", 0, &p, NULL), SYNACK_ERR_NOTFOUND);
    assert_int_equal(synack_connect_name_attempts(e->f->a, p.h), 0);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
}

/* No IPv6 route to the AAAA address: IPv4 goes first (and wins at once). */
static void test_no_v6_route_v4_first(void **state)
{
    env *e = *state;
    op p;
    assert_int_equal(connect_name(e, "far6.test", 0, &p, NULL), 0);
    assert_int_equal(p.peer.family, SYNACK_AF_IP4);
    assert_int_equal(synack_connect_name_attempts(e->f->a, p.h), 1);
    assert_int_equal(e->syns[0], 0);
    synack_connect_name_close(e->f->a, e->f->now, p.h);
    synack_tcp_abort(e->f->a, e->f->now, p.conn);
}

/* Literals need no DNS; bad input; a bounded number of operations. */
static void test_literals_and_limits(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    op p;
    assert_int_equal(connect_name(e, "fd00::2", 0, &p, NULL), 0);
    assert_int_equal(p.peer.family, SYNACK_AF_IP6);
    assert_int_equal(e->srv.queries, 0);
    synack_connect_name_close(a, e->f->now, p.h);
    synack_tcp_abort(a, e->f->now, p.conn);
    assert_int_equal(synack_connect_name(a, e->f->now, "svc.test", 0, 0, -1), SYNACK_ERR_INVAL);
    assert_int_equal(synack_connect_name(a, e->f->now, "a..b", PORT, 0, -1), SYNACK_ERR_INVAL);
    assert_int_equal(synack_connect_name_result(a, e->f->now, 9, NULL, NULL),
                     SYNACK_ERR_BADF);
    int h[SYNACK_CONNECT_NAME_MAX];
    for (int i = 0; i < SYNACK_CONNECT_NAME_MAX; i++) {
        h[i] = synack_connect_name(a, e->f->now, "svc.test", PORT, 0, -1);
        assert_true(h[i] >= 0);
    }
    assert_int_equal(synack_connect_name(a, e->f->now, "svc.test", PORT, 0, -1),
                     SYNACK_ERR_NOMEM);
    /* closing before the result aborts the attempts and the unclaimed winner */
    cc_run_until(e->f, cc_dns_server_service, &e->srv, NULL, NULL, 100);
    for (int i = 0; i < SYNACK_CONNECT_NAME_MAX; i++)
        synack_connect_name_close(a, e->f->now, h[i]);
    net_run_for(e->f, 100);
    assert_int_equal(synack_poll_at(a) > e->f->now + 1000, true);
}

/* Every attempt takes the template's options; the template stays. */
static void test_template_options(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    int tmpl = synack_tcp_open(a);
    assert_true(tmpl >= 0);
    assert_int_equal(synack_tcp_setopt(a, tmpl, SYNACK_TCPOPT_RCVBUF, 8192), 0);
    op p;
    memset(&p, 0, sizeof p);
    p.h = synack_connect_name(a, e->f->now, "svc.test", PORT, 0, tmpl);
    assert_true(p.h >= 0);
    assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, done, &p, 10000));
    assert_int_equal(p.rc, 0);
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(a, p.conn, &info), 0);
    assert_true(info.rcv_wnd <= 8192);
    assert_int_equal(synack_tcp_get_info(a, tmpl, &info), 0);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    synack_connect_name_close(a, e->f->now, p.h);
    /* a connected handle is no template */
    assert_int_equal(synack_connect_name(a, e->f->now, "svc.test", PORT, 0, p.conn),
                     SYNACK_ERR_BADF);
    assert_int_equal(synack_connect_name(a, e->f->now, "svc.test", PORT, 0, 999),
                     SYNACK_ERR_BADF);
    synack_tcp_abort(a, e->f->now, p.conn);
    synack_tcp_close(a, e->f->now, tmpl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_v6_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v6_blackholed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attempt_delay_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aaaa_slow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_fail_last_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_v6_route_v4_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_template_options, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
