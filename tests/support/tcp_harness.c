/* Single-stack TCP test harness; see tcp_harness.h. */
#include "tcp_harness.h"

#include "net_frames.h"
#include "test_addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const synack_mac local_mac = {{0x02, 0, 0, 0, 0, 0x01}};
static const synack_mac peer_mac = {{0x02, 0, 0, 0, 0, 0x02}};

/* ---- allocator and link ----------------------------------------------------- */

typedef struct th_block {
    size_t size;
    size_t pad;
} th_block;

static void *th_alloc(void *ctx, size_t size)
{
    tcp_harness *th = ctx;
    if (th->mem_limit && th->mem_in_use + size > th->mem_limit)
        return NULL;
    th_block *b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->size = size;
    th->mem_in_use += size;
    if (th->mem_in_use > th->mem_peak)
        th->mem_peak = th->mem_in_use;
    return b + 1;
}

static void th_dealloc(void *ctx, void *p, size_t size)
{
    tcp_harness *th = ctx;
    if (!p)
        return;
    th_block *b = (th_block *)p - 1;
    (void)size;
    th->mem_in_use -= b->size;
    free(b);
}

static int th_link_send(void *ctx, const uint8_t *frame, size_t len)
{
    tcp_harness *th = ctx;
    th->frames_sent++;
    if (th->count >= TH_MAX_FRAMES)
        return 0; /* keep the oldest: tests look at them in order */
    th_frame *f = &th->frames[(th->head + th->count) % TH_MAX_FRAMES];
    f->data = malloc(len ? len : 1);
    if (!f->data)
        return -1;
    memcpy(f->data, frame, len);
    f->len = len;
    f->t = th->now;
    th->count++;
    return 0;
}

static void th_trace(void *ctx, const synack_trace_event *ev)
{
    tcp_harness *th = ctx;
    if (th->nevents < TH_MAX_EVENTS)
        th->events[th->nevents++] = *ev;
}

/*
 * The link's send offload (th_opts.gso): the packet must be one TCP/IPv4
 * segment longer than the MTU whose payload is more than one piece of
 * g->seg bytes, and g's offsets must be those of its headers
 * (synack_link.send_gso); anything else breaks the contract and aborts.
 * It is captured like any frame.
 */
static int th_link_send_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    tcp_harness *th = ctx;
    const uint8_t *ip = frame + SYNACK_ETH_HDR_LEN;
    if (len < SYNACK_ETH_HDR_LEN + 40 || len - SYNACK_ETH_HDR_LEN <= th->opts.mtu)
        abort();
    size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
    size_t total = (size_t)(ip[2] << 8 | ip[3]);
    size_t thl = (size_t)(ip[ihl + 12] >> 4) * 4;
    uint32_t seg = g->seg;
    if (ip[9] != SYNACK_IPPROTO_TCP || total != len - SYNACK_ETH_HDR_LEN ||
        seg == 0 || total < ihl + thl || total - ihl - thl <= seg)
        abort();
    if (g->family != SYNACK_AF_IP4 || g->csum_start != SYNACK_ETH_HDR_LEN + ihl ||
        g->csum_offset != 16 || g->hdr_len != SYNACK_ETH_HDR_LEN + ihl + thl)
        abort();
    return th_link_send(ctx, frame, len);
}

/* ---- frames ----------------------------------------------------------------- */

static void pop_frame(tcp_harness *th)
{
    free(th->frames[th->head].data);
    th->frames[th->head].data = NULL;
    th->head = (th->head + 1) % TH_MAX_FRAMES;
    th->count--;
}

