/*
 * Offload across the stream link (core/link/offload.c, client.c): the
 * HELLO/AGREE/SUPER messages, the checks on a SUPER, the TCP cutter
 * (pieces verified by parsing them with the core's checksum-verifying
 * wire readers), and the bridge granting and cutting for a client.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bridge_frames.h"
#include "client.h"
#include "offload.h"
#include "ratelimit.h"
#include "wire/wire.h"

#define IP_A SYNACK_IP4(10, 0, 2, 15)
#define IP_B SYNACK_IP4(10, 0, 2, 16)

/* A TCP/IPv4 frame with `plen` payload bytes (i*7 mod 251) and a full header. */
static size_t build_super(uint8_t *buf, size_t plen, uint8_t flags, uint32_t seq,
                          uint16_t id)
{
    size_t n = build_tcp(buf, MAC_A, MAC_B, IP_A, IP_B, 40000, 5001, flags, seq, 77);
    for (size_t i = 0; i < plen; i++)
        buf[n + i] = (uint8_t)(i * 7 % 251);
    uint8_t *ip = buf + 14;
    size_t tot = n - 14 + plen;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[4] = (uint8_t)(id >> 8);
    ip[5] = (uint8_t)id;
    ip[10] = ip[11] = 0xAA; /* wrong on purpose: the cutter recomputes */
    ip[14 + 20 + 16 - 14] = 0x55;
    return n + plen;
}

/* The offload values of f as a stack would give them (zero when f is
 * not TCP: then wrap and cut refuse it). */
static const synack_gso *G(const uint8_t *f, size_t n, uint32_t seg)
{
    static synack_gso g;
    memset(&g, 0, sizeof(g));
    (void)synack_offload_gso_of(f, n, seg, &g);
    return &g;
}

typedef struct pieces {
    size_t count;
    size_t len[64];
    uint8_t f[64][1600];
} pieces;

static int collect(void *ctx, const uint8_t *frame, size_t len)
{
    pieces *p = ctx;
    assert_true(p->count < 64 && len <= 1600);
    p->len[p->count] = len;
    memcpy(p->f[p->count++], frame, len);
    return 0;
}

static void test_cut_pieces(void **state)
{
    (void)state;
    static uint8_t sf[70000], scratch[2000];
    static pieces p;
    memset(&p, 0, sizeof(p));
    size_t plen = 5000;
    uint32_t seq0 = 0xfffff000u; /* wraps inside the super-frame */
    size_t n = build_super(sf, plen, SYNACK_TCP_ACK | SYNACK_TCP_PSH | SYNACK_TCP_FIN | 0x80,
                           seq0, 0xfffe);
    assert_int_equal(synack_offload_cut(sf, n, G(sf, n, 1448), scratch, sizeof(scratch), collect, &p), 4);
    size_t off = 0;
    for (size_t i = 0; i < p.count; i++) {
        synack_ip4_repr ip;
        int ihl = synack_ip4_parse(p.f[i] + 14, p.len[i] - 14, true, &ip);
        assert_int_equal(ihl, 20);
        assert_int_equal(ip.total_len, p.len[i] - 14);
        assert_int_equal(ip.id, (uint16_t)(0xfffe + i)); /* consecutive, wrapping */
        assert_false(ip.mf);
        synack_tcp_repr t;
        uint32_t ph = synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP);
        (void)ph;
        assert_true(synack_tcp_parse(p.f[i] + 34, ip.total_len - 20,
                                     synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP),
                                     true, &t) >= 0);
        size_t seglen = ip.total_len - 20 - t.hdr_len;
        assert_int_equal(seglen, i < 3 ? 1448 : 5000 - 3 * 1448);
        assert_int_equal(t.seq, seq0 + (uint32_t)off);
        assert_int_equal(t.ack, 77);
        bool last = i == p.count - 1;
        assert_int_equal(!!(t.flags & SYNACK_TCP_FIN), last);
        assert_int_equal(!!(t.flags & SYNACK_TCP_PSH), last);
        assert_int_equal(!!(t.flags & 0x80), i == 0); /* CWR on the first only */
        assert_true(t.flags & SYNACK_TCP_ACK);
        assert_memory_equal(p.f[i] + 34 + t.hdr_len, sf + 54 + off, seglen);
        off += seglen;
    }
    assert_int_equal(off, plen);
    /* Not TCP over IPv4, or no room: nothing emitted. */
    p.count = 0;
    uint8_t arp[64];
    size_t an = build_arp(arp, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A,
                          MAC_BCAST, IP_B);
    assert_int_equal(synack_offload_cut(arp, an, G(arp, an, 1448), scratch, sizeof(scratch), collect, &p), -1);
    assert_int_equal(synack_offload_cut(sf, n, G(sf, n, 1448), scratch, 1000, collect, &p), -1);
    assert_int_equal(synack_offload_cut(sf, n, G(sf, n, 0), scratch, sizeof(scratch), collect, &p), -1);
    assert_int_equal(p.count, 0);
}

/*
 * The offload values: read from a frame's headers by synack_offload_gso_of
 * (the bridge's frames), and taken as given by wrap and cut (a stack's
 * send_gso): a SUPER's virtio_net_hdr carries them, and offsets that do
 * not fit the frame are refused rather than followed.
 */
