/*
 * libFuzzer target (b): every wire parser. The first input byte picks the
 * parser, the rest is the bytes it reads (at the exact length, so ASan sees
 * any read past the end). Where a format has an emitter, what parsed is
 * emitted again and parsed again; the second parse must succeed and agree
 * on the fields the emitter writes (a round-trip oracle).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire/tcp_options.h"
#include "wire/wire.h"
#include "wire/wire_app.h"
#include "wire/wire_ndp.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "round trip: %s (line %d)\n", #cond, __LINE__);   \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const synack_ip4 SRC = SYNACK_IP4(10, 0, 0, 2), DST = SYNACK_IP4(10, 0, 0, 1);

static void wire_eth(const uint8_t *p, size_t n)
{
    synack_eth_repr a, b;
    uint8_t out[SYNACK_ETH_HDR_LEN];
    if (synack_eth_parse(p, n, &a) < 0)
        return;
    CHECK(synack_eth_emit(&a, out) == SYNACK_ETH_HDR_LEN);
    CHECK(synack_eth_parse(out, sizeof out, &b) >= 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
}

static void wire_arp(const uint8_t *p, size_t n)
{
    synack_arp_repr a, b;
    uint8_t out[SYNACK_ARP_LEN];
    if (synack_arp_parse(p, n, &a) < 0)
        return;
    CHECK(synack_arp_emit(&a, out) == SYNACK_ARP_LEN);
    CHECK(synack_arp_parse(out, sizeof out, &b) == SYNACK_ARP_LEN);
    CHECK(a.op == b.op && a.spa == b.spa && a.tpa == b.tpa);
    CHECK(memcmp(&a.sha, &b.sha, 6) == 0 && memcmp(&a.tha, &b.tha, 6) == 0);
}

static void wire_ip4(const uint8_t *p, size_t n, bool verify)
{
    synack_ip4_repr a, b;
    int hl = synack_ip4_parse(p, n, verify, &a);
    if (hl < 0)
        return;
    CHECK(hl >= SYNACK_IP4_HDR_LEN && (size_t)hl <= n && a.total_len <= n && hl <= a.total_len);
    uint8_t out[SYNACK_IP4_HDR_LEN];
    a.total_len = (uint16_t)(a.total_len - hl + SYNACK_IP4_HDR_LEN);
    CHECK(synack_ip4_emit(&a, out) == SYNACK_IP4_HDR_LEN);
    CHECK(synack_ip4_parse(out, sizeof out, true, &b) == SYNACK_IP4_HDR_LEN ||
          a.total_len > SYNACK_IP4_HDR_LEN);
}

static void wire_ip6(const uint8_t *p, size_t n)
{
    synack_ip6_repr a, b;
    if (synack_ip6_parse(p, n, &a) < 0)
        return;
    CHECK((size_t)SYNACK_IP6_HDR_LEN + a.payload_len <= n);
    CHECK(a.src.family == SYNACK_AF_IP6 && a.dst.family == SYNACK_AF_IP6);
    /* the extension-header chain, within the payload length */
    synack_ip6_ext e;
    if (synack_ip6_ext_walk(p + SYNACK_IP6_HDR_LEN, a.payload_len, a.next, &e) ==
        SYNACK_IP6_EXT_OK)
        CHECK(e.off <= a.payload_len);
    else
        CHECK(e.verdict == SYNACK_IP6_EXT_DROP ||
              e.pointer < SYNACK_IP6_HDR_LEN + (uint32_t)a.payload_len);
    uint8_t out[SYNACK_IP6_HDR_LEN];
    CHECK(synack_ip6_emit(&a, out) == SYNACK_IP6_HDR_LEN);
    CHECK(memcmp(out, p, SYNACK_IP6_HDR_LEN) == 0); /* every bit is a field */
    a.payload_len = 0; /* the header alone then parses */
    synack_ip6_emit(&a, out);
    CHECK(synack_ip6_parse(out, sizeof out, &b) == SYNACK_IP6_HDR_LEN);
    CHECK(synack_addr_equal(&a.src, &b.src) && synack_addr_equal(&a.dst, &b.dst));
    CHECK(a.flow == b.flow && a.tclass == b.tclass && a.next == b.next);
}

static void wire_icmp(const uint8_t *p, size_t n, bool verify)
{
    synack_icmp_repr a;
    if (synack_icmp_parse(p, n, verify, &a) < 0)
        return;
    CHECK(a.payload_len <= n && a.payload_len + SYNACK_ICMP_HDR_LEN <= n);
    uint8_t *out = malloc(SYNACK_ICMP_HDR_LEN + a.payload_len + 1);
    synack_icmp_repr b;
    size_t len = synack_icmp_emit(&a, out);
    CHECK(len == SYNACK_ICMP_HDR_LEN + a.payload_len);
    CHECK(synack_icmp_parse(out, len, true, &b) >= 0);
    CHECK(b.type == a.type && b.code == a.code && b.payload_len == a.payload_len);
    free(out);
}

