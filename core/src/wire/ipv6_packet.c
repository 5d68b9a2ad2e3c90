/*
 * The IPv6 fixed header (RFC 8200 section 3). Nothing here knows extension
 * headers: the header names the first of them (or the upper layer) in
 * `next`, and the IPv6 layer walks the chain with its own limits.
 */
#include <string.h>

#include "wire/wire.h"

int synack_ip6_parse(const uint8_t *buf, size_t len, synack_ip6_repr *out)
{
    synack_rd r = synack_rd_init(buf, len);
    uint32_t vtf = synack_rd_be32(&r); /* version, traffic class, flow label */
    out->payload_len = synack_rd_be16(&r);
    out->next = synack_rd_u8(&r);
    out->hop_limit = synack_rd_u8(&r);
    memset(&out->src, 0, sizeof out->src);
    memset(&out->dst, 0, sizeof out->dst);
    synack_rd_bytes(&r, out->src.b, 16);
    synack_rd_bytes(&r, out->dst.b, 16);
    if (r.bad)
        return SYNACK_WIRE_TRUNCATED;
    if ((vtf >> 28) != 6)
        return SYNACK_WIRE_BAD_VERSION;
    out->tclass = (uint8_t)(vtf >> 20);
    out->flow = vtf & 0xfffffu;
    out->src.family = SYNACK_AF_IP6;
    out->dst.family = SYNACK_AF_IP6;
    if ((size_t)out->payload_len > len - SYNACK_IP6_HDR_LEN)
        return SYNACK_WIRE_BAD_LEN;
    return SYNACK_IP6_HDR_LEN;
}

size_t synack_ip6_emit(const synack_ip6_repr *r, uint8_t *buf)
{
    uint32_t vtf = 6u << 28 | (uint32_t)r->tclass << 20 | (r->flow & 0xfffffu);
    synack_wr_be32(buf, vtf);
    synack_wr_be16(buf + 4, r->payload_len);
    buf[6] = r->next;
    buf[7] = r->hop_limit;
    memcpy(buf + 8, r->src.b, 16);
    memcpy(buf + 24, r->dst.b, 16);
    return SYNACK_IP6_HDR_LEN;
}

/* The options of a Hop-by-Hop or Destination Options header (RFC 8200
 * 4.2): `opts` after its first two bytes, `base` their offset from the
 * IPv6 header for pointers. Returns the verdict. */
static int options_walk(const uint8_t *opts, size_t n, uint32_t base,
                        synack_ip6_ext *out)
{
    size_t i = 0;
    while (i < n) {
        uint8_t type = opts[i];
        if (type == 0) { /* Pad1 */
            i++;
            continue;
        }
        if (i + 2 > n || i + 2 + (size_t)opts[i + 1] > n)
            return SYNACK_IP6_EXT_DROP; /* an option past its header */
        if (type != 1) { /* PadN is skipped like any known option */
            switch (type >> 6) {
            case 0: /* skip over this option */
                break;
            case 1:
                return SYNACK_IP6_EXT_DROP;
            default:
                out->code = 2; /* unrecognized IPv6 option */
                out->pointer = base + (uint32_t)i;
                return (type >> 6) == 2 ? SYNACK_IP6_EXT_PARAM : SYNACK_IP6_EXT_PARAM_MCAST;
            }
        }
        i += 2 + (size_t)opts[i + 1];
    }
    return SYNACK_IP6_EXT_OK;
}

int synack_ip6_ext_walk(const uint8_t *payload, size_t len, uint8_t next,
                        synack_ip6_ext *out)
{
    memset(out, 0, sizeof *out);
    size_t off = 0;
    /* the octet (from the IPv6 header) that named the current header */
    uint32_t named_at = 6;
    for (int count = 0;; count++) {
        if (next != SYNACK_IP6_NEXT_HOPOPTS && next != SYNACK_IP6_NEXT_DSTOPTS &&
            next != SYNACK_IP6_NEXT_ROUTING && next != SYNACK_IP6_NEXT_FRAGMENT)
            break; /* the upper layer (or 59: nothing) */
        if (count == SYNACK_IP6_EXT_MAX) {
            out->verdict = SYNACK_IP6_EXT_DROP;
            return out->verdict;
        }
        if (next == SYNACK_IP6_NEXT_HOPOPTS && count != 0) {
            /* RFC 8200 4.3: only right after the IPv6 header */
            out->code = 1; /* unrecognized Next Header type */
            out->pointer = named_at;
            out->verdict = SYNACK_IP6_EXT_PARAM;
            return out->verdict;
        }
        if (len - off < 8) {
            out->verdict = SYNACK_IP6_EXT_DROP;
            return out->verdict;
        }
        const uint8_t *h = payload + off;
        uint32_t at = SYNACK_IP6_HDR_LEN + (uint32_t)off;
        if (next == SYNACK_IP6_NEXT_FRAGMENT) {
            uint16_t fo = synack_ld_be16(h + 2);
            out->frag = true;
            out->frag_off = (uint16_t)(fo & 0xfff8u);
            out->more = (fo & 1u) != 0;
            out->frag_id = synack_ld_be32(h + 4);
            out->proto = h[0];
            out->next_at = at;
            out->off = off + 8;
            out->verdict = SYNACK_IP6_EXT_OK;
            return out->verdict; /* what follows is fragment data */
        }
        size_t hlen = ((size_t)h[1] + 1) * 8;
        if (hlen > len - off) {
            out->verdict = SYNACK_IP6_EXT_DROP;
            return out->verdict;
        }
        if (next == SYNACK_IP6_NEXT_ROUTING) {
            if (h[3] != 0) { /* segments left: a host routes nothing */
                out->code = 0; /* erroneous header field */
                out->pointer = at + 2; /* the routing type */
                out->verdict = SYNACK_IP6_EXT_PARAM;
                return out->verdict;
            }
        } else {
            int v = options_walk(h + 2, hlen - 2, at + 2, out);
            if (v != SYNACK_IP6_EXT_OK) {
                out->verdict = (uint8_t)v;
                return out->verdict;
            }
        }
        named_at = at;
        next = h[0];
        off += hlen;
    }
    out->proto = next;
    out->next_at = named_at;
    out->off = off;
    out->verdict = SYNACK_IP6_EXT_OK;
    return out->verdict;
}

int synack_ip6_quote_parse(const uint8_t *buf, size_t len, synack_quote_repr *out)
{
    if (len < SYNACK_IP6_HDR_LEN)
        return SYNACK_WIRE_TRUNCATED;
    if ((buf[0] >> 4) != 6)
        return SYNACK_WIRE_BAD_VERSION;
    synack_ip6_ext e;
    const uint8_t *payload = buf + SYNACK_IP6_HDR_LEN;
    if (synack_ip6_ext_walk(payload, len - SYNACK_IP6_HDR_LEN, buf[6], &e) !=
            SYNACK_IP6_EXT_OK ||
        len - SYNACK_IP6_HDR_LEN - e.off < 8)
        return SYNACK_WIRE_BAD_HDR_LEN;
    memset(&out->src, 0, sizeof out->src);
    memset(&out->dst, 0, sizeof out->dst);
    out->src.family = out->dst.family = SYNACK_AF_IP6;
    memcpy(out->src.b, buf + 8, 16);
    memcpy(out->dst.b, buf + 24, 16);
    out->proto = e.proto;
    out->frag_off = e.frag_off;
    out->l4 = payload + e.off;
    out->l4len = len - SYNACK_IP6_HDR_LEN - e.off;
    return (int)(SYNACK_IP6_HDR_LEN + e.off);
}
