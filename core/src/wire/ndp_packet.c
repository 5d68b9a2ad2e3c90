/*
 * Neighbour Discovery messages (RFC 4861 section 4: Router Solicitation
 * 4.1, Router Advertisement 4.2 with RFC 4191 2.2's preference bits,
 * Neighbor Solicitation 4.3, Neighbor Advertisement 4.4, Redirect 4.5)
 * and options (4.6: link-layer addresses 4.6.1, Prefix Information 4.6.2,
 * MTU 4.6.4; RFC 8106 5.1 RDNSS and 5.2 DNSSL).
 *
 * Option lengths are in units of 8 bytes. A zero length, or one running
 * past the message, makes the whole packet invalid (RFC 4861 4.6, and
 * the validity checks of 6.1 and 7.1); unknown options are skipped by
 * their length (4.6); known options of a wrong size are ignored, except a
 * link-layer address option, whose size is the link's (one unit on
 * Ethernet): Linux discards such a packet, and so do we.
 */
#include <string.h>

#include "wire/wire_ndp.h"

static size_t fixed_len(uint8_t type)
{
    switch (type) {
    case SYNACK_ICMP6_RS:
        return SYNACK_NDP_RS_LEN;
    case SYNACK_ICMP6_RA:
        return SYNACK_NDP_RA_LEN;
    case SYNACK_ICMP6_NS:
        return SYNACK_NDP_NS_LEN;
    case SYNACK_ICMP6_NA:
        return SYNACK_NDP_NA_LEN;
    case SYNACK_ICMP6_REDIRECT:
        return SYNACK_NDP_REDIRECT_LEN;
    default:
        return 0;
    }
}

static synack_addr addr6_at(const uint8_t *p)
{
    synack_addr a;
    a.family = SYNACK_AF_IP6;
    memcpy(a.b, p, 16);
    return a;
}

/* Whether a DNSSL option's names (RFC 8106 5.2: uncompressed, RFC 1035
 * 3.1 labels, the rest zero padding) are well formed. */
static bool dnssl_valid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == 0) { /* padding, or an empty name: skip */
            i++;
            continue;
        }
        size_t name = 0;
        for (;;) {
            if (i >= n)
                return false;        /* a name without its zero label */
            uint8_t l = p[i];
            if (l == 0) {
                i++;
                break;
            }
            if (l > 63)
                return false;        /* compression or extended labels */
            name += (size_t)l + 1;
            if (name > 254 || i + 1 + l > n)
                return false;
            i += 1 + (size_t)l;
        }
    }
    return true;
}

/* Whether an option of a known type is of a usable size; unknown types
 * are "valid" for the walk (skipped). */
static bool opt_usable(uint8_t type, const uint8_t *o, size_t bytes)
{
    switch (type) {
    case SYNACK_NDP_OPT_PREFIX:
        return bytes == 32 && o[2] <= 128;
    case SYNACK_NDP_OPT_MTU:
        return bytes == 8;
    case SYNACK_NDP_OPT_RDNSS:
        return bytes >= 24;          /* RFC 8106 5.3.1: length >= 3 */
    case SYNACK_NDP_OPT_DNSSL:
        return bytes >= 16 && dnssl_valid(o + 8, bytes - 8);
    default:
        return false;
    }
}

