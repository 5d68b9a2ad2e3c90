/* IPv4: validation on arrival, routing, broadcast, IDs, fragmentation on
 * output, protocol unreachable, the raw IP medium. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "ipv4/ipv4.h"
#include "net/stack.h"
#include "test_addr.h"

/* Transmit metadata: don't fragment. */
static const synack_ip_tx DF = {.df = true};

typedef net_setup setup;

static bool reply_queued(net_fixture *f, void *ctx)
{
    int *p = ctx; /* [0] side, [1] handle */
    return net_stack(f, p[0])->icmp.pings[p[1]].count > 0;
}

static void ping_once(net_fixture *f, int from, int to, const char *payload)
{
    synack_stack *s = net_stack(f, from);
    int h = synack_ping_open(s);
    assert_true(h >= 0);
    size_t len = strlen(payload);
    assert_int_equal(synack_ping_send(s, f->now, h, ADDR4(net_ip(to)), 7, payload, len), 0);
    int want[2] = {from, h};
    assert_true(net_run_until(f, reply_queued, want, 100));
    char buf[256];
    synack_addr src;
    uint16_t seq = 0;
    int n = synack_ping_recv(s, h, &src, &seq, buf, sizeof buf);
    assert_int_equal(n, (int)len);
    assert_memory_equal(buf, payload, len);
    assert_int_equal(synack_addr_to_ip4(&src), net_ip(to));
    assert_int_equal(seq, 7);
    synack_ping_close(s, h);
}

static void test_ping_both_ways(void **state)
{
    setup *st = *state;
    ping_once(st->f, 0, 1, "hello from A");
    ping_once(st->f, 1, 0, "hello from B");
    synack_counters c;
    synack_get_counters(st->f->a, &c);
    assert_true(c.ip_in >= 2 && c.ip_out >= 2);
}

/* Send a hand-made echo request to A after mutating its IP header. */
static void inject_echo(setup *st, void (*mutate)(uint8_t *ip, size_t *len))
{
    uint8_t buf[128];
    size_t n = net_build_echo(buf, 1, 0, 0x1234, 1, "ping", 4);
    if (mutate != NULL)
        mutate(buf + 14, &n);
    synack_input(st->f->a, st->f->now, buf, n);
    net_run_for(st->f, 5);
}

static void fix_csum(uint8_t *ip)
{
    size_t hl = (size_t)(ip[0] & 15) * 4;
    ip[10] = ip[11] = 0;
    uint16_t c = synack_csum_finish(synack_csum_add(0, ip, hl));
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
}

static void m_bad_csum(uint8_t *ip, size_t *len) { (void)len; ip[10] ^= 0x55; }
static void m_ihl4(uint8_t *ip, size_t *len) { (void)len; ip[0] = 0x44; fix_csum(ip); }
static void m_ihl15(uint8_t *ip, size_t *len) { *len = 14 + 40; ip[0] = 0x4f; }
static void m_version6(uint8_t *ip, size_t *len) { (void)len; ip[0] = 0x65; fix_csum(ip); }
static void m_total_long(uint8_t *ip, size_t *len) { (void)len; ip[3] += 1; fix_csum(ip); }
static void m_total_short(uint8_t *ip, size_t *len) { (void)len; ip[2] = 0; ip[3] = 19; fix_csum(ip); }
static void m_runt(uint8_t *ip, size_t *len) { (void)ip; *len = 14 + 19; }
static void m_ttl0(uint8_t *ip, size_t *len) { (void)len; ip[8] = 0; fix_csum(ip); }
static void m_padding(uint8_t *ip, size_t *len) { (void)ip; *len += 6; }

