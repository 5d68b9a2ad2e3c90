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
    .host = GW, .dns = DNS, .dhcp_start = SYNACK_IP4(10, 0, 2, 15),
    .ip6 = true, .prefix6 = {0xfd, 0, 5, 0xac}, .prefix6_len = 64,
    .host6 = {0xfd, 0, 5, 0xac, [15] = 2}, .dns6 = {0xfd, 0, 5, 0xac, [15] = 3}};

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
    n = build_raw(buf, MAC_A, MAC_SLIRP, 0x88cc, 80);
    assert_int_equal(decide(n, &all), SYNACK_BR_DENY);
    n = build_udp(buf, MAC_A, MAC_SLIRP, ME, GW, 1000, 8000, NULL, 0);
    buf[14 + 9] = 47; /* GRE */
    set_frag(n, false, 0);
    assert_int_equal(decide(n, &all), SYNACK_BR_DENY);
}

static const uint8_t ME6[16] = {0xfd, 0, 5, 0xac, [15] = 0x15};
static const uint8_t HOST6[16] = {0xfd, 0, 5, 0xac, [15] = 2};
static const uint8_t DNS6[16] = {0xfd, 0, 5, 0xac, [15] = 3};
static const uint8_t OTHER6[16] = {0xfd, 0, 5, 0xac, [15] = 0x99};
static const uint8_t SLIRP_LL[16] = {0xfe, 0x80, [15] = 2};
static const uint8_t DOC6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};   /* 2001:db8::1 */
static const uint8_t DOC6B[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};  /* 2001:db9::1 */
static const uint8_t ALL_ROUTERS[16] = {0xff, 0x02, [15] = 2};
static const uint8_t MLD_ROUTERS[16] = {0xff, 0x02, [15] = 0x16};

static const synack_br_allow entries6[] = {
    {.host6 = true, .ip6 = true, .port = 8000},                    /* [::1]:8000 */
    {.ip6 = true, .addr6 = {0x20, 0x01, 0x0d, 0xb8}, .plen = 32, .port = 443}, /* [2001:db8::/32]:443 */
    {.ip = GW, .host6 = true, .port = 53},                        /* localhost:53 */
};
static const synack_br_allowlist list6 = {false, entries6, 3};

static size_t l4_6(const uint8_t dst[16], uint8_t next, uint8_t proto, const uint8_t *l4, size_t n)
{
    return build_ip6(buf, MAC_A, MAC_SLIRP, ME6, dst, next, proto, l4, n);
}

static size_t syn6(const uint8_t dst[16], uint16_t port)
{
    uint8_t t[20];
    tcp_header(t, 40000, port, SYNACK_TCP_SYN);
    return l4_6(dst, SYNACK_IPPROTO_TCP, SYNACK_IPPROTO_TCP, t, 20);
}

static void test_allowed6(void **state)
{
    (void)state;
    assert_true(synack_br_allowed6(&list6, &net, HOST6, 8000));
    assert_false(synack_br_allowed6(&list6, &net, HOST6, 8001));
    assert_false(synack_br_allowed6(&list6, &net, OTHER6, 8000)); /* host6 is one address */
    assert_true(synack_br_allowed6(&list6, &net, DOC6, 443));
    assert_false(synack_br_allowed6(&list6, &net, DOC6B, 443)); /* outside the /32 */
    assert_false(synack_br_allowed6(&list6, &net, DOC6, 80));
    assert_true(synack_br_allowed6(&list6, &net, HOST6, 53));   /* localhost: both families */
    assert_true(synack_br_allowed(&list6, GW, 53));
    assert_false(synack_br_allowed(&list6, GW, 8000));          /* [::1] is IPv6 only */
    /* '*' (ip 0, IPv4 entry) matches IPv6 hosts too */
    assert_true(synack_br_allowed6(&list, &net, DOC6, 443));
    assert_false(synack_br_allowed6(&list, &net, DOC6, 444));
    synack_br_allow v4pfx = {.ip = SYNACK_IP4(10, 1, 0, 0), .plen = 16, .port = 0};
    synack_br_allowlist l4 = {false, &v4pfx, 1};
    assert_true(synack_br_allowed(&l4, SYNACK_IP4(10, 1, 200, 3), 9));
    assert_false(synack_br_allowed(&l4, SYNACK_IP4(10, 2, 0, 3), 9));
    assert_false(synack_br_allowed6(&l4, &net, DOC6, 9));
    assert_true(synack_br_slirp_is_service6(&net, SLIRP_LL));
    assert_true(synack_br_slirp_is_service6(&net, DNS6));
    assert_false(synack_br_slirp_is_service6(&net, OTHER6));
}

