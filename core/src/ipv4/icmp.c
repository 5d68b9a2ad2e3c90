/*
 * ICMPv4 for a host.
 *
 * RFC 792 (message formats), RFC 1122 section 3.2.2 (what a host sends
 * and how it reacts): echo requests for our address are answered
 * (3.2.2.6; not when sent to a broadcast), errors received are passed to
 * the transport that sent the quoted datagram (3.2.2.1, 3.2.2.4; RFC 5927
 * section 4 for the checks), and errors we send follow 3.2.2: never about
 * an ICMP error, a broadcast, a non-first fragment or a datagram whose
 * source does not name a single host. Errors sent are rate-limited with a
 * token bucket (RFC 1812 section 4.3.2.8) of cfg.icmp_errors_per_s.
 *
 * Ping handles (the public synack_ping_* API) each own an identifier drawn
 * from the stack's random generator and a bounded queue of replies.
 */
#include <string.h>

#include "ipv4/icmp.h"
#include "net/stack.h"
#include "ipv4/ipv4.h"
#include "ipv6/icmp6.h"
#include "net/addr.h"

/* An error quotes the offending datagram, the whole ICMP message kept
 * within the 576 bytes every host accepts (RFC 1812 4.3.2.3). */
#define ICMP_ERROR_MAX 576

int synack_icmp_init(synack_stack *s)
{
    synack_icmp *ic = &s->icmp;
    ic->pings = synack_mem_alloc(s, sizeof *ic->pings * s->cfg.icmp_max_sockets);
    if (ic->pings == NULL)
        return SYNACK_ERR_NOMEM;
    synack_rate_init(&ic->errors, s->cfg.icmp_errors_per_s, s->now);
    return SYNACK_OK;
}

static void ping_flush(synack_stack *s, synack_ping *p)
{
    uint32_t qlen = s->cfg.udp_queue_len;
    for (uint32_t i = 0; i < p->count; i++) {
        synack_ping_reply *r = &p->q[(p->head + i) % qlen];
        synack_mem_free(s, r->data, r->len);
        r->data = NULL;
    }
    p->head = 0;
    p->count = 0;
}

static void ping_release(synack_stack *s, synack_ping *p)
{
    ping_flush(s, p);
    synack_mem_free(s, p->q, sizeof *p->q * s->cfg.udp_queue_len);
    memset(p, 0, sizeof *p);
}

void synack_icmp_fini(synack_stack *s)
{
    synack_icmp *ic = &s->icmp;
    if (ic->pings == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.icmp_max_sockets; i++)
        if (ic->pings[i].used)
            ping_release(s, &ic->pings[i]);
    synack_mem_free(s, ic->pings, sizeof *ic->pings * s->cfg.icmp_max_sockets);
    ic->pings = NULL;
}

static synack_ping *ping_get(const synack_stack *s, int h)
{
    if (h < 0 || (uint32_t)h >= s->cfg.icmp_max_sockets)
        return NULL;
    synack_ping *p = &s->icmp.pings[h];
    return p->used ? p : NULL;
}

static synack_ping *ping_by_ident(const synack_stack *s, uint16_t ident)
{
    for (uint32_t i = 0; i < s->cfg.icmp_max_sockets; i++) {
        synack_ping *p = &s->icmp.pings[i];
        if (p->used && p->ident == ident)
            return p;
    }
    return NULL;
}

/* ---- receiving -------------------------------------------------------- */

static void echo_reply(synack_stack *s, uint64_t now, const synack_ip4_repr *ip,
                       const synack_icmp_repr *req)
{
    size_t cap;
    uint8_t *buf = synack_ipv4_tx_buf(s, &cap);
    if (SYNACK_ICMP_HDR_LEN + req->payload_len > cap)
        return;
    synack_icmp_repr rep = *req;
    rep.type = SYNACK_ICMP_ECHO_REPLY;
    rep.code = 0;
    size_t n = synack_icmp_emit(&rep, buf);
    synack_ipv4_send(s, now, ip->src, SYNACK_IPPROTO_ICMP, n, NULL);
}

static void echo_reply_in(synack_stack *s, const synack_ip4_repr *ip,
                          const synack_icmp_repr *m)
{
    synack_addr src = synack_addr4(ip->src);
    synack_icmp_ping_reply(s, &src, m);
}

