/*
 * IPv6 (ipv6/): addresses and their API, source selection, ping, UDP and
 * TCP over IPv6 between two stacks, dual-stack and V6ONLY listeners, the
 * extension-header walk on received packets (chains of every length,
 * option actions, routing headers, unknown next headers), UDP
 * fragmentation, and the ICMPv6 errors we send (rules, rate limit).
 * Reassembly and Packet Too Big are in test_reasm6.c and test_pmtu6.c.
 * The stacks talk raw IP (SYNACK_MEDIUM_IP): no Neighbour Discovery.
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
#include "test_addr.h"

typedef net_setup setup;

static void slow_errors(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->icmp_errors_per_s = 10;
}

static int fx_setup(void **state) { return ip6_setup(state, NULL); }
static int fx_setup_slow(void **state) { return ip6_setup(state, slow_errors); }

/* ---- addresses -------------------------------------------------------- */

static void test_address_api(void **state)
{
    setup *st = *state;
    synack_stack *s = st->f->a;
    uint64_t now = st->f->now;
    synack_addr a;
    synack_ip6_addr_info info[8];
    assert_int_equal(synack_get_ipv6(s, info, 8), 1);
    assert_true(synack_addr_equal(&info[0].addr, ADDR6("fd00::1")));
    assert_int_equal(info[0].prefix_len, 64);
    assert_int_equal(info[0].origin, SYNACK_IP6_ORIGIN_STATIC);
    assert_int_equal(info[0].state, SYNACK_IP6_PREFERRED);
    assert_true(info[0].valid_until == UINT64_MAX);

    /* refused: IPv4, multicast, ::, ::1, bad prefix, a duplicate */
    assert_int_equal(synack_add_ipv6(s, now, ADDR4(0x0a000009), 24), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("ff02::1"), 64), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("::"), 64), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("::1"), 128), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("fd00::9"), 0), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("fd00::9"), 129), SYNACK_ERR_INVAL);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("fd00::1"), 64), SYNACK_ERR_ADDRINUSE);

    /* the table is bounded (cfg.ipv6.max_addrs, 8) */
    for (int i = 0; i < 7; i++) {
        assert_int_equal(synack_addr_parse("2001:db8::10", &a), 0);
        a.b[15] = (uint8_t)(0x10 + i);
        assert_int_equal(synack_add_ipv6(s, now, &a, 64), 0);
    }
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("2001:db8::99"), 64), SYNACK_ERR_NOMEM);
    assert_int_equal(synack_get_ipv6(s, NULL, 0), 8);
    assert_int_equal(synack_get_ipv6(s, info, 2), 8); /* only 2 copied */
    assert_int_equal(synack_del_ipv6(s, now, ADDR6("2001:db8::10")), 0);
    assert_int_equal(synack_del_ipv6(s, now, ADDR6("2001:db8::10")), SYNACK_ERR_NOTFOUND);
    assert_int_equal(synack_get_ipv6(s, NULL, 0), 7);

    /* gateway */
    assert_int_equal(synack_get_gateway6(s).family, 0);
    assert_int_equal(synack_set_gateway6(s, now, ADDR6("ff02::2")), SYNACK_ERR_INVAL);
    assert_int_equal(synack_set_gateway6(s, now, ADDR6("fe80::1")), 0);
    assert_true(synack_addr_equal((synack_addr[1]){synack_get_gateway6(s)},
                                  ADDR6("fe80::1")));
    assert_int_equal(synack_set_gateway6(s, now, NULL), 0);
    assert_int_equal(synack_get_gateway6(s).family, 0);
}

static void test_disabled(void **state)
{
    (void)state;
    net_fixture_opts o = ip6_opts();
    o.ipv6 = false;
    o.tune = ip6_tune_disable;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    assert_int_equal(synack_add_ipv6(f->a, f->now, ADDR6("fd00::1"), 64), SYNACK_ERR_INVAL);
    int h = synack_tcp_open(f->a);
    assert_int_equal(synack_tcp_connect(f->a, f->now, h, ADDR6("fd00::2"), 80),
                     SYNACK_ERR_UNREACHABLE);
    int p = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, p, ADDR6("fd00::2"), 1, "x", 1),
                     SYNACK_ERR_UNREACHABLE);
    uint8_t pkt[128];
    size_t len = ip6_udp_from(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), 7, "x", 1);
    synack_input(f->b, f->now, pkt, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_DISABLED), 1);
    assert_int_equal(net_fixture_free(f), 0);
}