int synack_ndp_parse(const uint8_t *msg, size_t len, synack_ndp_repr *out)
{
    memset(out, 0, sizeof *out);
    if (len < 1)
        return SYNACK_WIRE_TRUNCATED;
    size_t fixed = fixed_len(msg[0]);
    if (fixed == 0)
        return SYNACK_WIRE_UNSUPPORTED;
    if (len < fixed)
        return SYNACK_WIRE_TRUNCATED;
    out->type = msg[0];
    out->code = msg[1];
    switch (out->type) {
    case SYNACK_ICMP6_RA: {
        out->cur_hop_limit = msg[4];
        out->ra_flags = msg[5];
        uint8_t prf = (uint8_t)((msg[5] >> 3) & 3);
        out->preference = prf == 1   ? SYNACK_NDP_PREF_HIGH
                          : prf == 3 ? SYNACK_NDP_PREF_LOW
                                     : SYNACK_NDP_PREF_MEDIUM;
        out->router_lifetime = synack_ld_be16(msg + 6);
        out->reachable_ms = synack_ld_be32(msg + 8);
        out->retrans_ms = synack_ld_be32(msg + 12);
        break;
    }
    case SYNACK_ICMP6_NA:
        out->router = (msg[4] & 0x80) != 0;
        out->solicited = (msg[4] & 0x40) != 0;
        out->override = (msg[4] & 0x20) != 0;
        out->target = addr6_at(msg + 8);
        break;
    case SYNACK_ICMP6_NS:
        out->target = addr6_at(msg + 8);
        break;
    case SYNACK_ICMP6_REDIRECT:
        out->target = addr6_at(msg + 8);
        out->redirect_dst = addr6_at(msg + 24);
        break;
    default:
        break;
    }
    out->opts = msg + fixed;
    out->opts_len = len - fixed;

    /* Every option once: lengths, the singletons, counts. */
    const uint8_t *p = out->opts;
    size_t n = out->opts_len, off = 0;
    while (off < n) {
        if (n - off < 2 || p[off + 1] == 0)
            return SYNACK_WIRE_BAD_OPTION;
        size_t bytes = (size_t)p[off + 1] * 8;
        if (bytes > n - off)
            return SYNACK_WIRE_BAD_OPTION;
        const uint8_t *o = p + off;
        uint8_t type = o[0];
        if (type == SYNACK_NDP_OPT_SLLA || type == SYNACK_NDP_OPT_TLLA) {
            if (bytes != 8)
                return SYNACK_WIRE_BAD_OPTION;
            bool *has = type == SYNACK_NDP_OPT_SLLA ? &out->has_slla : &out->has_tlla;
            synack_mac *m = type == SYNACK_NDP_OPT_SLLA ? &out->slla : &out->tlla;
            if (!*has) {
                *has = true;
                memcpy(m->b, o + 2, 6);
            }
        } else if (!opt_usable(type, o, bytes)) {
            out->n_ignored++;
        } else if (type == SYNACK_NDP_OPT_MTU) {
            if (!out->has_mtu) {
                out->has_mtu = true;
                out->mtu = synack_ld_be32(o + 4);
            }
        } else if (type == SYNACK_NDP_OPT_PREFIX) {
            out->n_prefix++;
        } else if (type == SYNACK_NDP_OPT_RDNSS) {
            out->n_rdnss++;
        } else {
            out->n_dnssl++;
        }
        off += bytes;
    }
    return (int)fixed;
}

size_t synack_ndp_len(const synack_ndp_repr *r)
{
    size_t n = fixed_len(r->type);
    n += r->has_slla ? 8 : 0;
    n += r->has_tlla ? 8 : 0;
    n += r->has_mtu ? 8 : 0;
    return n + r->opts_len;
}

static size_t lla_emit(uint8_t type, const synack_mac *m, uint8_t *buf)
{
    buf[0] = type;
    buf[1] = 1;
    memcpy(buf + 2, m->b, 6);
    return 8;
}

