/* The slirp allow-list: what a client may send into the user-mode NAT. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bridge_frames.h"
#include "frame.h"
#include "policy.h"

#define ME SYNACK_IP4(10, 0, 2, 15)
#define GW SYNACK_IP4(10, 0, 2, 2)
#define DNS SYNACK_IP4(10, 0, 2, 3)
#define WORLD SYNACK_IP4(93, 184, 216, 34)

static const synack_br_slirp_net net = {
    .net = SYNACK_IP4(10, 0, 2, 0), .mask = SYNACK_IP4(255, 255, 255, 0),
    .host = GW, .dns = DNS, .dhcp_start = SYNACK_IP4(10, 0, 2, 15)};

static const synack_br_allow entries[] = {
    {.ip = GW, .port = 8000},
    {.ip = 0, .port = 443},      /* any host, port 443 */
    {.ip = WORLD, .port = 0},    /* any port of one host */
};
static const synack_br_allowlist list = {false, entries, 3};

static uint8_t buf[1600];

static synack_br_decision decide(size_t len, const synack_br_allowlist *a)
{
    synack_br_frame f;
    assert_int_equal(synack_br_frame_parse(buf, len, &f), 0);
    return synack_br_slirp_policy(a, &net, &f);
}

static size_t syn_to(uint32_t ip, uint16_t port)
{
    return build_tcp(buf, MAC_A, MAC_SLIRP, ME, ip, 40000, port, SYNACK_TCP_SYN, 1, 0);
}

static void test_allowed(void **state)
{
    (void)state;
    assert_true(synack_br_allowed(&list, GW, 8000));
    assert_false(synack_br_allowed(&list, GW, 8001));
    assert_true(synack_br_allowed(&list, SYNACK_IP4(1, 2, 3, 4), 443));
    assert_true(synack_br_allowed(&list, WORLD, 22));
    assert_false(synack_br_allowed(&list, SYNACK_IP4(1, 2, 3, 4), 80));
    synack_br_allowlist all = {true, NULL, 0};
    assert_true(synack_br_allowed(&all, SYNACK_IP4(1, 2, 3, 4), 80));
}

static void test_tcp(void **state)
{
    (void)state;
    assert_int_equal(decide(syn_to(GW, 8000), &list), SYNACK_BR_PASS);
    assert_int_equal(decide(syn_to(GW, 8001), &list), SYNACK_BR_DENY_RST);
    assert_int_equal(decide(syn_to(WORLD, 80), &list), SYNACK_BR_PASS);
    assert_int_equal(decide(syn_to(SYNACK_IP4(8, 8, 8, 8), 80), &list), SYNACK_BR_DENY_RST);
    assert_int_equal(decide(syn_to(DNS, 53), &list), SYNACK_BR_PASS);
    /* Another guest on the virtual network is never slirp's business. */
    assert_int_equal(decide(syn_to(SYNACK_IP4(10, 0, 2, 16), 8000), &list), SYNACK_BR_DENY);
    /* Not a SYN: passes. */
    size_t n = build_tcp(buf, MAC_A, MAC_SLIRP, ME, GW, 40000, 22,
                         SYNACK_TCP_ACK | SYNACK_TCP_PSH, 1, 1);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
}

/*
 * A guest answering a --forward connection sends a SYN-ACK to the host
 * address: an answer, not an opening, so the allow-list does not apply
 * (it did, and the forward was reset unless --allow covered 10.0.2.2:*).
 */
static void test_tcp_syn_ack_answers_a_forward(void **state)
{
    (void)state;
    size_t n = build_tcp(buf, MAC_A, MAC_SLIRP, ME, GW, 7, 51000,
                         SYNACK_TCP_SYN | SYNACK_TCP_ACK, 1, 1);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    synack_br_allowlist none = {false, NULL, 0};
    assert_int_equal(decide(n, &none), SYNACK_BR_PASS);
    /* A bare SYN to the same place still needs the list. */
    assert_int_equal(decide(syn_to(GW, 51000), &none), SYNACK_BR_DENY_RST);
}