static void test_source_selection(void **state)
{
    setup *st = *state;
    synack_stack *s = st->f->a;
    uint64_t now = st->f->now;
    synack_addr src;
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("fe80::1"), 64), 0);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("2001:db8:1::1"), 64), 0);
    assert_int_equal(synack_add_ipv6(s, now, ADDR6("2001:db8:2::1"), 64), 0);
    /* same scope */
    assert_int_equal(synack_ipv6_select_source(s, ADDR6("fe80::99"), &src), 0);
    assert_true(synack_addr_equal(&src, ADDR6("fe80::1")));
    /* longest common prefix among globals */
    assert_int_equal(synack_ipv6_select_source(s, ADDR6("2001:db8:2::7"), &src), 0);
    assert_true(synack_addr_equal(&src, ADDR6("2001:db8:2::1")));
    assert_int_equal(synack_ipv6_select_source(s, ADDR6("fd00::2"), &src), 0);
    assert_true(synack_addr_equal(&src, ADDR6("fd00::1")));
    /* preferred before deprecated */
    synack_ip6_addr_find(s, ADDR6("2001:db8:2::1"))->state = SYNACK_IP6_DEPRECATED;
    assert_int_equal(synack_ipv6_select_source(s, ADDR6("2001:db8:2::7"), &src), 0);
    assert_false(synack_addr_equal(&src, ADDR6("2001:db8:2::1")));
    /* tentative and duplicate addresses are never chosen */
    synack_ip6_addr_find(s, ADDR6("fe80::1"))->state = SYNACK_IP6_TENTATIVE;
    assert_int_equal(synack_ipv6_select_source(s, ADDR6("fe80::99"), &src), 0);
    assert_false(synack_addr_equal(&src, ADDR6("fe80::1")));
    /* routes: link-local is on-link; off-link needs a gateway */
    synack_addr hop;
    assert_int_equal(synack_ipv6_route(s, ADDR6("2001:db8:9::1"), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_set_gateway6(s, now, ADDR6("fe80::fe")), 0);
    assert_int_equal(synack_ipv6_route(s, ADDR6("2001:db8:9::1"), &src, &hop), 0);
    assert_true(synack_addr_equal(&hop, ADDR6("fe80::fe")));
    assert_int_equal(synack_ipv6_route(s, ADDR6("fd00::2"), &src, &hop), 0);
    assert_true(synack_addr_equal(&hop, ADDR6("fd00::2")));
    /* not to ourselves, ::, ::1 */
    assert_int_equal(synack_ipv6_route(s, ADDR6("fd00::1"), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_ipv6_route(s, ADDR6("::1"), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
}

/* ---- ping, UDP, TCP between the stacks --------------------------------- */

typedef struct wait_ping {
    synack_stack *s;
    int h;
    int rc;
    synack_addr src;
    uint16_t seq;
    uint8_t buf[64];
} wait_ping;

static bool ping_back(net_fixture *f, void *ctx)
{
    (void)f;
    wait_ping *w = ctx;
    w->rc = synack_ping_recv(w->s, w->h, &w->src, &w->seq, w->buf, sizeof w->buf);
    return w->rc != SYNACK_ERR_AGAIN;
}

static void test_ping_both_ways(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    for (int side = 0; side < 2; side++) {
        synack_stack *s = net_stack(f, side);
        synack_addr peer = net_ip6(1 - side);
        int h = synack_ping_open(s);
        assert_true(h >= 0);
        assert_int_equal(synack_ping_send(s, f->now, h, &peer, 7, "hello6", 6), 0);
        wait_ping w = {s, h, 0, {0}, 0, {0}};
        assert_true(net_run_until(f, ping_back, &w, 1000));
        assert_int_equal(w.rc, 6);
        assert_int_equal(w.seq, 7);
        assert_memory_equal(w.buf, "hello6", 6);
        assert_true(synack_addr_equal(&w.src, &peer));
        synack_ping_close(s, h);
    }
    /* a ping to a host nobody answers for: nothing comes back */
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR6("fd00::77"), 1, "x", 1), 0);
    wait_ping w = {f->a, h, 0, {0}, 0, {0}};
    assert_false(net_run_until(f, ping_back, &w, 500));
    /* a large ping is fragmented and reassembled both ways */
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)i;
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR6("fd00::2"), 2, big,
                                      sizeof big), 0);
    w.rc = 0;
    assert_true(net_run_until(f, ping_back, &w, 1000));
    assert_int_equal(w.rc, (int)sizeof big);
    synack_counters ca, cb;
    synack_get_counters(f->a, &ca);
    synack_get_counters(f->b, &cb);
    assert_int_equal(ca.ip6_frags_out, 3);
    assert_int_equal(cb.ip6_frags_out, 3);
    assert_int_equal(ca.ip6_reassembled, 1);
    assert_int_equal(cb.ip6_reassembled, 1);
    synack_ping_close(f->a, h);
}

typedef struct wait_udp {
    synack_stack *s;
    int h, rc;
    synack_addr src;
    uint16_t sport;
    uint8_t buf[8192];
} wait_udp;

static bool udp_in(net_fixture *f, void *ctx)
{
    (void)f;
    wait_udp *w = ctx;
    w->rc = synack_udp_recvfrom(w->s, w->h, w->buf, sizeof w->buf, &w->src, &w->sport);
    return w->rc != SYNACK_ERR_AGAIN;
}