/* ICMPv6 between two fixed addresses: the checksum covers them. */
static void wire_icmp6(const uint8_t *p, size_t n, bool verify)
{
    synack_addr s6, d6;
    CHECK(synack_addr_parse("fe80::1", &s6) == 0 && synack_addr_parse("fe80::2", &d6) == 0);
    uint32_t ph = synack_addr_pseudo_sum(&s6, &d6, SYNACK_IPPROTO_ICMPV6);
    synack_icmp_repr a, b;
    if (synack_icmp6_parse(p, n, ph, verify, &a) < 0)
        return;
    CHECK(a.payload_len + SYNACK_ICMP_HDR_LEN <= n);
    uint8_t *out = malloc(SYNACK_ICMP_HDR_LEN + a.payload_len + 1);
    size_t len = synack_icmp6_emit(&a, out, ph);
    CHECK(len == SYNACK_ICMP_HDR_LEN + a.payload_len);
    CHECK(synack_icmp6_parse(out, len, ph, true, &b) >= 0);
    CHECK(b.type == a.type && b.code == a.code && b.payload_len == a.payload_len);
    CHECK(b.rest == a.rest);
    free(out);
}

/* NDP: the parse, every option the iterator yields, the DNSSL names,
 * and a round trip (options copied as they are, singletons cleared). */
static void wire_ndp(const uint8_t *p, size_t n)
{
    synack_ndp_repr a, b;
    int fixed = synack_ndp_parse(p, n, &a);
    if (fixed < 0)
        return;
    CHECK((size_t)fixed <= n && a.opts == p + fixed && a.opts_len == n - (size_t)fixed);
    synack_ndp_opt_iter it = synack_ndp_opts(&a);
    synack_ndp_opt o;
    size_t np = 0, nr = 0, nd = 0;
    while (synack_ndp_opt_next(&it, &o)) {
        if (o.type == SYNACK_NDP_OPT_PREFIX) {
            np++;
            CHECK(o.prefix.len <= 128);
        } else if (o.type == SYNACK_NDP_OPT_RDNSS) {
            nr++;
            CHECK(o.count >= 1);
            synack_addr last = synack_ndp_rdnss_addr(&o, o.count - 1);
            (void)last;
        } else {
            nd++;
            char name[256];
            size_t off = 0;
            int k, guard = 0;
            while ((k = synack_ndp_dnssl_name(&o, &off, name, sizeof name)) > 0 && guard++ < 300)
                CHECK((size_t)k < sizeof name && off <= o.count);
            CHECK(k == 0);
        }
    }
    CHECK(np == a.n_prefix && nr == a.n_rdnss && nd == a.n_dnssl);
    a.has_slla = a.has_tlla = a.has_mtu = false;
    uint8_t *out = malloc(n + 1);
    CHECK(synack_ndp_len(&a) == n);
    size_t len = synack_ndp_emit(&a, out, 0x1234);
    CHECK(len == n);
    CHECK(synack_ndp_parse(out, len, &b) == fixed);
    CHECK(b.n_prefix == a.n_prefix && b.n_rdnss == a.n_rdnss && b.n_dnssl == a.n_dnssl);
    /* from byte 8 every byte is a field (the reserved ones are before) */
    CHECK(memcmp(out + 8, p + 8, n - 8) == 0);
    free(out);
}

/* MLD: a query of either version, or an MLDv2 report's records. */
static void wire_mld(const uint8_t *p, size_t n)
{
    synack_mld_query q;
    if (synack_mld_query_parse(p, n, &q) >= 0) {
        CHECK(!q.v2 || (size_t)q.n_sources * 16 + SYNACK_MLD2_QUERY_MIN <= n);
        return;
    }
    synack_mld_record r[4];
    size_t cnt;
    if (synack_mld_report_parse(p, n, r, 4, &cnt) < 0)
        return;
    size_t k = cnt < 4 ? cnt : 4;
    uint8_t *out = malloc(synack_mld_packet_len(k));
    synack_addr src = {SYNACK_AF_IP6, {0xfe, 0x80, [15] = 1}};
    size_t len = synack_mld_packet_emit(&src, r, k, out);
    CHECK(len == synack_mld_packet_len(k));
    synack_mld_record back[4];
    size_t cnt2;
    CHECK(synack_mld_report_parse(out + 48, len - 48, back, 4, &cnt2) == 8 && cnt2 == k);
    for (size_t i = 0; i < k; i++)
        CHECK(back[i].type == r[i].type && synack_addr_equal(&back[i].group, &r[i].group));
    free(out);
}

static void wire_udp(const uint8_t *p, size_t n, bool verify)
{
    synack_udp_repr a, b;
    if (synack_udp_parse(p, n, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), verify, &a) < 0)
        return;
    CHECK(a.payload_len + SYNACK_UDP_HDR_LEN <= n);
    uint8_t *out = malloc(SYNACK_UDP_HDR_LEN + a.payload_len + 1);
    memcpy(out + SYNACK_UDP_HDR_LEN, a.payload, a.payload_len);
    size_t len = synack_udp_emit(&a, out, a.payload_len,
                                 synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP));
    CHECK(len == SYNACK_UDP_HDR_LEN + a.payload_len);
    CHECK(synack_udp_parse(out, len, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_UDP), true, &b) >= 0);
    CHECK(b.sport == a.sport && b.dport == a.dport && b.payload_len == a.payload_len);
    free(out);
}

