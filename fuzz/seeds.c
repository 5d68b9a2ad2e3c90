/*
 * Seed corpora for the fuzz targets, generated (nothing binary is
 * committed): `fuzz_seeds DIR` writes DIR/stack, DIR/wire, DIR/framing, DIR/proxy, DIR/ws, DIR/offload,
 * DIR/bridge and DIR/dhcp_dns. The frames are built with the core's own emitters, so the
 * seeds follow the wire formats as the stack writes them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_records.h"
#include "offload.h"
#include "wire/wire.h"
#include "wire/wire_app.h"
#include "wire/wire_ndp.h"

typedef struct buf {
    uint8_t b[70000];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n)
{
    if (n)
        memcpy(o->b + o->n, p, n);
    o->n += n;
}
static void put8(buf *o, uint8_t v) { put(o, &v, 1); }
static void put16(buf *o, uint16_t v)
{
    put8(o, (uint8_t)(v >> 8));
    put8(o, (uint8_t)v);
}

static const char *root;
static int written;

static void save(const char *dir, const char *name, const buf *o)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(o->b, 1, o->n, f) != o->n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    written++;
}

static const synack_mac us = {{0x02, 0, 0, 0, 0, 0x01}}, peer = {{0x02, 0, 0, 0, 0, 0x02}};
#define US SYNACK_IP4(10, 0, 0, 1)
#define PEER SYNACK_IP4(10, 0, 0, 2)

/* ---- stack ---------------------------------------------------------------- */

/* FZ_TCP record; opts given as raw option bytes. */
static void rec_tcp(buf *o, uint8_t target, uint8_t flags, int16_t seq, int16_t ack,
                    uint16_t win, const uint8_t *opts, uint8_t optlen, uint16_t paylen)
{
    put8(o, FZ_TCP);
    put8(o, target);
    put8(o, flags);
    put16(o, (uint16_t)seq);
    put16(o, (uint16_t)ack);
    put16(o, win);
    put16(o, 0);
    put8(o, optlen);
    put(o, opts, optlen);
    put16(o, paylen);
}

static void rec_time(buf *o, uint8_t dt)
{
    put8(o, FZ_TIME);
    put8(o, dt);
}

static void rec_app(buf *o, uint8_t what, uint8_t arg)
{
    put8(o, FZ_APP);
    put8(o, what);
    put8(o, arg);
}

/* FZ_IP_PAYLOAD record: an IPv4 payload with its protocol, id and
 * flags/fragment-offset field. */
static void rec_ip(buf *o, uint8_t proto, uint16_t id, uint16_t frag, const uint8_t *p,
                   uint16_t len)
{
    put8(o, FZ_IP_PAYLOAD);
    put8(o, proto);
    put16(o, id);
    put16(o, frag);
    put16(o, len);
    put(o, p, len);
}

/* FZ_IP6 record: an IPv6 payload behind a fixed header from the peer. */
static void rec_ip6(buf *o, uint8_t dst, uint8_t next, const uint8_t *p, uint16_t len)
{
    put8(o, FZ_IP6);
    put8(o, dst);
    put8(o, next);
    put16(o, len);
    put(o, p, len);
}

/* A record of a kind byte, a 16-bit length and `len` bytes: FZ_RAW_FRAME and
 * FZ_RAW_IP (bytes handed to the stack as is), FD_DHCP and FD_DNS. */
static void rec_block(buf *o, uint8_t kind, const uint8_t *p, uint16_t len)
{
    put8(o, kind);
    put16(o, len);
    put(o, p, len);
}