static void test_malformed_counted_and_dropped(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    inject_echo(st, m_bad_csum);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_CHECKSUM), 1);
    inject_echo(st, m_ihl4);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_HDR_LEN), 1);
    inject_echo(st, m_ihl15);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_HDR_LEN), 2);
    inject_echo(st, m_version6);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_VERSION), 1);
    inject_echo(st, m_total_long);
    inject_echo(st, m_total_short);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_TOTAL_LEN), 2);
    inject_echo(st, m_runt);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_TRUNCATED), 1);
    /* nothing answered any of them */
    assert_int_equal(st->cap->count, 0);

    /* RFC 1122: any TTL is fine for local delivery; padding is ignored */
    inject_echo(st, m_ttl0);
    inject_echo(st, m_padding);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                       SYNACK_IPPROTO_ICMP), 2);
}

static void inject_from(setup *st, synack_ip4 src, synack_ip4 dst)
{
    uint8_t buf[128], l4[16];
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = SYNACK_ICMP_ECHO_REQUEST;
    size_t n = synack_icmp_emit(&m, l4);
    synack_ip4_repr ip = net_ip_repr(src, dst, SYNACK_IPPROTO_ICMP);
    n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, l4, n);
    synack_input(st->f->a, st->f->now, buf, n);
}

static void test_address_checks(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    inject_from(st, net_ip(1), SYNACK_IP4(10, 0, 0, 77));
    inject_from(st, net_ip(1), SYNACK_IP4(224, 0, 0, 1));
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_NOT_FOR_US), 2);
    inject_from(st, SYNACK_IP4(255, 255, 255, 255), net_ip(0));
    inject_from(st, SYNACK_IP4(224, 1, 2, 3), net_ip(0));
    inject_from(st, SYNACK_IP4(127, 0, 0, 1), net_ip(0));
    inject_from(st, SYNACK_IP4(10, 0, 0, 255), net_ip(0));
    inject_from(st, 0, net_ip(0));
    inject_from(st, SYNACK_IP4(240, 0, 0, 1), net_ip(0));
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_BAD_SOURCE), 6);
    /* a broadcast echo request is received but not answered */
    inject_from(st, net_ip(1), SYNACK_IP4(10, 0, 0, 255));
    inject_from(st, net_ip(1), SYNACK_IP4(255, 255, 255, 255));
    net_run_for(st->f, 5);
    assert_int_equal(st->cap->count, 0);
    assert_int_equal(synack_drops(a, SYNACK_DROP_ICMP_UNHANDLED), 2);
}

static void test_protocol_unreachable(void **state)
{
    setup *st = *state;
    uint8_t buf[128];
    uint8_t l4[12] = "abcdefghijk";
    synack_ip4_repr ip = net_ip_repr(net_ip(1), net_ip(0), 99);
    size_t n = net_build_ip(buf, net_mac(0), net_mac(1), &ip, l4, sizeof l4);
    synack_input(st->f->a, st->f->now, buf, n);
    net_run_for(st->f, 5);
    assert_int_equal(synack_drops(st->f->a, SYNACK_DROP_IPV4_PROTO), 1);
    const net_frame *fr = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4,
                                           SYNACK_IPPROTO_ICMP, 0);
    assert_non_null(fr);
    synack_ip4_repr out;
    assert_int_equal(synack_ip4_parse(fr->data + 14, fr->len - 14, true, &out), 20);
    synack_icmp_repr m;
    assert_true(synack_icmp_parse(fr->data + 34, out.total_len - 20u, true, &m) >= 0);
    assert_int_equal(m.type, SYNACK_ICMP_DEST_UNREACH);
    assert_int_equal(m.code, SYNACK_ICMP_UNREACH_PROTO);
    /* quotes the whole (short) offending datagram */
    assert_int_equal(m.payload_len, n - 14);
    assert_memory_equal(m.payload, buf + 14, n - 14);
    /* B gets it; nobody listens for protocol 99, so nothing more happens */
    assert_int_equal(synack_drops(st->f->b, SYNACK_DROP_ICMP_UNHANDLED), 1);
}