static void test_gso_values(void **state)
{
    (void)state;
    static uint8_t sf[70000], w[70000], scratch[2000];
    size_t n = build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    synack_gso g;
    assert_int_equal(synack_offload_gso_of(sf, n, 1448, &g), 0);
    assert_int_equal(g.family, SYNACK_AF_IP4);
    assert_int_equal(g.seg, 1448);
    assert_int_equal(g.csum_start, 14 + 20);
    assert_int_equal(g.csum_offset, 16);
    assert_int_equal(g.hdr_len, 14 + 20 + 20);
    assert_int_equal(synack_offload_gso_of(sf, n, 0, &g), -1);
    assert_int_equal(synack_offload_gso_of(sf, n, 70000, &g), -1);
    /* TCP/IPv6 right after the fixed header */
    static uint8_t f6[14 + 40 + 32 + 100];
    memset(f6, 0, sizeof(f6));
    f6[12] = 0x86;
    f6[13] = 0xdd;
    f6[14] = 0x60;
    f6[14 + 6] = 6;
    f6[14 + 40 + 12] = 8 << 4; /* 32-byte TCP header */
    assert_int_equal(synack_offload_gso_of(f6, sizeof(f6), 1000, &g), 0);
    assert_int_equal(g.family, SYNACK_AF_IP6);
    assert_int_equal(g.csum_start, 14 + 40);
    assert_int_equal(g.hdr_len, 14 + 40 + 32);
    f6[14 + 6] = 17; /* UDP: not ours to offload */
    assert_int_equal(synack_offload_gso_of(f6, sizeof(f6), 1000, &g), -1);

    /* wrap writes what it is given */
    synack_gso given = {1448, 14 + 20 + 20, 14 + 20, 16, SYNACK_AF_IP4};
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, &given);
    assert_true(wn > 0);
    const uint8_t *v = w + 14 + SYNACK_OFFLOAD_HDR_LEN;
    assert_int_equal(v[2] | v[3] << 8, 14 + 20 + 20);
    assert_int_equal(v[4] | v[5] << 8, 1448);
    assert_int_equal(v[6] | v[7] << 8, 14 + 20);
    assert_int_equal(v[8] | v[9] << 8, 16);
    /* offsets past the frame, a checksum field past the header, IPv6 or
     * no piece size: refused by wrap and cut alike */
    pieces *p = calloc(1, sizeof(*p));
    assert_non_null(p);
    synack_gso bad = given;
    bad.hdr_len = (uint16_t)(n + 1);
    assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, n, &bad), -1);
    assert_int_equal(synack_offload_cut(sf, n, &bad, scratch, sizeof(scratch), collect, p), -1);
    bad = given;
    bad.csum_offset = 19;
    assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, n, &bad), -1);
    assert_int_equal(synack_offload_cut(sf, n, &bad, scratch, sizeof(scratch), collect, p), -1);
    bad = given;
    bad.family = SYNACK_AF_IP6;
    assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, n, &bad), -1);
    bad = given;
    bad.seg = 0;
    assert_int_equal(synack_offload_cut(sf, n, &bad, scratch, sizeof(scratch), collect, p), -1);
    assert_int_equal(p->count, 0);
    /* cut by the given values: three pieces of at most 1448 bytes */
    assert_int_equal(synack_offload_cut(sf, n, &given, scratch, sizeof(scratch), collect, p), 3);
    assert_int_equal(p->len[0], 14 + 20 + 20 + 1448);
    assert_int_equal(p->len[2], 14 + 20 + 20 + 3000 - 2 * 1448);
    free(p);
}

static void test_messages(void **state)
{
    (void)state;
    uint8_t c[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_msg m;
    assert_int_equal(synack_offload_ctrl(c, SYNACK_OFFLOAD_HELLO, MAC_A, 3, 60000), 60);
    assert_int_equal(synack_offload_parse(c, sizeof(c), &m), 1);
    assert_int_equal(m.type, SYNACK_OFFLOAD_HELLO);
    assert_int_equal(m.flags, 3);
    assert_int_equal(m.max, 60000);
    assert_memory_equal(m.mac, MAC_A, 6);
    assert_memory_equal(c, MAC_A, 6); /* to itself: a switch never floods it */
    /* Ordinary frames and someone else's 0x88B5 experiment are not ours. */
    uint8_t raw[60];
    build_raw(raw, MAC_A, MAC_B, 0x88B5, 60);
    assert_int_equal(synack_offload_parse(raw, 60, &m), 0);
    build_raw(raw, MAC_A, MAC_B, 0x0800, 60);
    assert_int_equal(synack_offload_parse(raw, 60, &m), 0);
    /* Ours but broken: version, type, short. */
    c[14 + 7] = 2;
    assert_int_equal(synack_offload_parse(c, sizeof(c), &m), -1);
    c[14 + 7] = 1;
    c[14 + 6] = 9;
    assert_int_equal(synack_offload_parse(c, sizeof(c), &m), -1);
    c[14 + 6] = SYNACK_OFFLOAD_AGREE;
    assert_int_equal(synack_offload_parse(c, 14 + 8 + 3, &m), -1);
    c[14 + 6] = SYNACK_OFFLOAD_SUPER;
    assert_int_equal(synack_offload_parse(c, 14 + 8 + 10 + 13, &m), -1); /* no room for vnet+eth */
}

static void test_check_forged(void **state)
{
    (void)state;
    static uint8_t sf[70000], w[70100];
    size_t n = build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
    assert_int_equal(wn, (int32_t)(n + SYNACK_OFFLOAD_SUPER_OVERHEAD));
    synack_offload_msg m;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(m.gso_size, 1448);
    assert_int_equal(synack_offload_check(&m, 1518), 0);
    assert_int_equal(synack_offload_check(&m, 1500), -1); /* pieces too big */
    uint8_t *v = w + 14 + 8;
    struct { size_t at; uint8_t val; } forged[] = {
        {4, 0}, {5, 0},   /* gso_size 0 */
        {4, 63}, {5, 0},  /* below the minimum */
        {1, 0},           /* gso_type NONE */
        {1, 4},           /* gso_type TCPV6 */
        {1, 0x81},        /* ECN bit */
        {2, 53},          /* hdr_len off by one */
        {6, 33},          /* csum_start */
        {8, 6},           /* csum_offset */
        {0, 2},           /* DATA_VALID */
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        int32_t again = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
        assert_int_equal(again, wn);
        if (i == 0 || i == 2) {
            v[4] = forged[i].val;
            v[5] = forged[i + 1].val;
            i++;
        } else {
            v[forged[i].at] = forged[i].val;
        }
        assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
        assert_int_equal(synack_offload_check(&m, 1518), -1);
    }
    /* An IP length that lies, and a fragment. */
    synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
    w[46 + 3] ^= 1;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(synack_offload_check(&m, 1518), -1);
    synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
    w[46 + 6] |= 0x20; /* MF */
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(synack_offload_check(&m, 1518), -1);
    /* Above 64 KB: no SUPER can be built or parsed. */
    assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, SYNACK_OFFLOAD_INNER_MAX + 1, G(sf, SYNACK_OFFLOAD_INNER_MAX + 1, 1448)), -1);
    memset(w + 14 + 8 + 10, 0, 14);
    assert_int_equal(synack_offload_parse(w, 14 + 8 + 10 + SYNACK_OFFLOAD_INNER_MAX + 1, &m), -1);
}