static void stack_seeds(void)
{
    static const uint8_t syn_opts[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 0,
                                       1, 3, 3, 7};
    static const uint8_t sack_opts[] = {1, 1, 5, 10, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0};
    buf *o = calloc(1, sizeof *o);

    o->n = 0; /* data in order, read, FIN */
    rec_tcp(o, 1, SYNACK_TCP_ACK | SYNACK_TCP_PSH, 0, 0, 1000, NULL, 0, 100);
    rec_time(o, 10);
    rec_app(o, 1 << 1 | 1, 200);
    rec_tcp(o, 1, SYNACK_TCP_ACK | SYNACK_TCP_FIN, 0, 0, 1000, NULL, 0, 0);
    rec_app(o, 3 << 1 | 1, 0);
    rec_time(o, 30);
    save("stack", "data_fin", o);

    o->n = 0; /* SYNs to the listener, then the ACK */
    rec_tcp(o, 2, SYNACK_TCP_SYN, 3, 0, 65535, syn_opts, sizeof syn_opts, 0);
    rec_tcp(o, 2, SYNACK_TCP_SYN, 4, 0, 1024, NULL, 0, 0);
    rec_time(o, 20);
    rec_app(o, 5 << 1, 1);
    save("stack", "listener_syn", o);

    o->n = 0; /* RST exact, RST in window, SYN in ESTABLISHED */
    rec_tcp(o, 0, SYNACK_TCP_RST, 5, 0, 0, NULL, 0, 0);
    rec_tcp(o, 0, SYNACK_TCP_SYN, 0, 0, 1000, NULL, 0, 0);
    rec_tcp(o, 0, SYNACK_TCP_RST, 0, 0, 0, NULL, 0, 0);
    save("stack", "rst_syn", o);

    o->n = 0; /* out of order, then the hole */
    rec_tcp(o, 0, SYNACK_TCP_ACK, 1000, 0, 1000, NULL, 0, 500);
    rec_tcp(o, 0, SYNACK_TCP_ACK, 2000, 0, 1000, NULL, 0, 500);
    rec_tcp(o, 0, SYNACK_TCP_ACK, 0, 0, 1000, NULL, 0, 1000);
    rec_app(o, 1 << 1, 255);
    save("stack", "ooo", o);

    o->n = 0; /* we send; the peer SACKs and ACKs; retransmission timer */
    rec_app(o, 0 << 1, 255);
    rec_app(o, 0 << 1, 255);
    rec_tcp(o, 0, SYNACK_TCP_ACK, 0, 0, 1000, sack_opts, sizeof sack_opts, 0);
    rec_time(o, 40);
    rec_tcp(o, 0, SYNACK_TCP_ACK, 0, 1000, 1000, NULL, 0, 0);
    rec_time(o, 60);
    rec_app(o, 2 << 1, 0);
    rec_time(o, 200);
    save("stack", "send_sack", o);

    o->n = 0; /* ICMP echo, fragments, UDP to a closed port */
    uint8_t icmp[64];
    synack_icmp_repr ir = {.type = SYNACK_ICMP_ECHO_REQUEST, .id = 1, .seq = 2,
                           .payload = (const uint8_t *)"pingpingping", .payload_len = 12};
    size_t il = synack_icmp_emit(&ir, icmp);
    rec_ip(o, SYNACK_IPPROTO_ICMP, 1, 0, icmp, (uint16_t)il);
    static const uint8_t count[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    rec_ip(o, SYNACK_IPPROTO_UDP, 99, 0x2000, count, 16); /* first fragment, MF */
    rec_ip(o, SYNACK_IPPROTO_UDP, 99, 0x0002, count, 8);  /* last, at offset 16 */
    rec_time(o, 255);
    save("stack", "icmp_frag", o);

    o->n = 0; /* ARP request for us, then a raw Ethernet/IPv4/TCP frame */
    uint8_t fr[128];
    synack_eth_repr e = {.dst = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, .src = peer,
                         .ethertype = SYNACK_ETHERTYPE_ARP};
    synack_eth_emit(&e, fr);
    synack_arp_repr a = {.op = SYNACK_ARP_REQUEST, .sha = peer, .spa = PEER, .tpa = US};
    synack_arp_emit(&a, fr + 14);
    rec_block(o, FZ_RAW_FRAME, fr, 14 + SYNACK_ARP_LEN);
    synack_ip4_repr ip = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .src = PEER, .dst = US,
                          .total_len = 40};
    synack_tcp_repr t = {.sport = 40000, .dport = 80, .seq = 1, .flags = SYNACK_TCP_SYN,
                         .win = 100};
    synack_ip4_emit(&ip, fr);
    synack_tcp_emit(&t, fr + 20);
    rec_block(o, FZ_RAW_IP, fr, 40);
    rec_app(o, 6 << 1, 1);
    rec_time(o, 50);
    rec_app(o, 7 << 1, 8);
    save("stack", "arp_raw", o);

    o->n = 0; /* IPv6: echo request (checksums are not verified), a UDP
                 datagram behind two Destination Options headers, two
                 fragments of one datagram, a TCP SYN to the listener */
    uint8_t p6[128];
    size_t n6 = synack_icmp_emit_sum(&(synack_icmp_repr){.type = 128, .id = 1, .seq = 1},
                                     p6, true, 0);
    rec_ip6(o, 0, SYNACK_IPPROTO_ICMPV6, p6, (uint16_t)n6);
    static const uint8_t chain[24] = {60, 0, 1, 4, 0, 0, 0, 0, 17, 0, 1, 4, 0, 0, 0, 0,
                                      0x9c, 0x40, 0, 7, 0, 8, 0, 0};
    rec_ip6(o, 0, 60, chain, sizeof chain);
    static const uint8_t frag1[24] = {17, 0, 0, 1, 0, 0, 0, 9, 0x9c, 0x40, 0, 7, 0, 24, 0, 0,
                                      1, 2, 3, 4, 5, 6, 7, 8};
    static const uint8_t frag2[16] = {17, 0, 0, 16, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8};
    rec_ip6(o, 0, 44, frag1, sizeof frag1);
    rec_ip6(o, 0, 44, frag2, sizeof frag2);
    synack_tcp_repr t6 = {.sport = 40001, .dport = 80, .seq = 1, .flags = SYNACK_TCP_SYN,
                          .win = 100, .has_mss = true, .mss = 1440};
    n6 = synack_tcp_emit(&t6, p6);
    rec_ip6(o, 0, SYNACK_IPPROTO_TCP, p6, (uint16_t)n6);
    rec_time(o, 255);
    save("stack", "ipv6", o);

    /* NDP and MLD (fuzz_stack's stack is fd00::1 on Ethernet, SLAAC off):
     * an NS for our address with an SLLA, an unsolicited NA, an RA from
     * fe80::2 with a prefix, an MTU and an RDNSS option, then an MLDv2
     * general query with hop limit 1 */
    o->n = 0;
    synack_addr us = {SYNACK_AF_IP6, {0xfd, [15] = 1}}, peer6 = {SYNACK_AF_IP6, {0xfd, [15] = 2}};
    synack_ndp_repr nd;
    memset(&nd, 0, sizeof nd);
    nd.type = SYNACK_ICMP6_NS;
    nd.target = us;
    nd.has_slla = true;
    nd.slla.b[0] = 2;
    nd.slla.b[5] = 2;
    n6 = synack_ndp_emit(&nd, p6, 0);
    rec_ip6(o, 2, SYNACK_IPPROTO_ICMPV6, p6, (uint16_t)n6);
    memset(&nd, 0, sizeof nd);
    nd.type = SYNACK_ICMP6_NA;
    nd.override = true;
    nd.target = peer6;
    nd.has_tlla = true;
    n6 = synack_ndp_emit(&nd, p6, 0);
    rec_ip6(o, 1, SYNACK_IPPROTO_ICMPV6, p6, (uint16_t)n6);
    uint8_t ropts[64];
    synack_ndp_prefix pi = {64, true, true, 600, 300, {SYNACK_AF_IP6, {0x20, 0x01, 0x0d, 0xb8}}};
    size_t ron = synack_ndp_opt_prefix_emit(&pi, ropts);
    ron += synack_ndp_opt_rdnss_emit(600, &peer6, 1, ropts + ron);
    memset(&nd, 0, sizeof nd);
    nd.type = SYNACK_ICMP6_RA;
    nd.router_lifetime = 1800;
    nd.has_slla = nd.has_mtu = true;
    nd.mtu = 1400;
    nd.opts = ropts;
    nd.opts_len = ron;
    n6 = synack_ndp_emit(&nd, p6, 0);
    rec_ip6(o, 4 | 1, SYNACK_IPPROTO_ICMPV6, p6, (uint16_t)n6);
    rec_time(o, 20);
    uint8_t mq[28] = {SYNACK_ICMP6_MLD_QUERY, 0, 0, 0, 0x03, 0xe8};
    mq[24] = 2;
    mq[25] = 125;
    rec_ip6(o, 8 | 4 | 1, SYNACK_IPPROTO_ICMPV6, mq, sizeof mq);
    rec_time(o, 255);
    save("stack", "ndp", o);
    free(o);
}