void synack_icmp_ping_reply(synack_stack *s, const synack_addr *src,
                            const synack_icmp_repr *m)
{
    synack_ping *p = ping_by_ident(s, m->id);
    uint32_t qlen = s->cfg.udp_queue_len;
    if (p == NULL || p->count == qlen) {
        /* nobody asked, or the reader fell behind */
        synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
        return;
    }
    synack_ping_reply *r = &p->q[(p->head + p->count) % qlen];
    r->data = NULL;
    if (m->payload_len > 0) {
        r->data = synack_mem_alloc(s, m->payload_len);
        if (r->data == NULL) {
            synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
            return;
        }
        memcpy(r->data, m->payload, m->payload_len);
    }
    r->len = m->payload_len;
    r->src = *src;
    r->seq = m->seq;
    p->count++;
}

/* An ICMP error about a packet of ours: its quote goes to the IP layer,
 * which parses it once and hands it to the transport that sent it. */
static void error_in(synack_stack *s, uint64_t now, const synack_icmp_repr *m)
{
    int err = SYNACK_ERR_UNREACHABLE;
    if (m->type == SYNACK_ICMP_DEST_UNREACH &&
        (m->code == SYNACK_ICMP_UNREACH_PORT ||
         m->code == SYNACK_ICMP_UNREACH_PROTO))
        err = SYNACK_ERR_REFUSED;
    synack_ipv4_error(s, now, m->payload, m->payload_len, err, false);
}

void synack_icmp_echo_error(synack_stack *s, const synack_ip_err *e)
{
    /* an echo request of one of our ping handles (type 8, identifier) */
    synack_ping *p = NULL;
    uint8_t req = e->src.family == SYNACK_AF_IP6 ? SYNACK_ICMP6_ECHO_REQUEST
                                                 : SYNACK_ICMP_ECHO_REQUEST;
    if (e->l4len >= 8 && e->l4[0] == req)
        p = ping_by_ident(s, synack_ld_be16(e->l4 + 4));
    if (p != NULL)
        p->err = SYNACK_ERR_UNREACHABLE;
    else if (!e->nexthop)
        synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
}

void synack_icmp_input(synack_stack *s, uint64_t now, const synack_ip4_repr *ip,
                       const uint8_t *msg, size_t len, bool bcast)
{
    synack_icmp_repr m;
    int rc = synack_icmp_parse(msg, len, s->cfg.verify_checksums, &m);
    if (rc == SYNACK_WIRE_BAD_CHECKSUM) {
        synack_count_drop(s, SYNACK_DROP_ICMP_BAD_CHECKSUM);
        return;
    }
    if (rc < 0) {
        synack_count_drop(s, SYNACK_DROP_ICMP_MALFORMED);
        return;
    }
    switch (m.type) {
    case SYNACK_ICMP_ECHO_REQUEST:
        /* 3.2.2.6: broadcast echo requests MAY be ignored; we do. */
        if (bcast || ip->src == 0) {
            synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
            return;
        }
        echo_reply(s, now, ip, &m);
        break;
    case SYNACK_ICMP_ECHO_REPLY:
        echo_reply_in(s, ip, &m);
        break;
    case SYNACK_ICMP_DEST_UNREACH:
    case SYNACK_ICMP_TIME_EXCEEDED:
        error_in(s, now, &m);
        break;
    default:
        synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
        break;
    }
}

/* ---- sending errors ----------------------------------------------------- */