/* ---- the bridge: grant, cut, refuse ------------------------------------ */

typedef struct fx {
    synack_br br;
    synack_br_port ports[5];
    synack_br_mac_entry macs[64];
    recorder rec;
    synack_br_client c1;
} fx;

static size_t framed(uint8_t *out, const uint8_t *f, size_t n)
{
    out[0] = (uint8_t)(n >> 24);
    out[1] = (uint8_t)(n >> 16);
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memcpy(out + 4, f, n);
    return n + 4;
}

static fx *fx_new(bool offload)
{
    static fx f;
    memset(&f, 0, sizeof(f));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_NONE);
    cfg.offload = offload;
    assert_int_equal(synack_br_init(&f.br, &cfg, f.ports, f.macs, 64, rec_emit, &f.rec, 0), 0);
    assert_int_equal(synack_br_attach(&f.br, 0), 1);
    assert_int_equal(synack_br_attach(&f.br, 0), 2);
    assert_int_equal(synack_br_client_open(&f.c1, -1, 1, "one", 1518, 1 << 16), 0);
    /* Both stations claim their addresses with an ARP. */
    uint8_t a[64];
    size_t n = build_arp(a, MAC_B, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_B, IP_B, MAC_BCAST, IP_A);
    synack_br_input(&f.br, 2, 0, a, n);
    n = build_arp(a, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A, MAC_BCAST, IP_B);
    uint8_t s[80];
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, a, n), 0), SYNACK_BR_OPEN);
    f.rec.count = 0;
    return &f;
}

/* The queued output of the client as one flat stream. */
static size_t queued(synack_br_client *c, uint8_t *out)
{
    const uint8_t *p[2];
    size_t pl[2];
    int k = synack_br_outq_peek(&c->out, p, pl);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        memcpy(out + n, p[i], pl[i]);
        n += pl[i];
    }
    return n;
}

static void test_bridge_grants_and_cuts(void **state)
{
    (void)state;
    fx *f = fx_new(true);
    static uint8_t sf[70000], w[70100], s[70200], out[2000];
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4, 65000);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0); /* consumed, never switched */
    size_t qn = queued(&f->c1, out);
    assert_int_equal(qn, 4 + SYNACK_OFFLOAD_CTRL_LEN);
    synack_offload_msg m;
    assert_int_equal(synack_offload_parse(out + 4, qn - 4, &m), 1);
    assert_int_equal(m.type, SYNACK_OFFLOAD_AGREE);
    /* Sending only: receiving super-frames is not offered by this bridge. */
    assert_int_equal(m.flags, SYNACK_OFFLOAD_F_TX_TCP4);
    assert_int_equal(m.max, SYNACK_OFFLOAD_INNER_MAX);

    /* A 60000-byte super-frame, read through the framing reader in two
     * parts: 42 frames to port 2, each one a checked, switched frame. */
    size_t n = build_super(sf, 60000, SYNACK_TCP_ACK | SYNACK_TCP_PSH, 1000, 5);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
    assert_true(wn > 0);
    size_t sn = framed(s, w, (size_t)wn);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, 1000, 0), SYNACK_BR_OPEN);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s + 1000, sn - 1000, 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 42);
    assert_int_equal(rec_count_to(&f->rec, 2), 42);
    assert_int_equal(f->ports[1].stats.rx_super, 1);
    assert_int_equal(f->ports[1].stats.rx_frames, 1 + 42);
    synack_tcp_repr t;
    assert_true(synack_tcp_parse(f->rec.frame[41] + 34, f->rec.len[41] - 34,
                                 synack_ip4_pseudo_sum(IP_A, IP_B, SYNACK_IPPROTO_TCP),
                                 true, &t) >= 0);
    assert_int_equal(t.seq, 1000 + 41 * 1448);
    assert_true(t.flags & SYNACK_TCP_PSH);

    /* A SUPER with a spoofed inner source address: every piece refused. */
    f->rec.count = 0;
    build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    sf[14 + 15] = 99; /* source 10.0.2.99 */
    wn = synack_offload_wrap(w, sizeof(w), sf, n - 57000, G(sf, n - 57000, 1448));
    assert_true(wn > 0);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    assert_int_equal(f->ports[1].stats.drop_spoof_ip, 3);

    /* A forged header (gso_size 0) is dropped whole and counted. */
    uint64_t inval = f->ports[1].stats.drop_invalid;
    build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    wn = synack_offload_wrap(w, sizeof(w), sf, n - 57000, G(sf, n - 57000, 1448));
    w[14 + 8 + 4] = w[14 + 8 + 5] = 0;
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    assert_int_equal(f->ports[1].stats.drop_invalid, inval + 1);
    synack_br_client_close(&f->c1);
}

