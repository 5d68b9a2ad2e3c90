/*
 * DNS stub resolver against the test server on stack B (10.0.0.2):
 * answers, CNAME chains, NXDOMAIN and NODATA, retries and timeout,
 * answer matching, truncation, server errors, literal addresses.
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
#include "app/dns.h"
#include "net_fixture.h"
#include "test_addr.h"

#define SERVER SYNACK_IP4(10, 0, 0, 2)

static const cc_dns_record records[] = {
    {"host.test", SYNACK_DNS_TYPE_A, SYNACK_IP4(10, 1, 2, 3), NULL},
    {"www.test", SYNACK_DNS_TYPE_CNAME, 0, "web.test"},
    {"web.test", SYNACK_DNS_TYPE_CNAME, 0, "Host.Test"},
    {"text.test", 16, 0, NULL},
    {"loop1.test", SYNACK_DNS_TYPE_CNAME, 0, "loop2.test"},
    {"loop2.test", SYNACK_DNS_TYPE_CNAME, 0, "loop1.test"},
};

typedef struct env {
    net_fixture *f;
    cc_dns_server srv;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->f = net_fixture_new(NULL);
    assert_non_null(e->f);
    assert_int_equal(cc_dns_server_start(&e->srv, e->f->b, 53, records,
                                         sizeof records / sizeof records[0]),
                     0);
    synack_set_dns(e->f->a, SERVER);
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

typedef struct pending {
    int h;
    synack_ip4 addr;
    int rc;
} pending;

static bool resolved(net_fixture *f, void *ctx)
{
    pending *p = ctx;
    synack_addr a;
    p->rc = synack_dns_result(f->a, p->h, &a);
    if (p->rc == 0)
        p->addr = synack_addr_to_ip4(&a);
    return p->rc != SYNACK_ERR_AGAIN;
}

/* Resolve `name` and return the result; *at gets the time it came. */
static int resolve(env *e, const char *name, synack_ip4 *addr, uint64_t *at)
{
    pending p = {0, 0, 0};
    p.h = synack_dns_query(e->f->a, e->f->now, name, 0);
    assert_true(p.h >= 0);
    assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, resolved,
                             &p, 60000));
    if (addr != NULL)
        *addr = p.addr;
    if (at != NULL)
        *at = e->f->now;
    synack_dns_close(e->f->a, p.h);
    return p.rc;
}

static void test_a_record(void **state)
{
    env *e = *state;
    synack_ip4 a = 0;
    uint64_t start = e->f->now, at;
    assert_int_equal(resolve(e, "host.test", &a, &at), 0);
    assert_int_equal(a, SYNACK_IP4(10, 1, 2, 3));
    assert_true(at - start < 100); /* one round trip (plus ARP) */
    assert_int_equal(e->srv.queries, 1);
    /* case does not matter */
    assert_int_equal(resolve(e, "HOST.test.", &a, NULL), 0);
    assert_int_equal(a, SYNACK_IP4(10, 1, 2, 3));
    /* each query from its own ephemeral port, with its own ID */
    assert_int_equal(e->srv.queries, 2);
    assert_true(e->srv.sport[0] >= 49152 && e->srv.sport[1] >= 49152);
    assert_int_not_equal(e->srv.sport[0], e->srv.sport[1]);
    assert_int_not_equal(e->srv.id[0], e->srv.id[1]);
}

static void test_cname_chain(void **state)
{
    env *e = *state;
    synack_ip4 a = 0;
    /* www.test -> web.test -> Host.Test -> A; owners compressed */
    assert_int_equal(resolve(e, "www.test", &a, NULL), 0);
    assert_int_equal(a, SYNACK_IP4(10, 1, 2, 3));
    /* a CNAME loop in the answer ends as "not found" */
    assert_int_equal(resolve(e, "loop1.test", &a, NULL), SYNACK_ERR_NOTFOUND);
}

static void test_nxdomain_and_nodata(void **state)
{
    env *e = *state;
    assert_int_equal(resolve(e, "nope.test", NULL, NULL), SYNACK_ERR_NOTFOUND);
    assert_int_equal(resolve(e, "text.test", NULL, NULL), SYNACK_ERR_NOTFOUND);
    assert_string_equal(synack_strerror(SYNACK_ERR_NOTFOUND), "not found");
}