/* ---- wire ----------------------------------------------------------------- */

static void wire_seed(const char *name, uint8_t sel, const uint8_t *p, size_t n)
{
    buf *o = calloc(1, sizeof *o);
    put8(o, sel);
    put(o, p, n);
    save("wire", name, o);
    free(o);
}

static size_t dns_answer(uint8_t *b, uint16_t id)
{
    synack_dns_name q;
    synack_dns_name_from_text("www.example.com", &q);
    size_t n = synack_dns_query_emit(b, 512, id, &q, SYNACK_DNS_TYPE_A, SYNACK_DNS_CLASS_IN);
    synack_wr_be16(b + 2, SYNACK_DNS_QR | SYNACK_DNS_RD | SYNACK_DNS_RA);
    synack_wr_be16(b + 6, 2);
    /* CNAME: www -> web.example.com (compressed against the question) */
    static const uint8_t cname[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6,
                                    3, 'w', 'e', 'b', 0xc0, 16};
    memcpy(b + n, cname, sizeof cname);
    size_t cname_off = n + 12;
    n += sizeof cname;
    uint8_t arec[] = {0xc0, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, 184, 216, 34};
    arec[1] = (uint8_t)cname_off;
    memcpy(b + n, arec, sizeof arec);
    return n + sizeof arec;
}

static size_t dhcp_msg(uint8_t *b, uint8_t type)
{
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = 2;
    r.htype = 1;
    r.hlen = 6;
    r.xid = 0x12345678;
    r.yiaddr = SYNACK_IP4(10, 0, 0, 15);
    memcpy(r.chaddr, us.b, 6);
    r.msg_type = type;
    r.has_subnet_mask = true;
    r.subnet_mask = SYNACK_IP4(255, 255, 255, 0);
    r.router_count = 1;
    r.router[0] = PEER;
    r.dns_count = 1;
    r.dns[0] = PEER;
    r.has_server_id = true;
    r.server_id = PEER;
    r.has_lease_time = true;
    r.lease_time = 3600;
    return synack_dhcp_emit(&r, b, 576);
}