static void test_bridge_refuses_unasked(void **state)
{
    (void)state;
    static uint8_t sf[4000], w[4100], s[4200], out[200];
    /* A client that never said HELLO: a small SUPER is dropped, not cut;
     * a large one closes it as any over-long frame does. */
    fx *f = fx_new(true);
    size_t n = build_super(sf, 1200, SYNACK_TCP_ACK, 1, 1);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 600));
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    assert_int_equal(f->ports[1].stats.drop_invalid, 1);
    n = build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1448));
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_CLOSED_MALFORMED);
    synack_br_client_close(&f->c1);

    /* A bridge without --offload treats HELLO as an old one does: dropped
     * (drop_policy), no answer, and a later SUPER is not cut. */
    f = fx_new(false);
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A, SYNACK_OFFLOAD_F_TX_TCP4, 65000);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(queued(&f->c1, out), 0);
    assert_int_equal(f->ports[1].stats.drop_policy, 1);
    n = build_super(sf, 1200, SYNACK_TCP_ACK, 1, 1);
    wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 600));
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    /* Plain frames still flow. */
    n = build_tcp(sf, MAC_A, MAC_B, IP_A, IP_B, 1, 2, SYNACK_TCP_SYN, 1, 0);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, sf, n), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 1);
    synack_br_client_close(&f->c1);
}

/* A backend that takes super-frames whole (a TAP with IFF_VNET_HDR). */
static struct {
    size_t calls, len;
    uint32_t seg;
    uint16_t csum;
    bool refuse;
} gso_rec;

static bool rec_gso(void *ctx, const uint8_t *frame, size_t len, uint32_t seg)
{
    (void)ctx;
    gso_rec.calls++;
    gso_rec.len = len;
    gso_rec.seg = seg;
    gso_rec.csum = (uint16_t)(frame[50] << 8 | frame[51]);
    return !gso_rec.refuse;
}

static void test_bridge_gso_to_backend(void **state)
{
    (void)state;
    static fx f;
    static uint8_t sf[70000], w[70100], s[70200];
    memset(&f, 0, sizeof(f));
    memset(&gso_rec, 0, sizeof(gso_rec));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_TAP);
    cfg.offload = true;
    assert_int_equal(synack_br_init(&f.br, &cfg, f.ports, f.macs, 64, rec_emit, &f.rec, 0), 0);
    f.br.emit_gso = rec_gso;
    assert_int_equal(synack_br_attach(&f.br, 0), 1);
    assert_int_equal(synack_br_client_open(&f.c1, -1, 1, "one", 1518, 1 << 16), 0);
    uint8_t a[64];
    /* Linux (MAC_B, IP_B) is on the backend; the client claims IP_A. */
    size_t n = build_arp(a, MAC_B, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_B, IP_B, MAC_BCAST, IP_A);
    synack_br_input(&f.br, 0, 0, a, n);
    n = build_arp(a, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A, MAC_BCAST, IP_B);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, a, n), 0), SYNACK_BR_OPEN);
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A, SYNACK_OFFLOAD_F_TX_TCP4, 65000);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    f.rec.count = 0;
    uint64_t tx0 = f.ports[0].stats.tx_frames; /* the ARP broadcast */

    /* All 42 pieces pass: one whole write, no piece written. */
    size_t sn = build_super(sf, 60000, SYNACK_TCP_ACK, 1000, 5);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, sn, G(sf, sn, 1448));
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(gso_rec.calls, 1);
    assert_int_equal(gso_rec.len, sn);
    assert_int_equal(gso_rec.seg, 1448);
    /* The checksum field: the pseudo-header sum (CHECKSUM_PARTIAL), not
     * build_super's 0x55 nor a complete checksum. */
    uint32_t ps = synack_ip4_pseudo_sum(IP_A, IP_B, SYNACK_IPPROTO_TCP) + (uint32_t)(sn - 34);
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    assert_int_equal(gso_rec.csum, (uint16_t)ps);
    assert_int_equal(rec_count_to(&f.rec, 0), 0);
    assert_int_equal(f.br.tx_gso, 1);
    assert_int_equal(f.ports[0].stats.tx_frames - tx0, 42); /* counted per piece */

    /* The backend refuses it: the pieces go out one by one instead. */
    gso_rec.refuse = true;
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(gso_rec.calls, 2);
    assert_int_equal(rec_count_to(&f.rec, 0), 42);
    gso_rec.refuse = false;

    /* A rate limit that runs out half-way: only the pieces that passed,
     * one by one, never the whole super-frame. */
    f.rec.count = 0;
    synack_br_bucket_init(&f.ports[1].fps, 1, 10, 0);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(gso_rec.calls, 2);
    assert_int_equal(rec_count_to(&f.rec, 0), 10);
    synack_tcp_repr t;
    assert_true(synack_tcp_parse(f.rec.frame[9] + 34, f.rec.len[9] - 34,
                                 synack_ip4_pseudo_sum(IP_A, IP_B, SYNACK_IPPROTO_TCP),
                                 true, &t) >= 0);
    assert_int_equal(t.seq, 1000 + 9 * 1448);
    synack_br_client_close(&f.c1);
}

/* Super-frames from the backend (a TSO TAP) to clients. */
static struct {
    bool takes, takes6, refuse;
    size_t calls, len;
    int32_t port;
} sup_rec;

static bool rec_takes(void *ctx, int32_t port, bool ip6)
{
    (void)ctx;
    return (ip6 ? sup_rec.takes6 : sup_rec.takes) && port == 1;
}

static bool rec_super(void *ctx, int32_t port, const uint8_t *frame, size_t len, uint32_t seg)
{
    (void)ctx;
    (void)frame;
    (void)seg;
    sup_rec.calls++;
    sup_rec.port = port;
    sup_rec.len = len;
    return !sup_rec.refuse;
}

