/*
 * Packet Too Big and the path MTU (RFC 8201, RFC 4443 3.2): a PTB lowers
 * the path MTU towards its destination (never below 1280, never raised,
 * aged back after cfg.ipv6.pmtu_timeout_ms, a bounded cache), lowers the
 * MSS of the TCP connection whose outstanding segment it quotes and
 * retransmits it at once; bogus PTBs (MTU above what we sent, a quote of
 * a segment not outstanding or not ours) change nothing. A simulation
 * puts a 1300-byte link in the path: TCP learns it from PTBs and moves
 * 2 MB; UDP datagrams above the path MTU are fragmented to fit.
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
#include "tcp_sim.h"

typedef net_setup setup;

static int fx_setup(void **state) { return ip6_setup(state, NULL); }

static uint8_t pkt[4000];

/* A PTB from a router to A quoting `q` (len bytes) with `mtu`. */
static void ptb_to_a(net_fixture *f, const uint8_t *q, size_t len, uint32_t mtu)
{
    static uint8_t msg[1400];
    memset(msg, 0, 8);
    msg[0] = SYNACK_ICMP6_PACKET_TOO_BIG;
    synack_wr_be32(msg + 4, mtu);
    size_t ql = len < 1232 ? len : 1232;
    memcpy(msg + 8, q, ql);
    size_t n = ip6_icmp(pkt, ADDR6("fd00::fe"), ADDR6("fd00::1"), msg, 8 + ql);
    synack_input(f->a, f->now, pkt, n);
}

typedef struct wait_ev {
    synack_stack *s;
    int h;
} wait_ev;

static bool connected(net_fixture *f, void *ctx)
{
    (void)f;
    wait_ev *w = ctx;
    return (synack_tcp_events(w->s, w->h) & SYNACK_EV_CONNECTED) != 0;
}

static void test_ptb_tcp(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int l = synack_tcp_open(f->b);
    synack_tcp_bind(f->b, l, 80);
    synack_tcp_listen(f->b, l, 4);
    int h = synack_tcp_open(f->a);
    assert_int_equal(synack_tcp_connect(f->a, f->now, h, ADDR6("fd00::2"), 80), 0);
    wait_ev w = {f->a, h};
    assert_true(net_run_until(f, connected, &w, 1000));
    synack_tcp_info info;
    synack_tcp_get_info(f->a, h, &info);
    uint32_t mss0 = info.mss; /* 1440 less the timestamp option */
    assert_int_equal(mss0, 1428);
    /* a full segment is outstanding (its frames dropped on the way) */
    st->cap->drop = ip6_drop_all;
    static uint8_t data[20000];
    assert_true(synack_tcp_send(f->a, f->now, h, data, sizeof data) > 0);
    const net_frame *seg = ip6_last_sent(st->cap, 0);
    assert_non_null(seg);
    assert_int_equal(seg->len, 1500);
    uint8_t q[1500];
    memcpy(q, seg->data, 1500);
    /* bogus: above what we sent (the link MTU) */
    ptb_to_a(f, q, 1500, 9000);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, mss0);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP6_BAD_PTB), 1);
    /* bogus: a segment not outstanding */
    uint8_t q2[1500];
    memcpy(q2, q, 1500);
    synack_wr_be32(q2 + 40 + 4, synack_ld_be32(q + 44) + 1000000u);
    ptb_to_a(f, q2, 1500, 1300);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP6_BAD_PTB), 2);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1500);
    /* bogus: a quote of a packet that is not ours */
    memcpy(q2, q, 1500);
    memcpy(q2 + 8, ADDR6("fd00::66")->b, 16);
    ptb_to_a(f, q2, 1500, 1300);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP6_BAD_PTB), 3);
    /* a real one: the path MTU and the MSS drop, the segment goes again at
       once, and nothing sent towards B is larger than 1300 from now on */
    size_t before = st->cap->count;
    ptb_to_a(f, q, 1500, 1300);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1300);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, 1300 - 60 - 12);
    assert_true(st->cap->count > before);
    assert_int_equal(st->cap->frames[before].len, 1300);
    /* every connection to that destination follows (not only the quoted
       one); a second connection opened before the PTB: */
    {
        st->cap->drop = NULL;
        int h2 = synack_tcp_open(f->a);
        assert_int_equal(synack_tcp_connect(f->a, f->now, h2, ADDR6("fd00::2"), 80), 0);
        wait_ev w2 = {f->a, h2};
        assert_true(net_run_until(f, connected, &w2, 1000));
        synack_tcp_get_info(f->a, h2, &info);
        assert_int_equal(info.mss, 1300 - 60 - 12); /* from the path MTU at connect */
        st->cap->drop = ip6_drop_all;
        ptb_to_a(f, q, 1500, 1290);
        synack_tcp_get_info(f->a, h2, &info);
        assert_int_equal(info.mss, 1290 - 60 - 12);
        synack_tcp_get_info(f->a, h, &info);
        assert_int_equal(info.mss, 1290 - 60 - 12);
        synack_tcp_abort(f->a, f->now, h2);
    }
    /* below 1280: 1280 (RFC 8201 4) */
    ptb_to_a(f, q, 1500, 600);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1280);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, 1280 - 60 - 12);
    /* a PTB never raises it */
    ptb_to_a(f, q, 1500, 1400);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1280);
    synack_counters c;
    synack_get_counters(f->a, &c);
    assert_int_equal(c.ip6_frags_out, 0); /* TCP is never fragmented */
    /* RFC 8201 4: after pmtu_timeout_ms the link MTU is tried again */
    f->now += f->a->cfg.ipv6.pmtu_timeout_ms + 1;
    synack_poll(f->a, f->now);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1500);
    st->cap->drop = NULL;
    synack_tcp_abort(f->a, f->now, h);
    synack_tcp_close(f->b, f->now, l);
}

