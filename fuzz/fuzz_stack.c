/*
 * libFuzzer target (a): a whole stack driven by a sequence of frames, time
 * steps and socket calls (record format in fuzz_records.h).
 *
 * Every run starts from the same place: a stack at 10.0.0.1 (and fd00::1) with a
 * listener on port 80, one connection accepted from the peer (10.0.0.2)
 * and one opened to it, so the fuzzer reaches the TCP state machine and
 * not only the parsers. Checksums are not verified (SYNACK_FUZZING).
 * Inputs of odd length run with the link's send offload
 * (synack_link.send_gso; the harness checks each GSO packet).
 *
 * Oracles, besides ASan/UBSan:
 *  - storm: the stack may answer one received frame with at most
 *    FZ_STORM_CTRL frames that carry no TCP payload and FZ_STORM_ALL
 *    frames in all (data released by an ACK included); one poll may send
 *    at most FZ_STORM_POLL frames. Exceeding a bound aborts.
 *  - memory: everything the stack allocates stays below FZ_MEM_CAP and is
 *    returned when the stack is freed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_records.h"
#include "tcp_harness.h"
#include "test_addr.h"

#define FZ_STORM_CTRL 3u
#define FZ_STORM_ALL 16u
#define FZ_STORM_POLL 64u
#define FZ_MEM_CAP (8u << 20)
#define FZ_MAX_RECORDS 256

typedef struct fz_in {
    const uint8_t *p;
    size_t len, off;
} fz_in;

static bool take(fz_in *in, size_t n, const uint8_t **out)
{
    if (in->len - in->off < n)
        return false;
    *out = in->p + in->off;
    in->off += n;
    return true;
}

static bool u8(fz_in *in, uint8_t *v)
{
    const uint8_t *p;
    if (!take(in, 1, &p))
        return false;
    *v = p[0];
    return true;
}

static bool be16(fz_in *in, uint16_t *v)
{
    const uint8_t *p;
    if (!take(in, 2, &p))
        return false;
    *v = (uint16_t)(p[0] << 8 | p[1]);
    return true;
}

static const synack_mac peer_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const synack_mac local_mac = {{0x02, 0, 0, 0, 0, 0x01}};

/* Classify what the stack sent since the last call and forget it. */
static void drain(tcp_harness *th, uint32_t *ctrl, uint32_t *all)
{
    *ctrl = 0;
    *all = 0;
    for (size_t i = 0; i < th->count; i++) {
        const th_frame *f = &th->frames[(th->head + i) % TH_MAX_FRAMES];
        (*all)++;
        bool data = false;
        synack_ip4_repr ip;
        synack_tcp_repr tcp;
        if (f->len > SYNACK_ETH_HDR_LEN &&
            synack_ld_be16(f->data + 12) == SYNACK_ETHERTYPE_IPV4 &&
            synack_ip4_parse(f->data + 14, f->len - 14, false, &ip) > 0 &&
            ip.proto == SYNACK_IPPROTO_TCP && ip.frag_off == 0 && !ip.mf &&
            synack_tcp_parse(f->data + 14 + ip.hdr_len, ip.total_len - ip.hdr_len,
                             synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP), false, &tcp) >= 0 &&
            tcp.payload_len > 0)
            data = true;
        if (!data)
            (*ctrl)++;
    }
    th_flush(th);
}

static void storm_check(tcp_harness *th, const char *what)
{
    uint32_t ctrl, all;
    drain(th, &ctrl, &all);
    if (ctrl > FZ_STORM_CTRL || all > FZ_STORM_ALL) {
        fprintf(stderr, "storm: %u frames (%u without payload) answered one %s\n",
                (unsigned)all, (unsigned)ctrl, what);
        abort();
    }
}

static void feed_frame(tcp_harness *th, const uint8_t *frame, size_t len, const char *what)
{
    th_flush(th);
    synack_input(th->s, th->now, frame, len);
    storm_check(th, what);
}

/* Ethernet header from the peer to us in front of `len` bytes at buf + 14. */
static void eth_wrap(uint8_t *buf)
{
    synack_eth_repr e = {.dst = local_mac, .src = peer_mac,
                         .ethertype = SYNACK_ETHERTYPE_IPV4};
    synack_eth_emit(&e, buf);
}

