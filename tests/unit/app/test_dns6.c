/*
 * DNS stub resolver, per family (synack_dns_query_family) and with
 * several addresses (synack_dns_result_all): AAAA answers (RFC 3596),
 * CNAME chains to AAAA, NODATA per type, the address bound, literals; and
 * crafted hostile answers: records of the wrong type, AAAA of the wrong
 * length, a message cut short, a compression pointer loop, more records
 * than kept, an answer to the other question.
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
#define AAAA SYNACK_DNS_TYPE_AAAA

static const cc_dns_record records[] = {
    {"dual.test", SYNACK_DNS_TYPE_A, SYNACK_IP4(10, 1, 2, 3), NULL},
    {"dual.test", AAAA, 0, "2001:db8::1"},
    {"dual.test", AAAA, 0, "2001:db8::2"},
    {"www6.test", SYNACK_DNS_TYPE_CNAME, 0, "cdn.test"},
    {"cdn.test", SYNACK_DNS_TYPE_CNAME, 0, "Dual.Test"},
    {"only4.test", SYNACK_DNS_TYPE_A, SYNACK_IP4(10, 4, 4, 4), NULL},
    {"only6.test", AAAA, 0, "2001:db8::6"},
    {"many.test", AAAA, 0, "2001:db8::a1"},
    {"many.test", AAAA, 0, "2001:db8::a2"},
    {"many.test", AAAA, 0, "2001:db8::a3"},
    {"many.test", AAAA, 0, "2001:db8::a4"},
    {"many.test", AAAA, 0, "2001:db8::a5"},
    {"many.test", AAAA, 0, "2001:db8::a6"},
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
    synack_dns_set_timeouts(e->f->a, 200, 1); /* unanswered: over at 200 ms */
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
    int rc;
    synack_addr addr[SYNACK_DNS_MAX_ADDRS + 2];
} pending;

static bool resolved(net_fixture *f, void *ctx)
{
    pending *p = ctx;
    p->rc = synack_dns_result_all(f->a, p->h, p->addr,
                                  sizeof p->addr / sizeof p->addr[0]);
    return p->rc != SYNACK_ERR_AGAIN;
}

/* Resolve name for family; returns the count or the error, addresses in *p. */
static int resolve(env *e, const char *name, int family, pending *p)
{
    memset(p, 0, sizeof *p);
    p->h = synack_dns_query_family(e->f->a, e->f->now, name, NULL, family);
    assert_true(p->h >= 0);
    assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, resolved,
                             p, 60000));
    synack_dns_close(e->f->a, p->h);
    return p->rc;
}

static void assert_addr(const synack_addr *a, const char *text)
{
    char buf[SYNACK_ADDR_STRLEN];
    synack_addr_format(a, buf);
    assert_string_equal(buf, text);
}

static void test_aaaa_and_a(void **state)
{
    env *e = *state;
    pending p;
    assert_int_equal(resolve(e, "dual.test", SYNACK_AF_IP6, &p), 2);
    assert_addr(&p.addr[0], "2001:db8::1");
    assert_addr(&p.addr[1], "2001:db8::2");
    assert_int_equal(resolve(e, "dual.test", SYNACK_AF_IP4, &p), 1);
    assert_addr(&p.addr[0], "10.1.2.3");
    /* the one-address API gives the first */
    int h = synack_dns_query_family(e->f->a, e->f->now, "dual.test", NULL,
                                    SYNACK_AF_IP6);
    assert_true(h >= 0);
    synack_addr one;
    while (synack_dns_result(e->f->a, h, &one) == SYNACK_ERR_AGAIN)
        assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, NULL,
                                 NULL, 5));
    assert_addr(&one, "2001:db8::1");
    synack_dns_close(e->f->a, h);
}

