/*
 * TCP options: the option list rules of RFC 9293 section 3.1 ("Options",
 * kinds 0 and 1 are single bytes, every other kind has a length byte that
 * counts kind and length) and section 3.7.1 (MSS), RFC 7323 section 2.2
 * (window scale) and section 3.2 (timestamps), RFC 2018 section 2 and 3
 * (SACK-permitted, SACK blocks).
 *
 * On receive, an option whose length is below 2 or runs past the header
 * makes the whole segment malformed (we cannot know where the next option
 * starts); a known option with the wrong length is malformed too; unknown
 * kinds are skipped by their length (RFC 9293 section 3.1, "must be
 * prepared to handle an illegal option length ... and ignore unknown
 * options").
 *
 * On send, options are laid out on 4-byte boundaries with NOPs, the way
 * common stacks do, so the header needs no trailing padding.
 */
#include "wire/tcp_options.h"

enum {
    OPT_EOL = 0,
    OPT_NOP = 1,
    OPT_MSS = 2,
    OPT_WS = 3,
    OPT_SACK_PERM = 4,
    OPT_SACK = 5,
    OPT_TS = 8,
};

enum {
    OPT_MSS_LEN = 4,
    OPT_WS_LEN = 3,
    OPT_SACK_PERM_LEN = 2,
    OPT_TS_LEN = 10,
    OPT_SACK_BLOCK_LEN = 8,
    OPT_MAX_SPACE = SYNACK_TCP_MAX_HDR_LEN - SYNACK_TCP_HDR_LEN,
};

static void options_reset(synack_tcp_repr *out)
{
    out->has_mss = false;
    out->mss = 0;
    out->has_ws = false;
    out->ws = 0;
    out->sack_ok = false;
    out->has_ts = false;
    out->tsval = 0;
    out->tsecr = 0;
    out->sack_count = 0;
}

/* One option with its length already validated; body is optlen-2 bytes. */
static int option_apply(uint8_t kind, synack_rd *body, size_t optlen,
                        synack_tcp_repr *out)
{
    switch (kind) {
    case OPT_MSS:
        if (optlen != OPT_MSS_LEN)
            return SYNACK_WIRE_BAD_OPTION;
        out->has_mss = true;
        out->mss = synack_rd_be16(body);
        break;
    case OPT_WS:
        if (optlen != OPT_WS_LEN)
            return SYNACK_WIRE_BAD_OPTION;
        out->has_ws = true;
        out->ws = synack_rd_u8(body);
        break;
    case OPT_SACK_PERM:
        if (optlen != OPT_SACK_PERM_LEN)
            return SYNACK_WIRE_BAD_OPTION;
        out->sack_ok = true;
        break;
    case OPT_TS:
        if (optlen != OPT_TS_LEN)
            return SYNACK_WIRE_BAD_OPTION;
        out->has_ts = true;
        out->tsval = synack_rd_be32(body);
        out->tsecr = synack_rd_be32(body);
        break;
    case OPT_SACK: {
        /* RFC 2018 section 3: length 2 + 8n; n >= 1, at most 4 fit. */
        size_t n = (optlen - 2) / OPT_SACK_BLOCK_LEN;
        if (optlen < 2 + OPT_SACK_BLOCK_LEN ||
            (optlen - 2) % OPT_SACK_BLOCK_LEN != 0 || n > SYNACK_TCP_MAX_SACK)
            return SYNACK_WIRE_BAD_OPTION;
        out->sack_count = (uint8_t)n;
        for (size_t i = 0; i < n; i++) {
            out->sack[i].left = synack_rd_be32(body);
            out->sack[i].right = synack_rd_be32(body);
        }
        break;
    }
    default:
        break; /* unknown kind: skipped by its length */
    }
    return 0;
}

