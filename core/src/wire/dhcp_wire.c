/*
 * DHCP message format (RFC 2131 section 2, figure 1) and options
 * (RFC 2132 sections 2, 3.3, 3.5, 3.8, 9.1 to 9.12): bounds-checked
 * parse into synack_dhcp_repr and emit from it.
 *
 * Option overload (option 52, RFC 2132 section 9.3) is recorded but the
 * sname and file fields are not searched for more options: servers put
 * nothing we need there in practice, and ignoring them only loses options.
 */
#include <string.h>

#include "wire/wire_app.h"

int synack_ip4_mask_prefix(synack_ip4 mask)
{
    int n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)) != 0)
        n++;
    /* every bit after the run of ones must be zero */
    if (n < 32 && (mask & (0xffffffffu >> n)) != 0)
        return -1;
    return n;
}

/* Options with a fixed size, and whether each was seen (no repeats). */
typedef struct seen_opts {
    bool msg_type, mask, router, dns, req_ip, lease, overload, server_id;
    bool params, max_size, t1, t2;
} seen_opts;

/* Read a list of addresses (options 3, 6): a non-zero multiple of 4. */
static int read_addrs(synack_rd *r, uint8_t olen, synack_ip4 *out,
                      uint8_t *count)
{
    if (olen == 0 || olen % 4 != 0)
        return SYNACK_WIRE_BAD_OPTION;
    *count = 0;
    for (uint8_t i = 0; i < olen / 4; i++) {
        synack_ip4 a = synack_rd_be32(r);
        if (*count < SYNACK_DHCP_MAX_ADDRS)
            out[(*count)++] = a;
    }
    return 0;
}

/* Take a fixed-size option once: false when repeated or of another size. */
static bool once(bool *seen, uint8_t olen, uint8_t want)
{
    if (*seen || olen != want)
        return false;
    *seen = true;
    return true;
}

