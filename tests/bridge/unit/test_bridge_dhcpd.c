/* The bridge's DHCP server for the slirp network: decisions and the
 * leases it gives and takes back through the switch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bridge_frames.h"
#include "dhcpd.h"
#include "switch.h"
#include "wire/wire.h"
#include "wire/wire_app.h"

#define IP15 SYNACK_IP4(10, 0, 2, 15)
#define IP16 SYNACK_IP4(10, 0, 2, 16)
#define GW SYNACK_IP4(10, 0, 2, 2)
#define BCAST 0xffffffffu

static const synack_br_slirp_net net = {
    .net = SYNACK_IP4(10, 0, 2, 0), .mask = SYNACK_IP4(255, 255, 255, 0),
    .host = GW, .dns = SYNACK_IP4(10, 0, 2, 3), .dhcp_start = IP15};

/* ctx: a bitmap of taken last octets */
static bool taken_free(void *ctx, uint32_t ip)
{
    const uint8_t *taken = ctx;
    return !taken[ip & 0xff];
}

static synack_dhcp_repr req(uint8_t type)
{
    synack_dhcp_repr r;
    memset(&r, 0, sizeof(r));
    r.op = SYNACK_BOOTREQUEST;
    r.htype = 1;
    r.hlen = 6;
    r.msg_type = type;
    memcpy(r.chaddr, MAC_A, 6);
    return r;
}

static void test_decide(void **state)
{
    (void)state;
    uint8_t taken[256] = {0};
    synack_dhcp_repr r = req(SYNACK_DHCPDISCOVER);
    synack_br_dhcp_answer a = synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken);
    assert_int_equal(a.msg_type, SYNACK_DHCPOFFER);
    assert_int_equal(a.yiaddr, IP15);
    assert_false(a.assign);
    taken[15] = 1;
    a = synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken);
    assert_int_equal(a.yiaddr, IP16);
    /* A requested address that is free wins; a taken or foreign one not. */
    r.has_requested_ip = true;
    r.requested_ip = SYNACK_IP4(10, 0, 2, 99);
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken).yiaddr,
                     SYNACK_IP4(10, 0, 2, 99));
    r.requested_ip = GW;
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken).yiaddr, IP16);
    /* Its current address is offered again. */
    r.has_requested_ip = false;
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, SYNACK_IP4(10, 0, 2, 40),
                                            taken_free, taken).yiaddr,
                     SYNACK_IP4(10, 0, 2, 40));
    /* Pool exhausted: no offer. */
    memset(taken, 1, sizeof(taken));
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken).msg_type, 0);
    memset(taken, 0, sizeof(taken));

    /* REQUEST: ACK a free address, NAK a taken one, ignore another server. */
    r = req(SYNACK_DHCPREQUEST);
    r.has_requested_ip = true;
    r.requested_ip = IP15;
    r.has_server_id = true;
    r.server_id = GW;
    a = synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken);
    assert_int_equal(a.msg_type, SYNACK_DHCPACK);
    assert_true(a.assign);
    assert_int_equal(a.yiaddr, IP15);
    taken[15] = 1;
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken).msg_type,
                     SYNACK_DHCPNAK);
    r.server_id = SYNACK_IP4(10, 0, 2, 9);
    assert_int_equal(synack_br_dhcpd_decide(&net, &r, 0, taken_free, taken).msg_type, 0);
    /* Renewing: ciaddr, no requested address. */
    r = req(SYNACK_DHCPREQUEST);
    r.ciaddr = IP16;
    a = synack_br_dhcpd_decide(&net, &r, IP16, taken_free, taken);
    assert_int_equal(a.msg_type, SYNACK_DHCPACK);
    assert_int_equal(a.yiaddr, IP16);
    /* RELEASE of its own address; INFORM. */
    r = req(SYNACK_DHCPRELEASE);
    r.ciaddr = IP16;
    assert_true(synack_br_dhcpd_decide(&net, &r, IP16, taken_free, taken).release);
    assert_false(synack_br_dhcpd_decide(&net, &r, IP15, taken_free, taken).release);
    r = req(SYNACK_DHCPINFORM);
    r.ciaddr = IP16;
    a = synack_br_dhcpd_decide(&net, &r, IP16, taken_free, taken);
    assert_int_equal(a.msg_type, SYNACK_DHCPACK);
    assert_int_equal(a.yiaddr, 0);
    assert_false(a.assign);
}

typedef struct fixture {
    synack_br br;
    synack_br_port ports[5];
    synack_br_mac_entry macs[64];
    recorder rec;
    uint8_t f[1600];
} fixture;