static void test_ip6(void **state)
{
    (void)state;
    assert_int_equal(decide(syn6(HOST6, 8000), &list6), SYNACK_BR_PASS);
    assert_int_equal(decide(syn6(HOST6, 8001), &list6), SYNACK_BR_DENY_RST);
    assert_int_equal(decide(syn6(DOC6, 443), &list6), SYNACK_BR_PASS);
    /* every address of the prefix is the host's ::1 to slirp: refused */
    assert_int_equal(decide(syn6(OTHER6, 8000), &list6), SYNACK_BR_DENY_RST);
    synack_br_allowlist all = {true, NULL, 0};
    assert_int_equal(decide(syn6(OTHER6, 8000), &all), SYNACK_BR_DENY_RST);
    assert_int_equal(decide(syn6(DNS6, 53), &list), SYNACK_BR_PASS);  /* slirp's DNS */
    /* extension headers: slirp walks none */
    uint8_t t[20];
    tcp_header(t, 40000, 8000, SYNACK_TCP_SYN);
    assert_int_equal(decide(l4_6(HOST6, SYNACK_IP6_NEXT_DSTOPTS, SYNACK_IPPROTO_TCP, t, 20), &all),
                     SYNACK_BR_DENY);
    /* TCP without SYN passes, as for IPv4 */
    tcp_header(t, 40000, 9, SYNACK_TCP_ACK);
    assert_int_equal(decide(l4_6(DOC6B, SYNACK_IPPROTO_TCP, SYNACK_IPPROTO_TCP, t, 20), &list6),
                     SYNACK_BR_PASS);
    /* UDP */
    uint8_t u[8] = {0x13, 0x88, 0, 53, 0, 8, 0, 0};
    assert_int_equal(decide(l4_6(DNS6, SYNACK_IPPROTO_UDP, SYNACK_IPPROTO_UDP, u, 8), &list),
                     SYNACK_BR_PASS);
    u[3] = 54;
    assert_int_equal(decide(l4_6(DNS6, SYNACK_IPPROTO_UDP, SYNACK_IPPROTO_UDP, u, 8), &list),
                     SYNACK_BR_DENY);
    /* ICMPv6: echo to slirp only (even with allow_all: libslirp 4.7 forwards none) */
    uint8_t echo[8] = {SYNACK_ICMP6_ECHO_REQUEST};
    assert_int_equal(decide(l4_6(HOST6, 58, 58, echo, 8), &list), SYNACK_BR_PASS);
    assert_int_equal(decide(l4_6(SLIRP_LL, 58, 58, echo, 8), &list), SYNACK_BR_PASS);
    assert_int_equal(decide(l4_6(DOC6, 58, 58, echo, 8), &all), SYNACK_BR_DENY);
    /* NDP to groups passes (RS), MLD does not */
    uint8_t rs[8] = {SYNACK_BR_ICMP6_RS};
    assert_int_equal(decide(l4_6(ALL_ROUTERS, 58, 58, rs, 8), &list), SYNACK_BR_PASS);
    uint8_t mld[8] = {SYNACK_BR_ICMP6_MLD2_REPORT};
    assert_int_equal(decide(l4_6(MLD_ROUTERS, 58, 58, mld, 8), &all), SYNACK_BR_DENY);
    /* IPv6 off: nothing */
    synack_br_slirp_net off = net;
    off.ip6 = false;
    synack_br_frame f;
    size_t n = syn6(HOST6, 8000);
    assert_int_equal(synack_br_frame_parse(buf, n, &f), 0);
    assert_int_equal(synack_br_slirp_policy(&list6, &off, &f), SYNACK_BR_DENY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_tcp_syn_ack_answers_a_forward),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_udp_icmp_other),
        cmocka_unit_test(test_allowed6),
        cmocka_unit_test(test_ip6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