static void ip_wrap(uint8_t *buf, uint8_t proto, uint16_t id, uint16_t frag, size_t plen)
{
    eth_wrap(buf);
    synack_ip4_repr ip = {.ttl = 64, .proto = proto, .id = id,
                          .df = (frag & 0x4000) != 0, .mf = (frag & 0x2000) != 0,
                          .frag_off = (uint16_t)((frag & 0x1fff) * 8),
                          .src = TH_PEER_IP, .dst = TH_LOCAL_IP,
                          .total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + plen)};
    synack_ip4_emit(&ip, buf + SYNACK_ETH_HDR_LEN);
}

/* IPv6 from the peer: Ethernet and the fixed header; dsel picks the
 * destination (fuzz_records.h). */
static void ip6_wrap(uint8_t *buf, uint8_t dsel, uint8_t next, size_t plen)
{
    static const uint8_t dsts[4][16] = {
        {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1},
        {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9},
    };
    synack_ip6_repr h;
    memset(&h, 0, sizeof h);
    h.payload_len = (uint16_t)plen;
    h.next = next;
    h.hop_limit = 255;
    h.src.family = h.dst.family = SYNACK_AF_IP6;
    h.src.b[0] = 0xfd;
    h.src.b[15] = 2;
    memcpy(h.dst.b, dsts[dsel % 4], 16);
    synack_eth_repr e = {.dst = local_mac, .src = peer_mac,
                         .ethertype = SYNACK_ETHERTYPE_IPV6};
    if (dsel % 4 == 1 || dsel % 4 == 2) { /* 33:33 + the group's last 4 bytes */
        e.dst.b[0] = e.dst.b[1] = 0x33;
        memcpy(e.dst.b + 2, h.dst.b + 12, 4);
    }
    synack_eth_emit(&e, buf);
    synack_ip6_emit(&h, buf + SYNACK_ETH_HDR_LEN);
}

typedef struct fz_conn {
    int h;
    uint16_t lport, rport;
} fz_conn;

static void do_tcp(tcp_harness *th, fz_in *in, fz_conn *conns, uint8_t *buf)
{
    uint8_t target, flags, optlen;
    uint16_t seq16, ack16, win, urg, paylen;
    const uint8_t *opts;
    if (!u8(in, &target) || !u8(in, &flags) || !be16(in, &seq16) || !be16(in, &ack16) ||
        !be16(in, &win) || !be16(in, &urg) || !u8(in, &optlen))
        return;
    optlen %= 41;
    if (!take(in, optlen, &opts) || !be16(in, &paylen))
        return;
    paylen %= 1461;

    uint16_t sport = TH_PEER_PORT, dport = TH_LOCAL_PORT;
    uint32_t rcv_nxt = 0, snd_una = 0;
    switch (target & 3) {
    case 0:
    case 1: {
        fz_conn *c = &conns[target & 1];
        synack_tcp_info info;
        if (c->h >= 0 && synack_tcp_get_info(th->s, c->h, &info) == 0) {
            rcv_nxt = info.rcv_nxt;
            snd_una = info.snd_una;
        }
        sport = c->rport;
        dport = c->lport;
        break;
    }
    case 2:
        sport = (uint16_t)(41000 + seq16 % 8);
        break;
    default:
        dport = (uint16_t)(1000 + seq16 % 8);
        break;
    }
    int32_t scale = (target & 0x04) ? 65536 : 1;
    uint32_t seq = rcv_nxt + (uint32_t)((int32_t)(int16_t)seq16 * scale);
    uint32_t ack = snd_una + (uint32_t)((int32_t)(int16_t)ack16 * ((target & 0x08) ? 65536 : 1));

    uint8_t *l4 = buf + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    size_t hlen = SYNACK_TCP_HDR_LEN + ((optlen + 3u) & ~3u);
    memset(l4, 0, hlen);
    synack_wr_be16(l4, sport);
    synack_wr_be16(l4 + 2, dport);
    synack_wr_be32(l4 + 4, seq);
    synack_wr_be32(l4 + 8, ack);
    /* target bit 0x10: a fuzzed data offset instead of the true one */
    uint8_t doff = (target & 0x10) ? (uint8_t)(target >> 4 & 0x0f) : (uint8_t)(hlen / 4);
    l4[12] = (uint8_t)(doff << 4);
    l4[13] = flags;
    synack_wr_be16(l4 + 14, win);
    synack_wr_be16(l4 + 18, urg);
    memcpy(l4 + SYNACK_TCP_HDR_LEN, opts, optlen);
    for (size_t i = 0; i < paylen; i++)
        l4[hlen + i] = (uint8_t)(i * 7 + seq16);
    size_t l4len = hlen + paylen;
    ip_wrap(buf, SYNACK_IPPROTO_TCP, 1, 0x4000, l4len);
    feed_frame(th, buf, SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN + l4len, "segment");
}