static void test_backend_super_to_clients(void **state)
{
    (void)state;
    static fx f;
    static uint8_t sf[70000], s[200];
    memset(&f, 0, sizeof(f));
    memset(&sup_rec, 0, sizeof(sup_rec));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_TAP);
    assert_int_equal(synack_br_init(&f.br, &cfg, f.ports, f.macs, 64, rec_emit, &f.rec, 0), 0);
    f.br.takes_super = rec_takes;
    f.br.super_out = rec_super;
    assert_int_equal(synack_br_attach(&f.br, 0), 1);
    assert_int_equal(synack_br_client_open(&f.c1, -1, 1, "one", 1518, 1 << 16), 0);
    uint8_t a[64];
    size_t n = build_arp(a, MAC_A, MAC_BCAST, SYNACK_ARP_REQUEST, MAC_A, IP_A, MAC_BCAST, IP_B);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, a, n), 0), SYNACK_BR_OPEN);
    /* Linux (B) sends A 60000 bytes as one TSO super-frame. */
    size_t sn = build_tcp(sf, MAC_B, MAC_A, IP_B, IP_A, 5001, 40000, SYNACK_TCP_ACK | SYNACK_TCP_PSH,
                          7, 1);
    for (size_t i = 0; i < 60000; i++)
        sf[sn + i] = (uint8_t)i;
    sf[16] = (uint8_t)((sn - 14 + 60000) >> 8);
    sf[17] = (uint8_t)(sn - 14 + 60000);
    sn += 60000;

    /* A client that takes them: one super-frame out, no piece. */
    sup_rec.takes = true;
    f.rec.count = 0;
    synack_br_backend_super(&f.br, 0, sf, sn, 1448);
    assert_int_equal(sup_rec.calls, 1);
    assert_int_equal(sup_rec.port, 1);
    assert_int_equal(sup_rec.len, sn);
    assert_int_equal(f.rec.count, 0);
    assert_int_equal(f.ports[1].stats.tx_super, 1);
    assert_int_equal(f.ports[1].stats.tx_frames, 42); /* counted per piece */

    /* Its queue is full: the pieces instead. */
    sup_rec.refuse = true;
    synack_br_backend_super(&f.br, 0, sf, sn, 1448);
    assert_int_equal(sup_rec.calls, 2);
    assert_int_equal(rec_count_to(&f.rec, 1), 42);
    sup_rec.refuse = false;

    /* A client that did not agree: MSS-sized pieces, checksums complete,
     * PSH on the last only. */
    sup_rec.takes = false;
    f.rec.count = 0;
    synack_br_backend_super(&f.br, 0, sf, sn, 1448);
    assert_int_equal(sup_rec.calls, 2);
    assert_int_equal(rec_count_to(&f.rec, 1), 42);
    for (size_t i = 0; i < 42; i++) {
        synack_tcp_repr t;
        assert_true(synack_tcp_parse(f.rec.frame[i] + 34, f.rec.len[i] - 34,
                                     synack_ip4_pseudo_sum(IP_B, IP_A, SYNACK_IPPROTO_TCP),
                                     true, &t) >= 0);
        assert_int_equal(t.seq, 7 + i * 1448);
        assert_int_equal(!!(t.flags & SYNACK_TCP_PSH), i == 41);
    }
    assert_int_equal(f.ports[1].stats.tx_super, 1);

    /* Not TCP over IPv4: dropped, counted on the backend. */
    synack_br_backend_super(&f.br, 0, a, n, 1448);
    assert_int_equal(f.ports[0].stats.drop_invalid, 1);
    synack_br_client_close(&f.c1);
}

static void test_bridge_grants_receive(void **state)
{
    (void)state;
    static uint8_t s[200], out[400];
    fx *f = fx_new(true);
    f->br.cfg.offload_rx = true; /* a TSO TAP */
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_msg m;
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4, 65503);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    /* Asking with a smaller limit than a SUPER may need: no RX. */
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4, 9000);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    size_t qn = queued(&f->c1, out);
    assert_int_equal(qn, 2 * (4 + SYNACK_OFFLOAD_CTRL_LEN));
    assert_int_equal(synack_offload_parse(out + 4, SYNACK_OFFLOAD_CTRL_LEN, &m), 1);
    assert_int_equal(m.flags, SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4);
    assert_int_equal(synack_offload_parse(out + 8 + SYNACK_OFFLOAD_CTRL_LEN,
                                          SYNACK_OFFLOAD_CTRL_LEN, &m), 1);
    assert_int_equal(m.flags, SYNACK_OFFLOAD_F_TX_TCP4);
    assert_int_equal(f->c1.offload, SYNACK_OFFLOAD_F_TX_TCP4);
    synack_br_client_close(&f->c1);
}


/* ---- TCP/IPv6 super-frames ---------------------------------------------- */

