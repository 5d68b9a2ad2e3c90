/* The bridge's switching core: learning, flooding, anti-spoofing, leases,
 * the slirp allow-list with its RST, rate limits and the token. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "bridge_frames.h"
#include "switch.h"
#include "wire/wire.h"

#define IP_A SYNACK_IP4(10, 0, 2, 15)
#define IP_B SYNACK_IP4(10, 0, 2, 16)
#define GW SYNACK_IP4(10, 0, 2, 2)
#define DNS SYNACK_IP4(10, 0, 2, 3)
#define BCAST_IP 0xffffffffu

typedef struct fixture {
    synack_br br;
    synack_br_port ports[5];
    synack_br_mac_entry macs[64];
    recorder rec;
    uint8_t f[1600];
    synack_br_allow allow[2];
} fixture;

static fixture *fx_new(synack_br_config cfg)
{
    static fixture fx;
    memset(&fx, 0, sizeof(fx));
    if (cfg.backend == SYNACK_BR_BACKEND_SLIRP) {
        fx.allow[0].ip = GW;
        fx.allow[0].port = 8000;
        cfg.allow.entries = fx.allow;
        cfg.allow.count = 1;
    }
    assert_int_equal(synack_br_init(&fx.br, &cfg, fx.ports, fx.macs, 64, rec_emit,
                                    &fx.rec, 0), 0);
    return &fx;
}

static synack_br_verdict in(fixture *fx, int32_t port, size_t len)
{
    return synack_br_input(&fx->br, port, 1000, fx->f, len);
}

/* Attach clients 1 and 2 and give them MACs A/B and IPs by ARP. */
static void two_clients(fixture *fx)
{
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, IP_B);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    n = build_arp(fx->f, MAC_B, MAC_A, SYNACK_ARP_REPLY, MAC_B, IP_B, MAC_A, IP_A);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    fx->rec.count = 0;
}

static void test_flood_then_learn(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    assert_int_equal(synack_br_attach(&fx->br, 0), 3);
    /* A broadcast from 1 reaches 2 and 3, not 1. */
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, IP_B);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 1), 0);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    assert_int_equal(rec_count_to(&fx->rec, 3), 1);
    /* The reply to A's learned MAC goes to 1 only. */
    fx->rec.count = 0;
    n = build_arp(fx->f, MAC_B, MAC_A, SYNACK_ARP_REPLY, MAC_B, IP_B, MAC_A, IP_A);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 1);
    assert_int_equal(fx->rec.port[0], 1);
    assert_int_equal(fx->rec.len[0], n);
    assert_memory_equal(fx->rec.frame[0], fx->f, n);
    assert_int_equal(fx->ports[1].stats.rx_frames, 1);
    assert_int_equal(fx->ports[1].stats.tx_frames, 1);
    /* Unknown unicast is nobody's here: every client's MAC is pinned. */
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_A, MAC_C, IP_A, IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[1].stats.drop_unknown, 1);
}

static void test_mac_spoof_dropped(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    /* 1 sends with C's MAC: dropped. */
    size_t n = build_udp(fx->f, MAC_C, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[1].stats.drop_spoof_mac, 1);
    /* A third client whose first frame uses A's MAC: not learned, dropped. */
    assert_int_equal(synack_br_attach(&fx->br, 0), 3);
    n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 3, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 0);
    assert_false(fx->ports[3].has_mac);
    assert_int_equal(fx->ports[3].stats.drop_spoof_mac, 1);
    /* ARP whose sender hardware address is not the frame's: dropped. */
    n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REPLY, MAC_C, IP_A, MAC_B, IP_B);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[1].stats.drop_spoof_mac, 2);
}