static fixture *fx_new(void)
{
    static fixture fx;
    memset(&fx, 0, sizeof(fx));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_SLIRP);
    cfg.dhcp_server = true;
    assert_int_equal(synack_br_init(&fx.br, &cfg, fx.ports, fx.macs, 64, rec_emit,
                                    &fx.rec, 0), 0);
    return &fx;
}

/* Parse recorded frame i as a DHCP reply. */
static synack_dhcp_repr reply_at(const fixture *fx, int i)
{
    synack_ip4_repr ip;
    synack_udp_repr u;
    synack_dhcp_repr d;
    const uint8_t *f = fx->rec.frame[i];
    int hl = synack_ip4_parse(f + 14, fx->rec.len[i] - 14, true, &ip);
    assert_true(hl > 0);
    assert_int_equal(ip.src, GW);
    assert_true(synack_udp_parse(f + 14 + hl, ip.total_len - (size_t)hl, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_UDP),
                                 true, &u) >= 0);
    assert_int_equal(u.sport, 67);
    assert_int_equal(u.dport, 68);
    assert_true(synack_dhcp_parse(u.payload, u.payload_len, &d) >= 0);
    return d;
}

static void send_dhcp(fixture *fx, int32_t port, const uint8_t mac[6], uint8_t type,
                      uint32_t requested)
{
    synack_dhcp_repr d = req(type);
    memcpy(d.chaddr, mac, 6);
    d.xid = 77;
    if (requested) {
        d.has_requested_ip = true;
        d.requested_ip = requested;
        d.has_server_id = true;
        d.server_id = GW;
    }
    uint8_t payload[SYNACK_DHCP_MAX_LEN];
    size_t plen = synack_dhcp_emit(&d, payload, sizeof(payload));
    size_t n = build_udp(fx->f, mac, MAC_BCAST, 0, BCAST, 68, 67, payload, plen);
    assert_int_equal(synack_br_input(&fx->br, port, 1000, fx->f, n), SYNACK_BR_KEEP);
}

static void test_leases_through_switch(void **state)
{
    (void)state;
    fixture *fx = fx_new();
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    send_dhcp(fx, 1, MAC_A, SYNACK_DHCPDISCOVER, 0);
    /* Answered to the asker only: nothing to slirp or the other client. */
    assert_int_equal(fx->rec.count, 1);
    assert_int_equal(fx->rec.port[0], 1);
    assert_memory_equal(fx->rec.frame[0], MAC_BCAST, 6);
    assert_memory_equal(fx->rec.frame[0] + 6, MAC_SLIRP, 6);
    synack_dhcp_repr d = reply_at(fx, 0);
    assert_int_equal(d.msg_type, SYNACK_DHCPOFFER);
    assert_int_equal(d.xid, 77);
    assert_int_equal(d.yiaddr, IP15);
    assert_memory_equal(d.chaddr, MAC_A, 6);
    assert_int_equal(d.router[0], GW);
    assert_int_equal(d.dns[0], SYNACK_IP4(10, 0, 2, 3));
    assert_int_equal(d.subnet_mask, SYNACK_IP4(255, 255, 255, 0));
    assert_int_equal(d.server_id, GW);
    assert_int_equal(fx->ports[1].ip_source, SYNACK_BR_IP_NONE); /* offered only */

    send_dhcp(fx, 1, MAC_A, SYNACK_DHCPREQUEST, IP15);
    d = reply_at(fx, 1);
    assert_int_equal(d.msg_type, SYNACK_DHCPACK);
    assert_int_equal(d.lease_time, SYNACK_BR_DHCP_LEASE_S);
    assert_int_equal(fx->ports[1].ip_source, SYNACK_BR_IP_DHCP);
    assert_int_equal(fx->ports[1].ip, IP15);

    /* The second client gets the next address; asking for .15 is refused. */
    send_dhcp(fx, 2, MAC_B, SYNACK_DHCPDISCOVER, 0);
    assert_int_equal(reply_at(fx, 2).yiaddr, IP16);
    send_dhcp(fx, 2, MAC_B, SYNACK_DHCPREQUEST, IP15);
    assert_int_equal(reply_at(fx, 3).msg_type, SYNACK_DHCPNAK);
    assert_int_equal(fx->ports[2].ip_source, SYNACK_BR_IP_NONE);

    /* When the first leaves, its address is free for the next client. */
    synack_br_detach(&fx->br, 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    send_dhcp(fx, 1, MAC_C, SYNACK_DHCPDISCOVER, 0);
    assert_int_equal(reply_at(fx, 4).yiaddr, IP15);
    assert_int_equal(rec_count_to(&fx->rec, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide),
        cmocka_unit_test(test_leases_through_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