static void test_udp(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int hb = synack_udp_open(f->b, 7);
    int ha = synack_udp_open(f->a, 0);
    assert_true(ha >= 0 && hb >= 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR6("fd00::2"), 7, "abc", 3), 0);
    wait_udp *w = calloc(1, sizeof *w);
    w->s = f->b;
    w->h = hb;
    assert_true(net_run_until(f, udp_in, w, 100));
    assert_int_equal(w->rc, 3);
    assert_true(synack_addr_equal(&w->src, ADDR6("fd00::1")));
    assert_int_equal(w->sport, synack_udp_port(f->a, ha));
    /* the reply reaches A; 5000 bytes go as fragments and come back whole */
    static uint8_t big[5000];
    memset(big, 0x5a, sizeof big);
    assert_int_equal(synack_udp_sendto(f->b, f->now, hb, &w->src, w->sport, big,
                                       sizeof big), 0);
    w->s = f->a;
    w->h = ha;
    assert_true(net_run_until(f, udp_in, w, 100));
    assert_int_equal(w->rc, (int)sizeof big);
    assert_memory_equal(w->buf, big, sizeof big);
    synack_counters cb;
    synack_get_counters(f->b, &cb);
    assert_int_equal(cb.ip6_frags_out, 4); /* 1448 bytes of data each */

    /* off-link without a gateway: no route, counted under IPv6 */
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR6("2001:db8::1"), 9, "x", 1),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_IPV6_NO_ROUTE), 1);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_IPV4_NO_ROUTE), 0);
    /* a closed port: ICMPv6 port unreachable, reported once as REFUSED */
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR6("fd00::2"), 9, "x", 1), 0);
    net_run_for(f, 10);
    assert_int_equal(synack_udp_recvfrom(f->a, ha, w->buf, 16, NULL, NULL),
                     SYNACK_ERR_REFUSED);
    assert_int_equal(synack_udp_recvfrom(f->a, ha, w->buf, 16, NULL, NULL),
                     SYNACK_ERR_AGAIN);

    /* V6ONLY: the IPv4 datagram is not delivered, the IPv6 one is */
    assert_int_equal(synack_udp_setopt(f->b, hb, SYNACK_UDPOPT_V6ONLY, 1), 0);
    assert_int_equal(synack_udp_setopt(f->b, hb, SYNACK_UDPOPT_V6ONLY, 2), SYNACK_ERR_INVAL);
    assert_int_equal(synack_udp_setopt(f->b, 99, SYNACK_UDPOPT_V6ONLY, 1), SYNACK_ERR_BADF);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, "v4", 2), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR6("fd00::2"), 7, "v6", 2), 0);
    w->s = f->b;
    w->h = hb;
    assert_true(net_run_until(f, udp_in, w, 100));
    assert_int_equal(w->rc, 2);
    assert_memory_equal(w->buf, "v6", 2);
    net_run_for(f, 10);
    assert_int_equal(synack_udp_recvfrom(f->b, hb, w->buf, 16, NULL, NULL),
                     SYNACK_ERR_AGAIN);
    free(w);
    synack_udp_close(f->a, ha);
    synack_udp_close(f->b, hb);
}

typedef struct wait_ev {
    synack_stack *s;
    int h;
    uint32_t mask;
} wait_ev;

static bool ev_set(net_fixture *f, void *ctx)
{
    (void)f;
    wait_ev *w = ctx;
    return (synack_tcp_events(w->s, w->h) & w->mask) != 0;
}

/* Connect from A to B's port over `dst`; the result: 0 connected, or the error. */
static int tcp_try(net_fixture *f, const synack_addr *dst, uint16_t port, int *out)
{
    int h = synack_tcp_open(f->a);
    int rc = synack_tcp_connect(f->a, f->now, h, dst, port);
    if (rc < 0) {
        synack_tcp_close(f->a, f->now, h);
        return rc;
    }
    wait_ev w = {f->a, h, SYNACK_EV_CONNECTED | SYNACK_EV_ERROR};
    net_run_until(f, ev_set, &w, 5000);
    rc = synack_tcp_error(f->a, h);
    if (out != NULL && rc == 0)
        *out = h;
    else
        synack_tcp_abort(f->a, f->now, h);
    return rc;
}