static const uint8_t IP6_A[16] = {0xfd, 0, 0, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
static const uint8_t IP6_B[16] = {0xfd, 0, 0, 0x78, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b};

static synack_addr addr6(const uint8_t b[16])
{
    synack_addr a;
    memset(&a, 0, sizeof(a));
    a.family = SYNACK_AF_IP6;
    memcpy(a.b, b, 16);
    return a;
}

/* A TCP/IPv6 frame (TCP right after the fixed header) from smac/sip to
 * dmac/dip with `plen` payload bytes (i*7 mod 251); `next` other than TCP
 * puts an empty extension header first. The TCP checksum is left wrong. */
static size_t build_super6(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
                           const uint8_t sip[16], const uint8_t dip[16], size_t plen,
                           uint8_t flags, uint32_t seq, uint8_t next)
{
    static uint8_t l4[70000];
    tcp_header(l4, 40000, 5001, flags);
    l4[4] = (uint8_t)(seq >> 24);
    l4[5] = (uint8_t)(seq >> 16);
    l4[6] = (uint8_t)(seq >> 8);
    l4[7] = (uint8_t)seq;
    l4[16] = 0x55;
    l4[17] = 0x66;
    for (size_t i = 0; i < plen; i++)
        l4[20 + i] = (uint8_t)(i * 7 % 251);
    return build_ip6(buf, smac, dmac, sip, dip, next, SYNACK_IPPROTO_TCP, l4, 20 + plen);
}

/* Each piece: a valid IPv6 header whose payload length is the piece's,
 * a verifying TCP checksum, consecutive sequence numbers, the payload in
 * order, FIN/PSH on the last only and CWR on the first only. */
static void check_pieces6(const pieces *p, const uint8_t *sf, const uint8_t sip[16],
                          const uint8_t dip[16], uint32_t seq0, size_t plen, size_t seg)
{
    synack_addr s = addr6(sip), d = addr6(dip);
    size_t off = 0;
    for (size_t i = 0; i < p->count; i++) {
        synack_ip6_repr ip;
        assert_int_equal(synack_ip6_parse(p->f[i] + 14, p->len[i] - 14, &ip), 40);
        assert_int_equal(ip.payload_len, p->len[i] - 54);
        assert_int_equal(ip.next, SYNACK_IPPROTO_TCP);
        synack_tcp_repr t;
        assert_true(synack_tcp_parse(p->f[i] + 54, ip.payload_len,
                                     synack_addr_pseudo_sum(&s, &d, SYNACK_IPPROTO_TCP), true,
                                     &t) >= 0);
        size_t seglen = ip.payload_len - t.hdr_len;
        bool last = i == p->count - 1;
        assert_int_equal(seglen, last ? plen - off : seg);
        assert_int_equal(t.seq, seq0 + (uint32_t)off);
        assert_int_equal(!!(t.flags & SYNACK_TCP_FIN), last && (sf[54 + 13] & SYNACK_TCP_FIN));
        assert_int_equal(!!(t.flags & SYNACK_TCP_PSH), last && (sf[54 + 13] & SYNACK_TCP_PSH));
        assert_int_equal(!!(t.flags & 0x80), i == 0 && (sf[54 + 13] & 0x80));
        assert_memory_equal(p->f[i] + 54 + t.hdr_len, sf + 74 + off, seglen);
        off += seglen;
    }
    assert_int_equal(off, plen);
}

static void test_cut_pieces6(void **state)
{
    (void)state;
    static uint8_t sf[70000], scratch[2000];
    static pieces p;
    memset(&p, 0, sizeof(p));
    uint32_t seq0 = 0xfffff000u;
    size_t n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 5000,
                            SYNACK_TCP_ACK | SYNACK_TCP_PSH | SYNACK_TCP_FIN | 0x80, seq0,
                            SYNACK_IPPROTO_TCP);
    assert_int_equal(synack_offload_cut(sf, n, G(sf, n, 1428), scratch, sizeof(scratch), collect, &p), 4);
    check_pieces6(&p, sf, IP6_A, IP6_B, seq0, 5000, 1428);
    /* An extension header before TCP is never cut (nor offloaded). */
    p.count = 0;
    n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 5000, SYNACK_TCP_ACK, 1, 60);
    assert_int_equal(synack_offload_cut(sf, n, G(sf, n, 1428), scratch, sizeof(scratch), collect, &p), -1);
    assert_int_equal(p.count, 0);
}

static void test_check_forged6(void **state)
{
    (void)state;
    static uint8_t sf[70000], w[70100];
    size_t n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 3000, SYNACK_TCP_ACK, 1,
                            SYNACK_IPPROTO_TCP);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    assert_int_equal(wn, (int32_t)(n + SYNACK_OFFLOAD_SUPER_OVERHEAD));
    synack_offload_msg m;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(m.gso_type, 4); /* GSO_TCPV6 */
    assert_int_equal(synack_offload_check(&m, 1518), 0);
    assert_int_equal(synack_offload_check(&m, 1500), -1); /* pieces too big */
    /* The pseudo-header sum (RFC 8200 8.1) for a TAP's CHECKSUM_PARTIAL. */
    static uint8_t pc[70000];
    memcpy(pc, sf, n);
    assert_int_equal(synack_offload_partial_csum(pc, n), 0);
    synack_addr a = addr6(IP6_A), b = addr6(IP6_B);
    uint32_t ps = synack_addr_pseudo_sum(&a, &b, SYNACK_IPPROTO_TCP) + (uint32_t)(n - 54);
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    assert_int_equal(pc[54 + 16] << 8 | pc[54 + 17], ps);
    uint8_t *v = w + 14 + 8;
    struct { size_t at; uint8_t val; } forged[] = {
        {1, 1},    /* GSO_TCPV4 on an IPv6 frame */
        {1, 0},    /* NONE */
        {1, 0x84}, /* ECN bit */
        {2, 73},   /* hdr_len off by one */
        {6, 53},   /* csum_start (IPv4's offset) */
        {8, 6},    /* csum_offset */
        {0, 2},    /* DATA_VALID */
    };
    for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
        assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428)), wn);
        v[forged[i].at] = forged[i].val;
        assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
        assert_int_equal(synack_offload_check(&m, 1518), -1);
    }
    /* A payload length that lies, one of 0 (a jumbogram), IPv4's GSO type
     * named for an IPv6 frame, and an IPv4 frame named GSO_TCPV6. */
    size_t pl = 14 + 8 + 10 + 14 + 4;
    synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    w[pl + 1] ^= 1;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(synack_offload_check(&m, 1518), -1);
    synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    w[pl] = w[pl + 1] = 0;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(synack_offload_check(&m, 1518), -1);
    size_t n4 = build_super(sf, 3000, SYNACK_TCP_ACK, 1, 1);
    wn = synack_offload_wrap(w, sizeof(w), sf, n4, G(sf, n4, 1448));
    assert_int_equal(v[1], 1);
    v[1] = 4;
    assert_int_equal(synack_offload_parse(w, (size_t)wn, &m), 1);
    assert_int_equal(synack_offload_check(&m, 1518), -1);
    /* Extension headers: nothing to wrap, and a forged SUPER with one fails. */
    n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 3000, SYNACK_TCP_ACK, 1, 60);
    assert_int_equal(synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428)), -1);
    assert_int_equal(synack_offload_partial_csum(sf, n), -1);
}

