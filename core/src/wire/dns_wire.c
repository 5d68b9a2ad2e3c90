/*
 * DNS message format (RFC 1035 section 4.1): header, question and
 * resource records, with name compression (section 4.1.4) read under
 * strict bounds: labels inside the message, only 00 and 11 label types
 * (RFC 6891 section 5 retired the others), pointers strictly backwards
 * from where the current run of labels began, at most SYNACK_DNS_MAX_JUMPS
 * of them, and names of at most 255 bytes (RFC 1035 section 2.3.4).
 */
#include <string.h>

#include "wire/wire_app.h"

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

int synack_dns_name_read(const uint8_t *msg, size_t len, size_t off,
                         synack_dns_name *out, size_t *next)
{
    size_t pos = off;
    size_t run_start = off; /* a pointer must point before this */
    size_t after = 0;       /* offset after the name where it appears */
    unsigned jumps = 0;
    out->len = 0;
    /* Each step either appends a label (the name is capped at 255 bytes)
     * or follows a pointer (capped at MAX_JUMPS): bounded. */
    for (;;) {
        if (pos >= len)
            return SYNACK_WIRE_TRUNCATED;
        uint8_t l = msg[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= len)
                return SYNACK_WIRE_TRUNCATED;
            size_t ptr = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
            if (jumps == 0)
                after = pos + 2;
            if (++jumps > SYNACK_DNS_MAX_JUMPS || ptr >= run_start)
                return SYNACK_WIRE_BAD_POINTER;
            pos = run_start = ptr;
            continue;
        }
        if ((l & 0xc0) != 0)
            return SYNACK_WIRE_BAD_NAME; /* 01 and 10 label types */
        if (l == 0) {
            if (out->len >= SYNACK_DNS_NAME_MAX)
                return SYNACK_WIRE_BAD_NAME;
            out->b[out->len++] = 0;
            if (jumps == 0)
                after = pos + 1;
            break;
        }
        if (pos + 1 + l > len)
            return SYNACK_WIRE_TRUNCATED;
        /* this label, its length byte and the root label still to come */
        if ((size_t)out->len + 1 + l + 1 > SYNACK_DNS_NAME_MAX)
            return SYNACK_WIRE_BAD_NAME;
        out->b[out->len++] = l;
        for (size_t i = 0; i < l; i++)
            out->b[out->len++] = lower(msg[pos + 1 + i]);
        pos += 1 + (size_t)l;
    }
    if (next != NULL)
        *next = after;
    return 0;
}

int synack_dns_name_from_text(const char *text, synack_dns_name *out)
{
    out->len = 0;
    size_t i = 0;
    if (text == NULL || text[0] == '\0')
        return SYNACK_WIRE_BAD_NAME;
    /* Bounded: at most 255 output bytes, each loop step writes one. */
    while (text[i] != '\0') {
        size_t start = i;
        while (text[i] != '\0' && text[i] != '.') {
            uint8_t c = (uint8_t)text[i];
            if (c <= 0x20 || c >= 0x7f || i - start >= 63)
                return SYNACK_WIRE_BAD_NAME;
            i++;
        }
        size_t l = i - start;
        if (l == 0)
            return SYNACK_WIRE_BAD_NAME; /* empty label: "a..b" or ".a" */
        if ((size_t)out->len + 1 + l + 1 > SYNACK_DNS_NAME_MAX)
            return SYNACK_WIRE_BAD_NAME;
        out->b[out->len++] = (uint8_t)l;
        for (size_t k = 0; k < l; k++)
            out->b[out->len++] = lower((uint8_t)text[start + k]);
        if (text[i] == '.')
            i++; /* a final dot ends the name */
    }
    out->b[out->len++] = 0;
    return 0;
}