static void test_tcp_listeners(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    /* nothing listens: RST, refused */
    assert_int_equal(tcp_try(f, ADDR6("fd00::2"), 80, NULL), SYNACK_ERR_REFUSED);
    /* off-link without a gateway: no route at once */
    assert_int_equal(tcp_try(f, ADDR6("2001:db8::1"), 80, NULL), SYNACK_ERR_UNREACHABLE);

    /* one listener takes both families */
    int l = synack_tcp_open(f->b);
    assert_int_equal(synack_tcp_bind(f->b, l, 80), 0);
    assert_int_equal(synack_tcp_listen(f->b, l, 8), 0);
    int h6 = -1, h4 = -1;
    assert_int_equal(tcp_try(f, ADDR6("fd00::2"), 80, &h6), 0);
    assert_int_equal(tcp_try(f, ADDR4(net_ip(1)), 80, &h4), 0);
    synack_addr peer;
    uint16_t pport;
    int c1 = synack_tcp_accept(f->b, f->now, l, &peer, &pport);
    assert_true(c1 >= 0);
    assert_true(synack_addr_equal(&peer, ADDR6("fd00::1")));
    int c2 = synack_tcp_accept(f->b, f->now, l, &peer, &pport);
    assert_true(c2 >= 0);
    assert_true(synack_addr_equal(&peer, ADDR4(net_ip(0))));
    /* the IPv6 connection's MSS: 1500 - 40 - 20 */
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(f->b, c1, &info), 0);
    assert_true(synack_addr_equal(&info.local_addr, ADDR6("fd00::2")));
    assert_int_equal(synack_tcp_get_info(f->a, h6, &info), 0);
    assert_int_equal(info.mss + (info.mss < 1440 ? 12 : 0), 1440);
    assert_int_equal(synack_tcp_get_info(f->a, h4, &info), 0);
    assert_int_equal(info.mss + (info.mss < 1460 ? 12 : 0), 1460);
    /* data over IPv6 */
    assert_int_equal(synack_tcp_send(f->a, f->now, h6, "over6", 5), 5);
    net_run_for(f, 100);
    char buf[16];
    assert_int_equal(synack_tcp_recv(f->b, f->now, c1, buf, sizeof buf), 5);
    assert_memory_equal(buf, "over6", 5);
    synack_tcp_abort(f->a, f->now, h6);
    synack_tcp_abort(f->a, f->now, h4);
    synack_tcp_abort(f->b, f->now, c1);
    synack_tcp_abort(f->b, f->now, c2);

    /* V6ONLY: IPv4 is refused, IPv6 accepted */
    assert_int_equal(synack_tcp_setopt(f->b, l, SYNACK_TCPOPT_V6ONLY, 1), 0);
    assert_int_equal(tcp_try(f, ADDR4(net_ip(1)), 80, NULL), SYNACK_ERR_REFUSED);
    assert_int_equal(tcp_try(f, ADDR6("fd00::2"), 80, &h6), 0);
    synack_tcp_abort(f->a, f->now, h6);
    synack_tcp_close(f->b, f->now, l);
}

typedef struct many {
    int l;
    int got;
    bool v6, small;
} many;

/* Accept what is ready, check it, let it go. */
static bool accept_all(net_fixture *f, void *ctx)
{
    many *m = ctx;
    int c;
    while ((c = synack_tcp_accept(f->b, f->now, m->l, NULL, NULL)) >= 0) {
        synack_tcp_info info;
        synack_tcp_get_info(f->b, c, &info);
        m->v6 = m->v6 && info.remote_addr.family == SYNACK_AF_IP6;
        /* a cookie's MSS is one of its table's, at most IPv6's 1440 */
        m->small = m->small && info.mss <= 1440;
        m->got++;
        synack_tcp_close(f->b, f->now, c);
    }
    return m->got == 6;
}

/* SYN cookies over IPv6: a listener with backlog 1 and six clients at
 * once; those past the backlog come back from cookies (keyed with the
 * 16-byte addresses) as their data arrives, and all are accepted. */
static void test_syn_cookies(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int l = synack_tcp_open(f->b);
    synack_tcp_bind(f->b, l, 80);
    synack_tcp_listen(f->b, l, 1);
    int h[6];
    for (int i = 0; i < 6; i++) {
        h[i] = synack_tcp_open(f->a);
        assert_int_equal(synack_tcp_connect(f->a, f->now, h[i], ADDR6("fd00::2"), 80), 0);
        assert_int_equal(synack_tcp_send(f->a, f->now, h[i], "x", 1), 1);
    }
    many m = {l, 0, true, true};
    assert_true(net_run_until(f, accept_all, &m, 20000));
    assert_true(m.v6 && m.small);
    synack_counters cb;
    synack_get_counters(f->b, &cb);
    assert_true(cb.tcp_syn_cookies_sent > 0);
    for (int i = 0; i < 6; i++)
        synack_tcp_abort(f->a, f->now, h[i]);
    synack_tcp_close(f->b, f->now, l);
}

/* ---- received extension headers (hostile input) --------------------------- */

/* B's UDP socket on port 7 and how many datagrams it has. */
static int queued(synack_stack *s, int h)
{
    int n = 0;
    uint8_t buf[64];
    while (synack_udp_recvfrom(s, h, buf, sizeof buf, NULL, NULL) >= 0)
        n++;
    return n;
}