static void set_frag(size_t len, bool mf, uint16_t off_bytes)
{
    /* IPv4 flags/fragment offset at byte 6 of the header; fix the checksum. */
    uint8_t *ip = buf + 14;
    uint16_t v = (uint16_t)((mf ? 0x2000 : 0) | (off_bytes / 8));
    ip[6] = (uint8_t)(v >> 8);
    ip[7] = (uint8_t)v;
    ip[10] = ip[11] = 0;
    uint16_t c = synack_csum_finish(synack_csum_add(0, ip, 20));
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    (void)len;
}

static void test_fragments(void **state)
{
    (void)state;
    /* A first fragment of a non-SYN segment to a closed port: checked like a
     * SYN, since a later fragment could rewrite its control bits. */
    size_t n = build_tcp(buf, MAC_A, MAC_SLIRP, ME, GW, 40000, 22, SYNACK_TCP_ACK, 1, 1);
    set_frag(n, true, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    n = build_tcp(buf, MAC_A, MAC_SLIRP, ME, GW, 40000, 8000, SYNACK_TCP_ACK, 1, 1);
    set_frag(n, true, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    /* A later fragment carries no ports: it passes (offset 0 was checked). */
    n = build_tcp(buf, MAC_A, MAC_SLIRP, ME, GW, 40000, 22, SYNACK_TCP_ACK, 1, 1);
    set_frag(n, false, 8);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    /* A first fragment too short to hold a TCP header. */
    n = build_udp(buf, MAC_A, MAC_SLIRP, ME, GW, 1, 2, NULL, 0);
    buf[14 + 9] = SYNACK_IPPROTO_TCP;
    set_frag(n, true, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
}

static void test_udp_icmp_other(void **state)
{
    (void)state;
    size_t n = build_udp(buf, MAC_A, MAC_SLIRP, ME, GW, 1000, 8000, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    n = build_udp(buf, MAC_A, MAC_SLIRP, ME, GW, 1000, 8001, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    n = build_udp(buf, MAC_A, MAC_SLIRP, ME, DNS, 1000, 53, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    /* Broadcast: DHCP yes, anything else no; multicast no. */
    n = build_dhcp(buf, MAC_A, MAC_BCAST, 0, 0xffffffffu, true, SYNACK_DHCPDISCOVER,
                   MAC_A, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    n = build_udp(buf, MAC_A, MAC_BCAST, ME, 0xffffffffu, 1000, 8000, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    n = build_udp(buf, MAC_A, MAC_BCAST, ME, SYNACK_IP4(10, 0, 2, 255), 1000, 8000, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    n = build_udp(buf, MAC_A, MAC_BCAST, ME, SYNACK_IP4(224, 0, 0, 251), 5353, 443, NULL, 0);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    /* Ping: gateway and resolver only, unless everything is allowed. */
    n = build_icmp_echo(buf, MAC_A, MAC_SLIRP, ME, GW);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    n = build_icmp_echo(buf, MAC_A, MAC_SLIRP, ME, WORLD);
    assert_int_equal(decide(n, &list), SYNACK_BR_DENY);
    synack_br_allowlist all = {true, NULL, 0};
    assert_int_equal(decide(n, &all), SYNACK_BR_PASS);
    /* ARP passes; other EtherTypes and protocols do not. */
    n = build_arp(buf, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, ME, MAC_BCAST, GW);
    assert_int_equal(decide(n, &list), SYNACK_BR_PASS);
    n = build_raw(buf, MAC_A, MAC_SLIRP, 0x86dd, 80);
    assert_int_equal(decide(n, &all), SYNACK_BR_DENY);
    n = build_udp(buf, MAC_A, MAC_SLIRP, ME, GW, 1000, 8000, NULL, 0);
    buf[14 + 9] = 47; /* GRE */
    set_frag(n, false, 0);
    assert_int_equal(decide(n, &all), SYNACK_BR_DENY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_tcp_syn_ack_answers_a_forward),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_udp_icmp_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
