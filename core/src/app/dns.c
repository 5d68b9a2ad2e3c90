/*
 * DNS stub resolver (RFC 1035 sections 4.1 and 7; RFC 1123 section 6.1.3):
 * A and AAAA (RFC 3596) queries over UDP, each from a fresh ephemeral port (RFC 6056, via UDP
 * port 0) with a random 16-bit ID, retransmitted with doubling timeouts.
 * An answer counts only when it comes from the server and port 53 we asked,
 * carries our ID, is a response to a standard query, and repeats our
 * question (RFC 5452 section 9.1); anything else on the socket is counted
 * and dropped. CNAME chains are followed inside the answer (RFC 1034
 * section 3.6.2), for at most MAX_CHAIN links; up to SYNACK_DNS_MAX_ADDRS
 * records of the asked type are kept. A truncated answer (TC) is
 * an error: there is no TCP fallback.
 */
#include <string.h>

#include "app/dns.h"
#include "net/stack.h"
#include "wire/wire_app.h"

#define MAX_CHAIN 8
/* Datagrams read per socket per call (the UDP queue is bounded too). */
#define MAX_READS 16

static uint32_t first_ms(const synack_stack *s)
{
    return s->dns.first_ms != 0 ? s->dns.first_ms : SYNACK_DNS_DEFAULT_FIRST_MS;
}

static uint32_t max_tries(const synack_stack *s)
{
    return s->dns.tries != 0 ? s->dns.tries : SYNACK_DNS_DEFAULT_TRIES;
}

void synack_dns_offer(synack_stack *s, synack_dns_source src,
                      const synack_addr *server)
{
    if ((unsigned)src >= SYNACK_DNS_FROM__COUNT)
        return;
    synack_addr *slot = &s->dns.servers[src];
    memset(slot, 0, sizeof *slot);
    if (server != NULL && (server->family == SYNACK_AF_IP6 ||
                           (server->family == SYNACK_AF_IP4 &&
                            synack_addr_to_ip4(server) != 0)))
        *slot = *server;
}

const synack_addr *synack_dns_server(const synack_stack *s)
{
    for (int i = 0; i < SYNACK_DNS_FROM__COUNT; i++)
        if (s->dns.servers[i].family != 0)
            return &s->dns.servers[i];
    return NULL;
}

void synack_set_dns(synack_stack *s, synack_ip4 server)
{
    synack_addr a = synack_addr_from_ip4(server);
    synack_dns_offer(s, SYNACK_DNS_FROM_STATIC, &a);
    /* 0 goes back to what DHCP said, if it holds a lease now */
    synack_dhcp_lease l;
    if (server == 0 && synack_dhcp_get_lease(s, &l) != 0)
        synack_dns_offer(s, SYNACK_DNS_FROM_DHCP, NULL);
}

void synack_set_resolver(synack_stack *s, const synack_addr *server)
{
    if (server != NULL && server->family == SYNACK_AF_IP6) {
        synack_dns_offer(s, SYNACK_DNS_FROM_STATIC, server);
        return;
    }
    synack_set_dns(s, synack_addr_to_ip4(server));
}

synack_ip4 synack_get_dns(const synack_stack *s)
{
    return synack_addr_to_ip4(synack_dns_server(s));
}

int synack_get_resolver(const synack_stack *s, synack_addr *out)
{
    const synack_addr *a = synack_dns_server(s);
    if (a == NULL)
        return SYNACK_ERR_NOTFOUND;
    if (out != NULL)
        *out = *a;
    return SYNACK_OK;
}

void synack_dns_set_timeouts(synack_stack *s, uint32_t first, uint32_t tries)
{
    if (first != 0)
        s->dns.first_ms = first;
    if (tries != 0)
        s->dns.tries = tries;
}

static synack_dns_slot *slot_get(synack_stack *s, int h)
{
    if (h < 0 || h >= SYNACK_DNS_MAX_QUERIES || !s->dns.q[h].used)
        return NULL;
    return &s->dns.q[h];
}

