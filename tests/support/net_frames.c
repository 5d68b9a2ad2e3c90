/* Frame builders and a capturing tap for tests; see net_frames.h. */
#include "net_frames.h"

#include <stdlib.h>
#include <string.h>

synack_mac net_mac(int side)
{
    synack_mac m = {{0x02, 0, 0, 0, 0, (uint8_t)(side + 1)}};
    return m;
}

synack_ip4 net_ip(int side)
{
    return SYNACK_IP4(10, 0, 0, side + 1);
}

synack_ip4_repr net_ip_repr(synack_ip4 src, synack_ip4 dst, uint8_t proto)
{
    synack_ip4_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.ttl = 64;
    ip.proto = proto;
    ip.id = 1;
    ip.src = src;
    ip.dst = dst;
    ip.hdr_len = SYNACK_IP4_HDR_LEN;
    return ip;
}

size_t net_build_ip(uint8_t *buf, synack_mac dst, synack_mac src,
                    const synack_ip4_repr *ip, const uint8_t *l4, size_t l4len)
{
    synack_eth_repr eth = {dst, src, SYNACK_ETHERTYPE_IPV4};
    size_t n = synack_eth_emit(&eth, buf);
    synack_ip4_repr r = *ip;
    if (r.total_len == 0)
        r.total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + l4len);
    n += synack_ip4_emit(&r, buf + n);
    if (l4len > 0)
        memmove(buf + n, l4, l4len);
    return n + l4len;
}

size_t net_build_udp(uint8_t *buf, int from, int to, uint16_t sport,
                     uint16_t dport, const void *data, size_t len)
{
    uint8_t *l4 = buf + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    if (len > 0)
        memmove(l4 + SYNACK_UDP_HDR_LEN, data, len);
    synack_udp_repr u;
    memset(&u, 0, sizeof u);
    u.sport = sport;
    u.dport = dport;
    size_t n = synack_udp_emit(&u, l4, len,
                               synack_ip4_pseudo_sum(net_ip(from), net_ip(to),
                                                     SYNACK_IPPROTO_UDP));
    synack_ip4_repr ip = net_ip_repr(net_ip(from), net_ip(to), SYNACK_IPPROTO_UDP);
    return net_build_ip(buf, net_mac(to), net_mac(from), &ip, l4, n);
}

size_t net_build_echo(uint8_t *buf, int from, int to, uint16_t id,
                      uint16_t seq, const void *data, size_t len)
{
    uint8_t *l4 = buf + SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = SYNACK_ICMP_ECHO_REQUEST;
    m.id = id;
    m.seq = seq;
    m.payload = data;
    m.payload_len = len;
    size_t n = synack_icmp_emit(&m, l4);
    synack_ip4_repr ip = net_ip_repr(net_ip(from), net_ip(to), SYNACK_IPPROTO_ICMP);
    return net_build_ip(buf, net_mac(to), net_mac(from), &ip, l4, n);
}

bool net_capture_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame,
                     size_t len)
{
    net_capture *c = ctx;
    c->seen++;
    if (c->count < NET_CAPTURE_MAX) {
        net_frame *fr = &c->frames[c->count++];
        fr->side = side;
        fr->t = f->now;
        fr->len = len;
        memcpy(fr->data, frame, len < NET_CAPTURE_SNAP ? len : NET_CAPTURE_SNAP);
    }
    if (c->drop != NULL && c->drop(c->drop_ctx, side, frame, len))
        return false;
    return true;
}

net_capture *net_capture_attach(net_fixture *f)
{
    net_capture *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    f->tap = net_capture_tap;
    f->tap_ctx = c;
    return c;
}

net_fixture *net_fixture_captured(const net_fixture_opts *opts, net_capture **cap)
{
    net_fixture *f = net_fixture_new(opts);
    if (f == NULL)
        return NULL;
    net_run_for(f, 1);
    *cap = net_capture_attach(f);
    if (*cap == NULL) {
        net_fixture_free(f);
        return NULL;
    }
    return f;
}

size_t net_fixture_captured_free(net_fixture *f, net_capture *cap)
{
    size_t leaked = net_fixture_free(f);
    free(cap);
    return leaked;
}

int net_setup_with(void **state, const net_fixture_opts *opts)
{
    net_setup *st = calloc(1, sizeof *st);
    *state = st;
    if (st == NULL || (st->f = net_fixture_captured(opts, &st->cap)) == NULL) {
        free(st);
        return -1;
    }
    return 0;
}

int net_setup_default(void **state)
{
    return net_setup_with(state, NULL);
}

int net_teardown(void **state)
{
    net_setup *st = *state;
    size_t leaked = net_fixture_captured_free(st->f, st->cap);
    free(st);
    return leaked == 0 ? 0 : -1;
}

void net_capture_clear(net_capture *c)
{
    c->count = 0;
    c->seen = 0;
}

static bool frame_matches(const net_frame *fr, int side, uint16_t ethertype,
                          uint8_t proto)
{
    if (side >= 0 && fr->side != side)
        return false;
    if (fr->len < SYNACK_ETH_HDR_LEN)
        return false;
    uint16_t et = (uint16_t)(fr->data[12] << 8 | fr->data[13]);
    if (ethertype != 0 && et != ethertype)
        return false;
    if (proto != 0) {
        if (et != SYNACK_ETHERTYPE_IPV4 || fr->len < SYNACK_ETH_HDR_LEN + 20)
            return false;
        if (fr->data[SYNACK_ETH_HDR_LEN + 9] != proto)
            return false;
    }
    return true;
}

size_t net_capture_count(const net_capture *c, int side, uint16_t ethertype,
                         uint8_t proto)
{
    size_t n = 0;
    for (size_t i = 0; i < c->count; i++)
        if (frame_matches(&c->frames[i], side, ethertype, proto))
            n++;
    return n;
}

const net_frame *net_capture_find(const net_capture *c, int side,
                                  uint16_t ethertype, uint8_t proto, size_t n)
{
    for (size_t i = 0; i < c->count; i++) {
        if (!frame_matches(&c->frames[i], side, ethertype, proto))
            continue;
        if (n == 0)
            return &c->frames[i];
        n--;
    }
    return NULL;
}