/* One option with code `code` and `olen` data bytes (bounds already checked). */
static int parse_option(synack_rd *r, uint8_t code, uint8_t olen,
                        seen_opts *seen, synack_dhcp_repr *out)
{
    switch (code) {
    case SYNACK_DHCPOPT_MSG_TYPE:
        if (!once(&seen->msg_type, olen, 1))
            return SYNACK_WIRE_BAD_OPTION;
        out->msg_type = synack_rd_u8(r);
        return 0;
    case SYNACK_DHCPOPT_SUBNET_MASK:
        if (!once(&seen->mask, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_subnet_mask = true;
        out->subnet_mask = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_REQUESTED_IP:
        if (!once(&seen->req_ip, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_requested_ip = true;
        out->requested_ip = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_SERVER_ID:
        if (!once(&seen->server_id, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_server_id = true;
        out->server_id = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_LEASE_TIME:
        if (!once(&seen->lease, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_lease_time = true;
        out->lease_time = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_T1:
        if (!once(&seen->t1, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_t1 = true;
        out->t1 = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_T2:
        if (!once(&seen->t2, olen, 4))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_t2 = true;
        out->t2 = synack_rd_be32(r);
        return 0;
    case SYNACK_DHCPOPT_MAX_MSG_SIZE:
        if (!once(&seen->max_size, olen, 2))
            return SYNACK_WIRE_BAD_OPTION;
        out->has_max_msg_size = true;
        out->max_msg_size = synack_rd_be16(r);
        return 0;
    case SYNACK_DHCPOPT_OVERLOAD:
        if (!once(&seen->overload, olen, 1))
            return SYNACK_WIRE_BAD_OPTION;
        out->overload = synack_rd_u8(r);
        return 0;
    case SYNACK_DHCPOPT_ROUTER:
        if (seen->router)
            return SYNACK_WIRE_BAD_OPTION;
        seen->router = true;
        return read_addrs(r, olen, out->router, &out->router_count);
    case SYNACK_DHCPOPT_DNS:
        if (seen->dns)
            return SYNACK_WIRE_BAD_OPTION;
        seen->dns = true;
        return read_addrs(r, olen, out->dns, &out->dns_count);
    case SYNACK_DHCPOPT_PARAM_LIST:
        if (seen->params || olen == 0)
            return SYNACK_WIRE_BAD_OPTION;
        seen->params = true;
        for (uint8_t i = 0; i < olen; i++) {
            uint8_t p = synack_rd_u8(r);
            if (out->param_count < SYNACK_DHCP_MAX_PARAMS)
                out->params[out->param_count++] = p;
        }
        return 0;
    default:
        synack_rd_skip(r, olen); /* RFC 2132 section 2: skip unknown options */
        return 0;
    }
}

int synack_dhcp_parse(const uint8_t *buf, size_t len, synack_dhcp_repr *out)
{
    memset(out, 0, sizeof *out);
    if (len < SYNACK_DHCP_MIN_LEN)
        return SYNACK_WIRE_TRUNCATED;
    synack_rd r = synack_rd_init(buf, len);
    out->op = synack_rd_u8(&r);
    out->htype = synack_rd_u8(&r);
    out->hlen = synack_rd_u8(&r);
    out->hops = synack_rd_u8(&r);
    out->xid = synack_rd_be32(&r);
    out->secs = synack_rd_be16(&r);
    out->flags = synack_rd_be16(&r);
    out->ciaddr = synack_rd_be32(&r);
    out->yiaddr = synack_rd_be32(&r);
    out->siaddr = synack_rd_be32(&r);
    out->giaddr = synack_rd_be32(&r);
    synack_rd_bytes(&r, out->chaddr, 16);
    synack_rd_skip(&r, 64 + 128); /* sname, file */
    if (out->hlen > 16)
        return SYNACK_WIRE_BAD_LEN;
    if (synack_rd_be32(&r) != SYNACK_DHCP_MAGIC)
        return SYNACK_WIRE_UNSUPPORTED; /* plain BOOTP */

    seen_opts seen;
    memset(&seen, 0, sizeof seen);
    /* Each iteration consumes at least one byte: bounded by len. */
    while (synack_rd_has(&r, 1)) {
        uint8_t code = synack_rd_u8(&r);
        if (code == SYNACK_DHCPOPT_PAD)
            continue;
        if (code == SYNACK_DHCPOPT_END)
            return (int)len; /* bytes after END are padding */
        if (!synack_rd_has(&r, 1))
            return SYNACK_WIRE_TRUNCATED;
        uint8_t olen = synack_rd_u8(&r);
        if (!synack_rd_has(&r, olen))
            return SYNACK_WIRE_TRUNCATED;
        int rc = parse_option(&r, code, olen, &seen, out);
        if (rc < 0)
            return rc;
    }
    return SYNACK_WIRE_TRUNCATED; /* no END option */
}

/* Bytes the options of r take (without END). */
static size_t options_len(const synack_dhcp_repr *r)
{
    size_t n = 0;
    if (r->msg_type != 0)
        n += 3;
    n += r->has_subnet_mask ? 6 : 0;
    n += r->router_count > 0 ? 2 + 4u * r->router_count : 0;
    n += r->dns_count > 0 ? 2 + 4u * r->dns_count : 0;
    n += r->has_requested_ip ? 6 : 0;
    n += r->has_lease_time ? 6 : 0;
    n += r->has_server_id ? 6 : 0;
    n += r->param_count > 0 ? 2u + r->param_count : 0;
    n += r->has_max_msg_size ? 4 : 0;
    n += r->has_t1 ? 6 : 0;
    n += r->has_t2 ? 6 : 0;
    return n;
}

static uint8_t *put_u32_opt(uint8_t *p, uint8_t code, uint32_t v)
{
    p[0] = code;
    p[1] = 4;
    synack_wr_be32(p + 2, v);
    return p + 6;
}

static uint8_t *put_addrs(uint8_t *p, uint8_t code, const synack_ip4 *a,
                          uint8_t count)
{
    if (count > SYNACK_DHCP_MAX_ADDRS)
        count = SYNACK_DHCP_MAX_ADDRS;
    if (count == 0)
        return p;
    *p++ = code;
    *p++ = (uint8_t)(4 * count);
    for (uint8_t i = 0; i < count; i++, p += 4)
        synack_wr_be32(p, a[i]);
    return p;
}

size_t synack_dhcp_emit(const synack_dhcp_repr *r, uint8_t *buf, size_t cap)
{
    size_t total = SYNACK_DHCP_MIN_LEN + options_len(r) + 1;
    if (total < SYNACK_DHCP_BOOTP_MIN)
        total = SYNACK_DHCP_BOOTP_MIN;
    if (cap < total || r->param_count > SYNACK_DHCP_MAX_PARAMS)
        return 0;
    memset(buf, 0, total);
    uint8_t *p = buf;
    p[0] = r->op;
    p[1] = r->htype;
    p[2] = r->hlen;
    p[3] = r->hops;
    synack_wr_be32(p + 4, r->xid);
    synack_wr_be16(p + 8, r->secs);
    synack_wr_be16(p + 10, r->flags);
    synack_wr_be32(p + 12, r->ciaddr);
    synack_wr_be32(p + 16, r->yiaddr);
    synack_wr_be32(p + 20, r->siaddr);
    synack_wr_be32(p + 24, r->giaddr);
    memcpy(p + 28, r->chaddr, 16);
    synack_wr_be32(p + SYNACK_DHCP_FIXED_LEN, SYNACK_DHCP_MAGIC);
    p += SYNACK_DHCP_MIN_LEN;

    if (r->msg_type != 0) {
        /* RFC 2131 section 4.1: option 53 comes first by custom. */
        *p++ = SYNACK_DHCPOPT_MSG_TYPE;
        *p++ = 1;
        *p++ = r->msg_type;
    }
    if (r->has_subnet_mask)
        p = put_u32_opt(p, SYNACK_DHCPOPT_SUBNET_MASK, r->subnet_mask);
    p = put_addrs(p, SYNACK_DHCPOPT_ROUTER, r->router, r->router_count);
    p = put_addrs(p, SYNACK_DHCPOPT_DNS, r->dns, r->dns_count);
    if (r->has_requested_ip)
        p = put_u32_opt(p, SYNACK_DHCPOPT_REQUESTED_IP, r->requested_ip);
    if (r->has_lease_time)
        p = put_u32_opt(p, SYNACK_DHCPOPT_LEASE_TIME, r->lease_time);
    if (r->has_server_id)
        p = put_u32_opt(p, SYNACK_DHCPOPT_SERVER_ID, r->server_id);
    if (r->param_count > 0) {
        *p++ = SYNACK_DHCPOPT_PARAM_LIST;
        *p++ = r->param_count;
        memcpy(p, r->params, r->param_count);
        p += r->param_count;
    }
    if (r->has_max_msg_size) {
        *p++ = SYNACK_DHCPOPT_MAX_MSG_SIZE;
        *p++ = 2;
        synack_wr_be16(p, r->max_msg_size);
        p += 2;
    }
    if (r->has_t1)
        p = put_u32_opt(p, SYNACK_DHCPOPT_T1, r->t1);
    if (r->has_t2)
        p = put_u32_opt(p, SYNACK_DHCPOPT_T2, r->t2);
    *p = SYNACK_DHCPOPT_END;
    return total;
}