void th_send_arp_from(tcp_harness *th, uint16_t op, synack_mac sha, synack_ip4 spa)
{
    uint8_t buf[64];
    synack_eth_repr eth = {op == SYNACK_ARP_REQUEST ? (synack_mac){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
                                                    : local_mac,
                           sha, SYNACK_ETHERTYPE_ARP};
    size_t n = synack_eth_emit(&eth, buf);
    synack_arp_repr arp;
    memset(&arp, 0, sizeof arp);
    arp.op = op;
    arp.sha = sha;
    arp.spa = spa;
    arp.tha = op == SYNACK_ARP_REQUEST ? (synack_mac){{0}} : local_mac;
    arp.tpa = TH_LOCAL_IP;
    n += synack_arp_emit(&arp, buf + n);
    while (n < 60)
        buf[n++] = 0;
    synack_input(th->s, th->now, buf, n);
}

/* An ARP packet from the peer. */
static void send_arp(tcp_harness *th, uint16_t op)
{
    th_send_arp_from(th, op, peer_mac, TH_PEER_IP);
}

/* Parse the front frame; ARP requests are answered and skipped. */
static bool front_tcp(tcp_harness *th, synack_tcp_repr *r, const uint8_t **seg,
                      size_t *seglen)
{
    while (th->count) {
        th_frame *f = &th->frames[th->head];
        synack_eth_repr eth;
        if (synack_eth_parse(f->data, f->len, &eth) < 0) {
            pop_frame(th);
            continue;
        }
        const uint8_t *p = f->data + SYNACK_ETH_HDR_LEN;
        size_t len = f->len - SYNACK_ETH_HDR_LEN;
        if (eth.ethertype == SYNACK_ETHERTYPE_ARP) {
            synack_arp_repr arp;
            bool req = synack_arp_parse(p, len, &arp) >= 0 && arp.op == SYNACK_ARP_REQUEST &&
                       arp.tpa == TH_PEER_IP;
            pop_frame(th);
            if (req)
                send_arp(th, SYNACK_ARP_REPLY);
            continue;
        }
        synack_ip4_repr ip;
        int hl = synack_ip4_parse(p, len, true, &ip);
        if (hl < 0 || ip.proto != SYNACK_IPPROTO_TCP) {
            pop_frame(th);
            continue;
        }
        *seg = p + hl;
        *seglen = (size_t)ip.total_len - (size_t)hl;
        if (synack_tcp_parse(*seg, *seglen, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_TCP), true, r) < 0) {
            pop_frame(th);
            continue;
        }
        return true;
    }
    return false;
}

void th_drop_frame(tcp_harness *th)
{
    if (th->count > 0)
        pop_frame(th);
}

size_t th_answer_arp(tcp_harness *th)
{
    size_t n = 0;
    while (th->count) {
        th_frame *f = &th->frames[th->head];
        synack_eth_repr eth;
        synack_arp_repr arp;
        if (synack_eth_parse(f->data, f->len, &eth) < 0 ||
            eth.ethertype != SYNACK_ETHERTYPE_ARP ||
            synack_arp_parse(f->data + SYNACK_ETH_HDR_LEN, f->len - SYNACK_ETH_HDR_LEN,
                             &arp) < 0)
            break;
        pop_frame(th);
        if (arp.op == SYNACK_ARP_REQUEST && arp.tpa == TH_PEER_IP) {
            send_arp(th, SYNACK_ARP_REPLY);
            n++;
        }
    }
    return n;
}

size_t th_pending(tcp_harness *th)
{
    synack_tcp_repr r;
    const uint8_t *seg;
    size_t len;
    if (!front_tcp(th, &r, &seg, &len))
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < th->count; i++) {
        th_frame *f = &th->frames[(th->head + i) % TH_MAX_FRAMES];
        if (f->len > SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN &&
            synack_ld_be16(f->data + 12) == SYNACK_ETHERTYPE_IPV4 &&
            f->data[SYNACK_ETH_HDR_LEN + 9] == SYNACK_IPPROTO_TCP)
            n++;
    }
    return n;
}

bool th_next(tcp_harness *th)
{
    const uint8_t *seg;
    size_t len;
    if (!front_tcp(th, &th->last, &seg, &len))
        return false;
    th->last_len = th->last.payload_len;
    if (th->last_len > sizeof th->last_payload)
        th->last_len = sizeof th->last_payload;
    memcpy(th->last_payload, th->last.payload, th->last_len);
    th->last.payload = th->last_payload;
    if (th->last.flags & SYNACK_TCP_SYN)
        th->stack_iss = th->last.seq;
    pop_frame(th);
    return true;
}