static void test_ip_spoof_dropped(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    assert_int_equal(fx->ports[1].ip_source, SYNACK_BR_IP_ARP);
    assert_int_equal(fx->ports[1].ip, IP_A);
    /* From A's MAC but B's IP. */
    size_t n = build_udp(fx->f, MAC_A, MAC_B, IP_B, IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[1].stats.drop_spoof_ip, 1);
    /* ARP announcing another address. */
    n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A,
                  SYNACK_IP4(10, 0, 2, 99), MAC_BCAST, IP_B);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[1].stats.drop_spoof_ip, 2);
    /* A third client claiming A's IP in its first ARP. */
    assert_int_equal(synack_br_attach(&fx->br, 0), 3);
    n = build_arp(fx->f, MAC_C, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_C, IP_A,
                  MAC_BCAST, IP_B);
    assert_int_equal(in(fx, 3, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[3].ip_source, SYNACK_BR_IP_NONE);
    assert_int_equal(fx->ports[3].stats.drop_spoof_ip, 1);
    /* IPv4 before any address is known. */
    n = build_udp(fx->f, MAC_C, MAC_B, SYNACK_IP4(10, 0, 2, 77), IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 3, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[3].stats.drop_spoof_ip, 2);
    assert_int_equal(fx->rec.count, 0);
    /* A valid packet from A passes. */
    n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
}

static void test_malformed_closes(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    /* Runt: shorter than an Ethernet header. */
    memset(fx->f, 0, 13);
    assert_int_equal(in(fx, 1, 13), SYNACK_BR_CLOSE_MALFORMED);
    /* Larger than max_frame. */
    size_t n = build_raw(fx->f, MAC_A, MAC_B, SYNACK_ETHERTYPE_IPV4, 1519);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_CLOSE_MALFORMED);
    /* Group source address. */
    n = build_raw(fx->f, MAC_BCAST, MAC_B, SYNACK_ETHERTYPE_ARP, 60);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_CLOSE_MALFORMED);
    assert_int_equal(fx->ports[1].stats.drop_invalid, 2);
    assert_int_equal(fx->rec.count, 0);
    /* A bad ARP body is dropped, not fatal. */
    n = build_raw(fx->f, MAC_A, MAC_B, SYNACK_ETHERTYPE_ARP, 20);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[1].stats.drop_invalid, 3);
    /* An IPv6 header that does not parse (version 0) is dropped as invalid... */
    n = build_raw(fx->f, MAC_A, MAC_B, 0x86dd, 80);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[1].stats.drop_invalid, 4);
    /* ... and other EtherTypes (LLDP here) are not switched. */
    n = build_raw(fx->f, MAC_A, MAC_B, 0x88cc, 80);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[1].stats.drop_policy, 1);
    assert_int_equal(fx->rec.count, 0);
}

static void test_detach_frees_addresses(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    synack_br_detach(&fx->br, 1);
    assert_false(synack_br_port_active(&fx->br, 1));
    /* The port is reused, and the MAC/IP can be claimed again. */
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, IP_B);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_true(fx->ports[1].has_mac);
    assert_int_equal(fx->ports[1].ip, IP_A);
    assert_int_equal(fx->ports[1].stats.drop_spoof_mac, 0);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
}

static void test_dhcp_lease_snooped(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_SLIRP));
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    /* DISCOVER from 0.0.0.0 passes to slirp. */
    size_t n = build_dhcp(fx->f, MAC_A, MAC_BCAST, 0, BCAST_IP, true,
                          SYNACK_DHCPDISCOVER, MAC_A, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    /* A DISCOVER for someone else's hardware address does not. */
    n = build_dhcp(fx->f, MAC_A, MAC_BCAST, 0, BCAST_IP, true, SYNACK_DHCPDISCOVER,
                   MAC_C, 0);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    assert_int_equal(fx->ports[1].stats.drop_spoof_mac, 1);
    /* An OFFER does not give the address; the ACK does. */
    n = build_dhcp(fx->f, MAC_SLIRP, MAC_BCAST, GW, BCAST_IP, false, SYNACK_DHCPOFFER,
                   MAC_A, IP_A);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(fx->ports[1].ip_source, SYNACK_BR_IP_NONE);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    n = build_dhcp(fx->f, MAC_SLIRP, MAC_BCAST, GW, BCAST_IP, false, SYNACK_DHCPACK,
                   MAC_A, IP_A);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(fx->ports[1].ip_source, SYNACK_BR_IP_DHCP);
    assert_int_equal(fx->ports[1].ip, IP_A);
    /* An ACK from a client (rogue server) is not believed. */
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    n = build_arp(fx->f, MAC_B, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_B, IP_B,
                  MAC_BCAST, GW);
    in(fx, 2, n);
    n = build_dhcp(fx->f, MAC_B, MAC_BCAST, IP_B, BCAST_IP, false, SYNACK_DHCPACK,
                   MAC_A, SYNACK_IP4(10, 0, 2, 50));
    in(fx, 2, n);
    assert_int_equal(fx->ports[1].ip, IP_A);
}