static void test_routing(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    synack_ip4 src, hop;
    assert_int_equal(synack_ipv4_route(f->a, net_ip(1), &src, &hop), 0);
    assert_int_equal(src, net_ip(0));
    assert_int_equal(hop, net_ip(1));
    assert_int_equal(synack_ipv4_route(f->a, SYNACK_IP4(8, 8, 8, 8), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    int h = synack_ping_open(f->a);
    assert_int_equal(synack_ping_send(f->a, f->now, h, ADDR4(SYNACK_IP4(8, 8, 8, 8)), 1,
                                      NULL, 0), SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_drops(f->a, SYNACK_DROP_IPV4_NO_ROUTE), 1);
    assert_int_equal(synack_set_ipv4(f->a, f->now, net_ip(0), 24,
                                     SYNACK_IP4(10, 0, 0, 254)), 0);
    assert_int_equal(synack_ipv4_route(f->a, SYNACK_IP4(8, 8, 8, 8), &src, &hop), 0);
    assert_int_equal(hop, SYNACK_IP4(10, 0, 0, 254));
    assert_int_equal(synack_ipv4_route(f->a, SYNACK_IP4(127, 0, 0, 1), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_ipv4_route(f->a, net_ip(0), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    assert_true(synack_ipv4_is_ours(f->a, SYNACK_IP4(10, 0, 0, 255), NULL));
    assert_false(synack_ipv4_is_ours(f->a, SYNACK_IP4(10, 0, 1, 255), NULL));
    /* no address: only the limited broadcast is routable (DHCP) */
    assert_int_equal(synack_set_ipv4(f->a, f->now, 0, 0, 0), 0);
    assert_int_equal(synack_ipv4_route(f->a, net_ip(1), &src, &hop),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_ipv4_route(f->a, 0xffffffffu, &src, &hop), 0);
    assert_int_equal(src, 0);
    synack_ping_close(f->a, h);
}

static void test_broadcast_send(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int ha = synack_udp_open(f->a, 0);
    int hb = synack_udp_open(f->b, 9999);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(0xffffffffu), 9999, "x", 1), 0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(SYNACK_IP4(10, 0, 0, 255)),
                                       9999, "y", 1), 0);
    /* to a closed port: no ICMP error about a broadcast */
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(0xffffffffu), 9998, "z", 1), 0);
    net_run_for(f, 5);
    assert_int_equal(net_capture_count(st->cap, -1, SYNACK_ETHERTYPE_ARP, 0), 0);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0), 3);
    for (int i = 0; i < 3; i++) {
        const net_frame *fr = net_capture_find(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0,
                                               (size_t)i);
        for (int j = 0; j < 6; j++)
            assert_int_equal(fr->data[j], 0xff);
    }
    char c;
    assert_int_equal(synack_udp_recvfrom(f->b, hb, &c, 1, NULL, NULL), 1);
    assert_int_equal(c, 'x');
    assert_int_equal(synack_udp_recvfrom(f->b, hb, &c, 1, NULL, NULL), 1);
    assert_int_equal(c, 'y');
    assert_int_equal(net_capture_count(st->cap, 1, 0, 0), 0);
    assert_int_equal(synack_drops(f->b, SYNACK_DROP_UDP_NO_SOCKET), 1);
}

static uint16_t frame_ip_id(const net_frame *fr)
{
    return (uint16_t)(fr->data[18] << 8 | fr->data[19]);
}

