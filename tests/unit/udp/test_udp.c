/* UDP: echo over two stacks, checksums and malformed datagrams, bounded
 * queues, ephemeral ports (RFC 6056), API errors, the DHCP hook. */
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
#include "test_addr.h"

typedef net_setup setup;

static void small_queues(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->udp_queue_len = 3;
    cfg->udp_max_sockets = 4;
}


static int fx_setup_small(void **state)
{
    net_fixture_opts o = net_fixture_defaults();
    o.tune = small_queues;
    return net_setup_with(state, &o);
}

static int fx_setup_noaddr(void **state)
{
    net_fixture_opts o = net_fixture_defaults();
    o.no_addresses = true;
    return net_setup_with(state, &o);
}

typedef struct echo_state {
    int server, client;
    int echoed;
    char reply[64];
    int reply_len;
} echo_state;

/* B echoes everything it gets; done when A has the echo. */
static bool echo_step(net_fixture *f, void *ctx)
{
    echo_state *e = ctx;
    char buf[64];
    synack_addr src;
    uint16_t sport;
    int n;
    while ((n = synack_udp_recvfrom(f->b, e->server, buf, sizeof buf, &src, &sport)) >= 0) {
        assert_int_equal(synack_udp_sendto(f->b, f->now, e->server, &src, sport, buf,
                                           (size_t)n), 0);
        e->echoed++;
    }
    e->reply_len = synack_udp_recvfrom(f->a, e->client, e->reply, sizeof e->reply,
                                       &src, &sport);
    if (e->reply_len >= 0) {
        assert_int_equal(synack_addr_to_ip4(&src), net_ip(1));
        assert_int_equal(sport, 7);
        return true;
    }
    return false;
}

static void test_udp_echo(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    echo_state e = {0};
    e.server = synack_udp_open(f->b, 7);
    e.client = synack_udp_open(f->a, 0);
    assert_true(e.server >= 0 && e.client >= 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, e.client, ADDR4(net_ip(1)), 7,
                                       "echo me", 7), 0);
    assert_true(net_run_until(f, echo_step, &e, 100));
    assert_int_equal(e.echoed, 1);
    assert_int_equal(e.reply_len, 7);
    assert_memory_equal(e.reply, "echo me", 7);
    /* an empty datagram is a datagram too */
    assert_int_equal(synack_udp_sendto(f->a, f->now, e.client, ADDR4(net_ip(1)), 7, NULL, 0), 0);
    assert_true(net_run_until(f, echo_step, &e, 100));
    assert_int_equal(e.reply_len, 0);
    /* the checksum is always sent */
    const net_frame *fr = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                           SYNACK_IPPROTO_UDP, 0);
    assert_true(fr->data[40] != 0 || fr->data[41] != 0);
}

static void test_malformed_datagrams(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *b = f->b;
    int h = synack_udp_open(b, 7);
    uint8_t buf[128];
    size_t n = net_build_udp(buf, 0, 1, 1000, 7, "data", 4);
    buf[n - 1] ^= 0x01; /* payload changed: checksum fails */
    synack_input(b, f->now, buf, n);
    assert_int_equal(synack_drops(b, SYNACK_DROP_UDP_BAD_CHECKSUM), 1);

    n = net_build_udp(buf, 0, 1, 1000, 7, "data", 4);
    buf[40] = buf[41] = 0; /* no checksum: accepted (RFC 768) */
    synack_input(b, f->now, buf, n);
    assert_int_equal(synack_udp_recvfrom(b, h, NULL, 0, NULL, NULL), 4);

    /* UDP length beyond the IP payload */
    n = net_build_udp(buf, 0, 1, 1000, 7, "data", 4);
    buf[39] = 13;
    buf[40] = buf[41] = 0;
    synack_input(b, f->now, buf, n);
    /* shorter than a UDP header */
    synack_ip4_repr ip = net_ip_repr(net_ip(0), net_ip(1), SYNACK_IPPROTO_UDP);
    uint8_t l4[6] = {0, 1, 0, 7, 0, 6};
    n = net_build_ip(buf, net_mac(1), net_mac(0), &ip, l4, 6);
    synack_input(b, f->now, buf, n);
    assert_int_equal(synack_drops(b, SYNACK_DROP_UDP_MALFORMED), 2);
    assert_int_equal(synack_udp_recvfrom(b, h, NULL, 0, NULL, NULL), SYNACK_ERR_AGAIN);
    net_run_for(f, 5);
    assert_int_equal(net_capture_count(st->cap, 1, 0, 0), 0); /* no answers */
}