/* Find the IPv4/TCP header of recorded frame i. */
static void parse_tcp(const fixture *fx, int i, synack_ip4_repr *ip,
                      synack_tcp_repr *tcp)
{
    const uint8_t *f = fx->rec.frame[i];
    size_t len = fx->rec.len[i];
    int hl = synack_ip4_parse(f + 14, len - 14, true, ip);
    assert_true(hl > 0);
    assert_true(synack_tcp_parse(f + 14 + hl, ip->total_len - (size_t)hl, synack_ip4_pseudo_sum(ip->src, ip->dst, SYNACK_IPPROTO_TCP), true, tcp) >= 0);
}

static void test_slirp_allow_list(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_SLIRP));
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, GW);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    fx->rec.count = 0;

    /* SYN to an allowed port reaches slirp. */
    n = build_tcp(fx->f, MAC_A, MAC_SLIRP, IP_A, GW, 40000, 8000, SYNACK_TCP_SYN, 1000, 0);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    /* SYN to another port is answered with RST+ACK from the gateway. */
    fx->rec.count = 0;
    n = build_tcp(fx->f, MAC_A, MAC_SLIRP, IP_A, GW, 40001, 22, SYNACK_TCP_SYN, 5000, 0);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 0);
    int i = rec_find(&fx->rec, 1, 0);
    assert_true(i >= 0);
    assert_memory_equal(fx->rec.frame[i], MAC_A, 6);
    assert_memory_equal(fx->rec.frame[i] + 6, MAC_SLIRP, 6);
    synack_ip4_repr ip;
    synack_tcp_repr tcp;
    parse_tcp(fx, i, &ip, &tcp);
    assert_int_equal(ip.src, GW);
    assert_int_equal(ip.dst, IP_A);
    assert_int_equal(tcp.sport, 22);
    assert_int_equal(tcp.dport, 40001);
    assert_int_equal(tcp.flags, SYNACK_TCP_RST | SYNACK_TCP_ACK);
    assert_int_equal(tcp.seq, 0);
    assert_int_equal(tcp.ack, 5001);
    assert_int_equal(fx->ports[1].stats.rst_sent, 1);
    assert_int_equal(fx->ports[1].stats.drop_policy, 1);
    /* A segment without SYN passes (slirp resets unknown connections). */
    fx->rec.count = 0;
    n = build_tcp(fx->f, MAC_A, MAC_SLIRP, IP_A, GW, 40001, 22, SYNACK_TCP_ACK, 1, 1);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    /* UDP: DNS to the resolver passes, anything else not on the list does not. */
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_A, MAC_SLIRP, IP_A, DNS, 5353, 53, NULL, 0);
    in(fx, 1, n);
    n = build_udp(fx->f, MAC_A, MAC_SLIRP, IP_A, GW, 5353, 9999, NULL, 0);
    in(fx, 1, n);
    n = build_udp(fx->f, MAC_A, MAC_SLIRP, IP_A, SYNACK_IP4(8, 8, 8, 8), 5353, 53, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    assert_int_equal(fx->ports[1].stats.drop_policy, 3);
    /* Ping: the gateway yes, the world no. */
    fx->rec.count = 0;
    n = build_icmp_echo(fx->f, MAC_A, MAC_SLIRP, IP_A, GW);
    in(fx, 1, n);
    n = build_icmp_echo(fx->f, MAC_A, MAC_SLIRP, IP_A, SYNACK_IP4(1, 1, 1, 1));
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
}

