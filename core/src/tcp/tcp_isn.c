/*
 * Numbers an off-path attacker must not guess.
 *
 * RFC 6528: ISN = M + F(localip, localport, remoteip, remoteport, secret),
 *   M a 4-microsecond clock (here from `now`: 250 ticks per ms), F a keyed
 *   SipHash-2-4. The other 32 bits of the same hash are the connection's
 *   timestamp offset (RFC 7323 5.4), so a SYN cookie can recompute it.
 * RFC 6056 section 3.3.3 (algorithm 3, "simple hash-based"): ephemeral
 *   port = min + (next_ephemeral + F(laddr, raddr, rport, secret)) mod num,
 *   in the IANA range 49152-65535.
 * RFC 4987 3.6 (SYN cookies). The 32-bit cookie is our ISS:
 *     bits 31..27  t, a 64-second counter (mod 32)
 *     bits 26..24  index of the MSS in a table of 8 values
 *     bits 23..0   SipHash(secret, 4-tuple, client ISN, T, index)
 *   where T is the whole counter (now / 64 s), of which the cookie carries
 *   only t: a check takes T as the current or the previous period whose
 *   low bits are t, so a cookie is good for 64-128 s and a recorded one
 *   does not become valid again when t comes round 2048 s later.
 *   tcp_listen.c checks cookies only while the listener has sent one in
 *   the last SYNACK_TCP_COOKIE_WINDOW_MS.
 *   Window scale and SACK-permitted travel in the low 6 bits of the TSval of
 *   the SYN-ACK (bit 5 set; bit 4 SACK; bits 3..0 the peer's shift, 15 for
 *   none) when the SYN had timestamps; without timestamps the connection
 *   gets neither (documented trade-off, as in Linux).
 */
#include "tcp/tcp_tcb.h"

#define EPH_MIN 49152u
#define EPH_NUM 16384u
#define COOKIE_PERIOD_MS 64000u

/* MSS values a cookie can encode (largest not above the peer's is used). */
static const uint16_t cookie_mss[8] = {88, 256, 536, 1024, 1220, 1360, 1440, 1460};

static uint64_t tuple_siphash(const synack_stack *s, uint8_t domain,
                              const synack_addr *laddr, uint16_t lport, const synack_addr *raddr,
                              uint16_t rport, uint32_t extra1, uint32_t extra2)
{
    /* the addresses as on the wire: 4 bytes each for IPv4 (so its keys
     * are what they were before IPv6 existed), 16 for IPv6 */
    uint8_t k[45];
    size_t n = synack_tcp_put_addrs(k, laddr, raddr);
    synack_wr_be16(k + n, lport);
    synack_wr_be16(k + n + 2, rport);
    synack_wr_be32(k + n + 4, extra1);
    synack_wr_be32(k + n + 8, extra2);
    k[n + 12] = domain;
    return synack_siphash(s->secret, k, n + 13);
}

uint32_t synack_tcp_isn(const synack_stack *s, uint64_t now, const synack_addr *laddr,
                        uint16_t lport, const synack_addr *raddr, uint16_t rport,
                        uint32_t *ts_offset)
{
    uint64_t f = tuple_siphash(s, 'I', laddr, lport, raddr, rport, 0, 0);
    if (ts_offset)
        *ts_offset = (uint32_t)(f >> 32);
    return (uint32_t)(now * 250u) + (uint32_t)f;
}

int synack_tcp_ephemeral_port(synack_stack *s, const synack_addr *laddr,
                              const synack_addr *raddr, uint16_t rport, uint16_t *out)
{
    synack_tcp_priv *p = synack_tcp_priv_of(s);
    /* no peer yet (listen on port 0): the IPv4 "any" address stands in */
    const synack_addr none = {SYNACK_AF_IP4, {0}};
    uint32_t offset = (uint32_t)tuple_siphash(s, 'P', laddr, 0, raddr ? raddr : &none,
                                              rport, 0, 0);
    for (uint32_t i = 0; i < EPH_NUM; i++) {
        uint16_t port = (uint16_t)(EPH_MIN + (offset + p->next_ephemeral) % EPH_NUM);
        p->next_ephemeral++;
        if (synack_tcb_port_bound(s, port))
            continue;
        if (raddr && synack_tcb_lookup(s, laddr, port, raddr, rport))
            continue;
        *out = port;
        return SYNACK_OK;
    }
    return SYNACK_ERR_ADDRINUSE;
}

static uint32_t cookie_hash(const synack_stack *s, const synack_addr *laddr,
                            uint16_t lport, const synack_addr *raddr, uint16_t rport,
                            uint32_t client_isn, uint32_t t, uint32_t idx)
{
    /* t is the whole period counter; the MSS index goes in the domain
       byte (0x80 | idx, apart from the ASCII domains of the other hashes) */
    return (uint32_t)tuple_siphash(s, (uint8_t)(0x80u | idx), laddr, lport, raddr, rport,
                                   client_isn, t) & 0xffffffu;
}

uint32_t synack_tcp_cookie_make(const synack_stack *s, uint64_t now,
                                const synack_ip_rx *ip,
                                const synack_tcp_repr *syn, uint16_t *mss_out)
{
    uint32_t ours = synack_ip_mtu_payload(s, ip->dst.family);
    ours = ours > SYNACK_TCP_HDR_LEN ? ours - SYNACK_TCP_HDR_LEN : 1;
    uint32_t peer = syn->has_mss ? syn->mss : SYNACK_TCP_DEFAULT_MSS;
    uint32_t eff = peer < ours ? peer : ours;
    uint32_t idx = 0;
    for (uint32_t i = 0; i < 8; i++)
        if (cookie_mss[i] <= eff)
            idx = i;
    uint32_t period = (uint32_t)(now / COOKIE_PERIOD_MS);
    uint32_t h = cookie_hash(s, &ip->dst, syn->dport, &ip->src, syn->sport, syn->seq,
                             period, idx);
    if (mss_out)
        *mss_out = cookie_mss[idx];
    return (period & 31u) << 27 | idx << 24 | h;
}

uint16_t synack_tcp_cookie_check(const synack_stack *s, uint64_t now,
                                 const synack_ip_rx *ip,
                                 const synack_tcp_repr *ack)
{
    uint32_t cookie = ack->ack - 1;
    uint32_t client_isn = ack->seq - 1;
    uint32_t t = cookie >> 27;
    uint32_t idx = (cookie >> 24) & 7u;
    /* the whole counter of the period the cookie was made in: the
       current one or the one before, whichever has t as its low bits */
    uint32_t period = (uint32_t)(now / COOKIE_PERIOD_MS);
    if ((period & 31u) != t) {
        if (period == 0 || ((period - 1) & 31u) != t)
            return 0;
        period--;
    }
    uint32_t h = cookie_hash(s, &ip->dst, ack->dport, &ip->src, ack->sport, client_isn,
                             period, idx);
    if (h != (cookie & 0xffffffu))
        return 0;
    return cookie_mss[idx];
}
