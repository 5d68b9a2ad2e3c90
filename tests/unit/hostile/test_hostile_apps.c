/*
 * Hostile DNS and DHCP answers at the stack's input (issue 10): a DNS
 * answer with a compression loop or a label past the end, answers that do
 * not match the query (spoofing attempts, RFC 5452), a DHCP OFFER whose
 * option runs past the message, address lists longer than what is kept,
 * and other clients' transactions. Each is dropped and counted under its
 * own reason; the client keeps waiting for the real answer, which works.
 * The parsers themselves are covered in test_wire_dns.c/test_wire_dhcp.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"
#include "wire/wire_app.h"

static const synack_mac us = {{0x02, 0, 0, 0, 0, 0x01}}, peer = {{0x02, 0, 0, 0, 0, 0x02}};

typedef struct seen {
    uint16_t dns_port, dns_id;
    uint32_t xid;
    bool dns, dhcp;
} seen;

static int setup(void **state)
{
    tcp_harness *th = th_new(NULL);
    *state = th;
    return th ? 0 : -1;
}

static int teardown(void **state)
{
    return th_free(*state) == 0 ? 0 : -1;
}

/* What the stack sent: its DNS query's port and ID, its DHCP xid. */
static void learn(tcp_harness *th, seen *sn)
{
    for (size_t i = 0; i < th->count; i++) {
        const th_frame *f = &th->frames[(th->head + i) % TH_MAX_FRAMES];
        synack_ip4_repr ip;
        synack_udp_repr u;
        if (f->len <= 14 || synack_ld_be16(f->data + 12) != SYNACK_ETHERTYPE_IPV4 ||
            synack_ip4_parse(f->data + 14, f->len - 14, true, &ip) < 0 ||
            ip.proto != SYNACK_IPPROTO_UDP ||
            synack_udp_parse(f->data + 14 + ip.hdr_len, ip.total_len - ip.hdr_len, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_UDP), true, &u) < 0)
            continue;
        if (u.dport == SYNACK_DNS_PORT) {
            sn->dns_port = u.sport;
            sn->dns_id = synack_ld_be16(u.payload);
            sn->dns = true;
        } else if (u.dport == SYNACK_DHCP_SERVER_PORT) {
            sn->xid = synack_ld_be32(u.payload + 4);
            sn->dhcp = true;
        }
    }
    th_flush(th);
}