void th_flush(tcp_harness *th)
{
    /* ARP requests among the dropped frames are still answered */
    for (int i = 0; i < 64 && th->count; i++) {
        synack_tcp_repr r;
        const uint8_t *seg;
        size_t len;
        while (front_tcp(th, &r, &seg, &len))
            pop_frame(th);
    }
    while (th->count)
        pop_frame(th);
}

/* ---- life cycle ------------------------------------------------------------- */

tcp_harness *th_new(const th_opts *opts)
{
    tcp_harness *th = calloc(1, sizeof *th);
    if (!th)
        return NULL;
    if (opts)
        th->opts = *opts;
    if (!th->opts.mtu)
        th->opts.mtu = 1500;
    if (!th->opts.seed)
        th->opts.seed = 1;
    if (!th->opts.start_ms)
        th->opts.start_ms = 1000;
    th->now = th->opts.start_ms;
    th->local_port = TH_LOCAL_PORT;
    th->peer_port = TH_PEER_PORT;
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.alloc = (synack_allocator){th_alloc, th_dealloc, th};
    cfg.link = (synack_link){.send = th_link_send, .ctx = th, .mtu = th->opts.mtu, .medium = SYNACK_MEDIUM_ETHERNET};
    cfg.mac = local_mac;
    cfg.seed = th->opts.seed;
    cfg.ipv6.slaac = false; /* no IPv6 start-up frames in the scripted exchange */
    if (th->opts.gso) {
        cfg.link.gso_max = 65535;
        cfg.link.send_gso = th_link_send_gso;
    }
    if (th->opts.trace) {
        cfg.trace = th_trace;
        cfg.trace_ctx = th;
    }
    if (th->opts.tune)
        th->opts.tune(&cfg);
    if (synack_stack_new(&th->s, &cfg, th->now) != 0) {
        free(th);
        return NULL;
    }
    if (synack_set_ipv4(th->s, th->now, TH_LOCAL_IP, 24, 0) != 0) {
        th_free(th);
        return NULL;
    }
    send_arp(th, SYNACK_ARP_REQUEST);
    th_flush(th);
    th->nevents = 0;
    return th;
}

size_t th_free(tcp_harness *th)
{
    if (!th)
        return 0;
    synack_stack_free(th->s);
    while (th->count)
        pop_frame(th);
    size_t left = th->mem_in_use;
    free(th);
    return left;
}

void th_advance(tcp_harness *th, uint64_t ms)
{
    th->now += ms;
    synack_poll(th->s, th->now);
}

bool th_advance_to_deadline(tcp_harness *th, uint64_t max_ms)
{
    uint64_t at = synack_poll_at(th->s);
    if (at == UINT64_MAX || at > th->now + max_ms)
        return false;
    if (at > th->now)
        th->now = at;
    synack_poll(th->s, th->now);
    return true;
}

bool th_advance_until_segment(tcp_harness *th, uint64_t max_ms)
{
    uint64_t end = th->now + max_ms;
    for (int i = 0; i < 100000 && th_pending(th) == 0; i++) {
        uint64_t at = synack_poll_at(th->s);
        if (at == UINT64_MAX || at > end)
            break;
        if (at > th->now)
            th->now = at;
        synack_poll(th->s, th->now);
    }
    return th_pending(th) > 0;
}

size_t th_count_events(const tcp_harness *th, synack_trace_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < th->nevents; i++)
        if (th->events[i].kind == k)
            n++;
    return n;
}

const synack_trace_event *th_find_event(const tcp_harness *th, synack_trace_kind k,
                                        size_t n)
{
    for (size_t i = 0; i < th->nevents; i++)
        if (th->events[i].kind == k && n-- == 0)
            return &th->events[i];
    return NULL;
}

/* ---- send / expect ------------------------------------------------------------- */

/*
 * Put the Ethernet and IPv4 headers (peer to stack, `proto`, `id`, DF when
 * `df`) in front of the l4_len bytes at buf + 34, pad to the Ethernet
 * minimum (buf must hold 60 bytes) and feed the frame to the stack.
 */