bool synack_dns_name_equal(const synack_dns_name *a, const synack_dns_name *b)
{
    return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

int synack_dns_parse(const uint8_t *msg, size_t len, synack_dns_repr *out)
{
    memset(out, 0, sizeof *out);
    if (len < SYNACK_DNS_HDR_LEN)
        return SYNACK_WIRE_TRUNCATED;
    if (len > 65535)
        return SYNACK_WIRE_BAD_LEN;
    synack_rd r = synack_rd_init(msg, len);
    out->id = synack_rd_be16(&r);
    out->flags = synack_rd_be16(&r);
    out->qdcount = synack_rd_be16(&r);
    out->ancount = synack_rd_be16(&r);
    out->nscount = synack_rd_be16(&r);
    out->arcount = synack_rd_be16(&r);

    synack_dns_name name;
    size_t off = SYNACK_DNS_HDR_LEN;
    /* Every question and record takes at least 5 bytes or fails: the loops
     * are bounded by the message length. */
    for (uint32_t i = 0; i < out->qdcount; i++) {
        size_t name_off = off;
        int rc = synack_dns_name_read(msg, len, off, &name, &off);
        if (rc < 0)
            return rc;
        r.off = off;
        uint16_t qtype = synack_rd_be16(&r);
        uint16_t qclass = synack_rd_be16(&r);
        if (r.bad)
            return SYNACK_WIRE_TRUNCATED;
        off = r.off;
        if (i == 0) {
            out->qname_off = (uint16_t)name_off;
            out->qtype = qtype;
            out->qclass = qclass;
        }
    }
    for (uint32_t i = 0; i < out->ancount; i++) {
        synack_dns_rr rr;
        rr.name_off = (uint16_t)off;
        int rc = synack_dns_name_read(msg, len, off, &name, &off);
        if (rc < 0)
            return rc;
        r.off = off;
        rr.type = synack_rd_be16(&r);
        rr.cls = synack_rd_be16(&r);
        rr.ttl = synack_rd_be32(&r);
        rr.rdlen = synack_rd_be16(&r);
        if (r.bad)
            return SYNACK_WIRE_TRUNCATED;
        rr.rdata_off = (uint16_t)r.off;
        if (!synack_rd_has(&r, rr.rdlen))
            return SYNACK_WIRE_TRUNCATED;
        off = r.off + rr.rdlen;
        if (rr.cls == SYNACK_DNS_CLASS_IN && rr.type == SYNACK_DNS_TYPE_A &&
            rr.rdlen != 4)
            return SYNACK_WIRE_BAD_LEN;
        /* RFC 3596 section 2.2: an AAAA record holds 16 bytes exactly */
        if (rr.cls == SYNACK_DNS_CLASS_IN && rr.type == SYNACK_DNS_TYPE_AAAA &&
            rr.rdlen != 16)
            return SYNACK_WIRE_BAD_LEN;
        if (rr.type == SYNACK_DNS_TYPE_CNAME) {
            /* The target must be a valid name filling the RDATA exactly. */
            size_t end;
            rc = synack_dns_name_read(msg, len, rr.rdata_off, &name, &end);
            if (rc < 0)
                return rc;
            if (end != off)
                return SYNACK_WIRE_BAD_LEN;
        }
        if (out->an_count < SYNACK_DNS_MAX_ANSWERS)
            out->an[out->an_count++] = rr;
    }
    return (int)off;
}

size_t synack_dns_query_emit(uint8_t *buf, size_t cap, uint16_t id,
                             const synack_dns_name *qname, uint16_t qtype,
                             uint16_t qclass)
{
    size_t total = SYNACK_DNS_HDR_LEN + (size_t)qname->len + 4;
    if (cap < total || qname->len == 0)
        return 0;
    memset(buf, 0, SYNACK_DNS_HDR_LEN);
    synack_wr_be16(buf, id);
    synack_wr_be16(buf + 2, SYNACK_DNS_RD);
    synack_wr_be16(buf + 4, 1); /* QDCOUNT */
    memcpy(buf + SYNACK_DNS_HDR_LEN, qname->b, qname->len);
    uint8_t *p = buf + SYNACK_DNS_HDR_LEN + qname->len;
    synack_wr_be16(p, qtype);
    synack_wr_be16(p + 2, qclass);
    return total;
}