static void test_ext_chain_lengths(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    /* 0..10 Destination Options headers (PadN) before UDP: up to
       SYNACK_IP6_EXT_MAX are walked, more are dropped */
    for (int n = 0; n <= 10; n++) {
        uint8_t pkt[1024];
        size_t len = ip6_udp_chain(pkt, 0, 1, SYNACK_IP6_NEXT_DSTOPTS, n, 7, "y", 1);
        uint64_t before = synack_drops(f->b, SYNACK_DROP_IPV6_EXT_HDR);
        synack_input(f->b, f->now, pkt, len);
        int got = queued(f->b, h);
        if (n <= SYNACK_IP6_EXT_MAX) {
            assert_int_equal(got, 1);
        } else {
            assert_int_equal(got, 0);
            assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_EXT_HDR), before + 1);
        }
        /* and every truncation of it is dropped without harm */
        for (size_t cut = 0; cut < len; cut++)
            synack_input(f->b, f->now, pkt, cut);
        assert_int_equal(queued(f->b, h), 0);
    }
    /* Hop-by-Hop after the first header: Parameter Problem code 1 */
    uint8_t pkt[256];
    net_capture_clear(st->cap);
    size_t len = ip6_udp_chain(pkt, 0, 1, SYNACK_IP6_NEXT_DSTOPTS, 1, 7, "y", 1);
    pkt[SYNACK_IP6_HDR_LEN] = SYNACK_IP6_NEXT_HOPOPTS; /* names a HbH next */
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    const uint8_t *pp = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(pp);
    assert_int_equal(pp[1], 1);
    assert_int_equal(synack_ld_be32(pp + 4), SYNACK_IP6_HDR_LEN);
    assert_int_equal(queued(f->b, h), 0);
    synack_udp_close(f->b, h);
}

/* One Destination Options header holding option `type` (2 bytes of data). */
static size_t with_option(uint8_t *pkt, uint8_t type, const char *dst)
{
    uint8_t ext[8] = {SYNACK_IPPROTO_UDP, 0, type, 2, 0, 0, 1, 0};
    return ip6_udp_ext(pkt, 0, ADDR6(dst), SYNACK_IP6_NEXT_DSTOPTS, ext, 8, 7, "z", 1);
}

static void test_ext_option_actions(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    uint8_t pkt[256];
    struct {
        uint8_t type;
        const char *dst;
        int delivered;
        int pp; /* Parameter Problem sent */
    } cases[] = {
        {0x1e, "fd00::2", 1, 0}, /* 00: skipped */
        {0x5e, "fd00::2", 0, 0}, /* 01: discarded silently */
        {0x9e, "fd00::2", 0, 1}, /* 10: Parameter Problem */
        {0xde, "fd00::2", 0, 1}, /* 11: Parameter Problem (unicast) */
        {0x9e, "ff02::1", 0, 0}, /* 10 to multicast: none */
        {0xde, "ff02::1", 0, 1}, /* 11 to multicast: still sent */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        net_capture_clear(st->cap);
        size_t len = with_option(pkt, cases[i].type, cases[i].dst);
        synack_input(f->b, f->now, pkt, len);
        net_settle(f);
        assert_int_equal(queued(f->b, h), cases[i].delivered);
        const uint8_t *m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
        assert_int_equal(m != NULL, cases[i].pp);
        if (m != NULL) {
            assert_int_equal(m[1], 2);                       /* unrecognized option */
            assert_int_equal(synack_ld_be32(m + 4), 40 + 2); /* its type octet */
            /* from a unicast address of ours, quoting the packet */
            assert_int_equal(memcmp(m + 8, pkt, 40), 0);
        }
    }
    /* a Routing header: Segments Left 0 is skipped, else refused (RFC 5095) */
    uint8_t rh[24] = {SYNACK_IPPROTO_UDP, 2, 0, 0};
    size_t len = ip6_udp_ext(pkt, 0, ADDR6("fd00::2"), SYNACK_IP6_NEXT_ROUTING, rh, 24,
                             7, "r", 1);
    synack_input(f->b, f->now, pkt, len);
    assert_int_equal(queued(f->b, h), 1);
    rh[3] = 1;
    net_capture_clear(st->cap);
    len = ip6_udp_ext(pkt, 0, ADDR6("fd00::2"), SYNACK_IP6_NEXT_ROUTING, rh, 24, 7, "r", 1);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(queued(f->b, h), 0);
    const uint8_t *m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(m);
    assert_int_equal(m[1], 0);
    assert_int_equal(synack_ld_be32(m + 4), 40 + 2);
    synack_udp_close(f->b, h);
}

static void test_unknown_next_header(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    uint8_t pkt[128];
    uint8_t body[8] = {0};
    /* protocol 253 straight after the header: pointer 6 */
    size_t len = ip6_build(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), 253, body, 8);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    const uint8_t *m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(m);
    assert_int_equal(m[1], 1);
    assert_int_equal(synack_ld_be32(m + 4), 6);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_PROTO), 1);
    /* after a Destination Options header: the pointer names its first octet */
    net_capture_clear(st->cap);
    uint8_t ext[8] = {253, 0, 1, 4, 0, 0, 0, 0};
    uint8_t pl[16];
    memcpy(pl, ext, 8);
    memset(pl + 8, 0, 8);
    len = ip6_build(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), SYNACK_IP6_NEXT_DSTOPTS, pl, 16);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    m = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_PARAM_PROBLEM);
    assert_non_null(m);
    assert_int_equal(synack_ld_be32(m + 4), 40);
    /* No Next Header (59): nothing, silently */
    net_capture_clear(st->cap);
    len = ip6_build(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), SYNACK_IP6_NEXT_NONE, body, 8);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
}