static void test_checksum_verification_off(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    o.tune = NULL;
    net_fixture *f = net_fixture_new(&o);
    f->b->cfg.verify_checksums = false;
    int h = synack_udp_open(f->b, 7);
    uint8_t buf[128];
    size_t n = net_build_udp(buf, 0, 1, 1000, 7, "data", 4);
    buf[n - 1] ^= 0x01;
    synack_input(f->b, f->now, buf, n);
    assert_int_equal(synack_udp_recvfrom(f->b, h, NULL, 0, NULL, NULL), 4);
    assert_int_equal(net_fixture_free(f), 0);
}

static void test_queue_full_and_truncation(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int h = synack_udp_open(f->b, 7);
    uint8_t buf[128];
    for (int i = 0; i < 5; i++) {
        char msg[8] = "msg0";
        msg[3] = (char)('0' + i);
        size_t n = net_build_udp(buf, 0, 1, 1000, 7, msg, 4);
        synack_input(f->b, f->now, buf, n);
    }
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_UDP_QUEUE_FULL), 2);
    char got[8];
    synack_addr src;
    uint16_t sport;
    assert_int_equal(synack_udp_recvfrom(f->b, h, got, 2, &src, &sport), 4);
    assert_memory_equal(got, "ms", 2);
    assert_int_equal(synack_addr_to_ip4(&src), net_ip(0));
    assert_int_equal(sport, 1000);
    assert_int_equal(synack_udp_recvfrom(f->b, h, got, sizeof got, NULL, NULL), 4);
    assert_memory_equal(got, "msg1", 4);
    /* closing with a datagram still queued frees it (fixture checks leaks) */
    synack_udp_close(f->b, h);
    assert_int_equal(synack_udp_recvfrom(f->b, h, got, sizeof got, NULL, NULL),
                     SYNACK_ERR_BADF);
}

static void test_ports_and_errors(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *a = f->a;
    int h[4];
    for (int i = 0; i < 4; i++) {
        h[i] = synack_udp_open(a, 0);
        assert_true(h[i] >= 0);
        int p = synack_udp_port(a, h[i]);
        assert_in_range(p, 49152, 65535);
        for (int j = 0; j < i; j++)
            assert_int_not_equal(p, synack_udp_port(a, h[j]));
    }
    assert_int_equal(synack_udp_open(a, 53), SYNACK_ERR_NOMEM); /* 4 sockets max */
    synack_udp_close(a, h[3]);
    assert_int_equal(synack_udp_open(a, (uint16_t)synack_udp_port(a, h[0])),
                     SYNACK_ERR_ADDRINUSE);
    h[3] = synack_udp_open(a, 53);
    assert_int_equal(synack_udp_port(a, h[3]), 53);
    assert_int_equal(synack_udp_port(a, 17), SYNACK_ERR_BADF);

    assert_int_equal(synack_udp_sendto(a, f->now, 17, ADDR4(net_ip(1)), 7, "x", 1),
                     SYNACK_ERR_BADF);
    assert_int_equal(synack_udp_sendto(a, f->now, h[0], ADDR4(net_ip(1)), 0, "x", 1),
                     SYNACK_ERR_INVAL);
    static uint8_t big[65508];
    assert_int_equal(synack_udp_sendto(a, f->now, h[0], ADDR4(net_ip(1)), 7, big, 65508),
                     SYNACK_ERR_MSGSIZE);
    assert_int_equal(synack_udp_sendto(a, f->now, h[0], ADDR4(SYNACK_IP4(1, 2, 3, 4)), 7,
                                       "x", 1), SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_udp_sendto(a, f->now, h[0], ADDR4(net_ip(1)), 7, big, 65507), 0);
    net_run_for(f, 10);

    /* RFC 6056: the two stacks (different secrets) start elsewhere */
    int hb = synack_udp_open(f->b, 0);
    assert_int_not_equal(synack_udp_port(f->b, hb), synack_udp_port(a, h[0]));
}

