/*
 * UDP (RFC 768; RFC 1122 section 4.1.3): sockets bound to a local port,
 * checksums always sent (4.1.3.4), ICMP port unreachable for datagrams to
 * closed ports (4.1.3.1; not for broadcasts), ICMP errors passed to the
 * sending socket (4.1.3.3). Ephemeral ports follow RFC 6056 section 3.3.1
 * (algorithm 1, random) in 49152-65535: a UDP socket does not know its
 * peer yet, so a hash of the 4-tuple cannot separate destinations, and a
 * counter would let anyone who sees one DNS query's port guess the next
 * (RFC 5452 section 9.2). Receive queues are bounded (cfg.udp_queue_len) and
 * every datagram is copied with the allocator hook.
 */
#include <string.h>

#include "udp/udp.h"
#include "net/ip.h"
#include "net/stack.h"

#define EPHEMERAL_MIN 49152u
#define EPHEMERAL_COUNT (65536u - EPHEMERAL_MIN)
#define UDP_MAX_PAYLOAD (65535u - SYNACK_IP4_HDR_LEN - SYNACK_UDP_HDR_LEN)

int synack_udp_init(synack_stack *s)
{
    s->udp.socks = synack_mem_alloc(s, sizeof *s->udp.socks * s->cfg.udp_max_sockets);
    return s->udp.socks == NULL ? SYNACK_ERR_NOMEM : SYNACK_OK;
}

static void sock_release(synack_stack *s, synack_udp_sock *u)
{
    uint32_t qlen = s->cfg.udp_queue_len;
    for (uint32_t i = 0; i < u->count; i++) {
        synack_udp_dgram *d = &u->q[(u->head + i) % qlen];
        synack_mem_free(s, d->data, d->len);
    }
    synack_mem_free(s, u->q, sizeof *u->q * qlen);
    memset(u, 0, sizeof *u);
}

void synack_udp_fini(synack_stack *s)
{
    if (s->udp.socks == NULL)
        return;
    for (uint32_t i = 0; i < s->cfg.udp_max_sockets; i++)
        if (s->udp.socks[i].used)
            sock_release(s, &s->udp.socks[i]);
    synack_mem_free(s, s->udp.socks, sizeof *s->udp.socks * s->cfg.udp_max_sockets);
    s->udp.socks = NULL;
}

static synack_udp_sock *sock_get(const synack_stack *s, int h)
{
    if (h < 0 || (uint32_t)h >= s->cfg.udp_max_sockets)
        return NULL;
    synack_udp_sock *u = &s->udp.socks[h];
    return u->used ? u : NULL;
}

static synack_udp_sock *sock_by_port(const synack_stack *s, uint16_t port)
{
    for (uint32_t i = 0; i < s->cfg.udp_max_sockets; i++) {
        synack_udp_sock *u = &s->udp.socks[i];
        if (u->used && u->port == port)
            return u;
    }
    return NULL;
}

bool synack_udp_port_open(const synack_stack *s, uint16_t port)
{
    return sock_by_port(s, port) != NULL;
}

bool synack_udp_input(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                      const uint8_t *seg, size_t len)
{
    synack_udp_repr u;
    int rc = synack_udp_parse(seg, len, ip->phsum, s->cfg.verify_checksums, &u);
    if (rc == SYNACK_WIRE_BAD_CHECKSUM) {
        synack_count_drop(s, SYNACK_DROP_UDP_BAD_CHECKSUM);
        return false;
    }
    if (rc < 0) {
        synack_count_drop(s, SYNACK_DROP_UDP_MALFORMED);
        return false;
    }
    if (u.dport == SYNACK_UDP_DHCP_CLIENT_PORT && s->dhcp_hook != NULL &&
        s->dhcp_hook(s, s->dhcp_hook_ctx, now, ip, &u))
        return false;

    synack_udp_sock *sk = sock_by_port(s, u.dport);
    if (sk != NULL && sk->v6only && ip->src.family != SYNACK_AF_IP6)
        sk = NULL;
    if (sk == NULL) {
        synack_count_drop(s, SYNACK_DROP_UDP_NO_SOCKET);
        return true;
    }
    uint32_t qlen = s->cfg.udp_queue_len;
    if (sk->count == qlen) {
        synack_count_drop(s, SYNACK_DROP_UDP_QUEUE_FULL);
        return false;
    }
    synack_udp_dgram *d = &sk->q[(sk->head + sk->count) % qlen];
    d->data = NULL;
    if (u.payload_len > 0) {
        d->data = synack_mem_alloc(s, u.payload_len);
        if (d->data == NULL) {
            synack_count_drop(s, SYNACK_DROP_UDP_QUEUE_FULL);
            return false;
        }
        memcpy(d->data, u.payload, u.payload_len);
    }
    d->len = u.payload_len;
    d->src = ip->src;
    d->sport = u.sport;
    sk->count++;
    return false;
}

void synack_udp_error(synack_stack *s, const synack_ip_err *e)
{
    synack_udp_sock *sk = sock_by_port(s, synack_ld_be16(e->l4));
    if (sk == NULL) {
        if (!e->nexthop)
            synack_count_drop(s, SYNACK_DROP_ICMP_UNHANDLED);
        return;
    }
    sk->err = e->err;
}