/* The last trace event as JSON. */
static char last_json[512];
static void on_trace(void *ctx, const synack_trace_event *ev)
{
    (void)ctx;
    synack_trace_json(ev, last_json, sizeof last_json);
}

static void test_bad_packets(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    uint8_t pkt[256];
    size_t len = ip6_udp_chain(pkt, 0, 1, 0, 0, 7, "q", 1);
    /* the raw-IP medium picks IPv6 by the version nibble: a runt of it */
    uint8_t bad[256];
    memcpy(bad, pkt, len);
    synack_input(f->b, f->now, bad, 39);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_TRUNCATED), 1);
    /* payload length past the packet */
    memcpy(bad, pkt, len);
    synack_wr_be16(bad + 4, (uint16_t)(len - 40 + 1));
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_TRUNCATED), 2);
    /* link padding after the payload is ignored */
    memcpy(bad, pkt, len);
    memset(bad + len, 0xee, 10);
    synack_input(f->b, f->now, bad, len + 10);
    assert_int_equal(queued(f->b, h), 1);
    /* multicast source; the drop's trace event names the layer */
    synack_set_trace(f->b, on_trace, NULL);
    len = ip6_udp_from(bad, ADDR6("ff02::5"), ADDR6("fd00::2"), 7, "q", 1);
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_BAD_SOURCE), 1);
    assert_non_null(strstr(last_json, "\"layer\":\"ipv6\""));
    assert_non_null(strstr(last_json, "\"reason\":\"bad-source\""));
    synack_set_trace(f->b, NULL, NULL);
    /* unspecified source on UDP */
    len = ip6_udp_from(bad, ADDR6("::"), ADDR6("fd00::2"), 7, "q", 1);
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_BAD_SOURCE), 2);
    /* not ours */
    len = ip6_udp_from(bad, ADDR6("fd00::1"), ADDR6("fd00::3"), 7, "q", 1);
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_NOT_FOR_US), 1);
    /* a tentative address takes neither UDP nor an echo request (RFC 4862
       5.4: only NS/NA while DAD runs) */
    synack_ip6_addr_find(f->b, ADDR6("fd00::2"))->state = SYNACK_IP6_TENTATIVE;
    len = ip6_udp_from(bad, ADDR6("fd00::1"), ADDR6("fd00::2"), 7, "q", 1);
    synack_input(f->b, f->now, bad, len);
    uint8_t echo[8] = {SYNACK_ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};
    net_capture_clear(st->cap);
    len = ip6_icmp(bad, ADDR6("fd00::1"), ADDR6("fd00::2"), echo, 8);
    synack_input(f->b, f->now, bad, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_IPV6_NOT_FOR_US), 3);
    assert_int_equal(queued(f->b, h), 0);
    synack_ip6_addr_find(f->b, ADDR6("fd00::2"))->state = SYNACK_IP6_PREFERRED;
    /* a zero UDP checksum is invalid over IPv6 */
    len = ip6_udp_from(bad, ADDR6("fd00::1"), ADDR6("fd00::2"), 7, "q", 1);
    bad[46] = bad[47] = 0;
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_UDP_BAD_CHECKSUM), 1);
    assert_int_equal(queued(f->b, h), 0);
    /* a bad UDP checksum */
    len = ip6_udp_from(bad, ADDR6("fd00::1"), ADDR6("fd00::2"), 7, "q", 1);
    bad[47] ^= 1;
    synack_input(f->b, f->now, bad, len);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_UDP_BAD_CHECKSUM), 2);
    /* all-nodes multicast is ours; a datagram to a closed port there gets
       no error (RFC 4443 2.4(e.3)) */
    net_capture_clear(st->cap);
    len = ip6_udp_from(bad, ADDR6("fd00::1"), ADDR6("ff02::1"), 9, "q", 1);
    synack_input(f->b, f->now, bad, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
    synack_udp_close(f->b, h);
}

/* ---- ICMPv6 errors sent and received ----------------------------------------- */

static void test_error_rate_limit(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    uint8_t pkt[128];
    size_t len = ip6_udp_from(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), 9, "x", 1);
    for (int i = 0; i < 50; i++)
        synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(ip6_count_icmp(st->cap, 1, SYNACK_ICMP6_DEST_UNREACH), 10);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ICMP6_RATE), 40);
    /* the bucket refills: 10 per second */
    net_capture_clear(st->cap);
    f->now += 500;
    for (int i = 0; i < 50; i++)
        synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(ip6_count_icmp(st->cap, 1, SYNACK_ICMP6_DEST_UNREACH), 5);
}

