/*
 * Wire formats: bounds-checked readers and writers, and parse/emit for
 * Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMPv4 (RFC 792), UDP (RFC 768)
 * and the TCP header with its options (RFC 9293, RFC 7323, RFC 2018).
 *
 * This layer knows byte offsets and nothing else. A parse function checks
 * every length once and fills a plain struct (the "repr"); protocol code never
 * touches raw offsets. Parse functions return the header length (>= 0) or a
 * negative synack_wire_err. Emit functions write a header into a buffer that
 * the caller guarantees is large enough (see the *_HDR_LEN / *_len helpers)
 * and return the number of bytes written.
 */
#ifndef SYNACK_WIRE_H
#define SYNACK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "synack/synack.h"

typedef enum synack_wire_err {
    SYNACK_WIRE_TRUNCATED = -1,   /* buffer shorter than the header says */
    SYNACK_WIRE_BAD_VERSION = -2,
    SYNACK_WIRE_BAD_HDR_LEN = -3, /* IHL < 5, data offset < 5, beyond buffer */
    SYNACK_WIRE_BAD_LEN = -4,     /* total/UDP length inconsistent */
    SYNACK_WIRE_BAD_CHECKSUM = -5,
    SYNACK_WIRE_BAD_OPTION = -6,  /* option length 0/1, past the header, bad size */
    SYNACK_WIRE_UNSUPPORTED = -7, /* e.g. ARP for a non-Ethernet/IPv4 pair */
} synack_wire_err;

/* ---- bounds-checked byte reader/writer -------------------------------- */

/* A reader: every read past the end returns 0 and sets `bad`. */
typedef struct synack_rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
} synack_rd;

static inline synack_rd synack_rd_init(const uint8_t *p, size_t len)
{
    synack_rd r = {p, len, 0, false};
    return r;
}

static inline bool synack_rd_has(const synack_rd *r, size_t n)
{
    return !r->bad && r->off <= r->len && n <= r->len - r->off;
}

static inline uint8_t synack_rd_u8(synack_rd *r)
{
    if (!synack_rd_has(r, 1)) {
        r->bad = true;
        return 0;
    }
    return r->p[r->off++];
}

static inline uint16_t synack_rd_be16(synack_rd *r)
{
    if (!synack_rd_has(r, 2)) {
        r->bad = true;
        return 0;
    }
    uint16_t v = (uint16_t)((uint16_t)r->p[r->off] << 8 | r->p[r->off + 1]);
    r->off += 2;
    return v;
}

static inline uint32_t synack_rd_be32(synack_rd *r)
{
    if (!synack_rd_has(r, 4)) {
        r->bad = true;
        return 0;
    }
    const uint8_t *q = r->p + r->off;
    r->off += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 |
           (uint32_t)q[3];
}