/* B accepts on listener l and reads until it has `want` bytes. */
typedef struct drain {
    int l, hb;
    size_t got, want;
} drain;

static bool drained(net_fixture *f, void *ctx)
{
    drain *d = ctx;
    static uint8_t sink[20000];
    if (d->hb < 0)
        d->hb = synack_tcp_accept(f->b, f->now, d->l, NULL, NULL);
    int r;
    while (d->hb >= 0 && (r = synack_tcp_recv(f->b, f->now, d->hb, sink, sizeof sink)) > 0)
        d->got += (size_t)r;
    return d->got >= d->want;
}

/* A's `pmtu` trace events (DESIGN.md), as JSON lines. */
static struct {
    char line[8][128];
    int n;
} pmtu_ev;

static void collect_pmtu(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    if (ev->kind == SYNACK_TRACE_PMTU && pmtu_ev.n < 8)
        synack_trace_json(ev, pmtu_ev.line[pmtu_ev.n++], sizeof pmtu_ev.line[0]);
}

/* B's link is 1400 bytes: it announces an MSS of 1340, below A's link.
 * A traces its path MTU changes. */
static void tune_b_1400(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    if (side == 1)
        cfg->link.mtu = 1400;
    else
        cfg->trace = collect_pmtu;
}

static int fx_setup_b_1400(void **state) { return ip6_setup(state, tune_b_1400); }

/*
 * RFC 8201 4: once a path MTU entry ages out the larger MTU is tried
 * again, so the connections a Packet Too Big lowered get their MSS back,
 * bounded by what the peer announced (1340 here, below A's 1440) and the
 * interface. Not before the timeout (at least 5 minutes; 10 by default),
 * and synack_poll_at names the expiry so a driver wakes for it.
 */
static void test_pmtu_expiry_raises_mss(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int l = synack_tcp_open(f->b);
    synack_tcp_bind(f->b, l, 80);
    synack_tcp_listen(f->b, l, 4);
    int h = synack_tcp_open(f->a);
    assert_int_equal(synack_tcp_connect(f->a, f->now, h, ADDR6("fd00::2"), 80), 0);
    wait_ev w = {f->a, h};
    assert_true(net_run_until(f, connected, &w, 1000));
    synack_tcp_info info;
    synack_tcp_get_info(f->a, h, &info);
    uint32_t mss0 = info.mss;
    assert_int_equal(mss0, 1400 - 60 - 12); /* the peer's, less timestamps */
    st->cap->drop = ip6_drop_all;
    static uint8_t data[20000];
    assert_true(synack_tcp_send(f->a, f->now, h, data, sizeof data) > 0);
    const net_frame *seg = ip6_last_sent(st->cap, 0);
    assert_non_null(seg);
    assert_int_equal(seg->len, 1400);
    uint8_t q[1400];
    memcpy(q, seg->data, sizeof q);
    uint64_t t0 = f->now;
    memset(&pmtu_ev, 0, sizeof pmtu_ev);
    ptb_to_a(f, q, sizeof q, 1300);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, 1300 - 60 - 12);
    assert_int_equal(pmtu_ev.n, 1);
    assert_non_null(strstr(pmtu_ev.line[0], "\"ev\":\"pmtu\",\"dst\":\"fd00::2\",\"mtu\":1300}"));
    uint64_t expiry = t0 + f->a->cfg.ipv6.pmtu_timeout_ms;
    assert_int_equal(synack_ipv6_poll_at(f->a), expiry);
    assert_true(synack_poll_at(f->a) <= expiry);

    /* the transfer ends at the lower MSS */
    st->cap->drop = NULL;
    drain dr = {l, -1, 0, sizeof data};
    assert_true(net_run_until(f, drained, &dr, 60000));

    /* just before the expiry: still lowered */
    f->now = expiry - 1;
    synack_poll(f->a, f->now);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, 1300 - 60 - 12);
    /* at it: the path MTU is the link's again and the MSS the peer's */
    f->now = expiry;
    synack_poll(f->a, f->now);
    assert_int_equal(synack_ipv6_path_mtu(f->a, ADDR6("fd00::2")), 1500);
    synack_tcp_get_info(f->a, h, &info);
    assert_int_equal(info.mss, mss0);
    /* the trace says so: back to the link's 1500 */
    assert_int_equal(pmtu_ev.n, 2);
    assert_non_null(strstr(pmtu_ev.line[1], "\"ev\":\"pmtu\",\"dst\":\"fd00::2\",\"mtu\":1500}"));
    assert_int_equal(synack_ipv6_poll_at(f->a), UINT64_MAX);
    /* and new data leaves in full-sized segments again */
    size_t before = st->cap->count;
    assert_true(synack_tcp_send(f->a, f->now, h, data, 3000) > 0);
    assert_true(st->cap->count > before);
    assert_int_equal(st->cap->frames[before].len, 1400);
    synack_tcp_abort(f->a, f->now, h);
    synack_tcp_close(f->b, f->now, l);
}