static void peer_input(tcp_harness *th, uint8_t *buf, uint8_t proto, size_t l4_len,
                       uint16_t id, bool df)
{
    synack_eth_repr eth = {local_mac, peer_mac, SYNACK_ETHERTYPE_IPV4};
    synack_eth_emit(&eth, buf);
    synack_ip4_repr ip = net_ip_repr(TH_PEER_IP, TH_LOCAL_IP, proto);
    ip.id = id;
    ip.df = df;
    ip.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + l4_len);
    synack_ip4_emit(&ip, buf + SYNACK_ETH_HDR_LEN);
    size_t n = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN + l4_len;
    synack_input(th->s, th->now, buf, n < 60 ? 60 : n); /* padding after the IP packet */
}

void th_send_sack(tcp_harness *th, uint32_t seq, uint32_t una, uint32_t ack_off,
                  uint8_t n, const uint32_t (*blocks)[2])
{
    th_seg g;
    memset(&g, 0, sizeof g);
    g.flags = SYNACK_TCP_ACK;
    g.seq = seq;
    g.ack = una + ack_off;
    g.win = 65535;
    g.sack_count = n;
    for (uint8_t i = 0; i < n; i++) {
        g.sack[i].left = una + blocks[i][0];
        g.sack[i].right = una + blocks[i][1];
    }
    th_send(th, &g);
}

void th_send(tcp_harness *th, const th_seg *g)
{
    static const size_t off = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    size_t cap = off + SYNACK_TCP_MAX_HDR_LEN + g->len;
    uint8_t *buf = calloc(1, cap < 64 ? 64 : cap);
    if (!buf)
        return;
    synack_tcp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = g->sport ? g->sport : th->peer_port;
    r.dport = g->dport ? g->dport : th->local_port;
    r.seq = g->seq;
    r.ack = g->ack;
    r.flags = g->flags;
    r.win = g->win;
    r.urg = g->urg;
    r.has_mss = g->has_mss;
    r.mss = g->mss;
    r.has_ws = g->has_ws;
    r.ws = g->ws;
    r.sack_ok = g->sack_ok;
    r.has_ts = g->has_ts;
    r.tsval = g->tsval;
    r.tsecr = g->tsecr;
    r.sack_count = g->sack_count;
    memcpy(r.sack, g->sack, sizeof r.sack);
    uint8_t *l4 = buf + off;
    size_t hl = synack_tcp_emit(&r, l4);
    if (g->len)
        memcpy(l4 + hl, g->data, g->len);
    synack_tcp_fill_checksum(l4, hl + g->len, synack_ip4_pseudo_sum(TH_PEER_IP, TH_LOCAL_IP, SYNACK_IPPROTO_TCP));
    if (g->bad_checksum)
        l4[16] ^= 0x5a;
    peer_input(th, buf, SYNACK_IPPROTO_TCP, hl + g->len, 1, true);
    free(buf);
}

void th_send_raw(tcp_harness *th, const uint8_t *l4, size_t len, bool fix_checksum)
{
    static const size_t off = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    if (len > 65000)
        return;
    uint8_t *buf = calloc(1, off + len + 64);
    if (!buf)
        return;
    memcpy(buf + off, l4, len);
    if (fix_checksum && len >= 18) {
        buf[off + 16] = buf[off + 17] = 0;
        synack_tcp_fill_checksum(buf + off, len, synack_ip4_pseudo_sum(TH_PEER_IP, TH_LOCAL_IP, SYNACK_IPPROTO_TCP));
    }
    peer_input(th, buf, SYNACK_IPPROTO_TCP, len, 0, false);
    free(buf);
}

void th_send_icmp_unreach(tcp_harness *th, uint8_t code, uint32_t seq)
{
    uint8_t buf[128];
    memset(buf, 0, sizeof buf);
    size_t off = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    uint8_t *icmp = buf + off;
    uint8_t *quote = icmp + SYNACK_ICMP_HDR_LEN;
    synack_ip4_repr in = net_ip_repr(TH_LOCAL_IP, TH_PEER_IP, SYNACK_IPPROTO_TCP);
    in.id = 0;
    in.total_len = SYNACK_IP4_HDR_LEN + SYNACK_TCP_HDR_LEN;
    synack_ip4_emit(&in, quote);
    synack_wr_be16(quote + 20, th->local_port);
    synack_wr_be16(quote + 22, th->peer_port);
    synack_wr_be32(quote + 24, seq);
    synack_icmp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP_DEST_UNREACH;
    r.code = code;
    r.payload = quote;
    r.payload_len = 28;
    size_t n = synack_icmp_emit(&r, icmp);
    peer_input(th, buf, SYNACK_IPPROTO_ICMP, n, 0, false);
}