static void test_cname_to_aaaa(void **state)
{
    env *e = *state;
    pending p;
    /* www6.test -> cdn.test -> Dual.Test -> two AAAA */
    assert_int_equal(resolve(e, "www6.test", SYNACK_AF_IP6, &p), 2);
    assert_addr(&p.addr[0], "2001:db8::1");
    assert_int_equal(resolve(e, "WWW6.test.", SYNACK_AF_IP4, &p), 1);
    assert_addr(&p.addr[0], "10.1.2.3");
}

/* NOERROR without a record of the asked type is "not found" per type. */
static void test_nodata_per_type(void **state)
{
    env *e = *state;
    pending p;
    assert_int_equal(resolve(e, "only4.test", SYNACK_AF_IP6, &p), SYNACK_ERR_NOTFOUND);
    assert_int_equal(resolve(e, "only4.test", SYNACK_AF_IP4, &p), 1);
    assert_int_equal(resolve(e, "only6.test", SYNACK_AF_IP4, &p), SYNACK_ERR_NOTFOUND);
    assert_int_equal(resolve(e, "only6.test", SYNACK_AF_IP6, &p), 1);
    assert_addr(&p.addr[0], "2001:db8::6");
    assert_int_equal(resolve(e, "none.test", SYNACK_AF_IP6, &p), SYNACK_ERR_NOTFOUND);
}

/* Six AAAA records: the first SYNACK_DNS_MAX_ADDRS are kept. */
static void test_address_bound(void **state)
{
    env *e = *state;
    pending p;
    assert_int_equal(resolve(e, "many.test", SYNACK_AF_IP6, &p), SYNACK_DNS_MAX_ADDRS);
    assert_addr(&p.addr[0], "2001:db8::a1");
    assert_addr(&p.addr[SYNACK_DNS_MAX_ADDRS - 1], "2001:db8::a4");
    /* a smaller array gets fewer */
    int h = synack_dns_query_family(e->f->a, e->f->now, "many.test", NULL,
                                    SYNACK_AF_IP6);
    assert_true(cc_run_until(e->f, cc_dns_server_service, &e->srv, NULL, NULL, 50));
    synack_addr two[2];
    assert_int_equal(synack_dns_result_all(e->f->a, h, two, 2), 2);
    synack_dns_close(e->f->a, h);
}

static void test_literals_and_family(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    synack_addr x;
    int h = synack_dns_query_family(a, e->f->now, "2001:db8::9", NULL, SYNACK_AF_IP6);
    assert_int_equal(synack_dns_result_all(a, h, &x, 1), 1);
    assert_addr(&x, "2001:db8::9");
    synack_dns_close(a, h);
    h = synack_dns_query_family(a, e->f->now, "2001:db8::9", NULL, SYNACK_AF_IP4);
    assert_int_equal(synack_dns_result(a, h, &x), SYNACK_ERR_NOTFOUND);
    synack_dns_close(a, h);
    h = synack_dns_query_family(a, e->f->now, "10.0.0.9", NULL, SYNACK_AF_IP6);
    assert_int_equal(synack_dns_result(a, h, &x), SYNACK_ERR_NOTFOUND);
    synack_dns_close(a, h);
    assert_int_equal(synack_dns_query_family(a, e->f->now, "dual.test", NULL, 5),
                     SYNACK_ERR_INVAL);
    assert_int_equal(synack_dns_result_all(a, 77, &x, 1), SYNACK_ERR_BADF);
}

/* ---- crafted answers ---------------------------------------------------- */

typedef enum craft_kind {
    WRONG_TYPE,   /* an AAAA question answered with an A record */
    BAD_AAAA_LEN, /* AAAA with 4 bytes of data */
    CUT_SHORT,    /* the last record's data cut off */
    POINTER_LOOP, /* an owner name that points at itself */
    TOO_MANY,     /* 17 AAAA records */
    OTHER_QTYPE,  /* our ID, but the question says A */
} craft_kind;