/* The client's side: the AGREE's IPv6 flags, and IPv6 SUPERs taken only
 * when granted (an IPv4-only grant drops them). */
static void test_client_input6(void **state)
{
    (void)state;
    static uint8_t sf[70000], w[70100];
    synack_offload_client oc = {true, false, false, false, false};
    uint8_t c[SYNACK_OFFLOAD_CTRL_LEN];
    const uint8_t *inner;
    size_t inner_len;
    synack_offload_ctrl(c, SYNACK_OFFLOAD_AGREE, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4,
                        (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
    assert_int_equal(synack_offload_client_input(&oc, c, sizeof(c), &inner, &inner_len),
                     SYNACK_OFFLOAD_IN_AGREED);
    assert_true(oc.tx && oc.rx && !oc.tx6 && !oc.rx6);
    size_t n = build_super6(sf, MAC_B, MAC_A, IP6_B, IP6_A, 3000, SYNACK_TCP_ACK, 1,
                            SYNACK_IPPROTO_TCP);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    assert_int_equal(synack_offload_client_input(&oc, w, (size_t)wn, &inner, &inner_len),
                     SYNACK_OFFLOAD_IN_DROP);
    synack_offload_ctrl(c, SYNACK_OFFLOAD_AGREE, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP6 | SYNACK_OFFLOAD_F_RX_TCP6,
                        (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
    assert_int_equal(synack_offload_client_input(&oc, c, sizeof(c), &inner, &inner_len),
                     SYNACK_OFFLOAD_IN_AGREED);
    assert_true(!oc.tx && !oc.rx && oc.tx6 && oc.rx6);
    assert_int_equal(synack_offload_client_input(&oc, w, (size_t)wn, &inner, &inner_len),
                     SYNACK_OFFLOAD_IN_INNER);
    assert_int_equal(inner_len, n);
    assert_memory_equal(inner, sf, n);
}

/* The bridge: the IPv6 grants, an IPv6 SUPER refused without TX_TCP6 and
 * cut with it, the pieces switched to the other client. */
static void test_bridge_grants_and_cuts6(void **state)
{
    (void)state;
    fx *f = fx_new(true);
    static uint8_t sf[70000], w[70100], s[70200], out[2000];
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_msg m;
    /* B uses its IPv6 address first (owns it), so A's pieces have a
     * learnt destination. */
    size_t n = build_super6(sf, MAC_B, MAC_A, IP6_B, IP6_A, 10, SYNACK_TCP_ACK, 1,
                            SYNACK_IPPROTO_TCP);
    synack_br_input(&f->br, 2, 0, sf, n);
    f->rec.count = 0;
    /* An IPv4-only HELLO (the first clients): an IPv6 SUPER is refused. */
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A, SYNACK_OFFLOAD_F_TX_TCP4, 65000);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 60000, SYNACK_TCP_ACK | SYNACK_TCP_PSH,
                     1000, SYNACK_IPPROTO_TCP);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    assert_true(wn > 0);
    uint64_t inval = f->ports[1].stats.drop_invalid;
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    assert_int_equal(f->ports[1].stats.drop_invalid, inval + 1);
    assert_int_equal(f->ports[1].stats.rx_super, 0);

    /* All four flags asked, no TSO TAP: both TX granted, no RX. */
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A,
                        SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4 |
                            SYNACK_OFFLOAD_F_TX_TCP6 | SYNACK_OFFLOAD_F_RX_TCP6,
                        65503);
    size_t q0 = queued(&f->c1, out);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    size_t qn = queued(&f->c1, out);
    assert_int_equal(qn, q0 + 4 + SYNACK_OFFLOAD_CTRL_LEN);
    assert_int_equal(synack_offload_parse(out + q0 + 4, SYNACK_OFFLOAD_CTRL_LEN, &m), 1);
    assert_int_equal(m.flags, SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_TX_TCP6);

    /* Now the same SUPER is cut: 43 pieces of <= 1428 bytes to port 2. */
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(rec_count_to(&f->rec, 2), 43);
    assert_int_equal(f->ports[1].stats.rx_super, 1);
    static pieces p;
    memset(&p, 0, sizeof(p));
    for (size_t i = 0; i < f->rec.count; i++)
        collect(&p, f->rec.frame[i], f->rec.len[i]);
    check_pieces6(&p, sf, IP6_A, IP6_B, 1000, 60000, 1428);

    /* A spoofed inner IPv6 source (B's address): every piece refused. */
    f->rec.count = 0;
    n = build_super6(sf, MAC_A, MAC_B, IP6_B, IP6_B, 3000, SYNACK_TCP_ACK, 1, SYNACK_IPPROTO_TCP);
    wn = synack_offload_wrap(w, sizeof(w), sf, n, G(sf, n, 1428));
    uint64_t spoof = f->ports[1].stats.drop_spoof_ip;
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(f->rec.count, 0);
    assert_int_equal(f->ports[1].stats.drop_spoof_ip, spoof + 3);

    /* With a TSO TAP the RX flags of both families are granted. */
    f->br.cfg.offload_rx = true;
    q0 = queued(&f->c1, out);
    assert_int_equal(synack_br_client_feed(&f->c1, &f->br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(queued(&f->c1, out), q0 + 4 + SYNACK_OFFLOAD_CTRL_LEN);
    assert_int_equal(synack_offload_parse(out + q0 + 4, SYNACK_OFFLOAD_CTRL_LEN, &m), 1);
    assert_int_equal(m.flags, 0xf);
    synack_br_client_close(&f->c1);
}

/* A client's IPv6 super-frame to a GSO backend whole, its checksum field
 * the IPv6 pseudo-header sum. */
static void test_bridge_gso_to_backend6(void **state)
{
    (void)state;
    static fx f;
    static uint8_t sf[70000], w[70100], s[70200];
    memset(&f, 0, sizeof(f));
    memset(&gso_rec, 0, sizeof(gso_rec));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_TAP);
    cfg.offload = true;
    assert_int_equal(synack_br_init(&f.br, &cfg, f.ports, f.macs, 64, rec_emit, &f.rec, 0), 0);
    f.br.emit_gso = rec_gso;
    assert_int_equal(synack_br_attach(&f.br, 0), 1);
    assert_int_equal(synack_br_client_open(&f.c1, -1, 1, "one", 1518, 1 << 16), 0);
    /* Linux (MAC_B) speaks first on the TAP. */
    size_t n = build_super6(sf, MAC_B, MAC_A, IP6_B, IP6_A, 10, SYNACK_TCP_ACK, 1,
                            SYNACK_IPPROTO_TCP);
    synack_br_input(&f.br, 0, 0, sf, n);
    uint8_t h[SYNACK_OFFLOAD_CTRL_LEN];
    synack_offload_ctrl(h, SYNACK_OFFLOAD_HELLO, MAC_A, SYNACK_OFFLOAD_F_TX_TCP6, 65000);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, h, sizeof(h)), 0),
                     SYNACK_BR_OPEN);
    f.rec.count = 0;
    size_t sn = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 60000, SYNACK_TCP_ACK, 1000,
                             SYNACK_IPPROTO_TCP);
    int32_t wn = synack_offload_wrap(w, sizeof(w), sf, sn, G(sf, sn, 1428));
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(gso_rec.calls, 1);
    assert_int_equal(gso_rec.len, sn);
    assert_int_equal(gso_rec.seg, 1428);
    assert_int_equal(f.br.tx_gso, 1);
    assert_int_equal(rec_count_to(&f.rec, 0), 0);
    /* rec_gso reads bytes 50..51; the IPv6 TCP checksum is at 70..71 */
    synack_addr a = addr6(IP6_A), b = addr6(IP6_B);
    uint32_t ps = synack_addr_pseudo_sum(&a, &b, SYNACK_IPPROTO_TCP) + (uint32_t)(sn - 54);
    while (ps >> 16)
        ps = (ps & 0xffff) + (ps >> 16);
    static uint8_t copy[70000];
    memcpy(copy, sf, sn);
    assert_int_equal(synack_offload_partial_csum(copy, sn), 0);
    assert_int_equal(copy[70] << 8 | copy[71], ps);
    /* A backend that refuses (slirp for IPv6): the 43 pieces instead. */
    gso_rec.refuse = true;
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, w, (size_t)wn), 0),
                     SYNACK_BR_OPEN);
    assert_int_equal(rec_count_to(&f.rec, 0), 43);
    synack_br_client_close(&f.c1);
}