#define MISMATCH(...)                                                          \
    do {                                                                       \
        snprintf(err, cap, __VA_ARGS__);                                       \
        return false;                                                          \
    } while (0)

static void flags_text(uint8_t f, char *out)
{
    static const char names[] = "FSRPAUEC";
    int n = 0;
    for (int i = 0; i < 8; i++)
        if (f & (1 << i))
            out[n++] = names[i];
    out[n] = 0;
}

bool th_expect(tcp_harness *th, const th_seg *e, char *err, size_t cap)
{
    if (!th_next(th))
        MISMATCH("expected a segment, none was sent");
    const synack_tcp_repr *r = &th->last;
    char fa[10], fb[10];
    uint8_t mask = (e->any & TH_ANY_PSH) ? (uint8_t)~SYNACK_TCP_PSH : 0xff;
    if ((r->flags & mask) != (e->flags & mask)) {
        flags_text(r->flags, fa);
        flags_text(e->flags, fb);
        MISMATCH("flags %s (0x%02x), expected %s (0x%02x); seq %u ack %u len %u", fa,
                 r->flags, fb, e->flags, (unsigned)r->seq, (unsigned)r->ack,
                 (unsigned)r->payload_len);
    }
    if (!(e->any & TH_ANY_PORTS)) {
        uint16_t sp = e->sport ? e->sport : th->local_port;
        uint16_t dp = e->dport ? e->dport : th->peer_port;
        if (r->sport != sp || r->dport != dp)
            MISMATCH("ports %u->%u, expected %u->%u", r->sport, r->dport, sp, dp);
    }
    if (!(e->any & TH_ANY_SEQ) && r->seq != e->seq)
        MISMATCH("seq %u, expected %u", (unsigned)r->seq, (unsigned)e->seq);
    if (!(e->any & TH_ANY_ACK) && r->ack != e->ack)
        MISMATCH("ack %u, expected %u", (unsigned)r->ack, (unsigned)e->ack);
    if (!(e->any & TH_ANY_WIN) && r->win != e->win)
        MISMATCH("window %u, expected %u", r->win, e->win);
    if (!(e->any & TH_ANY_LEN)) {
        if (r->payload_len != e->len)
            MISMATCH("payload length %u, expected %u", (unsigned)r->payload_len,
                     (unsigned)e->len);
        if (!(e->any & TH_ANY_DATA) && e->len && e->data &&
            memcmp(th->last_payload, e->data, e->len) != 0)
            MISMATCH("payload differs");
    }
    if (!(e->any & TH_ANY_OPTS)) {
        if (r->has_mss != e->has_mss || (e->has_mss && r->mss != e->mss))
            MISMATCH("MSS option %d/%u, expected %d/%u", r->has_mss, r->mss, e->has_mss,
                     e->mss);
        if (r->has_ws != e->has_ws || (e->has_ws && r->ws != e->ws))
            MISMATCH("WS option %d/%u, expected %d/%u", r->has_ws, r->ws, e->has_ws, e->ws);
        if (r->sack_ok != e->sack_ok)
            MISMATCH("SACK-permitted %d, expected %d", r->sack_ok, e->sack_ok);
        if (r->has_ts != e->has_ts)
            MISMATCH("timestamps %d, expected %d", r->has_ts, e->has_ts);
        if (e->has_ts && r->tsecr != e->tsecr)
            MISMATCH("TSecr %u, expected %u", (unsigned)r->tsecr, (unsigned)e->tsecr);
        if (e->has_ts && !(e->any & TH_ANY_TSVAL) && r->tsval != e->tsval)
            MISMATCH("TSval %u, expected %u", (unsigned)r->tsval, (unsigned)e->tsval);
        if (!(e->any & TH_ANY_SACK)) {
            if (r->sack_count != e->sack_count)
                MISMATCH("%u SACK blocks, expected %u", r->sack_count, e->sack_count);
            for (uint8_t i = 0; i < r->sack_count; i++)
                if (r->sack[i].left != e->sack[i].left || r->sack[i].right != e->sack[i].right)
                    MISMATCH("SACK block %u is %u-%u, expected %u-%u", i,
                             (unsigned)r->sack[i].left, (unsigned)r->sack[i].right,
                             (unsigned)e->sack[i].left, (unsigned)e->sack[i].right);
        }
    }
    return true;
}

