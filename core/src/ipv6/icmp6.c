/*
 * ICMPv6 for a host (RFC 4443).
 *
 * Section 4 (echo): requests are answered, also when sent to a multicast
 * address (4.1, from a unicast source of ours); replies go to the ping
 * handle whose identifier they carry (the handles are shared with ICMPv4,
 * ipv4/icmp.c). Section 3 errors received: the quote is parsed once by the
 * IPv6 layer and handed to its transport (Destination Unreachable code 4,
 * port unreachable, and Parameter Problem code 1, unrecognized next
 * header, are hard errors: SYNACK_ERR_REFUSED; the other codes and Time
 * Exceeded are SYNACK_ERR_UNREACHABLE); Packet Too Big lowers the path MTU
 * (RFC 8201; for TCP only when the quoted segment is one we have
 * outstanding, RFC 5927 section 4.1). Types 133-137 go to Neighbour
 * Discovery (nd.c), 130-132 and 143 to MLD (mld.c). Unknown informational
 * messages are discarded (2.4(b)). Section 2.4 for the errors we send:
 * never about an ICMPv6 error or a Redirect (2.4(e.1, e.2)), about a
 * packet sent to multicast only for Packet Too Big and Parameter Problem
 * code 2 (2.4(e.3)), never to an unspecified or multicast source
 * (2.4(e.5, e.6)); rate-limited by a token bucket of
 * cfg.icmp_errors_per_s (2.4(f)); the quote keeps the message within the
 * 1280-byte minimum MTU (2.4(c)).
 */
#include <string.h>

#include "ipv6/icmp6.h"
#include "ipv6/nd.h"
#include "ipv6/mld.h"
#include "ipv4/icmp.h"
#include "net/addr.h"
#include "net/stack.h"
#include "tcp/tcp.h"

#define ICMP6_ERROR_MAX SYNACK_IP6_MIN_MTU

void synack_icmp6_send_error(synack_stack *s, uint64_t now, uint8_t type,
                             uint8_t code, uint32_t rest,
                             const synack_ip6_meta *m, const uint8_t *pkt,
                             size_t len, bool allow_mcast)
{
    if ((m->mcast && !allow_mcast) || synack_ip6_is_unspecified(&m->src) ||
        synack_ip6_is_multicast(&m->src))
        return;
    synack_quote_repr q;
    if (synack_ip6_quote_parse(pkt, len, &q) >= 0 &&
        q.proto == SYNACK_IPPROTO_ICMPV6 && q.frag_off == 0 &&
        (q.l4[0] < 128 || q.l4[0] == 137))
        return; /* never about an error or a Redirect */
    if (!synack_rate_take(&s->ip6.errors, s->cfg.icmp_errors_per_s, now)) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_RATE);
        return;
    }
    size_t cap;
    uint8_t *buf = synack_ipv6_tx_buf(s, &cap);
    size_t room = ICMP6_ERROR_MAX - SYNACK_IP6_HDR_LEN - SYNACK_ICMP_HDR_LEN;
    size_t ql = len < room ? len : room;
    memmove(buf + SYNACK_ICMP_HDR_LEN, pkt, ql);
    buf[0] = type;
    buf[1] = code;
    buf[2] = buf[3] = 0;
    synack_wr_be32(buf + 4, rest);
    synack_ip6_out o;
    memset(&o, 0, sizeof o);
    /* from the address the packet was sent to when it is ours and unicast */
    const synack_ip6_ifaddr *a = synack_ip6_is_multicast(&m->dst)
                                     ? NULL
                                     : synack_ip6_addr_find(s, &m->dst);
    o.src = a != NULL && a->state != SYNACK_IP6_TENTATIVE ? &m->dst : NULL;
    o.dst = &m->src;
    o.next = SYNACK_IPPROTO_ICMPV6;
    synack_ipv6_output(s, now, &o, SYNACK_ICMP_HDR_LEN + ql);
}

int synack_icmp6_echo_send(synack_stack *s, uint64_t now, uint16_t ident,
                           const synack_addr *dst, uint16_t seq,
                           const void *payload, size_t len)
{
    size_t cap;
    uint8_t *buf = synack_ipv6_tx_buf(s, &cap);
    if (len > cap - SYNACK_ICMP_HDR_LEN)
        return SYNACK_ERR_MSGSIZE;
    synack_icmp_repr r;
    memset(&r, 0, sizeof r);
    r.type = SYNACK_ICMP6_ECHO_REQUEST;
    r.id = ident;
    r.seq = seq;
    r.payload = payload;
    r.payload_len = len;
    size_t n = synack_icmp_emit_sum(&r, buf, true, 0);
    /* through the transports' path: fragmented above the path MTU */
    return synack_ipv6_send(s, now, dst, SYNACK_IPPROTO_ICMPV6, n, NULL);
}