static void test_slirp_no_unknown_unicast(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_SLIRP));
    two_clients(fx);
    /* To an unknown MAC: neither to slirp nor to the other client. */
    size_t n = build_udp(fx->f, MAC_A, MAC_C, IP_A, IP_B, 1, 2, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[1].stats.drop_unknown, 1);
    /* Nor what slirp sends to a client that has left. */
    synack_br_detach(&fx->br, 2);
    n = build_udp(fx->f, MAC_SLIRP, MAC_B, GW, IP_B, 80, 40000, NULL, 0);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[0].stats.drop_unknown, 1);
    /* slirp's resolver MAC is known without it ever sending. */
    fx->rec.count = 0;
    uint8_t dns_mac[6] = {0x52, 0x55, 10, 0, 2, 3};
    n = build_udp(fx->f, MAC_A, dns_mac, IP_A, DNS, 5353, 53, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
}

/* Isolated slirp clients (the default of the program): each reaches only
 * the backend; the backend's ARP requests and DHCP replies reach only the
 * client they are for. */
static void test_isolated(void **state)
{
    (void)state;
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_SLIRP);
    cfg.isolate = true;
    fixture *fx = fx_new(cfg);
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    /* A's broadcast ARP reaches slirp only. */
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, GW);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
    n = build_arp(fx->f, MAC_B, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_B, IP_B,
                  MAC_BCAST, IP_A);
    in(fx, 2, n);
    assert_int_equal(rec_count_to(&fx->rec, 1), 0);
    /* Unicast from B to A (whose MAC the switch knows) is dropped, counted. */
    fx->rec.count = 0;
    n = build_icmp_echo(fx->f, MAC_B, MAC_A, IP_B, IP_A);
    in(fx, 2, n);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[2].stats.drop_isolated, 1);
    /* A DHCP discover (broadcast) from B reaches neither A nor, with the
     * bridge's own server off, anyone but slirp. */
    n = build_dhcp(fx->f, MAC_B, MAC_BCAST, 0, BCAST_IP, true, SYNACK_DHCPDISCOVER,
                   MAC_B, 0);
    in(fx, 2, n);
    assert_int_equal(rec_count_to(&fx->rec, 1), 0);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    /* slirp asks who has IP_A: only A hears it. */
    fx->rec.count = 0;
    n = build_arp(fx->f, MAC_SLIRP, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_SLIRP, GW,
                  MAC_BCAST, IP_A);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
    /* slirp's broadcast DHCP reply for B: only B. */
    fx->rec.count = 0;
    n = build_dhcp(fx->f, MAC_SLIRP, MAC_BCAST, GW, BCAST_IP, false, SYNACK_DHCPOFFER,
                   MAC_B, SYNACK_IP4(10, 0, 2, 17));
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    assert_int_equal(rec_count_to(&fx->rec, 1), 0);
    /* Unicast from slirp to A still arrives. */
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_SLIRP, MAC_A, GW, IP_A, 80, 40000, NULL, 0);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    assert_int_equal(fx->rec.count, 1);
}

/* Isolation is a slirp mode: a switch with TAP or no backend refuses it. */
static void test_isolated_needs_slirp(void **state)
{
    (void)state;
    static synack_br br;
    static synack_br_port ports[5];
    static synack_br_mac_entry macs[64];
    recorder rec;
    memset(&rec, 0, sizeof(rec));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_TAP);
    cfg.isolate = true;
    assert_int_equal(synack_br_init(&br, &cfg, ports, macs, 64, rec_emit, &rec, 0), -1);
}

static void test_backend_cannot_take_client_mac(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_TAP));
    two_clients(fx);
    size_t n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[0].stats.drop_spoof_mac, 1);
    /* The host's own MAC is learned on the backend. */
    n = build_arp(fx->f, MAC_HOST, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_HOST,
                  SYNACK_IP4(10, 0, 2, 1), MAC_BCAST, IP_A);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_A, MAC_HOST, IP_A, SYNACK_IP4(10, 0, 2, 1), 1, 2, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(fx->rec.count, 1);
    assert_int_equal(fx->rec.port[0], 0);
    /* With TAP, unknown unicast goes to the device (where unknown stations
     * live), not to the other clients. */
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_A, MAC_C, IP_A, IP_B, 1, 2, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
    /* From the device to a MAC no client owns: dropped. */
    fx->rec.count = 0;
    n = build_udp(fx->f, MAC_HOST, MAC_C, SYNACK_IP4(10, 0, 2, 1), IP_B, 1, 2, NULL, 0);
    synack_br_input(&fx->br, 0, 1000, fx->f, n);
    assert_int_equal(fx->rec.count, 0);
    assert_int_equal(fx->ports[0].stats.drop_unknown, 1);
}