/* ---- handshakes ------------------------------------------------------------- */

int th_connect_syn(tcp_harness *th, uint32_t *iss, char *err, size_t cap)
{
    int h = synack_tcp_open(th->s);
    if (h < 0) {
        snprintf(err, cap, "open failed: %d", h);
        return -1;
    }
    int rc = synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), th->peer_port);
    if (rc != 0) {
        snprintf(err, cap, "connect failed: %d", rc);
        return -1;
    }
    const th_seg syn = {.flags = SYNACK_TCP_SYN,
                        .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS};
    if (!th_expect(th, &syn, err, cap))
        return -1;
    th->local_port = th->last.sport;
    *iss = th->last.seq;
    return h;
}

int th_active_open(tcp_harness *th, const th_seg *synack, char *err, size_t cap)
{
    uint32_t iss;
    int h = th_connect_syn(th, &iss, err, cap);
    if (h < 0)
        return -1;
    th_seg g = *synack;
    g.flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK;
    g.ack = th->last.seq + 1;
    if (g.has_ts)
        g.tsecr = th->last.tsval;
    th_send(th, &g);
    if (!th_next(th) || th->last.flags != SYNACK_TCP_ACK || th->last.ack != synack->seq + 1) {
        snprintf(err, cap, "handshake ACK missing");
        return -1;
    }
    if (!(synack_tcp_events(th->s, h) & SYNACK_EV_CONNECTED)) {
        snprintf(err, cap, "not connected");
        return -1;
    }
    return h;
}

int th_passive_open(tcp_harness *th, const th_seg *syn, int *listener, char *err,
                    size_t cap)
{
    int l = synack_tcp_open(th->s);
    if (l < 0 || synack_tcp_bind(th->s, l, th->local_port) != 0 ||
        synack_tcp_listen(th->s, l, 8) != 0) {
        snprintf(err, cap, "listen failed");
        return -1;
    }
    if (listener)
        *listener = l;
    th_seg g = *syn;
    g.flags = SYNACK_TCP_SYN;
    g.ack = 0;
    th_send(th, &g);
    if (!th_next(th) || th->last.flags != (SYNACK_TCP_SYN | SYNACK_TCP_ACK) ||
        th->last.ack != syn->seq + 1) {
        snprintf(err, cap, "no SYN-ACK");
        return -1;
    }
    th_seg a;
    memset(&a, 0, sizeof a);
    a.flags = SYNACK_TCP_ACK;
    a.seq = syn->seq + 1;
    a.ack = th->last.seq + 1;
    a.win = syn->win;
    if (syn->has_ts && th->last.has_ts) {
        a.has_ts = true;
        a.tsval = syn->tsval + 1;
        a.tsecr = th->last.tsval;
    }
    th_send(th, &a);
    int h = synack_tcp_accept(th->s, th->now, l, NULL, NULL);
    if (h < 0) {
        snprintf(err, cap, "accept failed: %d", h);
        return -1;
    }
    return h;
}

int th_open(tcp_harness *th, uint32_t peer_iss, uint16_t win, uint16_t mss, bool sack_ok,
            char *err, size_t cap)
{
    const th_seg g = {.seq = peer_iss, .win = win, .has_mss = true, .mss = mss,
                      .sack_ok = sack_ok};
    return th_active_open(th, &g, err, cap);
}

/* ---- cmocka fixtures -------------------------------------------------------- */

static int setup_with(void **state, const th_opts *opts)
{
    tcp_harness *th = th_new(opts);
    *state = th;
    return th ? 0 : -1;
}

int th_setup(void **state)
{
    return setup_with(state, NULL);
}

int th_setup_traced(void **state)
{
    return setup_with(state, &(th_opts){.trace = true});
}

int th_teardown(void **state)
{
    return th_free(*state) == 0 ? 0 : -1;
}