static void wire_seeds(void)
{
    uint8_t b[1600];
    synack_eth_repr e = {.dst = us, .src = peer, .ethertype = SYNACK_ETHERTYPE_IPV4};
    wire_seed("eth", 0, b, synack_eth_emit(&e, b));
    synack_arp_repr a = {.op = SYNACK_ARP_REPLY, .sha = peer, .spa = PEER, .tha = us, .tpa = US};
    wire_seed("arp", 1, b, synack_arp_emit(&a, b));
    synack_ip4_repr ip = {.ttl = 64, .proto = 6, .id = 5, .df = true, .src = PEER, .dst = US,
                          .total_len = 28};
    synack_ip4_emit(&ip, b);
    memset(b + 20, 0, 8);
    wire_seed("ip4", 2, b, 28);
    synack_icmp_repr ir = {.type = SYNACK_ICMP_ECHO_REQUEST, .id = 1, .seq = 1,
                           .payload = (const uint8_t *)"abcdefgh", .payload_len = 8};
    wire_seed("icmp", 3, b, synack_icmp_emit(&ir, b));
    memcpy(b + 8, "hello", 5);
    synack_udp_repr u = {.sport = 53, .dport = 1234};
    wire_seed("udp", 4, b, synack_udp_emit(&u, b, 5, synack_ip4_pseudo_sum(PEER, US, SYNACK_IPPROTO_UDP)));
    synack_tcp_repr t = {.sport = 1, .dport = 2, .seq = 3, .ack = 4,
                         .flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK, .win = 5,
                         .has_mss = true, .mss = 1460, .has_ws = true, .ws = 7,
                         .sack_ok = true, .has_ts = true, .tsval = 8, .tsecr = 9};
    wire_seed("tcp_syn", 5, b, synack_tcp_emit(&t, b));
    synack_tcp_repr t2 = {.sport = 1, .dport = 2, .seq = 3, .ack = 4, .flags = SYNACK_TCP_ACK,
                          .win = 5, .has_ts = true, .tsval = 1, .tsecr = 2, .sack_count = 3,
                          .sack = {{10, 20}, {30, 40}, {50, 60}}};
    wire_seed("tcp_sack", 5, b, synack_tcp_emit(&t2, b));
    wire_seed("tcpopts", 6, b + 20, synack_tcp_emit(&t, b) - 20);
    wire_seed("dhcp", 7, b, dhcp_msg(b, SYNACK_DHCPOFFER));
    wire_seed("dns", 8, b, dns_answer(b, 77));
    size_t n = dns_answer(b, 77);
    wire_seed("dns_name", 9, b + 12, n - 12);
    wire_seed("dns_text", 9, (const uint8_t *)"www.example.com.", 16);
    synack_ip6_repr i6;
    memset(&i6, 0, sizeof i6);
    i6.next = SYNACK_IPPROTO_UDP;
    i6.hop_limit = 64;
    i6.payload_len = 8;
    i6.src.b[0] = 0xfe; /* fe80::1 -> fe80::2 */
    i6.src.b[1] = 0x80;
    i6.src.b[15] = 1;
    i6.dst = i6.src;
    i6.dst.b[15] = 2;
    size_t h6 = synack_ip6_emit(&i6, b);
    memset(b + h6, 0, 8);
    wire_seed("ip6", 10, b, h6 + 8);
    synack_icmp_repr e6;
    memset(&e6, 0, sizeof e6);
    e6.type = SYNACK_ICMP6_ECHO_REQUEST;
    e6.id = 1;
    e6.seq = 2;
    synack_addr s6 = i6.src, d6 = i6.dst;
    s6.family = d6.family = SYNACK_AF_IP6;
    wire_seed("icmp6", 11, b,
              synack_icmp6_emit(&e6, b, synack_addr_pseudo_sum(&s6, &d6, SYNACK_IPPROTO_ICMPV6)));
    /* NDP: a router advertisement with a prefix, RDNSS and DNSSL; a
     * neighbour solicitation with its source link-layer address */
    uint8_t opts[128];
    size_t on = 0;
    synack_ndp_prefix pi = {64, true, true, 86400, 14400, s6};
    on += synack_ndp_opt_prefix_emit(&pi, opts + on);
    on += synack_ndp_opt_rdnss_emit(600, &d6, 1, opts + on);
    on += synack_ndp_opt_dnssl_emit(600, "example.com", opts + on, sizeof opts - on);
    synack_ndp_repr ra;
    memset(&ra, 0, sizeof ra);
    ra.type = SYNACK_ICMP6_RA;
    ra.cur_hop_limit = 64;
    ra.router_lifetime = 1800;
    ra.has_slla = ra.has_mtu = true;
    ra.mtu = 1500;
    ra.opts = opts;
    ra.opts_len = on;
    wire_seed("ndp_ra", 12, b, synack_ndp_emit(&ra, b, 0));
    synack_ndp_repr ns;
    memset(&ns, 0, sizeof ns);
    ns.type = SYNACK_ICMP6_NS;
    ns.target = d6;
    ns.has_slla = true;
    wire_seed("ndp_ns", 12, b, synack_ndp_emit(&ns, b, 0));
    uint8_t q[28] = {SYNACK_ICMP6_MLD_QUERY, 0, 0, 0, 0x27, 0x10};
    q[24] = 2;
    q[25] = 125;
    wire_seed("mld_query", 13, q, sizeof q);
    synack_mld_record rec = {SYNACK_MLD_TO_EXCLUDE, synack_ndp_solicited_node(&d6)};
    size_t mn = synack_mld_packet_emit(&s6, &rec, 1, b);
    wire_seed("mld_report", 13, b + 48, mn - 48);
}