static void test_ids_and_fragmentation(void **state)
{
    setup *st = *state;
    net_fixture *f = st->f;
    int ha = synack_udp_open(f->a, 0);
    int hb = synack_udp_open(f->b, 7);
    static uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, data, 10), 0);
    net_run_for(f, 5); /* resolve B */
    net_capture_clear(st->cap);
    synack_counters c0, c1;
    synack_get_counters(f->a, &c0);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, data,
                                       sizeof data), 0);
    synack_get_counters(f->a, &c1);
    assert_int_equal(c1.ip_frags_out - c0.ip_frags_out, 3);
    assert_int_equal(net_capture_count(st->cap, 0, SYNACK_ETHERTYPE_IPV4, 0), 3);
    uint16_t id = frame_ip_id(&st->cap->frames[0]);
    size_t expect_len[3] = {1480, 1480, 48};
    for (int i = 0; i < 3; i++) {
        const net_frame *fr = &st->cap->frames[i];
        synack_ip4_repr ip;
        assert_int_equal(synack_ip4_parse(fr->data + 14, fr->len - 14, true, &ip), 20);
        assert_int_equal(ip.total_len, 20 + expect_len[i]);
        assert_int_equal(ip.frag_off, 1480 * i);
        assert_int_equal(ip.mf, i < 2);
        assert_false(ip.df);
        assert_int_equal(ip.id, id);
        assert_true(fr->len <= 1514);
    }
    net_run_for(f, 5);
    static uint8_t got[3000];
    assert_int_equal(synack_udp_recvfrom(f->b, hb, got, sizeof got, NULL, NULL), 10);
    assert_int_equal(synack_udp_recvfrom(f->b, hb, got, sizeof got, NULL, NULL), 3000);
    assert_memory_equal(got, data, 3000);

    /* IDs: per destination counters with a keyed offset (RFC 7739) */
    net_capture_clear(st->cap);
    synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, data, 1);
    synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, data, 1);
    synack_udp_sendto(f->a, f->now, ha, ADDR4(0xffffffffu), 7, data, 1);
    uint16_t i1 = frame_ip_id(&st->cap->frames[0]);
    uint16_t i2 = frame_ip_id(&st->cap->frames[1]);
    uint16_t i3 = frame_ip_id(&st->cap->frames[2]);
    assert_int_equal((uint16_t)(i1 + 1), i2);
    assert_int_not_equal((uint16_t)(i2 + 1), i3);
}

static void test_df_too_big(void **state)
{
    setup *st = *state;
    synack_stack *a = st->f->a;
    size_t cap;
    uint8_t *buf = synack_ipv4_tx_buf(a, &cap);
    assert_int_equal(cap, 65515);
    assert_non_null(buf);
    memset(buf, 0, 1481);
    assert_int_equal(synack_ipv4_send(a, st->f->now, net_ip(1), 99, 1481, &DF),
                     SYNACK_ERR_MSGSIZE);
    assert_int_equal(synack_drops(a, SYNACK_DROP_IPV4_DF), 1);
    assert_int_equal(synack_ipv4_send(a, st->f->now, net_ip(1), 99, 65516, NULL),
                     SYNACK_ERR_MSGSIZE);
    assert_int_equal(synack_ipv4_mtu_payload(a), 1480);
    assert_int_equal(synack_ipv4_send(a, st->f->now, net_ip(1), 99, 1480, &DF), 0);
}

static void test_raw_ip_medium(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    o.medium = SYNACK_MEDIUM_IP;
    o.mtu = 576;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    assert_int_equal(synack_pair_pending(f->pair), 0); /* no ARP announcement */
    ping_once(f, 0, 1, "raw");
    /* a fragmented datagram over raw IP */
    int ha = synack_udp_open(f->a, 0), hb = synack_udp_open(f->b, 7);
    static uint8_t data[2000], got[2000];
    memset(data, 0x3c, sizeof data);
    assert_int_equal(synack_udp_sendto(f->a, f->now, ha, ADDR4(net_ip(1)), 7, data,
                                       sizeof data), 0);
    net_run_for(f, 5);
    assert_int_equal(synack_udp_recvfrom(f->b, hb, got, sizeof got, NULL, NULL), 2000);
    assert_memory_equal(got, data, 2000);
    synack_counters c;
    synack_get_counters(f->a, &c);
    assert_int_equal(c.ip_frags_out, 4); /* 552 per fragment */
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        net_unit_test(test_ping_both_ways),
        net_unit_test(test_malformed_counted_and_dropped),
        net_unit_test(test_address_checks),
        net_unit_test(test_protocol_unreachable),
        net_unit_test(test_routing),
        net_unit_test(test_broadcast_send),
        net_unit_test(test_ids_and_fragmentation),
        net_unit_test(test_df_too_big),
        cmocka_unit_test(test_raw_ip_medium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