static void do_app(tcp_harness *th, fz_in *in, fz_conn *conns, int listener)
{
    uint8_t what, arg;
    if (!u8(in, &what) || !u8(in, &arg))
        return;
    fz_conn *c = &conns[what & 1];
    uint8_t data[2048];
    switch ((what >> 1) % 8) {
    case 0: /* send arg*8 bytes */
        if (c->h >= 0) {
            memset(data, 'x', sizeof data);
            (void)synack_tcp_send(th->s, th->now, c->h, data, (size_t)arg * 8);
        }
        break;
    case 1: /* read */
        if (c->h >= 0)
            (void)synack_tcp_recv(th->s, th->now, c->h, data, (size_t)arg * 8 + 1);
        break;
    case 2:
        if (c->h >= 0)
            (void)synack_tcp_shutdown(th->s, th->now, c->h);
        break;
    case 3:
        if (c->h >= 0) {
            (void)synack_tcp_close(th->s, th->now, c->h);
            c->h = -1;
        }
        break;
    case 4:
        if (c->h >= 0) {
            (void)synack_tcp_abort(th->s, th->now, c->h);
            c->h = -1;
        }
        break;
    case 5: { /* take a connection from the listener and read from it */
        int a = synack_tcp_accept(th->s, th->now, listener, NULL, NULL);
        if (a >= 0) {
            (void)synack_tcp_recv(th->s, th->now, a, data, sizeof data);
            if (arg & 1)
                (void)synack_tcp_close(th->s, th->now, a);
        }
        break;
    }
    case 6: { /* a new active open to the peer */
        int h = synack_tcp_open(th->s);
        if (h >= 0 && synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP),
                                         (uint16_t)(5000 + arg % 4)) != 0)
            (void)synack_tcp_close(th->s, th->now, h);
        break;
    }
    default: { /* ping the peer */
        int p = synack_ping_open(th->s);
        if (p >= 0)
            (void)synack_ping_send(th->s, th->now, p, ADDR4(TH_PEER_IP), arg, data, arg);
        break;
    }
    }
    uint32_t ctrl, all;
    drain(th, &ctrl, &all);
}