static void send_udp(tcp_harness *th, synack_ip4 src, uint16_t sport, synack_ip4 dst,
                     uint16_t dport, const uint8_t *payload, size_t len)
{
    uint8_t *buf = malloc(42 + len);
    assert_non_null(buf);
    synack_eth_repr e = {.dst = dst == 0xffffffffu ? (synack_mac){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
                                                   : us,
                         .src = peer, .ethertype = SYNACK_ETHERTYPE_IPV4};
    synack_eth_emit(&e, buf);
    synack_ip4_repr ip = {.ttl = 64, .proto = SYNACK_IPPROTO_UDP, .id = 1, .src = src,
                          .dst = dst, .total_len = (uint16_t)(28 + len)};
    synack_ip4_emit(&ip, buf + 14);
    memcpy(buf + 42, payload, len);
    synack_udp_repr u = {.sport = sport, .dport = dport};
    synack_udp_emit(&u, buf + 34, len, synack_ip4_pseudo_sum(src, dst, SYNACK_IPPROTO_UDP));
    synack_input(th->s, th->now, buf, 42 + len);
    free(buf);
}

/* Question "www.example.com" A IN, then the answer records given. */
static size_t dns_msg(uint8_t *b, uint16_t id, const uint8_t *answers, size_t alen,
                      uint16_t ancount)
{
    synack_dns_name q;
    synack_dns_name_from_text("www.example.com", &q);
    size_t n = synack_dns_query_emit(b, 512, id, &q, SYNACK_DNS_TYPE_A, SYNACK_DNS_CLASS_IN);
    synack_wr_be16(b + 2, SYNACK_DNS_QR | SYNACK_DNS_RD | SYNACK_DNS_RA);
    synack_wr_be16(b + 6, ancount);
    memcpy(b + n, answers, alen);
    return n + alen;
}

static void dns_answers(void **state)
{
    tcp_harness *th = *state;
    seen sn = {0};
    synack_set_dns(th->s, TH_PEER_IP);
    int q = synack_dns_query(th->s, th->now, "www.example.com", 0);
    assert_true(q >= 0);
    learn(th, &sn);
    assert_true(sn.dns);
    uint8_t m[600];
    uint64_t mal = synack_drops(th->s, SYNACK_DROP_DNS_MALFORMED);
    uint64_t mis = synack_drops(th->s, SYNACK_DROP_DNS_MISMATCH);

    /* a compression loop: the answer's name points at itself */
    static const uint8_t loop[] = {0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4};
    size_t n = dns_msg(m, sn.dns_id, loop, sizeof loop, 1);
    assert_int_equal(n, 33 + sizeof loop);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    /* two pointers pointing at each other */
    static const uint8_t pingpong[] = {0xc0, 35, 0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
                                       1, 2, 3, 4};
    n = dns_msg(m, sn.dns_id, pingpong, sizeof pingpong, 1);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    /* a label running past the end of the message */
    static const uint8_t past[] = {60, 'a', 'b', 'c'};
    n = dns_msg(m, sn.dns_id, past, sizeof past, 1);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    /* a pointer past the end */
    static const uint8_t ptr_past[] = {0xc1, 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4};
    n = dns_msg(m, sn.dns_id, ptr_past, sizeof ptr_past, 1);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    assert_int_equal(synack_dns_result(th->s, q, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_DNS_MALFORMED), mal + 4);

    /* spoofing attempts: a wrong ID, another source port, another server */
    static const uint8_t good[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 6, 6, 6, 6};
    n = dns_msg(m, (uint16_t)(sn.dns_id + 1), good, sizeof good, 1);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    n = dns_msg(m, sn.dns_id, good, sizeof good, 1);
    send_udp(th, TH_PEER_IP, 5353, TH_LOCAL_IP, sn.dns_port, m, n);
    send_udp(th, SYNACK_IP4(10, 0, 0, 3), 53, TH_LOCAL_IP, sn.dns_port, m, n);
    assert_int_equal(synack_dns_result(th->s, q, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_DNS_MISMATCH), mis + 3);

    /* the real answer */
    static const uint8_t real[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34};
    n = dns_msg(m, sn.dns_id, real, sizeof real, 1);
    send_udp(th, TH_PEER_IP, 53, TH_LOCAL_IP, sn.dns_port, m, n);
    synack_addr a;
    assert_int_equal(synack_dns_result(th->s, q, &a), 0);
    assert_int_equal(synack_addr_to_ip4(&a), SYNACK_IP4(93, 184, 216, 34));
    synack_dns_close(th->s, q);
}

static size_t offer(uint8_t *b, uint32_t xid, uint8_t type)
{
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = 2;
    r.htype = 1;
    r.hlen = 6;
    r.xid = xid;
    r.yiaddr = SYNACK_IP4(10, 0, 0, 15);
    memcpy(r.chaddr, us.b, 6);
    r.msg_type = type;
    r.has_subnet_mask = true;
    r.subnet_mask = SYNACK_IP4(255, 255, 255, 0);
    r.has_server_id = true;
    r.server_id = TH_PEER_IP;
    r.has_lease_time = true;
    r.lease_time = 3600;
    return synack_dhcp_emit(&r, b, 576);
}

static void dhcp_answers(void **state)
{
    tcp_harness *th = *state;
    seen sn = {0};
    assert_int_equal(synack_dhcp_start(th->s, th->now), 0);
    learn(th, &sn);
    assert_true(sn.dhcp);
    uint8_t m[1200];
    uint64_t mal = synack_drops(th->s, SYNACK_DROP_DHCP_MALFORMED);

    /* an option whose length runs past the message: cut the OFFER inside
     * its last option (the END is gone too) */
    size_t n = offer(m, sn.xid, SYNACK_DHCPOFFER);
    size_t end = SYNACK_DHCP_MIN_LEN;
    while (m[end] != SYNACK_DHCPOPT_END)
        end += m[end] == 0 ? 1 : 2u + m[end + 1];
    m[end] = 43; /* vendor option, 255 bytes claimed, 2 there */
    m[end + 1] = 255;
    send_udp(th, TH_PEER_IP, 67, 0xffffffffu, 68, m, end + 4);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_DHCP_MALFORMED), mal + 1);
    /* the first option's length running past the end of the datagram */
    n = offer(m, sn.xid, SYNACK_DHCPOFFER);
    m[SYNACK_DHCP_MIN_LEN + 1] = 200; /* option 53's length */
    send_udp(th, TH_PEER_IP, 67, 0xffffffffu, 68, m, SYNACK_DHCP_MIN_LEN + 10);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_DHCP_MALFORMED), mal + 2);
    /* another client's transaction */
    uint64_t foreign = synack_drops(th->s, SYNACK_DROP_DHCP_FOREIGN);
    n = offer(m, sn.xid + 1, SYNACK_DHCPOFFER);
    send_udp(th, TH_PEER_IP, 67, 0xffffffffu, 68, m, n);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_DHCP_FOREIGN), foreign + 1);
    assert_int_equal(synack_dhcp_get_state(th->s), SYNACK_DHCP_SELECTING);

    /* the real OFFER, with 60 routers and 60 DNS servers: two of each kept */
    n = offer(m, sn.xid, SYNACK_DHCPOFFER);
    end = SYNACK_DHCP_MIN_LEN;
    while (m[end] != SYNACK_DHCPOPT_END)
        end += m[end] == 0 ? 1 : 2u + m[end + 1];
    for (int opt = 0; opt < 2; opt++) {
        m[end++] = opt ? SYNACK_DHCPOPT_DNS : SYNACK_DHCPOPT_ROUTER;
        m[end++] = 240;
        for (int i = 0; i < 60; i++) {
            synack_wr_be32(m + end, SYNACK_IP4(10, 0, 0, (uint8_t)(2 + i)));
            end += 4;
        }
    }
    m[end++] = SYNACK_DHCPOPT_END;
    send_udp(th, TH_PEER_IP, 67, 0xffffffffu, 68, m, end);
    learn(th, &sn);
    assert_int_equal(synack_dhcp_get_state(th->s), SYNACK_DHCP_REQUESTING);
    n = offer(m, sn.xid, SYNACK_DHCPACK);
    send_udp(th, TH_PEER_IP, 67, 0xffffffffu, 68, m, n);
    synack_dhcp_lease l;
    assert_int_equal(synack_dhcp_get_lease(th->s, &l), 0);
    assert_int_equal(l.addr, SYNACK_IP4(10, 0, 0, 15));
    assert_int_equal(l.prefix_len, 24);
    synack_dhcp_stop(th->s, th->now);
}