typedef struct hook_log {
    int calls;
    bool consume;
    synack_ip4 dst;
    uint16_t sport;
} hook_log;

static bool dhcp_hook(synack_stack *s, void *ctx, uint64_t now,
                      const synack_ip_rx *ip, const synack_udp_repr *u)
{
    (void)s;
    (void)now;
    hook_log *log = ctx;
    log->calls++;
    log->dst = synack_addr_to_ip4(&ip->dst);
    log->sport = u->sport;
    return log->consume;
}

static void test_dhcp_hook(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_stack *b = f->b;
    hook_log log = {0, true, 0, 0};
    b->dhcp_hook = dhcp_hook;
    b->dhcp_hook_ctx = &log;
    uint8_t buf[128];
    /* unconfigured: unicast to the offered address, port 68, is accepted */
    synack_ip4 offered = SYNACK_IP4(10, 0, 0, 2);
    size_t n = net_build_udp(buf, 0, 1, 67, 68, "offer", 5);
    synack_input(b, f->now, buf, n);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.dst, offered);
    assert_int_equal(log.sport, 67);
    /* other ports to a unicast address are not for us */
    n = net_build_udp(buf, 0, 1, 67, 69, "x", 1);
    synack_input(b, f->now, buf, n);
    assert_int_equal(synack_drops(b, SYNACK_DROP_IPV4_NOT_FOR_US), 1);
    /* the limited broadcast always is */
    synack_ip4_repr ip = net_ip_repr(0, 0xffffffffu, SYNACK_IPPROTO_UDP);
    uint8_t l4[16];
    synack_udp_repr u;
    memset(&u, 0, sizeof u);
    u.sport = 67;
    u.dport = 68;
    memcpy(l4 + 8, "ack", 3);
    size_t ul = synack_udp_emit(&u, l4, 3,
                                synack_ip4_pseudo_sum(0, 0xffffffffu, SYNACK_IPPROTO_UDP));
    synack_mac bc = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    n = net_build_ip(buf, bc, net_mac(0), &ip, l4, ul);
    synack_input(b, f->now, buf, n);
    assert_int_equal(log.calls, 2);
    /* not consumed: it goes to a socket on 68 if there is one */
    log.consume = false;
    int h = synack_udp_open(b, 68);
    synack_input(b, f->now, buf, n);
    assert_int_equal(log.calls, 3);
    assert_int_equal(synack_udp_recvfrom(b, h, NULL, 0, NULL, NULL), 3);
    /* sending to the limited broadcast works without an address */
    assert_int_equal(synack_udp_sendto(b, f->now, h, ADDR4(0xffffffffu), 67, "disc", 4), 0);
    const net_frame *fr = net_capture_find(st->cap, 1, SYNACK_ETHERTYPE_IPV4,
                                           SYNACK_IPPROTO_UDP, 0);
    assert_non_null(fr);
    assert_int_equal(synack_ld_be32(fr->data + 26), 0); /* source 0.0.0.0 */
    assert_int_equal(synack_ld_be32(fr->data + 30), 0xffffffffu);
    b->dhcp_hook = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        net_unit_test(test_udp_echo),
        net_unit_test(test_malformed_datagrams),
        cmocka_unit_test(test_checksum_verification_off),
        cmocka_unit_test_setup_teardown(test_queue_full_and_truncation, fx_setup_small,
                                        net_teardown),
        cmocka_unit_test_setup_teardown(test_ports_and_errors, fx_setup_small, net_teardown),
        cmocka_unit_test_setup_teardown(test_dhcp_hook, fx_setup_noaddr, net_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