static void test_no_error_about_error(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    /* an ICMPv6 error (Destination Unreachable) B cannot place, with a
       bad quote; and one with an unknown next header inside: no answer */
    uint8_t msg[64] = {SYNACK_ICMP6_DEST_UNREACH, 0, 0, 0, 0, 0, 0, 0};
    uint8_t pkt[128];
    size_t len = ip6_icmp(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), msg, 8 + 8);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ICMP6_MALFORMED), 1);
    /* unknown informational type: dropped, unanswered */
    msg[0] = 200;
    len = ip6_icmp(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), msg, 8);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ICMP6_UNHANDLED), 1);
    /* a bad ICMPv6 checksum */
    msg[0] = SYNACK_ICMP6_ECHO_REQUEST;
    len = ip6_icmp(pkt, ADDR6("fd00::1"), ADDR6("fd00::2"), msg, 8);
    pkt[len - 1] ^= 0x40;
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    assert_int_equal(st->cap->count, 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_ICMP6_BAD_CHECKSUM), 1);
    /* an echo request to all-nodes is answered from a unicast address */
    len = ip6_icmp(pkt, ADDR6("fd00::1"), ADDR6("ff02::1"), msg, 8);
    synack_input(f->b, f->now, pkt, len);
    net_settle(f);
    const uint8_t *r = ip6_sent_icmp(st->cap, 1, SYNACK_ICMP6_ECHO_REPLY);
    assert_non_null(r);
    const uint8_t *ip = r - 40;
    assert_int_equal(memcmp(ip + 8, ADDR6("fd00::2")->b, 16), 0);
}

static void test_errors_to_transports(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    /* A sends a datagram; a router answers Destination Unreachable code 3
       (address unreachable) quoting it: UNREACHABLE for the socket */
    int h = synack_udp_open(f->a, 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("fd00::2"), 4444, "q", 1), 0);
    const net_frame *sent = ip6_last_sent(st->cap, 0);
    assert_non_null(sent);
    uint8_t msg[256] = {SYNACK_ICMP6_DEST_UNREACH, 3, 0, 0, 0, 0, 0, 0};
    memcpy(msg + 8, sent->data, sent->len);
    uint8_t pkt[512];
    size_t len = ip6_icmp(pkt, ADDR6("fd00::fe"), ADDR6("fd00::1"), msg, 8 + sent->len);
    net_run_for(f, 10); /* B's own port unreachable for 4444 comes first */
    uint8_t buf[8];
    assert_int_equal(synack_udp_recvfrom(f->a, h, buf, 8, NULL, NULL), SYNACK_ERR_REFUSED);
    synack_input(f->a, f->now, pkt, len);
    assert_int_equal(synack_udp_recvfrom(f->a, h, buf, 8, NULL, NULL),
                     SYNACK_ERR_UNREACHABLE);
    /* a quote of a packet not from us is dropped */
    memcpy(msg + 8 + 8, ADDR6("fd00::9")->b, 16);
    len = ip6_icmp(pkt, ADDR6("fd00::fe"), ADDR6("fd00::1"), msg, 8 + sent->len);
    synack_input(f->a, f->now, pkt, len);
    assert_int_equal(synack_udp_recvfrom(f->a, h, buf, 8, NULL, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP6_MALFORMED), 1);
    synack_udp_close(f->a, h);

    /* TCP: port unreachable during the handshake is a hard error */
    int c = synack_tcp_open(f->a);
    st->cap->drop = ip6_drop_all;
    assert_int_equal(synack_tcp_connect(f->a, f->now, c, ADDR6("fd00::2"), 81), 0);
    sent = ip6_last_sent(st->cap, 0);
    assert_non_null(sent);
    memset(msg, 0, 8);
    msg[0] = SYNACK_ICMP6_DEST_UNREACH;
    msg[1] = 4;
    memcpy(msg + 8, sent->data, sent->len);
    len = ip6_icmp(pkt, ADDR6("fd00::2"), ADDR6("fd00::1"), msg, 8 + sent->len);
    synack_input(f->a, f->now, pkt, len);
    assert_int_equal(synack_tcp_error(f->a, c), SYNACK_ERR_REFUSED);
    st->cap->drop = NULL;
    synack_tcp_close(f->a, f->now, c);
}

/* ---- send offload over IPv6 (synack_link.gso_ip6) ----------------------- */

static int gso6_calls, gso6_bad;

/* A send_gso that records what it is given (and drops it: TCP then
 * retransmits wire-sized segments, so the transfer still ends). */
static int record_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    (void)ctx;
    gso6_calls++;
    if (len < 14 + 40 + 20 || frame[12] != 0x86 || frame[13] != 0xdd ||
        frame[14 + 6] != SYNACK_IPPROTO_TCP || g->seg != 1428 ||
        synack_ld_be16(frame + 14 + 4) != len - 14 - 40)
        gso6_bad++;
    /* the offsets given with it (synack_gso): TCP right after the fixed
     * header, its checksum field at 16, the payload after its header */
    else if (g->family != SYNACK_AF_IP6 || g->csum_start != 14 + 40 || g->csum_offset != 16 ||
             g->hdr_len != 14 + 40 + (frame[14 + 40 + 12] >> 4) * 4)
        gso6_bad++;
    return 0;
}