/* ---- framing ---------------------------------------------------------------- */

static void framing_seeds(void)
{
    buf *o = calloc(1, sizeof *o);
    o->n = 0;
    put8(o, 0); /* cut into small reads */
    for (int i = 1; i <= 5; i++) {
        put16(o, 0);
        put16(o, (uint16_t)(i * 13));
        for (int k = 0; k < i * 13; k++)
            put8(o, (uint8_t)k);
    }
    save("framing", "frames", o);
    o->n = 0;
    put8(o, 1); /* one read: a frame, then a zero length */
    put16(o, 0);
    put16(o, 3);
    put(o, "abc", 3);
    put16(o, 0);
    put16(o, 0);
    save("framing", "zero", o);
    o->n = 0;
    put8(o, 3); /* a length above 65535 */
    put16(o, 1);
    put16(o, 0);
    save("framing", "oversize", o);
    o->n = 0;
    put8(o, 2); /* the largest length, the frame cut short */
    put16(o, 0);
    put16(o, 65535);
    for (int k = 0; k < 3000; k++)
        put8(o, (uint8_t)(k * 31));
    save("framing", "largest", o);
    free(o);
}

/* ---- proxy (the bridge's PROXY protocol headers) ---------------------------- */

static void proxy_seeds(void)
{
    static const uint8_t sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                    0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    static const char *const v1[] = {
        "PROXY TCP4 192.0.2.7 10.1.2.3 40000 443\r\n",
        "PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n",
        "PROXY UNKNOWN\r\n",
    };
    buf *o = calloc(1, sizeof *o);
    for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
        char name[16];
        o->n = 0;
        put(o, v1[i], strlen(v1[i]));
        snprintf(name, sizeof name, "v1_%zu", i);
        save("proxy", name, o);
    }
    o->n = 0; /* v2, TCP over IPv4, with a TLV */
    put(o, sig, 12);
    put8(o, 0x21);
    put8(o, 0x11);
    put16(o, 17);
    static const uint8_t body[17] = {198, 51, 100, 9, 10, 0, 0, 1, 0x9c, 0x40, 1, 0xbb,
                                     4, 0, 2, 'h', 'i'};
    put(o, body, sizeof body);
    save("proxy", "v2_tcp4", o);
    o->n = 0; /* v2 LOCAL */
    put(o, sig, 12);
    put8(o, 0x20);
    put8(o, 0x00);
    put16(o, 0);
    save("proxy", "v2_local", o);
    o->n = 0; /* v2, TCP over IPv6 */
    put(o, sig, 12);
    put8(o, 0x21);
    put8(o, 0x21);
    put16(o, 36);
    for (int k = 0; k < 36; k++)
        put8(o, (uint8_t)k);
    save("proxy", "v2_tcp6", o);
    free(o);
}

/* ---- ws (the bridge's WebSocket endpoint) ------------------------------------ */

/* A masked client frame (mask 0x11 0x22 0x33 0x44). */
static void ws_frame(buf *o, uint8_t b0, const uint8_t *p, size_t n)
{
    static const uint8_t m[4] = {0x11, 0x22, 0x33, 0x44};
    put8(o, b0);
    if (n < 126) {
        put8(o, (uint8_t)(0x80 | n));
    } else {
        put8(o, 0x80 | 126);
        put16(o, (uint16_t)n);
    }
    put(o, m, 4);
    for (size_t k = 0; k < n; k++)
        put8(o, p[k] ^ m[k & 3]);
}

static void ws_seeds(void)
{
    static const char req[] =
        "GET /synack HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: Upgrade\r\n"
        "Upgrade: websocket\r\nOrigin: https://good.example\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: binary\r\n\r\n";
    buf *o = calloc(1, sizeof *o);
    put8(o, 0); /* handshake, no allow-list */
    put(o, req, strlen(req));
    save("ws", "upgrade", o);
    o->n = 0;
    put8(o, 2); /* handshake, with the allow-list */
    put(o, req, strlen(req));
    save("ws", "upgrade_origin", o);
    uint8_t stream[64] = {0, 0, 0, 60};
    for (int k = 4; k < 64; k++)
        stream[k] = (uint8_t)k;
    o->n = 0;
    put8(o, 1 | (7 << 1)); /* frames, cut every 8 bytes */
    ws_frame(o, 0x82, stream, sizeof stream);
    ws_frame(o, 0x02, stream, 10); /* fragmented, a ping between */
    ws_frame(o, 0x89, (const uint8_t *)"hi", 2);
    ws_frame(o, 0x80, stream + 10, 54);
    ws_frame(o, 0x8A, NULL, 0);
    ws_frame(o, 0x88, (const uint8_t *)"\x03\xe8", 2);
    save("ws", "frames", o);
    o->n = 0;
    put8(o, 1);
    uint8_t big[300];
    memset(big, 0xab, sizeof big);
    ws_frame(o, 0x82, big, sizeof big);
    save("ws", "frame_16bit", o);
    free(o);
}