static void echo_reply(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                       const synack_icmp_repr *req)
{
    if (synack_ip6_is_unspecified(&m->src))
        return;
    size_t cap;
    uint8_t *buf = synack_ipv6_tx_buf(s, &cap);
    if (SYNACK_ICMP_HDR_LEN + req->payload_len > cap)
        return;
    synack_icmp_repr rep = *req;
    rep.type = SYNACK_ICMP6_ECHO_REPLY;
    rep.code = 0;
    size_t n = synack_icmp_emit_sum(&rep, buf, true, 0);
    synack_ip_tx tx = {false, 0, NULL, 0, 0};
    /* RFC 4443 4.2: from the address the request went to, when unicast */
    if (!synack_ip6_is_multicast(&m->dst))
        tx.src = &m->dst;
    synack_ipv6_send(s, now, &m->src, SYNACK_IPPROTO_ICMPV6, n, &tx);
}

/* Packet Too Big (RFC 4443 3.2, RFC 8201 4). */
static void ptb_in(synack_stack *s, uint64_t now, const synack_icmp_repr *r)
{
    synack_quote_repr q;
    if (synack_ip6_quote_parse(r->payload, r->payload_len, &q) < 0 ||
        synack_ip6_addr_find(s, &q.src) == NULL) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_BAD_PTB);
        return;
    }
    uint32_t mtu = r->rest;
    /* an MTU above what we sent cannot have been too big for the path */
    if (mtu >= synack_ipv6_path_mtu(s, &q.dst)) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_BAD_PTB);
        return;
    }
    if (mtu < SYNACK_IP6_MIN_MTU)
        mtu = SYNACK_IP6_MIN_MTU;
    if (q.proto == SYNACK_IPPROTO_TCP && q.frag_off == 0) {
        synack_ip_err e = {q.src, q.dst, q.l4, q.l4len, SYNACK_ERR_MSGSIZE, false};
        if (!synack_tcp_pmtu(s, now, &e, mtu - SYNACK_IP6_HDR_LEN)) {
            synack_count_drop(s, SYNACK_DROP_ICMP6_BAD_PTB);
            return;
        }
    }
    synack_ipv6_pmtu_update(s, now, &q.dst, mtu);
}

void synack_icmp6_input(synack_stack *s, uint64_t now, const synack_ip6_meta *m,
                        const uint8_t *msg, size_t len)
{
    synack_icmp_repr r;
    uint32_t ph = synack_addr_pseudo_sum(&m->src, &m->dst, SYNACK_IPPROTO_ICMPV6);
    int rc = synack_icmp6_parse(msg, len, ph, s->cfg.verify_checksums, &r);
    if (rc == SYNACK_WIRE_BAD_CHECKSUM) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_BAD_CHECKSUM);
        return;
    }
    if (rc < 0) {
        synack_count_drop(s, SYNACK_DROP_ICMP6_MALFORMED);
        return;
    }
    switch (r.type) {
    case SYNACK_ICMP6_ECHO_REQUEST:
        echo_reply(s, now, m, &r);
        break;
    case SYNACK_ICMP6_ECHO_REPLY:
        synack_icmp_ping_reply(s, &m->src, &r);
        break;
    case SYNACK_ICMP6_DEST_UNREACH:
        synack_ipv6_error(s, now, r.payload, r.payload_len,
                          r.code == 4 ? SYNACK_ERR_REFUSED : SYNACK_ERR_UNREACHABLE,
                          false);
        break;
    case SYNACK_ICMP6_TIME_EXCEEDED:
        synack_ipv6_error(s, now, r.payload, r.payload_len, SYNACK_ERR_UNREACHABLE,
                          false);
        break;
    case SYNACK_ICMP6_PARAM_PROBLEM:
        synack_ipv6_error(s, now, r.payload, r.payload_len,
                          r.code == 1 ? SYNACK_ERR_REFUSED : SYNACK_ERR_UNREACHABLE,
                          false);
        break;
    case SYNACK_ICMP6_PACKET_TOO_BIG:
        ptb_in(s, now, &r);
        break;
    case 133: case 134: case 135: case 136: case 137:
        synack_nd_input(s, now, m, msg, len);
        break;
    case 130: case 131: case 132: case 143:
        synack_mld_input(s, now, m, msg, len);
        break;
    default:
        synack_count_drop(s, SYNACK_DROP_ICMP6_UNHANDLED);
        break;
    }
}