/* The query is over: keep the result, give the port back. */
static void finish(synack_stack *s, synack_dns_slot *q, int result)
{
    q->result = result;
    q->deadline = UINT64_MAX;
    if (q->sock >= 0) {
        synack_udp_close(s, q->sock);
        q->sock = -1;
    }
}

static int send_query(synack_stack *s, uint64_t now, synack_dns_slot *q)
{
    uint8_t buf[SYNACK_DNS_HDR_LEN + SYNACK_DNS_NAME_MAX + 4];
    size_t n = synack_dns_query_emit(buf, sizeof buf, q->id, &q->qname,
                                     q->qtype, SYNACK_DNS_CLASS_IN);
    if (n == 0)
        return SYNACK_ERR_INVAL;
    /* RFC 1123 6.1.3.3 style backoff: first_ms, then doubling. */
    uint32_t shift = q->tries < 16 ? q->tries : 16;
    q->deadline = now + ((uint64_t)first_ms(s) << shift);
    q->tries++;
    return synack_udp_sendto(s, now, q->sock, &q->server, SYNACK_DNS_PORT,
                             buf, n);
}

/* family 0: A, but a literal of either family resolves (synack_dns_query). */
static int query(synack_stack *s, uint64_t now, const char *name,
                 const synack_addr *server, int family)
{
    if (name == NULL)
        return SYNACK_ERR_INVAL;
    if (now > s->now)
        s->now = now;
    int h = -1;
    for (int i = 0; i < SYNACK_DNS_MAX_QUERIES; i++) {
        if (!s->dns.q[i].used) {
            h = i;
            break;
        }
    }
    if (h < 0)
        return SYNACK_ERR_NOMEM;
    synack_dns_slot *q = &s->dns.q[h];
    memset(q, 0, sizeof *q);
    q->sock = -1;
    q->qtype = family == SYNACK_AF_IP6 ? SYNACK_DNS_TYPE_AAAA : SYNACK_DNS_TYPE_A;

    /* A literal address needs no query. */
    synack_addr lit;
    if (synack_addr_parse(name, &lit) == 0) {
        q->used = true;
        q->deadline = UINT64_MAX;
        if (family != 0 && lit.family != family) {
            q->result = SYNACK_ERR_NOTFOUND;
            return h;
        }
        q->addr[0] = lit;
        q->naddr = 1;
        q->result = SYNACK_OK;
        return h;
    }
    if (synack_dns_name_from_text(name, &q->qname) < 0)
        return SYNACK_ERR_INVAL;
    const synack_addr *resolver = synack_dns_server(s);
    if (server != NULL && server->family != 0)
        q->server = *server;
    else if (resolver != NULL)
        q->server = *resolver;
    else
        return SYNACK_ERR_UNREACHABLE;
    int sock = synack_udp_open(s, 0);
    if (sock < 0)
        return sock == SYNACK_ERR_ADDRINUSE ? SYNACK_ERR_NOMEM : sock;
    q->sock = sock;
    q->id = (uint16_t)synack_rng_below(&s->rng, 65536);
    q->used = true;
    q->result = SYNACK_ERR_AGAIN;
    int rc = send_query(s, now, q);
    if (rc < 0) {
        synack_udp_close(s, sock);
        q->used = false;
        return rc;
    }
    return h;
}

int synack_dns_query(synack_stack *s, uint64_t now, const char *name,
                     const synack_addr *server)
{
    return query(s, now, name, server, 0);
}

int synack_dns_query_family(synack_stack *s, uint64_t now, const char *name,
                            const synack_addr *server, int family)
{
    if (family != SYNACK_AF_IP4 && family != SYNACK_AF_IP6)
        return SYNACK_ERR_INVAL;
    return query(s, now, name, server, family);
}