/* ---- offload (synack-bridge --offload's messages) --------------------------- */

static void offload_seeds(void)
{
    buf *o = calloc(1, sizeof *o);
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
    uint8_t c[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_ctrl(c, SYNACK_OFFLOAD_HELLO, mac, SYNACK_OFFLOAD_F_TX_TCP4, 65000);
    put(o, c, sizeof c);
    save("offload", "hello", o);
    /* A TCP/IPv4 super-frame of 4000 bytes, wrapped with gso_size 1448. */
    static uint8_t inner[14 + 40 + 4000], w[sizeof inner + 64];
    memset(inner, 0, sizeof inner);
    memcpy(inner, mac, 6);
    memcpy(inner + 6, mac, 6);
    inner[12] = 0x08;
    uint8_t *ip = inner + 14;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((40 + 4000) >> 8);
    ip[3] = (uint8_t)(40 + 4000);
    ip[8] = 64;
    ip[9] = 6;
    ip[12] = 10, ip[15] = 2, ip[16] = 10, ip[19] = 1;
    ip[20 + 12] = 0x50;
    ip[20 + 13] = 0x18; /* PSH ACK */
    for (size_t k = 0; k < 4000; k++)
        inner[54 + k] = (uint8_t)k;
    synack_gso g = {1448, 54, 34, 16, SYNACK_AF_IP4};
    int32_t n = synack_offload_wrap(w, sizeof w, inner, sizeof inner, &g);
    o->n = 0;
    put(o, w, (size_t)n);
    save("offload", "super", o);
    /* The same as TCP/IPv6 (GSO_TCPV6), gso_size 1428. */
    static uint8_t in6[14 + 60 + 4000];
    memset(in6, 0, sizeof in6);
    memcpy(in6, mac, 6);
    memcpy(in6 + 6, mac, 6);
    in6[12] = 0x86;
    in6[13] = 0xdd;
    uint8_t *ip6 = in6 + 14;
    ip6[0] = 0x60;
    ip6[4] = (uint8_t)((20 + 4000) >> 8);
    ip6[5] = (uint8_t)(20 + 4000);
    ip6[6] = 6;
    ip6[7] = 64;
    ip6[8] = 0xfd, ip6[23] = 2, ip6[24] = 0xfd, ip6[39] = 1;
    ip6[40 + 12] = 0x50;
    ip6[40 + 13] = 0x18;
    for (size_t k = 0; k < 4000; k++)
        in6[74 + k] = (uint8_t)k;
    synack_gso g6 = {1428, 74, 54, 16, SYNACK_AF_IP6};
    n = synack_offload_wrap(w, sizeof w, in6, sizeof in6, &g6);
    o->n = 0;
    put(o, w, (size_t)n);
    save("offload", "super6", o);
    free(o);
}

/* ---- dhcp_dns ----------------------------------------------------------------- */

static void dhcp_dns_seeds(void)
{
    buf *o = calloc(1, sizeof *o);
    uint8_t b[600];
    size_t n = dns_answer(b, 0);
    o->n = 0;
    rec_block(o, FD_DNS, b, (uint16_t)n);
    save("dhcp_dns", "dns_cname_a", o);

    o->n = 0;
    n = dhcp_msg(b, SYNACK_DHCPOFFER);
    rec_block(o, FD_DHCP, b, (uint16_t)n);
    put8(o, FD_TIME);
    put8(o, 2);
    n = dhcp_msg(b, SYNACK_DHCPACK);
    rec_block(o, FD_DHCP, b, (uint16_t)n);
    put8(o, FD_QUERY);
    put8(o, 0);
    n = dns_answer(b, 0);
    rec_block(o, FD_DNS, b, (uint16_t)n);
    put8(o, FD_TIME);
    put8(o, 255);
    save("dhcp_dns", "dhcp_lease", o);
    free(o);
}

/* ---- bridge (synack-bridge's switch: config byte, then port/len/frame records) ---- */

/* One record: port, length, an IPv6 packet (next header `next`, l4 after it)
 * from `src` to `dst` in an Ethernet frame from mac `m` to `dm`. */
static void rec6(buf *o, uint8_t port, const uint8_t m[6], const uint8_t dm[6],
                 const uint8_t src[16], const uint8_t dst[16], uint8_t next,
                 const uint8_t *l4, size_t l4len)
{
    uint8_t f[1600];
    synack_eth_repr e;
    memcpy(e.src.b, m, 6);
    memcpy(e.dst.b, dm, 6);
    e.ethertype = SYNACK_ETHERTYPE_IPV6;
    size_t n = synack_eth_emit(&e, f);
    synack_ip6_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.payload_len = (uint16_t)l4len;
    ip.next = next;
    ip.hop_limit = 255;
    ip.src.family = ip.dst.family = SYNACK_AF_IP6;
    memcpy(ip.src.b, src, 16);
    memcpy(ip.dst.b, dst, 16);
    n += synack_ip6_emit(&ip, f + n);
    memcpy(f + n, l4, l4len);
    n += l4len;
    put8(o, port);
    put16(o, (uint16_t)n);
    put(o, f, n);
}

/* An NDP message: type, target (NULL: none), a link-layer option of `opt`
 * (1 source, 2 target; 0 none) naming `lla`. Returns its length. */
static size_t nd_msg(uint8_t *b, uint8_t type, const uint8_t *target, uint8_t opt,
                     const uint8_t lla[6])
{
    size_t n = type == 134 ? 16 : type == 133 ? 8 : 24;
    memset(b, 0, 40);
    b[0] = type;
    if (target)
        memcpy(b + 8, target, 16);
    if (opt) {
        b[n] = opt;
        b[n + 1] = 1;
        memcpy(b + n + 2, lla, 6);
        n += 8;
    }
    return n;
}

/* A TCP frame of `plen` payload bytes from smac/src to dmac/dst: IPv6
 * (16-byte addresses, TCP after the fixed header) or IPv4 (the first 4
 * bytes of src/dst). Checksums left zero. Returns its length. */
static size_t tcp_frame(uint8_t *f, bool v6, const uint8_t smac[6], const uint8_t dmac[6],
                        const uint8_t *src, const uint8_t *dst, size_t plen)
{
    size_t ihl = v6 ? 40 : 20;
    memset(f, 0, 14 + ihl + 20);
    memcpy(f, dmac, 6);
    memcpy(f + 6, smac, 6);
    uint8_t *ip = f + 14;
    if (v6) {
        f[12] = 0x86, f[13] = 0xdd;
        ip[0] = 0x60;
        ip[4] = (uint8_t)((20 + plen) >> 8);
        ip[5] = (uint8_t)(20 + plen);
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
    } else {
        f[12] = 0x08;
        ip[0] = 0x45;
        ip[2] = (uint8_t)((40 + plen) >> 8);
        ip[3] = (uint8_t)(40 + plen);
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
    }
    uint8_t *tcp = ip + ihl;
    tcp[0] = 0x9c, tcp[1] = 0x40, tcp[2] = 0x1f, tcp[3] = 0x40, tcp[7] = 1;
    tcp[12] = 0x50;
    tcp[13] = 0x18; /* PSH ACK */
    for (size_t k = 0; k < plen; k++)
        tcp[20 + k] = (uint8_t)k;
    return 14 + ihl + 20 + plen;
}

/* One client record of stream bytes: the frame with its 4-byte length. */
static void rec_framed(buf *o, uint8_t port, const uint8_t *f, size_t n)
{
    put8(o, port);
    put16(o, (uint16_t)(n + 4));
    put16(o, 0);
    put16(o, (uint16_t)n);
    put(o, f, n);
}

/* --offload (config bit 2), TAP or slirp: a client's HELLO, TCP/IPv6 and
 * TCP/IPv4 SUPERs, and (TAP) Linux's TSO6 and TSO super-frames. */
static void bridge_offload_seeds(buf *o)
{
    static const uint8_t ma[6] = {2, 0, 0, 0, 0, 1}, mb[6] = {2, 0, 0, 0, 0, 2};
    static const uint8_t a6[16] = {0xfd, 0, 0, 0x78, [15] = 0xa}, b6[16] = {0xfd, 0, 0, 0x78, [15] = 0xb};
    static const uint8_t a4[4] = {10, 0, 2, 15}, b4[4] = {10, 0, 2, 2};
    static uint8_t f[8000], w[8100];
    for (uint8_t cfg = 4; cfg <= 6; cfg += 2) {
        o->n = 0;
        put8(o, cfg);
        uint8_t c[SYNACK_OFFLOAD_CTRL_LEN];
        synack_offload_ctrl(c, SYNACK_OFFLOAD_HELLO, ma, 0xf, (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
        rec_framed(o, 1, c, sizeof c);
        /* A's ARP request claims a4 (the switch binds a client's IPv4
         * address from its first ARP) */
        uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
                           0, 1, 0x08, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 2, 15,
                           0, 0, 0, 0, 0, 0, 10, 0, 2, 2};
        rec_framed(o, 1, arp, sizeof arp);
        for (int v6 = 1; v6 >= 0; v6--) {
            size_t n = tcp_frame(f, v6, ma, mb, v6 ? a6 : a4, v6 ? b6 : b4, 4000);
            synack_gso g;
            memset(&g, 0, sizeof g);
            (void)synack_offload_gso_of(f, n, v6 ? 1428 : 1448, &g);
            int32_t wn = synack_offload_wrap(w, sizeof w, f, n, &g);
            rec_framed(o, 1, w, (size_t)wn);
            if (cfg & 2) { /* Linux's super-frame back: gso_size, frame */
                n = tcp_frame(f, v6, mb, ma, v6 ? b6 : b4, v6 ? a6 : a4, 4000);
                put8(o, 0);
                put16(o, (uint16_t)(n + 2));
                put16(o, v6 ? 1428 : 1448);
                put(o, f, n);
            }
        }
        char name[16];
        snprintf(name, sizeof name, "offload-%u", cfg);
        save("bridge", name, o);
    }
}

static void bridge_seeds(void)
{
    static const uint8_t ma[6] = {2, 0, 0, 0, 0, 1}, mb[6] = {2, 0, 0, 0, 0, 2};
    static const uint8_t slirp6[6] = {0x52, 0x56, 0, 0, 0, 2};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    static const uint8_t sn_mac[6] = {0x33, 0x33, 0xff, 0, 0, 0xa};
    static const uint8_t unspec[16], a_ll[16] = {0xfe, 0x80, [15] = 0xa};
    static const uint8_t a_g[16] = {0xfd, 0, 5, 0xac, [15] = 0xa};
    static const uint8_t host6[16] = {0xfd, 0, 5, 0xac, [15] = 2};
    static const uint8_t sn[16] = {0xff, 2, [11] = 1, [12] = 0xff, [15] = 0xa};
    static const uint8_t all_nodes[16] = {0xff, 2, [15] = 1}, all_routers[16] = {0xff, 2, [15] = 2};
    buf *o = calloc(1, sizeof *o);
    uint8_t m[64];
    for (uint8_t cfg = 0; cfg < 3; cfg++) {
        o->n = 0;
        put8(o, cfg);
        size_t n = nd_msg(m, 135, a_g, 0, ma); /* DAD */
        rec6(o, 1, ma, sn_mac, unspec, sn, SYNACK_IPPROTO_ICMPV6, m, n);
        n = nd_msg(m, 133, NULL, 1, ma); /* RS */
        rec6(o, 1, ma, all_nodes_mac, a_ll, all_routers, SYNACK_IPPROTO_ICMPV6, m, n);
        n = nd_msg(m, 134, NULL, 1, slirp6); /* RA from the backend */
        static const uint8_t slirp_ll[16] = {0xfe, 0x80, [15] = 2};
        rec6(o, 0, slirp6, all_nodes_mac, slirp_ll, all_nodes, SYNACK_IPPROTO_ICMPV6, m, n);
        n = nd_msg(m, 135, a_g, 1, slirp6); /* slirp asks for A */
        rec6(o, 0, slirp6, sn_mac, slirp_ll, sn, SYNACK_IPPROTO_ICMPV6, m, n);
        n = nd_msg(m, 136, a_g, 2, mb); /* B's forged NA */
        rec6(o, 2, mb, all_nodes_mac, a_ll, all_nodes, SYNACK_IPPROTO_ICMPV6, m, n);
        n = nd_msg(m, 134, NULL, 1, mb); /* B's rogue RA */
        rec6(o, 2, mb, all_nodes_mac, a_ll, all_nodes, SYNACK_IPPROTO_ICMPV6, m, n);
        uint8_t tcp[20] = {0x9c, 0x40, 0x1f, 0x40, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff};
        rec6(o, 1, ma, slirp6, a_g, host6, SYNACK_IPPROTO_TCP, tcp, sizeof tcp); /* SYN */
        tcp[2] = 0x1f, tcp[3] = 0x41;
        rec6(o, 1, ma, slirp6, a_g, host6, SYNACK_IPPROTO_TCP, tcp, sizeof tcp); /* denied: RST */
        uint8_t ext[28] = {SYNACK_IPPROTO_ICMPV6, 0, 1, 4, 0, 0, 0, 0, 143};
        rec6(o, 1, ma, all_nodes_mac, unspec, all_nodes, 0, ext, sizeof ext); /* HbH + MLD */
        uint8_t frag[16] = {SYNACK_IPPROTO_ICMPV6, 0, 0, 1, 0, 0, 0, 7, 134};
        rec6(o, 2, mb, all_nodes_mac, a_ll, all_nodes, SYNACK_IP6_NEXT_FRAGMENT, frag, sizeof frag);
        char name[16];
        snprintf(name, sizeof name, "ndp-%u", cfg);
        save("bridge", name, o);
    }
    bridge_offload_seeds(o);
    free(o);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds DIR\n");
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0755) != 0 && errno != EEXIST) {
        perror(root);
        return 1;
    }
    stack_seeds();
    wire_seeds();
    framing_seeds();
    dhcp_dns_seeds();
    proxy_seeds();
    ws_seeds();
    offload_seeds();
    bridge_seeds();
    printf("fuzz_seeds: %d files under %s\n", written, root);
    return 0;
}