int synack_wire_tcpopts_parse(const uint8_t *opts, size_t len,
                              synack_tcp_repr *out)
{
    options_reset(out);
    synack_rd r = synack_rd_init(opts, len);
    /* Each pass consumes at least one byte, so this ends within len passes. */
    while (synack_rd_has(&r, 1)) {
        uint8_t kind = synack_rd_u8(&r);
        if (kind == OPT_EOL)
            break; /* the rest is padding */
        if (kind == OPT_NOP)
            continue;
        if (!synack_rd_has(&r, 1))
            return SYNACK_WIRE_BAD_OPTION; /* no room for the length byte */
        size_t optlen = synack_rd_u8(&r);
        if (optlen < 2 || !synack_rd_has(&r, optlen - 2))
            return SYNACK_WIRE_BAD_OPTION;
        synack_rd body = synack_rd_init(r.p + r.off, optlen - 2);
        int rc = option_apply(kind, &body, optlen, out);
        if (rc < 0)
            return rc;
        synack_rd_skip(&r, optlen - 2);
    }
    return 0;
}

/* Bytes used by everything except SACK blocks (all 4-byte aligned). */
static size_t fixed_options_len(const synack_tcp_repr *r)
{
    size_t n = 0;
    if (r->has_mss)
        n += 4;
    if (r->has_ts)
        n += 12; /* SACK-permitted + TS, or NOP NOP + TS */
    else if (r->sack_ok)
        n += 4; /* NOP NOP SACK-permitted */
    if (r->has_ws)
        n += 4; /* NOP + window scale */
    return n;
}

uint8_t synack_wire_tcpopts_sack_fit(const synack_tcp_repr *r)
{
    size_t room = OPT_MAX_SPACE - fixed_options_len(r);
    if (room < 4 + OPT_SACK_BLOCK_LEN)
        return 0;
    size_t fit = (room - 4) / OPT_SACK_BLOCK_LEN;
    size_t want = r->sack_count;
    if (want > SYNACK_TCP_MAX_SACK)
        want = SYNACK_TCP_MAX_SACK;
    return (uint8_t)(want < fit ? want : fit);
}

size_t synack_wire_tcpopts_len(const synack_tcp_repr *r)
{
    size_t n = fixed_options_len(r);
    uint8_t blocks = synack_wire_tcpopts_sack_fit(r);
    if (blocks > 0)
        n += 4 + (size_t)blocks * OPT_SACK_BLOCK_LEN;
    return n;
}

size_t synack_wire_tcpopts_emit(const synack_tcp_repr *r, uint8_t *buf)
{
    uint8_t *p = buf;
    if (r->has_mss) {
        p[0] = OPT_MSS;
        p[1] = OPT_MSS_LEN;
        synack_wr_be16(p + 2, r->mss);
        p += 4;
    }
    if (r->has_ts) {
        if (r->sack_ok) {
            p[0] = OPT_SACK_PERM;
            p[1] = OPT_SACK_PERM_LEN;
        } else {
            p[0] = OPT_NOP;
            p[1] = OPT_NOP;
        }
        p[2] = OPT_TS;
        p[3] = OPT_TS_LEN;
        synack_wr_be32(p + 4, r->tsval);
        synack_wr_be32(p + 8, r->tsecr);
        p += 12;
    } else if (r->sack_ok) {
        p[0] = OPT_NOP;
        p[1] = OPT_NOP;
        p[2] = OPT_SACK_PERM;
        p[3] = OPT_SACK_PERM_LEN;
        p += 4;
    }
    if (r->has_ws) {
        p[0] = OPT_NOP;
        p[1] = OPT_WS;
        p[2] = OPT_WS_LEN;
        p[3] = r->ws;
        p += 4;
    }
    uint8_t blocks = synack_wire_tcpopts_sack_fit(r);
    if (blocks > 0) {
        p[0] = OPT_NOP;
        p[1] = OPT_NOP;
        p[2] = OPT_SACK;
        p[3] = (uint8_t)(2 + blocks * OPT_SACK_BLOCK_LEN);
        p += 4;
        for (uint8_t i = 0; i < blocks; i++) {
            synack_wr_be32(p, r->sack[i].left);
            synack_wr_be32(p + 4, r->sack[i].right);
            p += 8;
        }
    }
    return (size_t)(p - buf);
}
