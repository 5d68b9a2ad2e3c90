/* ICMP: ping handles, errors received and delivered, errors sent (rules
 * and rate limit), malformed messages. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "ipv4/icmp.h"
#include "net/stack.h"
#include "test_addr.h"

typedef net_setup setup;

static void slow_errors(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->icmp_errors_per_s = 10;
    cfg->udp_queue_len = 4;
}

static int setup_with(void **state, net_tune_fn tune)
{
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    return net_setup_with(state, &o);
}

static int fx_setup(void **state) { return setup_with(state, NULL); }
static int fx_setup_slow(void **state) { return setup_with(state, slow_errors); }

static void test_ping_handles(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h1 = synack_ping_open(f->a), h2 = synack_ping_open(f->a);
    assert_true(h1 >= 0 && h2 >= 0 && h1 != h2);
    assert_int_not_equal(f->a->icmp.pings[h1].ident, f->a->icmp.pings[h2].ident);
    assert_int_equal(synack_ping_send(f->a, f->now, 99, ADDR4(net_ip(1)), 1, NULL, 0),
                     SYNACK_ERR_BADF);
    assert_int_equal(synack_ping_recv(f->a, -1, NULL, NULL, NULL, 0), SYNACK_ERR_BADF);
    assert_int_equal(synack_ping_recv(f->a, h1, NULL, NULL, NULL, 0), SYNACK_ERR_AGAIN);
    static uint8_t big[65508];
    assert_int_equal(synack_ping_send(f->a, f->now, h1, ADDR4(net_ip(1)), 1, big, sizeof big),
                     SYNACK_ERR_MSGSIZE);

    /* each handle sees only its own replies; a large one is reassembled */
    for (size_t i = 0; i < 5000; i++)
        big[i] = (uint8_t)(i * 13);
    assert_int_equal(synack_ping_send(f->a, f->now, h1, ADDR4(net_ip(1)), 1, big, 5000), 0);
    assert_int_equal(synack_ping_send(f->a, f->now, h2, ADDR4(net_ip(1)), 2, "two", 3), 0);
    net_run_for(f, 10);
    static uint8_t got[6000];
    uint16_t seq;
    assert_int_equal(synack_ping_recv(f->a, h1, NULL, &seq, got, sizeof got), 5000);
    assert_int_equal(seq, 1);
    assert_memory_equal(got, big, 5000);
    assert_int_equal(synack_ping_recv(f->a, h1, NULL, NULL, NULL, 0), SYNACK_ERR_AGAIN);
    /* truncated to cap, full length returned */
    assert_int_equal(synack_ping_recv(f->a, h2, NULL, &seq, got, 2), 3);
    assert_int_equal(seq, 2);
    assert_memory_equal(got, "tw", 2);
    synack_ping_close(f->a, h1);
    synack_ping_close(f->a, h2);
    synack_ping_close(f->a, h2);
    /* a reply for a closed handle is not for anyone */
    net_capture_clear(st->cap);
    uint8_t buf[128];
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = SYNACK_ICMP_ECHO_REPLY;
    m.id = 0x4242;
    uint8_t l4[8];
    size_t n = synack_icmp_emit(&m, l4);
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), SYNACK_IPPROTO_ICMP);
    n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, l4, n);
    uint64_t before = synack_drops(f->a, SYNACK_DROP_ICMP_UNHANDLED);
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_UNHANDLED), before + 1);
}

static void test_reply_queue_bounded(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_ping_open(f->a);
    for (uint16_t i = 0; i < 6; i++)
        assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR4(net_ip(1)), i, "p", 1), 0);
    net_run_for(f, 10);
    /* udp_queue_len is 4 in this setup: two replies dropped */
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_UNHANDLED), 2);
    for (uint16_t i = 0; i < 4; i++) {
        uint16_t seq;
        assert_int_equal(synack_ping_recv(f->a, h, NULL, &seq, NULL, 0), 1);
        assert_int_equal(seq, i);
    }
    assert_int_equal(synack_ping_recv(f->a, h, NULL, NULL, NULL, 0), SYNACK_ERR_AGAIN);
    synack_ping_close(f->a, h);
}