static void test_rate_limit(void **state)
{
    (void)state;
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_NONE);
    cfg.rate_fps = 10;
    cfg.burst_frames = 5;
    fixture *fx = fx_new(cfg);
    two_clients(fx); /* each used one token at t=1000 */
    size_t n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    for (int i = 0; i < 10; i++)
        in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 2), 4);
    assert_int_equal(fx->ports[1].stats.drop_rate, 6);
    /* 500 ms later five more tokens are there. */
    fx->rec.count = 0;
    for (int i = 0; i < 10; i++)
        synack_br_input(&fx->br, 1, 1500, fx->f, n);
    assert_int_equal(rec_count_to(&fx->rec, 2), 5);
    assert_int_equal(fx->ports[1].stats.drop_rate, 11);
}

static void test_byte_rate_limit(void **state)
{
    (void)state;
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_NONE);
    cfg.rate_bps = 1000;
    cfg.burst_bytes = 1518;
    fixture *fx = fx_new(cfg);
    two_clients(fx); /* 42 bytes used */
    size_t n = build_raw(fx->f, MAC_A, MAC_B, SYNACK_ETHERTYPE_IPV4, 1000);
    n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, fx->f + 100, 958);
    assert_int_equal(n, 1000);
    in(fx, 1, n);
    in(fx, 1, n);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    assert_int_equal(fx->ports[1].stats.drop_rate, 1);
}

static void test_queue_full_counted(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    fx->rec.refuse_port[2] = true;
    size_t n = build_udp(fx->f, MAC_A, MAC_B, IP_A, IP_B, 1, 2, NULL, 0);
    in(fx, 1, n);
    assert_int_equal(fx->ports[2].stats.drop_queue, 1);
    assert_int_equal(fx->ports[2].stats.tx_frames, 1); /* the ARP reply before */
    assert_int_equal(fx->ports[1].stats.rx_frames, 2);
}

static void test_token(void **state)
{
    (void)state;
    static const uint8_t secret[] = "s3cret";
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_NONE);
    cfg.token = secret;
    cfg.token_len = 6;
    fixture *fx = fx_new(cfg);
    assert_int_equal(synack_br_attach(&fx->br, 0), 1);
    assert_int_equal(synack_br_attach(&fx->br, 0), 2);
    assert_false(synack_br_port_active(&fx->br, 1));
    /* Right token: active, and the token frame is not switched. */
    assert_int_equal(synack_br_input(&fx->br, 1, 0, secret, 6), SYNACK_BR_KEEP);
    assert_true(synack_br_port_active(&fx->br, 1));
    assert_int_equal(fx->rec.count, 0);
    /* Not yet authenticated ports get no floods. */
    size_t n = build_arp(fx->f, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                         MAC_BCAST, IP_B);
    in(fx, 1, n);
    assert_int_equal(fx->rec.count, 0);
    /* Wrong token, or a prefix of it, or longer: closed. */
    assert_int_equal(synack_br_input(&fx->br, 2, 0, (const uint8_t *)"s3cres", 6),
                     SYNACK_BR_CLOSE_AUTH);
    assert_int_equal(synack_br_input(&fx->br, 2, 0, secret, 5), SYNACK_BR_CLOSE_AUTH);
    assert_int_equal(synack_br_input(&fx->br, 2, 0, (const uint8_t *)"s3cret!", 7),
                     SYNACK_BR_CLOSE_AUTH);
}