/* Whether the name at `off` in msg equals `want`. */
static bool name_at_equals(const uint8_t *msg, size_t len, uint16_t off,
                           const synack_dns_name *want)
{
    synack_dns_name n;
    return synack_dns_name_read(msg, len, off, &n, NULL) == 0 &&
           synack_dns_name_equal(&n, want);
}

/*
 * Follow the answer section from our question: records of the asked type
 * for the current name end the walk (all of them are kept, up to the
 * slot's room), a CNAME moves to its target. Records of other types are
 * ignored. Returns the number of addresses, or SYNACK_ERR_NOTFOUND when
 * the chain ends without one (NODATA for this type).
 */
static int walk_answers(const uint8_t *msg, size_t len,
                        const synack_dns_repr *r, const synack_dns_name *qname,
                        uint16_t qtype, synack_addr *addr)
{
    synack_dns_name cur = *qname;
    for (int link = 0; link <= MAX_CHAIN; link++) {
        const synack_dns_rr *cname = NULL;
        int n = 0;
        for (uint16_t i = 0; i < r->an_count; i++) {
            const synack_dns_rr *rr = &r->an[i];
            if (rr->cls != SYNACK_DNS_CLASS_IN || rr->type != qtype ||
                n >= SYNACK_DNS_MAX_ADDRS ||
                !name_at_equals(msg, len, rr->name_off, &cur))
                continue;
            /* the parse checked the length: 4 for A, 16 for AAAA */
            synack_addr a;
            memset(&a, 0, sizeof a);
            if (qtype == SYNACK_DNS_TYPE_A) {
                a = synack_addr_from_ip4(synack_ld_be32(msg + rr->rdata_off));
            } else {
                a.family = SYNACK_AF_IP6;
                memcpy(a.b, msg + rr->rdata_off, 16);
            }
            addr[n++] = a;
        }
        if (n > 0)
            return n;
        for (uint16_t i = 0; i < r->an_count && cname == NULL; i++) {
            const synack_dns_rr *rr = &r->an[i];
            if (rr->cls == SYNACK_DNS_CLASS_IN && rr->type == SYNACK_DNS_TYPE_CNAME &&
                name_at_equals(msg, len, rr->name_off, &cur))
                cname = rr;
        }
        if (cname == NULL ||
            synack_dns_name_read(msg, len, cname->rdata_off, &cur, NULL) < 0)
            break;
    }
    return SYNACK_ERR_NOTFOUND;
}

/* One datagram on a query's socket. */
static void on_datagram(synack_stack *s, synack_dns_slot *q, const uint8_t *msg,
                        size_t len, const synack_addr *src, uint16_t sport)
{
    synack_dns_repr r;
    int rc = synack_dns_parse(msg, len, &r);
    if (len < SYNACK_DNS_HDR_LEN) {
        synack_count_drop(s, SYNACK_DROP_DNS_MALFORMED);
        return;
    }
    /* RFC 5452 section 9.1: only our server's answer to our ID counts;
     * anything else may be a spoofing attempt and is counted as such. */
    if (!synack_addr_equal(src, &q->server) || sport != SYNACK_DNS_PORT || r.id != q->id ||
        (r.flags & SYNACK_DNS_QR) == 0 || synack_dns_opcode(&r) != 0) {
        synack_count_drop(s, SYNACK_DROP_DNS_MISMATCH);
        return;
    }
    /* Our ID from our server: a cut-off answer is still an answer. */
    if ((r.flags & SYNACK_DNS_TC) != 0) {
        finish(s, q, SYNACK_ERR_MSGSIZE);
        return;
    }
    if (rc < 0) {
        synack_count_drop(s, SYNACK_DROP_DNS_MALFORMED);
        return;
    }
    if (r.qdcount != 1 || r.qtype != q->qtype || r.qclass != SYNACK_DNS_CLASS_IN ||
        !name_at_equals(msg, len, r.qname_off, &q->qname)) {
        synack_count_drop(s, SYNACK_DROP_DNS_MISMATCH);
        return;
    }
    switch (synack_dns_rcode(&r)) {
    case SYNACK_DNS_RCODE_NOERROR: {
        rc = walk_answers(msg, len, &r, &q->qname, q->qtype, q->addr);
        if (rc > 0)
            q->naddr = (uint8_t)rc;
        finish(s, q, rc > 0 ? SYNACK_OK : rc);
        return;
    }
    case SYNACK_DNS_RCODE_NXDOMAIN:
        finish(s, q, SYNACK_ERR_NOTFOUND);
        return;
    default: /* FORMERR, SERVFAIL, NOTIMP, REFUSED, ... */
        finish(s, q, SYNACK_ERR_REFUSED);
        return;
    }
}