size_t synack_ndp_emit(const synack_ndp_repr *r, uint8_t *buf, uint32_t phsum)
{
    size_t fixed = fixed_len(r->type);
    memset(buf, 0, fixed);
    buf[0] = r->type;
    buf[1] = r->code;
    switch (r->type) {
    case SYNACK_ICMP6_RA: {
        uint8_t prf = r->preference > 0 ? 1 : r->preference < 0 ? 3 : 0;
        buf[4] = r->cur_hop_limit;
        buf[5] = (uint8_t)((r->ra_flags & ~0x18u) | (unsigned)prf << 3);
        synack_wr_be16(buf + 6, r->router_lifetime);
        synack_wr_be32(buf + 8, r->reachable_ms);
        synack_wr_be32(buf + 12, r->retrans_ms);
        break;
    }
    case SYNACK_ICMP6_NA:
        buf[4] = (uint8_t)((r->router ? 0x80 : 0) | (r->solicited ? 0x40 : 0) |
                           (r->override ? 0x20 : 0));
        memcpy(buf + 8, r->target.b, 16);
        break;
    case SYNACK_ICMP6_NS:
        memcpy(buf + 8, r->target.b, 16);
        break;
    case SYNACK_ICMP6_REDIRECT:
        memcpy(buf + 8, r->target.b, 16);
        memcpy(buf + 24, r->redirect_dst.b, 16);
        break;
    default:
        break;
    }
    size_t n = fixed;
    if (r->has_slla)
        n += lla_emit(SYNACK_NDP_OPT_SLLA, &r->slla, buf + n);
    if (r->has_tlla)
        n += lla_emit(SYNACK_NDP_OPT_TLLA, &r->tlla, buf + n);
    if (r->has_mtu) {
        buf[n] = SYNACK_NDP_OPT_MTU;
        buf[n + 1] = 1;
        buf[n + 2] = buf[n + 3] = 0;
        synack_wr_be32(buf + n + 4, r->mtu);
        n += 8;
    }
    if (r->opts_len > 0)
        memmove(buf + n, r->opts, r->opts_len);
    n += r->opts_len;
    synack_wr_be16(buf + 2, 0);
    uint64_t sum = synack_csum_pseudo_len(phsum, (uint32_t)n);
    synack_wr_be16(buf + 2, synack_csum_finish(synack_csum_add(sum, buf, n)));
    return n;
}

bool synack_ndp_opt_next(synack_ndp_opt_iter *it, synack_ndp_opt *out)
{
    while (it->off + 2 <= it->len && it->p[it->off + 1] != 0) {
        const uint8_t *o = it->p + it->off;
        size_t bytes = (size_t)o[1] * 8;
        if (bytes > it->len - it->off)
            return false; /* not from synack_ndp_parse */
        it->off += bytes;
        uint8_t type = o[0];
        if ((type != SYNACK_NDP_OPT_PREFIX && type != SYNACK_NDP_OPT_RDNSS &&
             type != SYNACK_NDP_OPT_DNSSL) ||
            !opt_usable(type, o, bytes))
            continue;
        memset(out, 0, sizeof *out);
        out->type = type;
        if (type == SYNACK_NDP_OPT_PREFIX) {
            out->prefix.len = o[2];
            out->prefix.onlink = (o[3] & 0x80) != 0;
            out->prefix.autonomous = (o[3] & 0x40) != 0;
            out->prefix.valid_s = synack_ld_be32(o + 4);
            out->prefix.preferred_s = synack_ld_be32(o + 8);
            out->prefix.prefix = addr6_at(o + 16);
        } else {
            out->lifetime_s = synack_ld_be32(o + 4);
            out->data = o + 8;
            /* RDNSS: (length - 1) / 2 addresses; an even length's last
             * unit is not a whole address and is left out */
            out->count = type == SYNACK_NDP_OPT_RDNSS ? (bytes - 8) / 16 : bytes - 8;
        }
        return true;
    }
    return false;
}

synack_addr synack_ndp_rdnss_addr(const synack_ndp_opt *o, size_t i)
{
    return addr6_at(o->data + 16 * i);
}

int synack_ndp_dnssl_name(const synack_ndp_opt *o, size_t *off, char *name, size_t cap)
{
    const uint8_t *p = o->data;
    size_t n = o->count, i = *off;
    while (i < n && p[i] == 0)
        i++;
    if (i >= n) {
        *off = n;
        if (cap > 0)
            name[0] = '\0';
        return 0;
    }
    size_t w = 0;
    for (;;) {
        if (i >= n)
            return SYNACK_WIRE_BAD_OPTION;
        uint8_t l = p[i];
        if (l == 0) {
            i++;
            break;
        }
        if (l > 63 || i + 1 + l > n || w + l + 2 > cap)
            return SYNACK_WIRE_BAD_OPTION;
        if (w > 0)
            name[w++] = '.';
        memcpy(name + w, p + i + 1, l);
        w += l;
        i += 1 + (size_t)l;
    }
    name[w] = '\0';
    *off = i;
    return (int)w;
}