/* No answer: tries at 0, 1 s, 3 s; gives up at 7 s (1 + 2 + 4). */
static void test_timeout_schedule(void **state)
{
    env *e = *state;
    e->srv.silent = true;
    uint64_t start = e->f->now, at;
    assert_int_equal(resolve(e, "host.test", NULL, &at), SYNACK_ERR_TIMEOUT);
    assert_int_equal(e->srv.queries, 3);
    assert_int_equal(e->srv.t[1] - e->srv.t[0], 1000);
    assert_int_equal(e->srv.t[2] - e->srv.t[1], 2000);
    assert_int_equal(at - e->srv.t[2], 4000);
    assert_true(e->srv.t[0] - start < 10);
    /* the same ID and port on every try */
    assert_int_equal(e->srv.id[1], e->srv.id[0]);
    assert_int_equal(e->srv.sport[2], e->srv.sport[0]);

    /* configurable: 500 ms, two tries */
    synack_dns_set_timeouts(e->f->a, 500, 2);
    e->srv.queries = 0;
    assert_int_equal(resolve(e, "host.test", NULL, &at), SYNACK_ERR_TIMEOUT);
    assert_int_equal(e->srv.queries, 2);
    assert_int_equal(e->srv.t[1] - e->srv.t[0], 500);
    assert_int_equal(at - e->srv.t[1], 1000);
}

static void test_retry_succeeds(void **state)
{
    env *e = *state;
    e->srv.ignore_first = 2;
    synack_ip4 a = 0;
    uint64_t at;
    assert_int_equal(resolve(e, "host.test", &a, &at), 0);
    assert_int_equal(a, SYNACK_IP4(10, 1, 2, 3));
    assert_int_equal(e->srv.queries, 3);
    assert_int_equal(at, e->srv.t[2]);
}

/* Answers with the wrong ID or question are counted and dropped. */
static void test_mismatched_answers_dropped(void **state)
{
    env *e = *state;
    e->srv.bad_first = true;
    uint64_t before = synack_drops(e->f->a, SYNACK_DROP_DNS_MISMATCH);
    synack_ip4 a = 0;
    assert_int_equal(resolve(e, "host.test", &a, NULL), 0);
    assert_int_equal(a, SYNACK_IP4(10, 1, 2, 3));
    assert_int_equal(synack_drops(e->f->a, SYNACK_DROP_DNS_MISMATCH), before + 2);
}