/* Read what arrived for a pending query. */
static void drain(synack_stack *s, synack_dns_slot *q)
{
    uint8_t buf[SYNACK_DNS_UDP_MAX];
    for (int i = 0; i < MAX_READS && q->result == SYNACK_ERR_AGAIN; i++) {
        synack_addr src;
        uint16_t sport;
        int n = synack_udp_recvfrom(s, q->sock, buf, sizeof buf, &src, &sport);
        if (n == SYNACK_ERR_AGAIN)
            return;
        if (n < 0) {
            /* ICMP port unreachable (REFUSED) or ARP failure (UNREACHABLE) */
            finish(s, q, n);
            return;
        }
        if ((size_t)n > sizeof buf) {
            synack_count_drop(s, SYNACK_DROP_DNS_MALFORMED); /* over 512 bytes */
            continue;
        }
        on_datagram(s, q, buf, (size_t)n, &src, sport);
    }
}

int synack_dns_result(synack_stack *s, int h, synack_addr *addr)
{
    synack_dns_slot *q = slot_get(s, h);
    if (q == NULL)
        return SYNACK_ERR_BADF;
    if (q->result == SYNACK_ERR_AGAIN)
        drain(s, q);
    if (q->result == SYNACK_OK && addr != NULL)
        *addr = q->addr[0];
    return q->result;
}

int synack_dns_result_all(synack_stack *s, int h, synack_addr *out, size_t max)
{
    synack_addr first;
    int rc = synack_dns_result(s, h, &first);
    if (rc != SYNACK_OK)
        return rc;
    const synack_dns_slot *q = &s->dns.q[h];
    size_t n = q->naddr < max ? q->naddr : max;
    if (out != NULL)
        memcpy(out, q->addr, n * sizeof *out);
    return (int)n;
}

void synack_dns_close(synack_stack *s, int h)
{
    synack_dns_slot *q = slot_get(s, h);
    if (q == NULL)
        return;
    if (q->sock >= 0)
        synack_udp_close(s, q->sock);
    memset(q, 0, sizeof *q);
}

void synack_dns_poll(synack_stack *s, uint64_t now)
{
    for (int i = 0; i < SYNACK_DNS_MAX_QUERIES; i++) {
        synack_dns_slot *q = &s->dns.q[i];
        if (!q->used || q->result != SYNACK_ERR_AGAIN)
            continue;
        drain(s, q);
        if (q->result != SYNACK_ERR_AGAIN || now < q->deadline)
            continue;
        if (q->tries >= max_tries(s)) {
            finish(s, q, SYNACK_ERR_TIMEOUT);
            continue;
        }
        int rc = send_query(s, now, q);
        if (rc < 0)
            finish(s, q, rc);
    }
}

uint64_t synack_dns_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    for (int i = 0; i < SYNACK_DNS_MAX_QUERIES; i++) {
        const synack_dns_slot *q = &s->dns.q[i];
        if (q->used && q->result == SYNACK_ERR_AGAIN && q->deadline < t)
            t = q->deadline;
    }
    return t;
}