/* Linux's TSO6 super-frame: whole to a client granted RX_TCP6, cut for a
 * client granted only RX_TCP4. */
static void test_backend_super_to_clients6(void **state)
{
    (void)state;
    static fx f;
    static uint8_t sf[70000], s[200];
    memset(&f, 0, sizeof(f));
    memset(&sup_rec, 0, sizeof(sup_rec));
    synack_br_config cfg = test_config(SYNACK_BR_BACKEND_TAP);
    assert_int_equal(synack_br_init(&f.br, &cfg, f.ports, f.macs, 64, rec_emit, &f.rec, 0), 0);
    f.br.takes_super = rec_takes;
    f.br.super_out = rec_super;
    assert_int_equal(synack_br_attach(&f.br, 0), 1);
    assert_int_equal(synack_br_client_open(&f.c1, -1, 1, "one", 1518, 1 << 16), 0);
    size_t n = build_super6(sf, MAC_A, MAC_B, IP6_A, IP6_B, 10, SYNACK_TCP_ACK, 1,
                            SYNACK_IPPROTO_TCP);
    assert_int_equal(synack_br_client_feed(&f.c1, &f.br, s, framed(s, sf, n), 0),
                     SYNACK_BR_OPEN);
    size_t sn = build_super6(sf, MAC_B, MAC_A, IP6_B, IP6_A, 60000,
                             SYNACK_TCP_ACK | SYNACK_TCP_PSH, 7, SYNACK_IPPROTO_TCP);
    static uint8_t fixed[70000];
    memcpy(fixed, sf, sn);
    /* An IPv4-only client: the pieces, checksums complete. */
    sup_rec.takes = true;
    f.rec.count = 0;
    synack_br_backend_super(&f.br, 0, sf, sn, 1428);
    assert_int_equal(sup_rec.calls, 0);
    assert_int_equal(rec_count_to(&f.rec, 1), 43);
    static pieces p;
    memset(&p, 0, sizeof(p));
    for (size_t i = 0; i < f.rec.count; i++)
        collect(&p, f.rec.frame[i], f.rec.len[i]);
    check_pieces6(&p, fixed, IP6_B, IP6_A, 7, 60000, 1428);
    /* RX_TCP6: whole. */
    sup_rec.takes6 = true;
    f.rec.count = 0;
    synack_br_backend_super(&f.br, 0, sf, sn, 1428);
    assert_int_equal(sup_rec.calls, 1);
    assert_int_equal(sup_rec.len, sn);
    assert_int_equal(f.rec.count, 0);
    assert_int_equal(f.ports[1].stats.tx_super, 1);
    synack_br_client_close(&f.c1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cut_pieces),
        cmocka_unit_test(test_gso_values),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_check_forged),
        cmocka_unit_test(test_bridge_grants_and_cuts),
        cmocka_unit_test(test_bridge_refuses_unasked),
        cmocka_unit_test(test_bridge_gso_to_backend),
        cmocka_unit_test(test_backend_super_to_clients),
        cmocka_unit_test(test_bridge_grants_receive),
        cmocka_unit_test(test_cut_pieces6),
        cmocka_unit_test(test_check_forged6),
        cmocka_unit_test(test_client_input6),
        cmocka_unit_test(test_bridge_grants_and_cuts6),
        cmocka_unit_test(test_bridge_gso_to_backend6),
        cmocka_unit_test(test_backend_super_to_clients6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