static void tune_gso(void *ctx, int side, synack_config *cfg)
{
    (void)side;
    cfg->link.gso_max = 65535;
    cfg->link.send_gso = record_gso;
    cfg->link.gso_ip6 = *(const bool *)ctx;
}

typedef struct bulk {
    net_fixture *f;
    int ha, hb;
    size_t sent, got;
} bulk;

static bool bulk_step(net_fixture *f, void *ctx)
{
    (void)f;
    bulk *b = ctx;
    static uint8_t buf[65536];
    while (b->sent < 300000) {
        int rc = synack_tcp_send(b->f->a, b->f->now, b->ha, buf, 65536);
        if (rc <= 0)
            break;
        b->sent += (size_t)rc;
    }
    int rc;
    while ((rc = synack_tcp_recv(b->f->b, b->f->now, b->hb, buf, sizeof buf)) > 0)
        b->got += (size_t)rc;
    if (b->hb < 0)
        b->hb = synack_tcp_accept(b->f->b, b->f->now, 0, NULL, NULL);
    return b->got >= 300000;
}

static void test_gso_ip6(void **state)
{
    (void)state;
    for (int on = 0; on < 2; on++) {
        bool gso_ip6 = on != 0;
        net_fixture_opts o = net_fixture_defaults(); /* Ethernet, NDP */
        o.ipv6 = true;
        o.tune = tune_gso;
        o.tune_ctx = &gso_ip6;
        net_fixture *f = net_fixture_new(&o);
        assert_non_null(f);
        net_run_for(f, 3000); /* duplicate address detection */
        gso6_calls = gso6_bad = 0;
        int l = synack_tcp_open(f->b);
        assert_int_equal(l, 0);
        synack_tcp_bind(f->b, l, 80);
        synack_tcp_listen(f->b, l, 4);
        bulk b = {f, synack_tcp_open(f->a), -1, 0, 0};
        assert_int_equal(synack_tcp_connect(f->a, f->now, b.ha, ADDR6("fd00::2"), 80), 0);
        assert_true(net_run_until(f, bulk_step, &b, 60000));
        if (gso_ip6)
            assert_true(gso6_calls > 0);
        else
            assert_int_equal(gso6_calls, 0);
        assert_int_equal(gso6_bad, 0);
        synack_tcp_abort(f->a, f->now, b.ha);
        synack_tcp_abort(f->b, f->now, b.hb);
        synack_tcp_close(f->b, f->now, l);
        assert_int_equal(net_fixture_free(f), 0);
    }
}

/* The neighbour solicitations side sent for `target` (Ethernet capture). */
static int ns_for(const net_capture *c, int side, const char *target)
{
    synack_addr t = ip6_addr(target);
    int n = 0;
    for (size_t i = 0; i < c->count; i++) {
        const net_frame *fr = &c->frames[i];
        const uint8_t *ip = fr->data + 14;
        if (fr->side == side && fr->len >= 14 + 40 + 24 && fr->data[12] == 0x86 &&
            fr->data[13] == 0xdd && ip[6] == SYNACK_IPPROTO_ICMPV6 && ip[40] == 135 &&
            memcmp(ip + 48, t.b, 16) == 0)
            n++;
    }
    return n;
}

static void test_next_hop_follows_changes(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults(); /* Ethernet, NDP */
    o.ipv6 = true;
    net_capture *cap;
    net_fixture *f = net_fixture_captured(&o, &cap);
    assert_non_null(f);
    net_run_for(f, 3000); /* duplicate address detection */
    int h = synack_udp_open(f->a, 0);
    /* off-link: through the gateway, whose address NDP solicits */
    assert_int_equal(synack_set_gateway6(f->a, f->now, ADDR6("fe80::a")), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("2001:db8::1"), 9, "x", 1), 0);
    assert_int_equal(ns_for(cap, 0, "fe80::a"), 1);
    /* another gateway in the same millisecond: the next packet goes there */
    assert_int_equal(synack_set_gateway6(f->a, f->now, ADDR6("fe80::b")), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("2001:db8::1"), 9, "x", 1), 0);
    assert_int_equal(ns_for(cap, 0, "fe80::b"), 1);
    /* an address whose prefix covers the destination: on-link at once */
    assert_int_equal(synack_add_ipv6(f->a, f->now, ADDR6("2001:db8::5"), 64), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR6("2001:db8::1"), 9, "x", 1), 0);
    assert_int_equal(ns_for(cap, 0, "2001:db8::1"), 1);
    synack_udp_close(f->a, h);
    assert_int_equal(net_fixture_captured_free(f, cap), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_address_api, fx_setup, net_teardown),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test_setup_teardown(test_source_selection, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_ping_both_ways, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_udp, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_tcp_listeners, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_syn_cookies, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_ext_chain_lengths, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_ext_option_actions, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_next_header, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_bad_packets, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_error_rate_limit, fx_setup_slow, net_teardown),
        cmocka_unit_test_setup_teardown(test_no_error_about_error, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_errors_to_transports, fx_setup, net_teardown),
        cmocka_unit_test(test_gso_ip6),
        cmocka_unit_test(test_next_hop_follows_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