static void test_full(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    for (int i = 1; i <= 4; i++)
        assert_int_equal(synack_br_attach(&fx->br, 0), i);
    assert_int_equal(synack_br_attach(&fx->br, 0), -1);
    synack_br_detach(&fx->br, 3);
    assert_int_equal(synack_br_attach(&fx->br, 0), 3);
}

/* ---- IPv6 ---- */

static const uint8_t UNSPEC6[16];
static const uint8_t A6[16] = {0xfd, 0, 5, 0xac, [15] = 0xa};
static const uint8_t B6[16] = {0xfd, 0, 5, 0xac, [15] = 0xb};
static const uint8_t SLIRP6[16] = {0xfd, 0, 5, 0xac, [15] = 2};
static const uint8_t SLIRP6_LL[16] = {0xfe, 0x80, [15] = 2};
static const uint8_t SOLICITED_A[16] = {0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 0xa};
static const uint8_t ALL_NODES[16] = {0xff, 0x02, [15] = 1};
static const uint8_t MAC_SOLICITED_A[6] = {0x33, 0x33, 0xff, 0, 0, 0xa};
static const uint8_t MAC_ALL_NODES[6] = {0x33, 0x33, 0, 0, 0, 1};
static const uint8_t MAC_SLIRP6[6] = {0x52, 0x56, 0, 0, 0, 2};

/* An NDP message of `type` with `target` (NS/NA) and, when lla is not
 * NULL, a link-layer address option (source for NS/RS/RA, target for NA). */
static size_t nd(fixture *fx, const uint8_t src_mac[6], const uint8_t dst_mac[6],
                 const uint8_t src[16], const uint8_t dst[16], uint8_t type,
                 const uint8_t target[16], const uint8_t *lla)
{
    uint8_t m[40];
    memset(m, 0, sizeof(m));
    m[0] = type;
    size_t n = type == SYNACK_BR_ICMP6_RA ? 16 : type == SYNACK_BR_ICMP6_RS ? 8 : 24;
    if (target != NULL)
        memcpy(m + 8, target, 16);
    if (lla != NULL) {
        m[n] = type == SYNACK_BR_ICMP6_NA ? 2 : 1;
        m[n + 1] = 1;
        memcpy(m + n + 2, lla, 6);
        n += 8;
    }
    return build_ip6(fx->f, src_mac, dst_mac, src, dst, SYNACK_IPPROTO_ICMPV6,
                     SYNACK_IPPROTO_ICMPV6, m, n);
}

static size_t udp6(fixture *fx, const uint8_t src_mac[6], const uint8_t dst_mac[6],
                   const uint8_t src[16], const uint8_t dst[16])
{
    uint8_t u[9] = {0, 7, 0, 9, 0, 9, 0, 0, 'x'};
    return build_ip6(fx->f, src_mac, dst_mac, src, dst, SYNACK_IPPROTO_UDP, SYNACK_IPPROTO_UDP,
                     u, sizeof(u));
}

static synack_br_config slirp6_config(void)
{
    synack_br_config c = test_config(SYNACK_BR_BACKEND_SLIRP);
    c.isolate = true;
    c.net.ip6 = true;
    c.net.prefix6_len = 64;
    memcpy(c.net.prefix6, SLIRP6, 16);
    c.net.prefix6[15] = 0;
    memcpy(c.net.host6, SLIRP6, 16);
    memcpy(c.net.dns6, SLIRP6, 16);
    c.net.dns6[15] = 3;
    return c;
}