/* ICMP query types (RFC 792, RFC 950): errors may be sent about these. */
static bool icmp_is_query(uint8_t type)
{
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

void synack_icmp_send_error(synack_stack *s, uint64_t now, uint8_t type,
                            uint8_t code, uint32_t rest,
                            const synack_ip4_repr *ip, const uint8_t *hdr,
                            const uint8_t *payload, size_t len, bool bcast)
{
    /* RFC 1122 3.2.2: the cases where no error may be sent. */
    if (bcast || ip->frag_off != 0 || ip->src == 0)
        return;
    if (ip->proto == SYNACK_IPPROTO_ICMP &&
        (len < 1 || !icmp_is_query(payload[0])))
        return;
    if (!synack_rate_take(&s->icmp.errors, s->cfg.icmp_errors_per_s, now)) {
        synack_count_drop(s, SYNACK_DROP_ICMP_RATE);
        return;
    }
    size_t cap;
    uint8_t *buf = synack_ipv4_tx_buf(s, &cap);
    size_t room = ICMP_ERROR_MAX - SYNACK_IP4_HDR_LEN - SYNACK_ICMP_HDR_LEN;
    size_t hl = ip->hdr_len;
    if (hl > room)
        return;
    size_t ql = len < room - hl ? len : room - hl;
    uint8_t *body = buf + SYNACK_ICMP_HDR_LEN;
    memcpy(body, hdr, hl);
    memcpy(body + hl, payload, ql);
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = type;
    m.code = code;
    m.rest = rest;
    m.payload = body;
    m.payload_len = hl + ql;
    size_t n = synack_icmp_emit(&m, buf);
    synack_ipv4_send(s, now, ip->src, SYNACK_IPPROTO_ICMP, n, NULL);
}

void synack_icmp_poll(synack_stack *s, uint64_t now)
{
    (void)s;
    (void)now; /* the token bucket refills lazily */
}

uint64_t synack_icmp_poll_at(const synack_stack *s)
{
    (void)s;
    return UINT64_MAX;
}

/* ---- ping handles (public API) ----------------------------------------- */

int synack_ping_open(synack_stack *s)
{
    for (uint32_t i = 0; i < s->cfg.icmp_max_sockets; i++) {
        synack_ping *p = &s->icmp.pings[i];
        if (p->used)
            continue;
        p->q = synack_mem_alloc(s, sizeof *p->q * s->cfg.udp_queue_len);
        if (p->q == NULL)
            return SYNACK_ERR_NOMEM;
        /* A random identifier not used by another handle (bounded tries;
         * at most icmp_max_sockets are taken, so a free one is found). */
        uint16_t ident = 0;
        for (int tries = 0; tries < 64; tries++) {
            ident = (uint16_t)synack_rng_next(&s->rng);
            if (ping_by_ident(s, ident) == NULL)
                break;
        }
        p->ident = ident;
        p->used = true;
        p->err = 0;
        p->head = 0;
        p->count = 0;
        return (int)i;
    }
    return SYNACK_ERR_NOMEM;
}

int synack_ping_send(synack_stack *s, uint64_t now, int h, const synack_addr *dst,
                     uint16_t seq, const void *payload, size_t len)
{
    synack_ping *p = ping_get(s, h);
    if (p == NULL)
        return SYNACK_ERR_BADF;
    if (dst == NULL)
        return SYNACK_ERR_INVAL;
    if (len > 0 && payload == NULL)
        return SYNACK_ERR_INVAL;
    if (now > s->now)
        s->now = now;
    if (dst->family == SYNACK_AF_IP6)
        return synack_icmp6_echo_send(s, now, p->ident, dst, seq, payload, len);
    if (dst->family != SYNACK_AF_IP4)
        return SYNACK_ERR_INVAL;
    size_t cap;
    uint8_t *buf = synack_ipv4_tx_buf(s, &cap);
    if (len > cap - SYNACK_ICMP_HDR_LEN)
        return SYNACK_ERR_MSGSIZE;
    if (len > 0 && payload == NULL)
        return SYNACK_ERR_INVAL;
    synack_icmp_repr m;
    memset(&m, 0, sizeof m);
    m.type = SYNACK_ICMP_ECHO_REQUEST;
    m.id = p->ident;
    m.seq = seq;
    m.payload = payload;
    m.payload_len = len;
    size_t n = synack_icmp_emit(&m, buf);
    return synack_ipv4_send(s, now, synack_addr_to_ip4(dst), SYNACK_IPPROTO_ICMP, n,
                            NULL);
}

int synack_ping_recv(synack_stack *s, int h, synack_addr *src, uint16_t *seq,
                     void *buf, size_t cap)
{
    synack_ping *p = ping_get(s, h);
    if (p == NULL)
        return SYNACK_ERR_BADF;
    if (p->count == 0) {
        int err = p->err;
        p->err = 0;
        return err != 0 ? err : SYNACK_ERR_AGAIN;
    }
    synack_ping_reply *r = &p->q[p->head];
    size_t n = r->len < cap ? r->len : cap;
    if (n > 0 && buf != NULL)
        memcpy(buf, r->data, n);
    if (src != NULL)
        *src = r->src;
    if (seq != NULL)
        *seq = r->seq;
    int len = (int)r->len;
    synack_mem_free(s, r->data, r->len);
    r->data = NULL;
    p->head = (p->head + 1) % s->cfg.udp_queue_len;
    p->count--;
    return len;
}

void synack_ping_close(synack_stack *s, int h)
{
    synack_ping *p = ping_get(s, h);
    if (p != NULL)
        ping_release(s, p);
}