static void small_buffers(synack_config *cfg)
{
    cfg->tcp.sndbuf = 4096;
    cfg->tcp.rcvbuf = 8192;
    cfg->tcp.max_conns = 16;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Half the inputs (odd lengths) run with the link's send offload, so
     * both ways of sending new data meet the same records. */
    tcp_harness *th = th_new(&(th_opts){.seed = 7, .tune = small_buffers, .gso = size % 2 == 1});
    if (!th)
        abort();
    char err[256];
    int listener = -1;
    fz_conn conns[2];
    conns[1].h = th_passive_open(th, &(th_seg){.seq = 5000, .win = 65535, .has_mss = true,
                                                 .mss = 1000, .sack_ok = true, .has_ts = true,
                                                 .tsval = 1, .has_ws = true, .ws = 3},
                                 &listener, err, sizeof err);
    conns[1].lport = TH_LOCAL_PORT;
    conns[1].rport = TH_PEER_PORT;
    conns[0].h = th_active_open(th, &(th_seg){.seq = 9000, .win = 65535, .has_mss = true,
                                               .mss = 1000, .sack_ok = true, .has_ts = true,
                                               .tsval = 1, .has_ws = true, .ws = 3},
                                err, sizeof err);
    conns[0].lport = th->local_port;
    conns[0].rport = TH_PEER_PORT;
    if (conns[0].h < 0 || conns[1].h < 0 || listener < 0) {
        fprintf(stderr, "fuzz_stack set-up failed: %s\n", err);
        abort();
    }
    /* and an IPv6 address, for FZ_IP6 */
    synack_addr a6 = {SYNACK_AF_IP6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
    if (synack_add_ipv6(th->s, th->now, &a6, 64) != 0)
        abort();
    th_flush(th);

    static uint8_t buf[SYNACK_ETH_HDR_LEN + 65536 + 64];
    fz_in in = {data, size, 0};
    for (int n = 0; n < FZ_MAX_RECORDS && in.off < in.len; n++) {
        uint8_t op;
        u8(&in, &op);
        const uint8_t *p;
        uint16_t len, id, frag;
        uint8_t proto;
        switch (op % FZ_OP_COUNT) {
        case FZ_RAW_FRAME:
            if (be16(&in, &len) && take(&in, len, &p)) {
                memcpy(buf, p, len);
                feed_frame(th, buf, len, "raw frame");
            }
            break;
        case FZ_RAW_IP:
            if (be16(&in, &len) && take(&in, len, &p)) {
                eth_wrap(buf);
                memcpy(buf + SYNACK_ETH_HDR_LEN, p, len);
                feed_frame(th, buf, SYNACK_ETH_HDR_LEN + (size_t)len, "raw packet");
            }
            break;
        case FZ_IP_PAYLOAD:
            if (u8(&in, &proto) && be16(&in, &id) && be16(&in, &frag) && be16(&in, &len) &&
                len <= 65535 - SYNACK_IP4_HDR_LEN && take(&in, len, &p)) {
                ip_wrap(buf, proto, id, frag, len);
                memcpy(buf + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN, p, len);
                feed_frame(th, buf, SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN + (size_t)len,
                           "IP payload");
            }
            break;
        case FZ_TCP:
            do_tcp(th, &in, conns, buf);
            break;
        case FZ_TIME: {
            uint8_t dt;
            if (u8(&in, &dt)) {
                th_flush(th);
                th_advance(th, (uint64_t)dt * dt * 4 + 1);
                uint32_t ctrl, all;
                drain(th, &ctrl, &all);
                if (all > FZ_STORM_POLL) {
                    fprintf(stderr, "storm: one poll sent %u frames\n", (unsigned)all);
                    abort();
                }
            }
            break;
        }
        case FZ_IP6: {
            uint8_t dsel, next;
            if (u8(&in, &dsel) && u8(&in, &next) && be16(&in, &len) &&
                len <= 65535 - SYNACK_IP6_HDR_LEN && take(&in, len, &p)) {
                ip6_wrap(buf, dsel, next, len);
                memcpy(buf + SYNACK_ETH_HDR_LEN + SYNACK_IP6_HDR_LEN, p, len);
                feed_frame(th, buf, SYNACK_ETH_HDR_LEN + SYNACK_IP6_HDR_LEN + (size_t)len,
                           "IPv6 packet");
            }
            break;
        }
        default:
            do_app(th, &in, conns, listener);
            break;
        }
        if (th->mem_peak > FZ_MEM_CAP) {
            fprintf(stderr, "memory: %zu bytes in use\n", th->mem_peak);
            abort();
        }
    }
    if (getenv("FUZZ_DEBUG")) {
        for (int i = 0; i < 2; i++) {
            synack_tcp_info info = {0};
            int rc = conns[i].h >= 0 ? synack_tcp_get_info(th->s, conns[i].h, &info) : -1;
            fprintf(stderr, "fuzz_stack: conn %d: %s, %llu bytes in, %llu out\n", i,
                    rc == 0 ? synack_tcp_state_name(info.state) : "closed",
                    (unsigned long long)info.bytes_received,
                    (unsigned long long)info.bytes_sent);
        }
        synack_counters c;
        synack_get_counters(th->s, &c);
        fprintf(stderr, "fuzz_stack: %llu frames in, %llu out, %llu dropped\n",
                (unsigned long long)c.frames_in, (unsigned long long)c.frames_out,
                (unsigned long long)c.drops_total);
    }
    size_t left = th_free(th);
    if (left != 0) {
        fprintf(stderr, "leak: %zu bytes still allocated\n", left);
        abort();
    }
    return 0;
}