/* A datagram from another address or port is not an answer. */
static void test_answer_from_elsewhere(void **state)
{
    env *e = *state;
    e->srv.silent = true;
    pending p = {0, 0, 0};
    p.h = synack_dns_query(e->f->a, e->f->now, "host.test", 0);
    assert_true(p.h >= 0);
    cc_run_until(e->f, cc_dns_server_service, &e->srv, NULL, NULL, 10);
    assert_int_equal(e->srv.queries, 1);
    /* B answers from port 5353 instead of 53, with the right ID */
    int other = synack_udp_open(e->f->b, 5353);
    assert_true(other >= 0);
    uint8_t msg[64];
    memset(msg, 0, sizeof msg);
    synack_wr_be16(msg, e->srv.id[0]);
    synack_wr_be16(msg + 2, SYNACK_DNS_QR | SYNACK_DNS_RCODE_NXDOMAIN);
    assert_int_equal(synack_udp_sendto(e->f->b, e->f->now, other,
                                       ADDR4(SYNACK_IP4(10, 0, 0, 1)), e->srv.sport[0],
                                       msg, 12), 0);
    uint64_t before = synack_drops(e->f->a, SYNACK_DROP_DNS_MISMATCH);
    cc_run_until(e->f, NULL, NULL, NULL, NULL, 10);
    assert_int_equal(synack_dns_result(e->f->a, p.h, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_drops(e->f->a, SYNACK_DROP_DNS_MISMATCH), before + 1);
    synack_dns_close(e->f->a, p.h);
}

static void test_truncated_and_servfail(void **state)
{
    env *e = *state;
    e->srv.truncate = true;
    assert_int_equal(resolve(e, "host.test", NULL, NULL), SYNACK_ERR_MSGSIZE);
    e->srv.truncate = false;
    e->srv.servfail = true;
    assert_int_equal(resolve(e, "host.test", NULL, NULL), SYNACK_ERR_REFUSED);
}

/* No server on port 53: ICMP port unreachable ends the query. */
static void test_port_unreachable(void **state)
{
    env *e = *state;
    synack_udp_close(e->f->b, e->srv.sock);
    uint64_t at, start = e->f->now;
    assert_int_equal(resolve(e, "host.test", NULL, &at), SYNACK_ERR_REFUSED);
    assert_true(at - start < 1000);
}

static void test_literal_and_bad_input(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    synack_counters c0, c1;
    synack_get_counters(a, &c0);
    int h = synack_dns_query(a, e->f->now, "10.9.8.7", 0);
    assert_true(h >= 0);
    synack_addr addr;
    assert_int_equal(synack_dns_result(a, h, &addr), 0);
    assert_int_equal(synack_addr_to_ip4(&addr), SYNACK_IP4(10, 9, 8, 7));
    synack_get_counters(a, &c1);
    assert_int_equal(c1.frames_out, c0.frames_out); /* nothing sent */
    synack_dns_close(a, h);
    assert_int_equal(synack_dns_result(a, h, &addr), SYNACK_ERR_BADF);
    assert_int_equal(synack_dns_result(a, -1, &addr), SYNACK_ERR_BADF);
    synack_dns_close(a, 99); /* harmless */

    assert_int_equal(synack_dns_query(a, e->f->now, "", 0), SYNACK_ERR_INVAL);
    assert_int_equal(synack_dns_query(a, e->f->now, "a..b", 0), SYNACK_ERR_INVAL);
    assert_int_equal(synack_dns_query(a, e->f->now, NULL, 0), SYNACK_ERR_INVAL);
    synack_set_dns(a, 0);
    assert_int_equal(synack_get_dns(a), 0);
    assert_int_equal(synack_dns_query(a, e->f->now, "host.test", 0),
                     SYNACK_ERR_UNREACHABLE);
    /* an explicit server works without a configured resolver */
    h = synack_dns_query(a, e->f->now, "host.test", ADDR4(SERVER));
    assert_true(h >= 0);
    synack_dns_close(a, h);
    /* no route to the server */
    assert_int_equal(synack_dns_query(a, e->f->now, "host.test",
                                      ADDR4(SYNACK_IP4(192, 168, 9, 9))),
                     SYNACK_ERR_UNREACHABLE);
}

/* A fixed number of query slots; closing one frees it and its socket. */
static void test_slots(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    int h[SYNACK_DNS_MAX_QUERIES];
    for (int i = 0; i < SYNACK_DNS_MAX_QUERIES; i++) {
        h[i] = synack_dns_query(a, e->f->now, "host.test", 0);
        assert_true(h[i] >= 0);
    }
    assert_int_equal(synack_dns_query(a, e->f->now, "host.test", 0),
                     SYNACK_ERR_NOMEM);
    synack_dns_close(a, h[3]);
    int again = synack_dns_query(a, e->f->now, "host.test", 0);
    assert_int_equal(again, h[3]);
    /* all of them get answered */
    cc_run_until(e->f, cc_dns_server_service, &e->srv, NULL, NULL, 100);
    for (int i = 0; i < SYNACK_DNS_MAX_QUERIES; i++) {
        synack_addr addr;
        assert_int_equal(synack_dns_result(a, h[i], &addr), 0);
        assert_int_equal(synack_addr_to_ip4(&addr), SYNACK_IP4(10, 1, 2, 3));
        synack_dns_close(a, h[i]);
    }
    /* nothing left pending: no DNS deadline keeps the stack awake */
    assert_int_equal(synack_poll_at(a) > e->f->now + 5000, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cname_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nxdomain_and_nodata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mismatched_answers_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_from_elsewhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_and_servfail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_unreachable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
