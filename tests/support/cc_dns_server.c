/* The test DNS server; see cc_dns_server.h. */
#include "cc_dns_server.h"
#include "test_addr.h"

#include <string.h>

#define TTL 60

int cc_dns_server_start(cc_dns_server *d, synack_stack *s, uint16_t port,
                        const cc_dns_record *records, size_t nrecords)
{
    memset(d, 0, sizeof *d);
    d->s = s;
    d->records = records;
    d->nrecords = nrecords;
    d->sock = synack_udp_open(s, port);
    return d->sock < 0 ? d->sock : 0;
}

/* The first record named `name` (wire form); NULL when none. */
static const cc_dns_record *find(const cc_dns_server *d,
                                 const synack_dns_name *name)
{
    for (size_t i = 0; i < d->nrecords; i++) {
        synack_dns_name n;
        if (synack_dns_name_from_text(d->records[i].name, &n) == 0 &&
            synack_dns_name_equal(&n, name))
            return &d->records[i];
    }
    return NULL;
}

typedef struct out {
    uint8_t b[SYNACK_DNS_UDP_MAX];
    size_t len;
} out;

static void put(out *o, const void *p, size_t n)
{
    if (o->len + n <= sizeof o->b) {
        memcpy(o->b + o->len, p, n);
        o->len += n;
    }
}

static void put16(out *o, uint16_t v)
{
    uint8_t b[2];
    synack_wr_be16(b, v);
    put(o, b, 2);
}

static void put32(out *o, uint32_t v)
{
    uint8_t b[4];
    synack_wr_be32(b, v);
    put(o, b, 4);
}

/* An owner name: a pointer to `ptr` when non-zero, else written in full. */
static void put_owner(out *o, const synack_dns_name *n, size_t ptr)
{
    if (ptr != 0)
        put16(o, (uint16_t)(0xc000 | ptr));
    else
        put(o, n->b, n->len);
}

/* Build the answer to a query whose question ends at qend. */
static size_t answer(cc_dns_server *d, const uint8_t *q, size_t qend,
                     const synack_dns_repr *qr, uint16_t id, out *o)
{
    synack_dns_name cur;
    synack_dns_name_read(q, qend, qr->qname_off, &cur, NULL);
    o->len = 0;
    put16(o, id);
    put16(o, 0); /* flags, filled in below */
    put16(o, 1);
    put16(o, 0); /* ancount, below */
    put16(o, 0);
    put16(o, 0);
    put(o, q + SYNACK_DNS_HDR_LEN, qend - SYNACK_DNS_HDR_LEN);

    uint16_t rcode = SYNACK_DNS_RCODE_NOERROR, an = 0;
    size_t owner_ptr = SYNACK_DNS_HDR_LEN; /* the question's name */
    if (d->servfail) {
        rcode = SYNACK_DNS_RCODE_SERVFAIL;
    } else if (!d->truncate) {
        if (find(d, &cur) == NULL)
            rcode = SYNACK_DNS_RCODE_NXDOMAIN;
        for (int link = 0; link < 10; link++) {
            const cc_dns_record *r = find(d, &cur);
            if (r == NULL)
                break;
            if (r->type == SYNACK_DNS_TYPE_CNAME) {
                put_owner(o, &cur, owner_ptr);
                put16(o, r->type);
                put16(o, SYNACK_DNS_CLASS_IN);
                put32(o, TTL);
                an++;
                synack_dns_name_from_text(r->target, &cur);
                put16(o, cur.len);
                owner_ptr = o->len; /* the next owner points at this target */
                put(o, cur.b, cur.len);
                continue;
            }
            /* every record of the asked type for this name */
            for (size_t i = 0; i < d->nrecords; i++) {
                const cc_dns_record *x = &d->records[i];
                synack_dns_name n;
                if (x->type != qr->qtype ||
                    synack_dns_name_from_text(x->name, &n) != 0 ||
                    !synack_dns_name_equal(&n, &cur))
                    continue;
                put_owner(o, &cur, owner_ptr);
                put16(o, x->type);
                put16(o, SYNACK_DNS_CLASS_IN);
                put32(o, TTL);
                an++;
                if (x->type == SYNACK_DNS_TYPE_A) {
                    put16(o, 4);
                    put32(o, x->addr);
                } else if (x->type == SYNACK_DNS_TYPE_AAAA) {
                    synack_addr a;
                    synack_addr_parse(x->target, &a);
                    put16(o, 16);
                    put(o, a.b, 16);
                } else {
                    put16(o, 0);
                }
            }
            break;
        }
    }
    uint16_t flags = SYNACK_DNS_QR | SYNACK_DNS_RD | SYNACK_DNS_RA | rcode;
    if (d->truncate)
        flags |= SYNACK_DNS_TC;
    synack_wr_be16(o->b + 2, flags);
    synack_wr_be16(o->b + 6, an);
    return o->len;
}

int cc_dns_server_service(void *ctx, net_fixture *f)
{
    cc_dns_server *d = ctx;
    int sent = 0;
    uint8_t q[SYNACK_DNS_UDP_MAX];
    for (int i = 0; i < 64; i++) {
        synack_addr src;
        uint16_t sport;
        int n = synack_udp_recvfrom(d->s, d->sock, q, sizeof q, &src, &sport);
        if (n < 0)
            break;
        synack_dns_repr qr;
        int qend = synack_dns_parse(q, (size_t)n, &qr);
        if (qend < 0 || qr.qdcount != 1)
            continue;
        if (d->queries < CC_DNS_LOG_MAX) {
            d->t[d->queries] = f->now;
            d->sport[d->queries] = sport;
            d->id[d->queries] = qr.id;
        }
        d->queries++;
        if (d->silent || d->queries <= d->ignore_first ||
            (d->ignore_type != 0 && qr.qtype == d->ignore_type))
            continue;
        out o;
        if (d->craft != NULL) {
            o.len = d->craft(d->craft_ctx, q, (size_t)n, o.b, sizeof o.b);
            if (o.len > 0)
                sent += synack_udp_sendto(d->s, f->now, d->sock, &src, sport,
                                          o.b, o.len) == 0;
            continue;
        }
        if (d->bad_first) {
            /* the wrong ID, then the right ID for another question */
            answer(d, q, (size_t)qend, &qr, (uint16_t)(qr.id + 1), &o);
            sent += synack_udp_sendto(d->s, f->now, d->sock, &src, sport, o.b,
                                      o.len) == 0;
            answer(d, q, (size_t)qend, &qr, qr.id, &o);
            o.b[SYNACK_DNS_HDR_LEN + 1] ^= 0x01; /* first letter of the name */
            sent += synack_udp_sendto(d->s, f->now, d->sock, &src, sport, o.b,
                                      o.len) == 0;
        }
        answer(d, q, (size_t)qend, &qr, qr.id, &o);
        sent += synack_udp_sendto(d->s, f->now, d->sock, &src, sport, o.b,
                                  o.len) == 0;
    }
    return sent;
}