/* Every cut of a DNS answer and of a DHCP OFFER, each in a buffer of exactly
 * its length (so valgrind and ASan see any read past it), is refused. */
static void cut_messages_are_not_over_read(void **state)
{
    (void)state;
    uint8_t m[600];
    static const uint8_t cname_a[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'w', 'e', 'b',
                                      0xc0, 16, 0xc0, 45, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
                                      93, 184, 216, 34};
    size_t n = dns_msg(m, 7, cname_a, sizeof cname_a, 2);
    synack_dns_repr r;
    assert_true(synack_dns_parse(m, n, &r) >= 0);
    assert_int_equal(r.an_count, 2);
    for (size_t len = 0; len < n; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, m, len);
        if (synack_dns_parse(cut, len, &r) >= 0)
            fail_msg("a DNS answer cut to %zu of %zu bytes parsed", len, n);
        /* the names one by one, too */
        synack_dns_name name;
        size_t next;
        for (size_t off = 12; off < len; off++)
            (void)synack_dns_name_read(cut, len, off, &name, &next);
        free(cut);
    }
    n = offer(m, 0x1234, SYNACK_DHCPOFFER);
    size_t end = SYNACK_DHCP_MIN_LEN;
    while (m[end] != SYNACK_DHCPOPT_END)
        end += m[end] == 0 ? 1 : 2u + m[end + 1];
    synack_dhcp_repr d;
    assert_true(synack_dhcp_parse(m, n, &d) >= 0);
    for (size_t len = 0; len <= end; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        assert_non_null(cut);
        memcpy(cut, m, len);
        if (synack_dhcp_parse(cut, len, &d) >= 0)
            fail_msg("a DHCP OFFER cut to %zu bytes (END at %zu) parsed", len, end);
        free(cut);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dns_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(dhcp_answers, setup, teardown),
        cmocka_unit_test(cut_messages_are_not_over_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