size_t synack_ndp_opt_prefix_emit(const synack_ndp_prefix *p, uint8_t *buf)
{
    memset(buf, 0, 32);
    buf[0] = SYNACK_NDP_OPT_PREFIX;
    buf[1] = 4;
    buf[2] = p->len;
    buf[3] = (uint8_t)((p->onlink ? 0x80 : 0) | (p->autonomous ? 0x40 : 0));
    synack_wr_be32(buf + 4, p->valid_s);
    synack_wr_be32(buf + 8, p->preferred_s);
    memcpy(buf + 16, p->prefix.b, 16);
    return 32;
}

size_t synack_ndp_opt_rdnss_emit(uint32_t lifetime_s, const synack_addr *addrs,
                                 size_t n, uint8_t *buf)
{
    buf[0] = SYNACK_NDP_OPT_RDNSS;
    buf[1] = (uint8_t)(1 + 2 * n);
    buf[2] = buf[3] = 0;
    synack_wr_be32(buf + 4, lifetime_s);
    for (size_t i = 0; i < n; i++)
        memcpy(buf + 8 + 16 * i, addrs[i].b, 16);
    return 8 + 16 * n;
}

size_t synack_ndp_opt_dnssl_emit(uint32_t lifetime_s, const char *names, uint8_t *buf,
                                 size_t cap)
{
    if (cap < 16)
        return 0;
    size_t w = 8;
    const char *c = names;
    while (*c != '\0') {
        size_t name = 0;
        for (;;) { /* one label */
            size_t l = 0;
            while (c[l] != '\0' && c[l] != '.' && c[l] != ',')
                l++;
            if (l == 0 || l > 63 || (name += l + 1) > 254 || w + 1 + l + 1 > cap)
                return 0;
            buf[w++] = (uint8_t)l;
            memcpy(buf + w, c, l);
            w += l;
            c += l;
            if (*c != '.')
                break;
            c++;
        }
        buf[w++] = 0;
        if (*c == ',')
            c++;
    }
    size_t total = (w + 7) & ~(size_t)7;
    if (total > cap || total / 8 > 255)
        return 0;
    memset(buf + w, 0, total - w);
    buf[0] = SYNACK_NDP_OPT_DNSSL;
    buf[1] = (uint8_t)(total / 8);
    buf[2] = buf[3] = 0;
    synack_wr_be32(buf + 4, lifetime_s);
    return total;
}

synack_addr synack_ndp_solicited_node(const synack_addr *a)
{
    synack_addr g;
    memset(&g, 0, sizeof g);
    g.family = SYNACK_AF_IP6;
    g.b[0] = 0xff;
    g.b[1] = 0x02;
    g.b[11] = 0x01;
    g.b[12] = 0xff;
    g.b[13] = a->b[13];
    g.b[14] = a->b[14];
    g.b[15] = a->b[15];
    return g;
}

synack_mac synack_ndp_mcast_mac(const synack_addr *group)
{
    synack_mac m = {{0x33, 0x33, group->b[12], group->b[13], group->b[14], group->b[15]}};
    return m;
}

static synack_addr ff02(uint8_t last)
{
    synack_addr g;
    memset(&g, 0, sizeof g);
    g.family = SYNACK_AF_IP6;
    g.b[0] = 0xff;
    g.b[1] = 0x02;
    g.b[15] = last;
    return g;
}

synack_addr synack_ndp_all_nodes(void)
{
    return ff02(1);
}

synack_addr synack_ndp_all_routers(void)
{
    return ff02(2);
}

synack_addr synack_mld_all_routers(void)
{
    return ff02(0x16);
}
