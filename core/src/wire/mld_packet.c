/*
 * Multicast Listener Discovery: queries of both versions (RFC 2710
 * section 3, RFC 3810 5.1 and 8.1 for telling them apart by length) and
 * MLDv2 reports (RFC 3810 5.2), sent in an IPv6 packet with hop limit 1
 * and a Hop-by-Hop Router Alert option (RFC 3810 section 5, RFC 2711).
 */
#include <string.h>

#include "wire/wire_ndp.h"

uint32_t synack_mld_max_resp_ms(uint16_t code)
{
    if (code < 32768)
        return code;
    /* 1 | exp (3 bits) | mant (12 bits): (mant | 0x1000) << (exp + 3) */
    uint32_t exp = (code >> 12) & 7u, mant = code & 0xfffu;
    return (mant | 0x1000u) << (exp + 3);
}

uint32_t synack_mld_qqi_s(uint8_t code)
{
    if (code < 128)
        return code;
    uint32_t exp = (code >> 4) & 7u, mant = code & 0xfu;
    return (mant | 0x10u) << (exp + 3);
}

int synack_mld_query_parse(const uint8_t *msg, size_t len, synack_mld_query *out)
{
    memset(out, 0, sizeof *out);
    if (len < SYNACK_MLD1_LEN)
        return SYNACK_WIRE_TRUNCATED;
    if (len > SYNACK_MLD1_LEN && len < SYNACK_MLD2_QUERY_MIN)
        return SYNACK_WIRE_UNSUPPORTED;
    if (msg[0] != SYNACK_ICMP6_MLD_QUERY)
        return SYNACK_WIRE_UNSUPPORTED;
    uint16_t code = synack_ld_be16(msg + 4);
    out->group.family = SYNACK_AF_IP6;
    memcpy(out->group.b, msg + 8, 16);
    if (len == SYNACK_MLD1_LEN) {
        out->max_resp_ms = code; /* MLDv1: plain milliseconds */
        return SYNACK_MLD1_LEN;
    }
    out->v2 = true;
    out->max_resp_ms = synack_mld_max_resp_ms(code);
    out->suppress = (msg[24] & 0x08) != 0;
    out->qrv = msg[24] & 7u;
    out->qqi_s = synack_mld_qqi_s(msg[25]);
    out->n_sources = synack_ld_be16(msg + 26);
    if ((size_t)out->n_sources * 16 > len - SYNACK_MLD2_QUERY_MIN)
        return SYNACK_WIRE_BAD_LEN;
    return SYNACK_MLD2_QUERY_MIN;
}

int synack_mld_report_parse(const uint8_t *msg, size_t len, synack_mld_record *out,
                            size_t cap, size_t *n)
{
    *n = 0;
    if (len < 8)
        return SYNACK_WIRE_TRUNCATED;
    if (msg[0] != SYNACK_ICMP6_MLD2_REPORT)
        return SYNACK_WIRE_UNSUPPORTED;
    size_t count = synack_ld_be16(msg + 6), off = 8;
    for (size_t i = 0; i < count; i++) {
        if (len - off < SYNACK_MLD2_RECORD_LEN)
            return SYNACK_WIRE_TRUNCATED;
        const uint8_t *r = msg + off;
        size_t bytes = SYNACK_MLD2_RECORD_LEN + (size_t)synack_ld_be16(r + 2) * 16 +
                       (size_t)r[1] * 4;
        if (bytes > len - off)
            return SYNACK_WIRE_BAD_LEN;
        if (i < cap) {
            out[i].type = r[0];
            out[i].group.family = SYNACK_AF_IP6;
            memcpy(out[i].group.b, r + 4, 16);
        }
        off += bytes;
    }
    *n = count;
    return 8;
}

size_t synack_mld_report_emit(const synack_mld_record *recs, size_t n, uint8_t *buf)
{
    memset(buf, 0, 8);
    buf[0] = SYNACK_ICMP6_MLD2_REPORT;
    synack_wr_be16(buf + 6, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *r = buf + 8 + SYNACK_MLD2_RECORD_LEN * i;
        r[0] = recs[i].type;
        r[1] = 0;                 /* aux data length */
        synack_wr_be16(r + 2, 0); /* number of sources */
        memcpy(r + 4, recs[i].group.b, 16);
    }
    return 8 + SYNACK_MLD2_RECORD_LEN * n;
}

size_t synack_mld_packet_emit(const synack_addr *src, const synack_mld_record *recs,
                              size_t n, uint8_t *buf)
{
    size_t icmp_len = 8 + SYNACK_MLD2_RECORD_LEN * n;
    synack_ip6_repr ip;
    memset(&ip, 0, sizeof ip);
    ip.payload_len = (uint16_t)(8 + icmp_len);
    ip.next = SYNACK_IP6_NEXT_HOPOPTS;
    ip.hop_limit = 1;
    ip.src = *src;
    ip.src.family = SYNACK_AF_IP6;
    ip.dst = synack_mld_all_routers();
    size_t off = synack_ip6_emit(&ip, buf);

    /* Hop-by-Hop: next header, length 0 (8 bytes), Router Alert (type 5,
     * length 2, value 0 = MLD), PadN of two bytes. */
    static const uint8_t hbh[8] = {SYNACK_IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0};
    memcpy(buf + off, hbh, sizeof hbh);
    off += sizeof hbh;

    uint8_t *m = buf + off;
    synack_mld_report_emit(recs, n, m);
    uint32_t ph = synack_addr_pseudo_sum(&ip.src, &ip.dst, SYNACK_IPPROTO_ICMPV6);
    uint64_t sum = synack_csum_pseudo_len(ph, (uint32_t)icmp_len);
    synack_wr_be16(m + 2, synack_csum_finish(synack_csum_add(sum, m, icmp_len)));
    return off + icmp_len;
}