void synack_udp_poll(synack_stack *s, uint64_t now)
{
    (void)s;
    (void)now;
}

uint64_t synack_udp_poll_at(const synack_stack *s)
{
    (void)s;
    return UINT64_MAX;
}

/* RFC 6056 3.3.1: a random port, then the next free one after it. */
static int ephemeral_port(synack_stack *s)
{
    uint32_t start = synack_rng_below(&s->rng, EPHEMERAL_COUNT);
    for (uint32_t i = 0; i < EPHEMERAL_COUNT; i++) {
        uint32_t port = EPHEMERAL_MIN + (start + i) % EPHEMERAL_COUNT;
        if (!synack_udp_port_open(s, (uint16_t)port))
            return (int)port;
    }
    return SYNACK_ERR_ADDRINUSE;
}

int synack_udp_open(synack_stack *s, uint16_t port)
{
    if (port != 0 && synack_udp_port_open(s, port))
        return SYNACK_ERR_ADDRINUSE;
    for (uint32_t i = 0; i < s->cfg.udp_max_sockets; i++) {
        synack_udp_sock *u = &s->udp.socks[i];
        if (u->used)
            continue;
        int p = port != 0 ? port : ephemeral_port(s);
        if (p < 0)
            return p;
        u->q = synack_mem_alloc(s, sizeof *u->q * s->cfg.udp_queue_len);
        if (u->q == NULL)
            return SYNACK_ERR_NOMEM;
        u->used = true;
        u->v6only = false;
        u->port = (uint16_t)p;
        u->err = 0;
        u->head = 0;
        u->count = 0;
        return (int)i;
    }
    return SYNACK_ERR_NOMEM;
}

int synack_udp_port(const synack_stack *s, int h)
{
    const synack_udp_sock *u = sock_get(s, h);
    return u == NULL ? SYNACK_ERR_BADF : (int)u->port;
}

int synack_udp_sendto(synack_stack *s, uint64_t now, int h, const synack_addr *dst,
                      uint16_t dport, const void *data, size_t len)
{
    synack_udp_sock *u = sock_get(s, h);
    if (u == NULL)
        return SYNACK_ERR_BADF;
    if (len > UDP_MAX_PAYLOAD)
        return SYNACK_ERR_MSGSIZE;
    if (dst == NULL || dport == 0 || (len > 0 && data == NULL))
        return SYNACK_ERR_INVAL;
    if (now > s->now)
        s->now = now;
    synack_addr src;
    if (synack_ip_route(s, dst, &src) != 0) {
        synack_count_drop(s, dst->family == SYNACK_AF_IP6 ? SYNACK_DROP_IPV6_NO_ROUTE
                                                          : SYNACK_DROP_IPV4_NO_ROUTE);
        return SYNACK_ERR_UNREACHABLE;
    }
    uint8_t *buf = synack_ip_tx_buf(s, dst->family, NULL);
    if (len > 0)
        memcpy(buf + SYNACK_UDP_HDR_LEN, data, len);
    synack_udp_repr r;
    memset(&r, 0, sizeof r);
    r.sport = u->port;
    r.dport = dport;
    size_t n = synack_udp_emit(&r, buf, len,
                               synack_addr_pseudo_sum(&src, dst, SYNACK_IPPROTO_UDP));
    synack_ip_tx tx = {false, 0, &src, 0, 0};
    return synack_ip_send(s, now, dst, SYNACK_IPPROTO_UDP, n, &tx);
}

int synack_udp_recvfrom(synack_stack *s, int h, void *buf, size_t cap,
                        synack_addr *src, uint16_t *sport)
{
    synack_udp_sock *u = sock_get(s, h);
    if (u == NULL)
        return SYNACK_ERR_BADF;
    if (u->count == 0) {
        int err = u->err;
        u->err = 0;
        return err != 0 ? err : SYNACK_ERR_AGAIN;
    }
    synack_udp_dgram *d = &u->q[u->head];
    size_t n = d->len < cap ? d->len : cap;
    if (n > 0 && buf != NULL)
        memcpy(buf, d->data, n);
    if (src != NULL)
        *src = d->src;
    if (sport != NULL)
        *sport = d->sport;
    int len = (int)d->len;
    synack_mem_free(s, d->data, d->len);
    d->data = NULL;
    u->head = (u->head + 1) % s->cfg.udp_queue_len;
    u->count--;
    return len;
}

void synack_udp_close(synack_stack *s, int h)
{
    synack_udp_sock *u = sock_get(s, h);
    if (u != NULL)
        sock_release(s, u);
}

int synack_udp_setopt(synack_stack *s, int h, synack_udp_opt opt, int64_t value)
{
    synack_udp_sock *u = sock_get(s, h);
    if (u == NULL)
        return SYNACK_ERR_BADF;
    switch (opt) {
    case SYNACK_UDPOPT_V6ONLY:
        if (value != 0 && value != 1)
            return SYNACK_ERR_INVAL;
        u->v6only = value != 0;
        return SYNACK_OK;
    }
    return SYNACK_ERR_INVAL;
}