static void wire_tcp(const uint8_t *p, size_t n, bool verify)
{
    synack_tcp_repr a, b;
    if (synack_tcp_parse(p, n, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_TCP), verify, &a) < 0)
        return;
    CHECK(a.hdr_len >= SYNACK_TCP_HDR_LEN && a.hdr_len <= n);
    CHECK(a.payload_len == n - a.hdr_len);
    uint8_t out[SYNACK_TCP_MAX_HDR_LEN];
    size_t hl = synack_tcp_emit(&a, out);
    CHECK(hl == synack_tcp_header_len(&a) && hl <= SYNACK_TCP_MAX_HDR_LEN);
    CHECK(synack_tcp_parse(out, hl, synack_ip4_pseudo_sum(SRC, DST, SYNACK_IPPROTO_TCP), false, &b) >= 0);
    CHECK(b.seq == a.seq && b.ack == a.ack && b.flags == a.flags && b.win == a.win);
    CHECK(b.has_mss == a.has_mss && b.has_ws == a.has_ws && b.has_ts == a.has_ts);
    CHECK(b.sack_ok == a.sack_ok && b.sack_count <= a.sack_count);
    CHECK(!a.has_mss || b.mss == a.mss);
    CHECK(!a.has_ts || (b.tsval == a.tsval && b.tsecr == a.tsecr));
}

static void wire_tcpopts(const uint8_t *p, size_t n)
{
    synack_tcp_repr a;
    memset(&a, 0, sizeof a);
    if (n > 40)
        n = 40;
    (void)synack_wire_tcpopts_parse(p, n, &a);
    CHECK(a.sack_count <= SYNACK_TCP_MAX_SACK);
}

static void wire_dhcp(const uint8_t *p, size_t n)
{
    synack_dhcp_repr a, b;
    if (synack_dhcp_parse(p, n, &a) < 0)
        return;
    CHECK(a.router_count <= SYNACK_DHCP_MAX_ADDRS && a.dns_count <= SYNACK_DHCP_MAX_ADDRS);
    CHECK(a.param_count <= SYNACK_DHCP_MAX_PARAMS);
    uint8_t out[1024];
    size_t len = synack_dhcp_emit(&a, out, sizeof out);
    if (len == 0)
        return;
    CHECK(synack_dhcp_parse(out, len, &b) >= 0);
    CHECK(b.xid == a.xid && b.yiaddr == a.yiaddr && b.msg_type == a.msg_type);
}

static void wire_dns(const uint8_t *p, size_t n)
{
    synack_dns_repr r;
    int end = synack_dns_parse(p, n, &r);
    if (end < 0)
        return;
    CHECK((size_t)end <= n && r.an_count <= SYNACK_DNS_MAX_ANSWERS);
    synack_dns_name name;
    size_t next;
    if (r.qdcount >= 1)
        CHECK(synack_dns_name_read(p, n, r.qname_off, &name, &next) == 0);
    for (uint16_t i = 0; i < r.an_count; i++) {
        CHECK(synack_dns_name_read(p, n, r.an[i].name_off, &name, &next) == 0);
        CHECK((size_t)r.an[i].rdata_off + r.an[i].rdlen <= n);
        if (r.an[i].type == SYNACK_DNS_TYPE_CNAME)
            (void)synack_dns_name_read(p, n, r.an[i].rdata_off, &name, &next);
    }
}

static void wire_dns_name(const uint8_t *p, size_t n)
{
    synack_dns_name a;
    size_t next;
    for (size_t off = 0; off < n && off < 64; off++) {
        if (synack_dns_name_read(p, n, off, &a, &next) == 0) {
            CHECK(a.len >= 1 && a.len <= SYNACK_DNS_NAME_MAX && next <= n && next > off);
        }
    }
    char text[300];
    size_t t = n < sizeof text - 1 ? n : sizeof text - 1;
    memcpy(text, p, t);
    text[t] = 0;
    if (synack_dns_name_from_text(text, &a) == 0)
        CHECK(a.len >= 1 && a.len <= SYNACK_DNS_NAME_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* a copy of exactly the parser's bytes, so ASan sees the end */
    size_t n = size - 1;
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, data + 1, n);
    bool verify = (data[0] & 0x80) != 0;
    switch (data[0] % 14) {
    case 0: wire_eth(p, n); break;
    case 1: wire_arp(p, n); break;
    case 2: wire_ip4(p, n, verify); break;
    case 3: wire_icmp(p, n, verify); break;
    case 4: wire_udp(p, n, verify); break;
    case 5: wire_tcp(p, n, verify); break;
    case 6: wire_tcpopts(p, n); break;
    case 7: wire_dhcp(p, n); break;
    case 8: wire_dns(p, n); break;
    case 9: wire_dns_name(p, n); break;
    case 10: wire_ip6(p, n); break;
    case 11: wire_icmp6(p, n, verify); break;
    case 12: wire_ndp(p, n); break;
    default: wire_mld(p, n); break;
    }
    free(p);
    return 0;
}