static void test_ip6_dad_binds_first_come(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    /* A's DAD NS binds A6 and reaches B (for an owner to defend). */
    size_t n = nd(fx, MAC_A, MAC_SOLICITED_A, UNSPEC6, SOLICITED_A, SYNACK_BR_ICMP6_NS, A6, NULL);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    assert_true(fx->ports[1].ip6[0].used);
    assert_memory_equal(fx->ports[1].ip6[0].addr, A6, 16);
    /* B's DAD for it binds nothing; B's packets from it are dropped. */
    n = nd(fx, MAC_B, MAC_SOLICITED_A, UNSPEC6, SOLICITED_A, SYNACK_BR_ICMP6_NS, A6, NULL);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_false(fx->ports[2].ip6[0].used);
    fx->rec.count = 0;
    n = udp6(fx, MAC_B, MAC_A, A6, B6);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_ip, 1);
    /* A DAD NS with a source link-layer option is not DAD (RFC 4861 7.1.1) */
    n = nd(fx, MAC_B, MAC_SOLICITED_A, UNSPEC6, SOLICITED_A, SYNACK_BR_ICMP6_NS, B6, MAC_B);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_ip, 2);
    /* B's own address by first use; an NA from B for A's address is forged. */
    n = udp6(fx, MAC_B, MAC_A, B6, A6);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    n = nd(fx, MAC_B, MAC_ALL_NODES, B6, ALL_NODES, SYNACK_BR_ICMP6_NA, A6, MAC_B);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_nd, 1);
    /* An RA from a client never passes. */
    n = nd(fx, MAC_B, MAC_ALL_NODES, B6, ALL_NODES, SYNACK_BR_ICMP6_RA, NULL, MAC_B);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_nd, 2);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    /* A goes: its address is free. */
    synack_br_detach(&fx->br, 1);
    n = udp6(fx, MAC_B, MAC_BCAST, A6, B6);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_ip, 2);
}

static void test_ip6_table_bounded(void **state)
{
    (void)state;
    fixture *fx = fx_new(test_config(SYNACK_BR_BACKEND_NONE));
    two_clients(fx);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
    for (uint32_t i = 1; i <= 1000; i++) {
        synack_wr_be32(a + 12, i);
        size_t n = udp6(fx, MAC_A, MAC_B, a, B6);
        synack_br_input(&fx->br, 1, 1000 + i, fx->f, n);
    }
    assert_int_equal(fx->ports[1].stats.ip6_evicted, 1000 - SYNACK_BR_IP6_PER_PORT);
    assert_int_equal(fx->ports[1].stats.drop_spoof_ip, 0);
    /* the last 8 are kept */
    for (uint32_t i = 1000 - SYNACK_BR_IP6_PER_PORT + 1; i <= 1000; i++) {
        synack_wr_be32(a + 12, i);
        bool found = false;
        for (int k = 0; k < SYNACK_BR_IP6_PER_PORT; k++)
            found |= memcmp(fx->ports[1].ip6[k].addr, a, 16) == 0;
        assert_true(found);
    }
}