static size_t craft(void *ctx, const uint8_t *q, size_t qlen, uint8_t *out,
                    size_t cap)
{
    craft_kind k = *(craft_kind *)ctx;
    assert_true(qlen <= cap);
    memcpy(out, q, qlen);
    synack_wr_be16(out + 2, SYNACK_DNS_QR | SYNACK_DNS_RD | SYNACK_DNS_RA);
    if (k == OTHER_QTYPE) {
        synack_wr_be16(out + qlen - 4, SYNACK_DNS_TYPE_A);
        return qlen;
    }
    size_t n = qlen;
    int count = k == TOO_MANY ? 17 : 1;
    for (int i = 0; i < count && n + 28 <= cap; i++) {
        if (k == POINTER_LOOP) {
            synack_wr_be16(out + n, (uint16_t)(0xc000 | n)); /* to itself */
        } else {
            synack_wr_be16(out + n, 0xc000 | SYNACK_DNS_HDR_LEN);
        }
        uint16_t type = k == WRONG_TYPE ? SYNACK_DNS_TYPE_A : AAAA;
        uint16_t rdlen = k == WRONG_TYPE || k == BAD_AAAA_LEN ? 4 : 16;
        synack_wr_be16(out + n + 2, type);
        synack_wr_be16(out + n + 4, SYNACK_DNS_CLASS_IN);
        synack_wr_be32(out + n + 6, 60);
        synack_wr_be16(out + n + 10, rdlen);
        memset(out + n + 12, 0, rdlen);
        out[n + 12] = 0x20;
        out[n + 13] = 0x01;
        out[n + 12 + rdlen - 1] = (uint8_t)(i + 1);
        n += 12 + rdlen;
    }
    synack_wr_be16(out + 6, (uint16_t)count);
    if (k == CUT_SHORT)
        n -= 6;
    return n;
}

static int crafted(env *e, craft_kind k, pending *p)
{
    e->srv.craft = craft;
    e->srv.craft_ctx = &k;
    int rc = resolve(e, "x.test", SYNACK_AF_IP6, p);
    e->srv.craft = NULL;
    return rc;
}

static void test_hostile_answers(void **state)
{
    env *e = *state;
    synack_stack *a = e->f->a;
    pending p;
    /* an A record in the answer to AAAA is not an address: NODATA */
    assert_int_equal(crafted(e, WRONG_TYPE, &p), SYNACK_ERR_NOTFOUND);

    /* malformed answers are dropped and counted; the query times out */
    uint64_t bad = synack_drops(a, SYNACK_DROP_DNS_MALFORMED);
    assert_int_equal(crafted(e, BAD_AAAA_LEN, &p), SYNACK_ERR_TIMEOUT);
    assert_int_equal(synack_drops(a, SYNACK_DROP_DNS_MALFORMED), bad + 1);
    assert_int_equal(crafted(e, CUT_SHORT, &p), SYNACK_ERR_TIMEOUT);
    assert_int_equal(synack_drops(a, SYNACK_DROP_DNS_MALFORMED), bad + 2);
    assert_int_equal(crafted(e, POINTER_LOOP, &p), SYNACK_ERR_TIMEOUT);
    assert_int_equal(synack_drops(a, SYNACK_DROP_DNS_MALFORMED), bad + 3);

    /* many records: the first SYNACK_DNS_MAX_ADDRS, nothing past them */
    assert_int_equal(crafted(e, TOO_MANY, &p), SYNACK_DNS_MAX_ADDRS);
    assert_addr(&p.addr[0], "2001::1");
    assert_addr(&p.addr[SYNACK_DNS_MAX_ADDRS - 1], "2001::4");

    /* our ID but the A question: not the answer to this query */
    uint64_t mism = synack_drops(a, SYNACK_DROP_DNS_MISMATCH);
    assert_int_equal(crafted(e, OTHER_QTYPE, &p), SYNACK_ERR_TIMEOUT);
    assert_int_equal(synack_drops(a, SYNACK_DROP_DNS_MISMATCH), mism + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_aaaa_and_a, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cname_to_aaaa, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodata_per_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_address_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals_and_family, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_answers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