/* Copy n bytes out; zero-fills and sets `bad` when short. */
static inline void synack_rd_bytes(synack_rd *r, void *dst, size_t n)
{
    uint8_t *d = (uint8_t *)dst;
    if (!synack_rd_has(r, n)) {
        r->bad = true;
        for (size_t i = 0; i < n; i++)
            d[i] = 0;
        return;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = r->p[r->off + i];
    r->off += n;
}

static inline void synack_rd_skip(synack_rd *r, size_t n)
{
    if (!synack_rd_has(r, n)) {
        r->bad = true;
        return;
    }
    r->off += n;
}

/* Big-endian stores into a buffer the caller sized. */
static inline void synack_wr_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void synack_wr_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint16_t synack_ld_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t synack_ld_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

/* ---- Internet checksum (RFC 1071) ------------------------------------- */

/*
 * Fuzzing builds (SYNACK_FUZZING defined) skip checksum verification in the
 * parse functions, so fuzzers reach the code behind it. Never in a release.
 */

/*
 * Add `len` bytes at `data` to a running one's-complement sum, word at a
 * time. `sum` is an unfolded accumulator; start with 0. Odd lengths are
 * allowed only as the last piece of a sum. The accumulator is in machine
 * byte order (RFC 1071 section 2(B)): combine it only with values from
 * synack_csum_add/synack_csum_pseudo (adding two accumulators is fine), never
 * with numbers of your own. Exact for any buffer below 16 GiB.
 */
uint64_t synack_csum_add(uint64_t sum, const void *data, size_t len);

/*
 * Fold the accumulator and return the final checksum (complemented), as a
 * host-order value to store with synack_wr_be16. Over data that includes a
 * correct checksum field it returns 0.
 */
uint16_t synack_csum_finish(uint64_t sum);

/*
 * Pseudo-header sums. TCP and UDP checksum code takes the network layer's
 * part of the pseudo-header as one number, `phsum`: the plain sum of its
 * 16-bit big-endian words (addresses and protocol; the upper-layer length
 * is added by the TCP/UDP code, which knows it). It is not an accumulator
 * of synack_csum_add; synack_csum_pseudo_len turns it into one.
 */
/* IPv4 (RFC 9293 section 3.1): source, destination, zero, protocol. */
static inline uint32_t synack_ip4_pseudo_sum(synack_ip4 src, synack_ip4 dst,
                                             uint8_t proto)
{
    return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto;
}

/* Either family (IPv6: RFC 8200 section 8.1); the family of src decides:
 * 4 bytes of each IPv4 address, all 16 of IPv6 ones (whose 32-bit
 * upper-layer length is added like IPv4's 16-bit one). */
static inline uint32_t synack_addr_pseudo_sum(const synack_addr *src,
                                              const synack_addr *dst, uint8_t proto)
{
    size_t n = src->family == SYNACK_AF_IP6 ? 16 : 4;
    uint32_t sum = proto;
    for (size_t i = 0; i < n; i += 2)
        sum += (uint32_t)(src->b[i] << 8 | src->b[i + 1]) +
               (uint32_t)(dst->b[i] << 8 | dst->b[i + 1]);
    return sum;
}
/* An accumulator for phsum plus the upper-layer length `len`. */
uint64_t synack_csum_pseudo_len(uint32_t phsum, uint32_t len);
/* The IPv4 pseudo-header with length as an accumulator (tests, tools). */
uint64_t synack_csum_pseudo(synack_ip4 src, synack_ip4 dst, uint8_t proto,
                            uint32_t len);

/* ---- Ethernet II ------------------------------------------------------- */

#define SYNACK_ETH_HDR_LEN 14
#define SYNACK_ETHERTYPE_IPV4 0x0800
#define SYNACK_ETHERTYPE_ARP 0x0806

typedef struct synack_eth_repr {
    synack_mac dst, src;
    uint16_t ethertype;
} synack_eth_repr;

int synack_eth_parse(const uint8_t *buf, size_t len, synack_eth_repr *out);
size_t synack_eth_emit(const synack_eth_repr *r, uint8_t *buf);

bool synack_mac_is_broadcast(const synack_mac *m);
bool synack_mac_is_multicast(const synack_mac *m);
/* Whether two MACs are the same: inline, as it runs twice per received
 * frame; two loads each, not memcmp (wasi-libc's is a C loop behind a
 * call). */
static inline bool synack_mac_equal(const synack_mac *a, const synack_mac *b)
{
    uint32_t a4, b4;
    uint16_t a2, b2;
    memcpy(&a4, a->b, 4);
    memcpy(&b4, b->b, 4);
    memcpy(&a2, a->b + 4, 2);
    memcpy(&b2, b->b + 4, 2);
    return a4 == b4 && a2 == b2;
}

/* ---- ARP (Ethernet/IPv4 only) ------------------------------------------ */

#define SYNACK_ARP_LEN 28
#define SYNACK_ARP_REQUEST 1
#define SYNACK_ARP_REPLY 2

typedef struct synack_arp_repr {
    uint16_t op;
    synack_mac sha, tha;
    synack_ip4 spa, tpa;
} synack_arp_repr;

/* Returns SYNACK_ARP_LEN, TRUNCATED, or UNSUPPORTED (htype/ptype/hlen/plen). */
int synack_arp_parse(const uint8_t *buf, size_t len, synack_arp_repr *out);
size_t synack_arp_emit(const synack_arp_repr *r, uint8_t *buf);

/* ---- IPv4 -------------------------------------------------------------- */

#define SYNACK_IP4_HDR_LEN 20
#define SYNACK_IPPROTO_ICMP 1
#define SYNACK_IPPROTO_TCP 6
#define SYNACK_IPPROTO_UDP 17

typedef struct synack_ip4_repr {
    uint8_t tos;
    uint8_t ttl;
    uint8_t proto;
    uint16_t id;
    bool df, mf;
    uint16_t frag_off;  /* in bytes (wire value * 8) */
    synack_ip4 src, dst;
    uint16_t hdr_len;   /* parse: IHL*4 (options skipped); emit: always 20 */
    uint16_t total_len; /* header + payload */
} synack_ip4_repr;

/*
 * Validate version, IHL (>= 5, within buf), total length (>= IHL*4, <= len;
 * bytes past it are Ethernet padding), and the checksum when verify is set.
 * Returns hdr_len; the payload is buf[hdr_len, total_len).
 */
int synack_ip4_parse(const uint8_t *buf, size_t len, bool verify,
                     synack_ip4_repr *out);

/* Write a 20-byte header with r->total_len and a computed checksum. */
size_t synack_ip4_emit(const synack_ip4_repr *r, uint8_t *buf);

/*
 * A packet of ours that an error is about, whichever family: the datagram
 * an ICMP error quotes (RFC 792: its IP header and at least 8 bytes of
 * transport header; truncated, so its total length is not checked), or a
 * packet whose next hop could not be resolved.
 */
typedef struct synack_quote_repr {
    synack_addr src, dst;
    uint8_t proto;
    uint16_t frag_off;  /* in bytes; errors about non-first fragments name
                           no transport header */
    const uint8_t *l4;  /* the transport header, at least 8 bytes */
    size_t l4len;
} synack_quote_repr;

/* Parse an IPv4 quote: version 4, IHL within the data, 8 bytes after it. */
int synack_ip4_quote_parse(const uint8_t *buf, size_t len, synack_quote_repr *out);

/* ---- IPv6 (RFC 8200 section 3) ----------------------------------------- */

#define SYNACK_ETHERTYPE_IPV6 0x86dd
#define SYNACK_IP6_HDR_LEN 40
#define SYNACK_IPPROTO_ICMPV6 58
#define SYNACK_IP6_NEXT_NONE 59 /* no next header (RFC 8200 section 4.7) */

/* The fixed header. Extension headers are the IPv6 layer's to walk. */
typedef struct synack_ip6_repr {
    uint8_t tclass;       /* traffic class */
    uint32_t flow;        /* flow label, 20 bits */
    uint16_t payload_len; /* bytes after the fixed header */
    uint8_t next;         /* next header: an extension or the upper layer */
    uint8_t hop_limit;
    synack_addr src, dst; /* family SYNACK_AF_IP6 */
} synack_ip6_repr;

/*
 * Validate version 6, the 40-byte header within buf and the payload length
 * within buf (bytes past it are link padding; a zero payload length with
 * a Jumbo Payload option, RFC 2675, is not supported and reads as an
 * empty payload). Returns 40; the payload is buf[40, 40 + payload_len).
 */
int synack_ip6_parse(const uint8_t *buf, size_t len, synack_ip6_repr *out);

/* Write the 40-byte header (addresses taken from b[] whatever the family). */
size_t synack_ip6_emit(const synack_ip6_repr *r, uint8_t *buf);

/* Extension headers (RFC 8200 section 4) a host walks. */
#define SYNACK_IP6_NEXT_HOPOPTS 0
#define SYNACK_IP6_NEXT_ROUTING 43
#define SYNACK_IP6_NEXT_FRAGMENT 44
#define SYNACK_IP6_NEXT_DSTOPTS 60
/* More extension headers than this in one packet: refused as hostile. */
#define SYNACK_IP6_EXT_MAX 8

/* What a packet's extension headers ask of the receiver. */
typedef enum synack_ip6_ext_verdict {
    SYNACK_IP6_EXT_OK = 0,       /* deliver `proto` at `off` */
    SYNACK_IP6_EXT_DROP,         /* discard silently (option action 01,
                                    too many headers, truncated chain) */
    SYNACK_IP6_EXT_PARAM,        /* discard, send a Parameter Problem with
                                    `code` and `pointer` (not to multicast) */
    SYNACK_IP6_EXT_PARAM_MCAST,  /* the same, even when the destination
                                    was multicast (option action 11) */
} synack_ip6_ext_verdict;

typedef struct synack_ip6_ext {
    uint8_t verdict;    /* synack_ip6_ext_verdict */
    uint8_t proto;      /* the upper-layer protocol (or 59: none) */
    size_t off;         /* its offset in the payload (after the 40 bytes) */
    bool frag;          /* a Fragment header was seen (RFC 6946: an atomic
                           fragment has frag_off 0 and !more) */
    bool more;          /* M flag */
    uint16_t frag_off;  /* fragment offset in bytes */
    uint32_t frag_id;
    uint8_t code;       /* Parameter Problem code (RFC 4443 3.4) */
    uint32_t pointer;   /* offending octet, from the start of the IPv6 header */
    uint32_t next_at;   /* OK: the octet (from the start of the IPv6 header)
                           of the Next Header field that named `proto` */
} synack_ip6_ext;

/*
 * Walk the extension headers of an IPv6 payload whose first header is
 * `next`: Hop-by-Hop (only first), Destination Options (their options:
 * Pad1, PadN, unknown ones by the two high bits of the type), Routing
 * (Segments Left 0 is skipped; otherwise no routing type is processed by a
 * host: Parameter Problem code 0 at the type, RFC 8200 4.4 and RFC 5095
 * for type 0) and Fragment (the walk stops after it: a non-first fragment
 * has no further headers to read). At most SYNACK_IP6_EXT_MAX headers.
 * Returns out->verdict.
 */
int synack_ip6_ext_walk(const uint8_t *payload, size_t len, uint8_t next,
                        synack_ip6_ext *out);

/*
 * Parse an IPv6 quote (an ICMPv6 error's body, RFC 4443 2.4(c): as much of
 * the invoking packet as fits): the fixed header, its extension headers as
 * far as the quote goes, and 8 bytes of transport header after them. Its
 * payload length is not checked (the quote is truncated). Returns the
 * transport header's offset, or a negative SYNACK_WIRE_* error.
 */
int synack_ip6_quote_parse(const uint8_t *buf, size_t len, synack_quote_repr *out);

/* ---- ICMPv4 ------------------------------------------------------------ */

#define SYNACK_ICMP_HDR_LEN 8
#define SYNACK_ICMP_ECHO_REPLY 0
#define SYNACK_ICMP_DEST_UNREACH 3
#define SYNACK_ICMP_ECHO_REQUEST 8
#define SYNACK_ICMP_TIME_EXCEEDED 11
#define SYNACK_ICMP_UNREACH_NET 0
#define SYNACK_ICMP_UNREACH_HOST 1
#define SYNACK_ICMP_UNREACH_PROTO 2
#define SYNACK_ICMP_UNREACH_PORT 3
#define SYNACK_ICMP_UNREACH_FRAG_NEEDED 4

typedef struct synack_icmp_repr {
    uint8_t type, code;
    uint16_t id, seq;   /* echo request/reply */
    uint32_t rest;      /* the 4 bytes after the checksum, raw (other types) */
    const uint8_t *payload;
    size_t payload_len;
} synack_icmp_repr;

/* Parse a whole ICMP message (checksum covers all of it when verify). */
int synack_icmp_parse(const uint8_t *buf, size_t len, bool verify,
                      synack_icmp_repr *out);

/*
 * Write header and copy payload (payload may already be in place at
 * buf + 8, then it is not copied) and compute the checksum. Returns 8 +
 * payload_len. For echo types id/seq are written; otherwise `rest`.
 */
size_t synack_icmp_emit(const synack_icmp_repr *r, uint8_t *buf);

/*
 * The same for both ICMPs: `sum0` starts the checksum (0 for ICMPv4, the
 * IPv6 pseudo-header sum with the length for ICMPv6); `echo` says whether
 * id/seq or `rest` fill the four type-specific bytes.
 */
int synack_icmp_parse_sum(const uint8_t *buf, size_t len, bool verify, uint64_t sum0,
                          synack_icmp_repr *out);
size_t synack_icmp_emit_sum(const synack_icmp_repr *r, uint8_t *buf, bool echo, uint64_t sum0);

/* ---- ICMPv6 (RFC 4443) ------------------------------------------------- */

#define SYNACK_ICMP6_DEST_UNREACH 1
#define SYNACK_ICMP6_PACKET_TOO_BIG 2  /* rest: the MTU (RFC 8201) */
#define SYNACK_ICMP6_TIME_EXCEEDED 3
#define SYNACK_ICMP6_PARAM_PROBLEM 4   /* rest: the pointer */
#define SYNACK_ICMP6_ECHO_REQUEST 128
#define SYNACK_ICMP6_ECHO_REPLY 129

/*
 * ICMPv6 has ICMPv4's layout (synack_icmp_repr; id/seq for the echo
 * types) but its checksum also covers the IPv6 pseudo-header (RFC 4443
 * section 2.3): `phsum` is synack_addr_pseudo_sum(src, dst,
 * SYNACK_IPPROTO_ICMPV6).
 */
int synack_icmp6_parse(const uint8_t *buf, size_t len, uint32_t phsum, bool verify,
                       synack_icmp_repr *out);
size_t synack_icmp6_emit(const synack_icmp_repr *r, uint8_t *buf, uint32_t phsum);

/* ---- UDP --------------------------------------------------------------- */

#define SYNACK_UDP_HDR_LEN 8

typedef struct synack_udp_repr {
    uint16_t sport, dport;
    uint16_t len; /* header + payload, from the wire */
    const uint8_t *payload;
    size_t payload_len;
} synack_udp_repr;

/*
 * Validate length (8 <= len field <= buf len) and, when verify and the
 * checksum field is non-zero, the checksum with the pseudo-header.
 */
int synack_udp_parse(const uint8_t *buf, size_t len, uint32_t phsum,
                     bool verify, synack_udp_repr *out);

/*
 * Write the header for a payload of payload_len bytes already at buf + 8 and
 * compute the checksum (0 is sent as 0xffff). Returns 8 + payload_len.
 */
size_t synack_udp_emit(const synack_udp_repr *r, uint8_t *buf, size_t payload_len,
                       uint32_t phsum);

/* ---- TCP header and options -------------------------------------------- */

#define SYNACK_TCP_HDR_LEN 20
#define SYNACK_TCP_MAX_HDR_LEN 60
#define SYNACK_TCP_MAX_SACK 4
#define SYNACK_TCP_CSUM_OFF 16 /* the checksum field (RFC 9293 3.1) */

typedef struct synack_sack_block {
    uint32_t left, right;
} synack_sack_block;

typedef struct synack_tcp_repr {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;   /* SYNACK_TCP_* */
    uint16_t win;    /* raw, unscaled */
    uint16_t urg;
    uint8_t hdr_len; /* parse: data offset*4; emit: computed */
    /* options */
    bool has_mss;
    uint16_t mss;
    bool has_ws;
    uint8_t ws;      /* as received (may exceed 14; the caller clamps) */
    bool sack_ok;
    bool has_ts;
    uint32_t tsval, tsecr;
    uint8_t sack_count;
    synack_sack_block sack[SYNACK_TCP_MAX_SACK];
    /* payload (parse only) */
    const uint8_t *payload;
    size_t payload_len;
} synack_tcp_repr;

/*
 * Parse a TCP segment (header, options, payload). Checks data offset (>= 5,
 * within len), option lengths (kind 0/1 single byte; others length >= 2 and
 * within the header; known options of the wrong size rejected; unknown
 * options skipped by their length), and the checksum when verify.
 */
int synack_tcp_parse(const uint8_t *buf, size_t len, uint32_t phsum,
                     bool verify, synack_tcp_repr *out);

/* Header length (20 + options, padded to 4) emit will write for r. */
size_t synack_tcp_header_len(const synack_tcp_repr *r);

/*
 * Write header and options (r->hdr_len ignored) with a zero checksum.
 * Options order: MSS, SACK-permitted, timestamps, window scale, SACK blocks,
 * NOP-padded. Returns the header length. SACK blocks beyond what fits in
 * the 40 option bytes are left out (with timestamps at most 3 fit).
 */
size_t synack_tcp_emit(const synack_tcp_repr *r, uint8_t *buf);

/* Compute and store the checksum of the segment at seg (header+payload). */
void synack_tcp_fill_checksum(uint8_t *seg, size_t len, uint32_t phsum);

/*
 * Store only the folded pseudo-header sum in the checksum field (Linux's
 * CHECKSUM_PARTIAL, virtio NEEDS_CSUM): whoever sends the segment sums it
 * from the TCP header to the end and stores the complement.
 */
void synack_tcp_fill_checksum_partial(uint8_t *seg, size_t len, uint32_t phsum);

#endif /* SYNACK_WIRE_H */