static void test_ip6_slirp_isolated(void **state)
{
    (void)state;
    fixture *fx = fx_new(slirp6_config());
    two_clients(fx);
    size_t n = nd(fx, MAC_A, MAC_SOLICITED_A, UNSPEC6, SOLICITED_A, SYNACK_BR_ICMP6_NS, A6, NULL);
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 0), 1); /* to slirp only */
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
    /* B's DAD probe for A's address: answered here with the NA A would
     * send (B can never hear A), not bound, not passed on */
    fx->rec.count = 0;
    n = nd(fx, MAC_B, MAC_SOLICITED_A, UNSPEC6, SOLICITED_A, SYNACK_BR_ICMP6_NS, A6, NULL);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_false(fx->ports[2].ip6[0].used);
    assert_int_equal(fx->rec.count, 1);
    int d = rec_find(&fx->rec, 2, 0);
    assert_true(d >= 0);
    synack_br_frame df;
    assert_int_equal(synack_br_frame_parse(fx->rec.frame[d], fx->rec.len[d], &df), 0);
    assert_int_equal(df.l3, SYNACK_BR_L3_IP6);
    assert_true(df.has_icmp_type && df.icmp_type == SYNACK_BR_ICMP6_NA && df.nd_has_target);
    assert_memory_equal(df.nd_target, A6, 16);
    assert_memory_equal(df.ip6.src.b, A6, 16);
    assert_memory_equal(df.ip6.dst.b, ALL_NODES, 16);
    assert_int_equal(df.ip6.hop_limit, 255);
    synack_icmp_repr na;
    assert_int_equal(synack_icmp6_parse(df.l4, df.l4_len,
                                        synack_addr_pseudo_sum(&df.ip6.src, &df.ip6.dst,
                                                               SYNACK_IPPROTO_ICMPV6),
                                        true, &na), SYNACK_ICMP_HDR_LEN);
    assert_int_equal(na.rest >> 24, 0x20); /* Override, not Solicited */
    /* slirp's NS for A's address goes to A alone */
    fx->rec.count = 0;
    n = nd(fx, MAC_SLIRP6, MAC_SOLICITED_A, SLIRP6_LL, SOLICITED_A, SYNACK_BR_ICMP6_NS, A6,
           MAC_SLIRP6);
    assert_int_equal(in(fx, 0, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 0);
    /* slirp's RA goes to every client */
    fx->rec.count = 0;
    n = nd(fx, MAC_SLIRP6, MAC_ALL_NODES, SLIRP6_LL, ALL_NODES, SYNACK_BR_ICMP6_RA, NULL,
           MAC_SLIRP6);
    assert_int_equal(in(fx, 0, n), SYNACK_BR_KEEP);
    assert_int_equal(rec_count_to(&fx->rec, 1), 1);
    assert_int_equal(rec_count_to(&fx->rec, 2), 1);
    /* slirp's IPv6 MAC is pinned: a client cannot take it */
    fx->rec.count = 0;
    assert_int_equal(synack_br_attach(&fx->br, 0), 3);
    n = udp6(fx, MAC_SLIRP6, MAC_SLIRP6, B6, SLIRP6);
    assert_int_equal(synack_br_input(&fx->br, 3, 1000, fx->f, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[3].stats.drop_spoof_mac, 1);
    /* slirp's own addresses cannot be claimed */
    n = udp6(fx, MAC_B, MAC_SLIRP6, SLIRP6, SLIRP6);
    assert_int_equal(in(fx, 2, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[2].stats.drop_spoof_ip, 1);
    /* a denied IPv6 SYN is answered with an IPv6 RST from the destination */
    uint8_t t[20];
    tcp_header(t, 40000, 9999, SYNACK_TCP_SYN);
    n = build_ip6(fx->f, MAC_A, MAC_SLIRP6, A6, SLIRP6, SYNACK_IPPROTO_TCP, SYNACK_IPPROTO_TCP, t, 20);
    fx->rec.count = 0;
    assert_int_equal(in(fx, 1, n), SYNACK_BR_KEEP);
    assert_int_equal(fx->ports[1].stats.rst_sent, 1);
    int i = rec_find(&fx->rec, 1, 0);
    assert_true(i >= 0);
    const uint8_t *r = fx->rec.frame[i];
    assert_int_equal(synack_ld_be16(r + 12), SYNACK_ETHERTYPE_IPV6);
    assert_memory_equal(r + 14 + 8, SLIRP6, 16);
    assert_memory_equal(r + 14 + 24, A6, 16);
    assert_int_equal(r[14 + 40 + 13], SYNACK_TCP_RST | SYNACK_TCP_ACK);
    synack_ip6_repr ip6;
    assert_int_equal(synack_ip6_parse(r + 14, fx->rec.len[i] - 14, &ip6), 40);
    synack_tcp_repr tr;
    assert_true(synack_tcp_parse(r + 54, 20, synack_addr_pseudo_sum(&ip6.src, &ip6.dst,
                                                                     SYNACK_IPPROTO_TCP),
                                 true, &tr) >= 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flood_then_learn),
        cmocka_unit_test(test_mac_spoof_dropped),
        cmocka_unit_test(test_ip_spoof_dropped),
        cmocka_unit_test(test_malformed_closes),
        cmocka_unit_test(test_detach_frees_addresses),
        cmocka_unit_test(test_dhcp_lease_snooped),
        cmocka_unit_test(test_slirp_allow_list),
        cmocka_unit_test(test_slirp_no_unknown_unicast),
        cmocka_unit_test(test_isolated),
        cmocka_unit_test(test_isolated_needs_slirp),
        cmocka_unit_test(test_backend_cannot_take_client_mac),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_byte_rate_limit),
        cmocka_unit_test(test_queue_full_counted),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_ip6_dad_binds_first_come),
        cmocka_unit_test(test_ip6_table_bounded),
        cmocka_unit_test(test_ip6_slirp_isolated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