static void test_ptb_udp_and_cache(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->a, 0);
    static uint8_t data[1400];
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("fd00::2"), 9, data,
                                       sizeof data), 0);
    synack_counters c;
    synack_get_counters(f->a, &c);
    assert_int_equal(c.ip6_frags_out, 0);
    const net_frame *fr = ip6_last_sent(st->cap, 0);
    ptb_to_a(f, fr->data, fr->len, 1280);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("fd00::2"), 9, data,
                                       sizeof data), 0);
    synack_get_counters(f->a, &c);
    assert_int_equal(c.ip6_frags_out, 2);
    fr = ip6_last_sent(st->cap, 0);
    assert_true(fr->len <= 1280);
    /* the cache is bounded: 100 destinations, 32 entries, the oldest go */
    for (int i = 0; i < 100; i++) {
        synack_addr d = ip6_addr("fd00::1000");
        d.b[14] = (uint8_t)i;
        synack_ipv6_pmtu_update(f->a, f->now + (uint64_t)i, &d, 1300);
    }
    int held = 0;
    for (int i = 0; i < 100; i++) {
        synack_addr d = ip6_addr("fd00::1000");
        d.b[14] = (uint8_t)i;
        held += synack_ipv6_path_mtu(f->a, &d) == 1300;
    }
    assert_int_equal(held, (int)f->a->cfg.ipv6.pmtu_cache_size);
    synack_udp_close(f->a, h);
}

/* ---- a narrow link in the path, in simulation ----------------------------- */

typedef struct router {
    net_fixture *f;
    uint8_t q[8][1500];
    size_t qlen[8];
    int n;
    int sent;
    uint32_t mss; /* A's connection's, last seen open */
} router;

/* The tap: A's packets above 1300 bytes are dropped and remembered. */
static bool narrow(void *ctx, net_fixture *f, int side, const uint8_t *frame, size_t len)
{
    (void)f;
    router *r = ctx;
    if (side != 0 || len <= 1300)
        return true;
    if (r->n < 8) {
        memcpy(r->q[r->n], frame, len);
        r->qlen[r->n++] = len;
    }
    return false;
}

static bool done_or_ptb(net_fixture *f, void *ctx)
{
    tcp_sim *sim = ctx;
    router *r = sim->tap_ctx;
    for (int i = 0; i < r->n; i++) {
        ptb_to_a(f, r->q[i], r->qlen[i], 1300);
        r->sent++;
    }
    r->n = 0;
    synack_tcp_info info;
    if (sim->end[0].h >= 0 && synack_tcp_get_info(f->a, sim->end[0].h, &info) == 0)
        r->mss = info.mss;
    tcp_sim_pump(sim);
    return tcp_sim_done(sim);
}

static void test_narrow_link_sim(void **state)
{
    (void)state;
    net_fixture_opts o = ip6_opts();
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    router *r = calloc(1, sizeof *r);
    r->f = f;
    f->tap = narrow;
    f->tap_ctx = r;
    tcp_sim *sim = calloc(1, sizeof *sim);
    assert_int_equal(tcp_sim_start(sim, f, 2000000, 2000000, 5), 0);
    sim->tap_ctx = r; /* read back by done_or_ptb; sim->tap stays NULL */
    assert_true(net_run_until(f, done_or_ptb, sim, 60000));
    assert_int_equal(sim->end[0].bad_bytes + sim->end[1].bad_bytes, 0);
    assert_true(r->sent >= 1 && r->sent <= 8);
    assert_int_equal(r->mss, 1300 - 60 - 12);
    free(sim);
    free(r);
    net_run_for(f, 130000);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ptb_tcp, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_ptb_udp_and_cache, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_pmtu_expiry_raises_mss, fx_setup_b_1400,
                                        net_teardown),
        cmocka_unit_test(test_narrow_link_sim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