static bool a_has_error(net_fixture *f, void *ctx)
{
    int *h = ctx;
    return f->a->udp.socks[*h].err != 0;
}

static void test_port_unreachable_refused(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->a, 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, h, ADDR4(net_ip(1)), 4444, "hi", 2), 0);
    assert_true(net_run_until(f, a_has_error, &h, 100));
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_UDP_NO_SOCKET), 1);
    const net_frame *fr = net_capture_find(st->cap, 1, SYNACK_ETHERTYPE_IPV4,
                                           SYNACK_IPPROTO_ICMP, 0);
    assert_non_null(fr);
    assert_int_equal(fr->data[34], SYNACK_ICMP_DEST_UNREACH);
    assert_int_equal(fr->data[35], SYNACK_ICMP_UNREACH_PORT);
    /* quoted: A's IP header and the UDP header with both ports */
    assert_int_equal(fr->len, 14 + 20 + 8 + 20 + 8 + 2);
    assert_int_equal(synack_udp_recvfrom(f->a, h, NULL, 0, NULL, NULL), SYNACK_ERR_REFUSED);
    assert_int_equal(synack_udp_recvfrom(f->a, h, NULL, 0, NULL, NULL), SYNACK_ERR_AGAIN);
}

/* An ICMP error from B quoting a datagram A sent (header + 8 bytes). */
static size_t build_error(uint8_t *buf, uint8_t type, uint8_t code,
                          const uint8_t *quote, size_t qlen, bool verify_ok)
{
    uint8_t l4[256];
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.code = code;
    m.payload = quote;
    m.payload_len = qlen;
    size_t n = synack_icmp_emit(&m, l4);
    if (!verify_ok)
        l4[2] ^= 1;
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), SYNACK_IPPROTO_ICMP);
    return net_build_ip(buf, net_mac(0), net_mac(1), &ip, l4, n);
}

static void test_errors_received(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_ping_open(f->a);
    /* A's echo request as it would be quoted */
    uint8_t req[128];
    size_t n = net_build_echo(req, 0, 1, f->a->icmp.pings[h].ident, 1, "x", 1);
    uint8_t buf[256];
    size_t m = build_error(buf, SYNACK_ICMP_DEST_UNREACH, SYNACK_ICMP_UNREACH_HOST,
                           req + 14, 28, true);
    synack_input(f->a, f->now, buf, m);
    assert_int_equal(synack_ping_recv(f->a, h, NULL, NULL, NULL, 0),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_ping_recv(f->a, h, NULL, NULL, NULL, 0), SYNACK_ERR_AGAIN);

    /* time exceeded about a UDP datagram: unreachable on that socket */
    int u = synack_udp_open(f->a, 5353);
    n = net_build_udp(req, 0, 1, 5353, 53, "q", 1);
    m = build_error(buf, SYNACK_ICMP_TIME_EXCEEDED, 0, req + 14, 28, true);
    synack_input(f->a, f->now, buf, m);
    assert_int_equal(synack_udp_recvfrom(f->a, u, NULL, 0, NULL, NULL),
                     SYNACK_ERR_UNREACHABLE);

    /* malformed: bad checksum, too short, short quote, not our datagram */
    m = build_error(buf, SYNACK_ICMP_DEST_UNREACH, 3, req + 14, 28, false);
    synack_input(f->a, f->now, buf, m);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_BAD_CHECKSUM), 1);
    m = build_error(buf, SYNACK_ICMP_DEST_UNREACH, 3, req + 14, 27, true);
    synack_input(f->a, f->now, buf, m);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_MALFORMED), 1);
    n = net_build_udp(req, 1, 0, 5353, 53, "q", 1); /* B's own datagram */
    m = build_error(buf, SYNACK_ICMP_DEST_UNREACH, 3, req + 14, 28, true);
    synack_input(f->a, f->now, buf, m);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_MALFORMED), 2);
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), SYNACK_IPPROTO_ICMP);
    uint8_t l4[4] = {8, 0, 0xf7, 0xff};
    n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, l4, 4);
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_MALFORMED), 3);
    assert_int_equal(synack_udp_recvfrom(f->a, u, NULL, 0, NULL, NULL), SYNACK_ERR_AGAIN);
    /* an unknown type (timestamp request) is counted, not answered */
    uint8_t ts[20] = {13};
    synack_icmp_repr tm;
    memset(&tm, 0, sizeof tm);
    tm.type = 13;
    tm.payload = ts + 8;
    tm.payload_len = 12;
    n = synack_icmp_emit(&tm, ts);
    n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, ts, n);
    uint64_t before = synack_drops(f->a, SYNACK_DROP_ICMP_UNHANDLED);
    synack_input(f->a, f->now, buf, n);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_ICMP_UNHANDLED), before + 1);
    synack_ping_close(f->a, h);
}

static void test_error_rules(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *a = f->a;
    net_run_for(f, 10);
    uint8_t hdr[20] = {0x45};
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), SYNACK_IPPROTO_ICMP);
    uint8_t err_msg[8] = {SYNACK_ICMP_DEST_UNREACH, 3};
    uint8_t echo_msg[8] = {SYNACK_ICMP_ECHO_REQUEST, 0};
    /* never about an ICMP error */
    synack_icmp_send_error(a, f->now, 3, 2, 0, &ip, hdr, err_msg, 8, false);
    assert_int_equal(st->cap->count, 0);
    /* about a query it is fine */
    synack_icmp_send_error(a, f->now, 3, 2, 0, &ip, hdr, echo_msg, 8, false);
    net_run_for(f, 5);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 1);
    /* never about broadcasts, non-first fragments, or the zero source */
    synack_icmp_send_error(a, f->now, 3, 2, 0, &ip, hdr, echo_msg, 8, true);
    ip.frag_off = 8;
    synack_icmp_send_error(a, f->now, 3, 2, 0, &ip, hdr, echo_msg, 8, false);
    ip.frag_off = 0;
    ip.src = 0;
    synack_icmp_send_error(a, f->now, 3, 2, 0, &ip, hdr, echo_msg, 8, false);
    net_run_for(f, 5);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 1);
}

static void test_error_rate_limit(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *b = f->b;
    uint8_t buf[128];
    net_run_for(f, 1000); /* fill the bucket */
    /* B learns A's MAC so errors leave at once */
    int hb = synack_udp_open(b, 0);
    synack_udp_sendto(b, f->now, hb, ADDR4(net_ip(0)), 9, "x", 1);
    net_run_for(f, 5);
    net_capture_clear(st->cap);
    for (int i = 0; i < 25; i++) {
        size_t n = net_build_udp(buf, 0, 1, 1000, (uint16_t)(2000 + i), "x", 1);
        synack_input(b, f->now, buf, n);
    }
    /* 10 per second, burst of 10 */
    assert_int_equal(net_capture_count(st->cap, 1, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 10);
    assert_int_equal(synack_drops(b, SYNACK_DROP_ICMP_RATE), 15);
    net_run_for(f, 300); /* three tokens back */
    for (int i = 0; i < 5; i++) {
        size_t n = net_build_udp(buf, 0, 1, 1000, (uint16_t)(3000 + i), "x", 1);
        synack_input(b, f->now, buf, n);
    }
    assert_int_equal(net_capture_count(st->cap, 1, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 13);
    assert_int_equal(synack_drops(b, SYNACK_DROP_ICMP_RATE), 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ping_handles, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_reply_queue_bounded, fx_setup_slow, net_teardown),
        cmocka_unit_test_setup_teardown(test_port_unreachable_refused, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_errors_received, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_error_rules, fx_setup, net_teardown),
        cmocka_unit_test_setup_teardown(test_error_rate_limit, fx_setup_slow, net_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
