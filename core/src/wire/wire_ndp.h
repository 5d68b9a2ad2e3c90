/*
 * Neighbour Discovery (RFC 4861 section 4) and MLDv2 (RFC 3810 section 5)
 * messages: the ICMPv6 bodies of types 130-137 and 143, their options
 * (RFC 4861 4.6, RFC 8106 for RDNSS and DNSSL), and the whole IPv6 packet
 * an MLDv2 report travels in (Hop-by-Hop Router Alert, RFC 2711).
 *
 * Same conventions as wire.h. A parse function takes the ICMPv6 message
 * from its type byte (the caller has checked the checksum with
 * synack_icmp6_parse), checks every length once and fills a repr; what
 * the repr points to (options, addresses, names) is inside the checked
 * bytes, so the iterators below cannot read out of bounds.
 */
#ifndef SYNACK_WIRE_NDP_H
#define SYNACK_WIRE_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

/* ICMPv6 types (RFC 4861 section 4, RFC 3810 section 5, RFC 2710). */
#define SYNACK_ICMP6_MLD_QUERY 130
#define SYNACK_ICMP6_MLD_REPORT 131   /* MLDv1 */
#define SYNACK_ICMP6_MLD_DONE 132     /* MLDv1 */
#define SYNACK_ICMP6_RS 133
#define SYNACK_ICMP6_RA 134
#define SYNACK_ICMP6_NS 135
#define SYNACK_ICMP6_NA 136
#define SYNACK_ICMP6_REDIRECT 137
#define SYNACK_ICMP6_MLD2_REPORT 143

/* Option types (RFC 4861 4.6, RFC 8106 5.1/5.2). */
#define SYNACK_NDP_OPT_SLLA 1
#define SYNACK_NDP_OPT_TLLA 2
#define SYNACK_NDP_OPT_PREFIX 3
#define SYNACK_NDP_OPT_REDIRECTED 4
#define SYNACK_NDP_OPT_MTU 5
#define SYNACK_NDP_OPT_RDNSS 25
#define SYNACK_NDP_OPT_DNSSL 31

/* Router Advertisement flags (RFC 4861 4.2; RFC 4191 2.2 preference). */
#define SYNACK_NDP_RA_MANAGED 0x80
#define SYNACK_NDP_RA_OTHER 0x40
/* RFC 4191 router preference, decoded: high 1, medium 0, low -1; the
 * reserved value 10 reads as medium (RFC 4191 2.2). */
#define SYNACK_NDP_PREF_HIGH 1
#define SYNACK_NDP_PREF_MEDIUM 0
#define SYNACK_NDP_PREF_LOW (-1)

/* A lifetime of all ones means infinity (RFC 4861 4.6.2, RFC 8106 5.1). */
#define SYNACK_NDP_INFINITE 0xffffffffu

/* Fixed parts: the ICMPv6 header and what each type has before options. */
#define SYNACK_NDP_RS_LEN 8
#define SYNACK_NDP_RA_LEN 16
#define SYNACK_NDP_NS_LEN 24
#define SYNACK_NDP_NA_LEN 24
#define SYNACK_NDP_REDIRECT_LEN 40

/*
 * A parsed NDP message. Fields belong to the types named beside them;
 * the others are zero. `opts` is the option region (after the fixed
 * part), every option of which has been checked: non-zero length, within
 * the message, SLLA/TLLA of Ethernet size (one unit).
 *
 * Emit writes the fixed part, then an SLLA, TLLA and MTU option for each
 * has_* flag, then copies `opts` as they are (build them with the
 * synack_ndp_opt_*_emit helpers). A parsed repr emitted again therefore
 * carries its singletons twice unless the has_* flags are cleared.
 */
typedef struct synack_ndp_repr {
    uint8_t type;              /* SYNACK_ICMP6_RS .. SYNACK_ICMP6_REDIRECT */
    uint8_t code;              /* must be 0 to be valid (checked by the caller) */
    /* RA */
    uint8_t cur_hop_limit;     /* 0: unspecified */
    uint8_t ra_flags;          /* SYNACK_NDP_RA_MANAGED | _OTHER (raw byte) */
    int8_t preference;         /* SYNACK_NDP_PREF_* (RFC 4191) */
    uint16_t router_lifetime;  /* seconds; 0: not a default router */
    uint32_t reachable_ms;     /* 0: unspecified */
    uint32_t retrans_ms;       /* 0: unspecified */
    /* NA */
    bool router, solicited, override;
    /* NS, NA, Redirect */
    synack_addr target;
    /* Redirect */
    synack_addr redirect_dst;
    /* options */
    bool has_slla, has_tlla, has_mtu;
    synack_mac slla, tlla;     /* the first of each (later ones ignored) */
    uint32_t mtu;              /* MTU option (a one-unit option) */
    uint16_t n_prefix;         /* counts of valid options of these types */
    uint16_t n_rdnss;
    uint16_t n_dnssl;
    uint16_t n_ignored;        /* known options of a wrong size, unknown ones */
    const uint8_t *opts;
    size_t opts_len;
} synack_ndp_repr;

/*
 * Parse an NDP message (types 133-137). Returns the length of the fixed
 * part, or TRUNCATED (shorter than its type's fixed part),
 * BAD_OPTION (an option of length 0, one running past the end, an
 * SLLA/TLLA that is not one unit long: RFC 4861 says such a packet is
 * discarded), UNSUPPORTED (another type). The code is not checked here.
 */
int synack_ndp_parse(const uint8_t *msg, size_t len, synack_ndp_repr *out);

/* Bytes synack_ndp_emit writes for r. */
size_t synack_ndp_len(const synack_ndp_repr *r);

/* Write the whole ICMPv6 message with its checksum (phsum: the IPv6
 * pseudo-header sum, synack_addr_pseudo_sum). Returns synack_ndp_len(r). */
size_t synack_ndp_emit(const synack_ndp_repr *r, uint8_t *buf, uint32_t phsum);

/* A Prefix Information option (RFC 4861 4.6.2). */
typedef struct synack_ndp_prefix {
    uint8_t len;               /* prefix length in bits, 0..128 */
    bool onlink;               /* L */
    bool autonomous;           /* A */
    uint32_t valid_s;          /* seconds, SYNACK_NDP_INFINITE */
    uint32_t preferred_s;
    synack_addr prefix;        /* family SYNACK_AF_IP6 */
} synack_ndp_prefix;

/* One option the iterator yields: prefix, RDNSS or DNSSL. */
typedef struct synack_ndp_opt {
    uint8_t type;
    synack_ndp_prefix prefix;  /* SYNACK_NDP_OPT_PREFIX */
    uint32_t lifetime_s;       /* RDNSS, DNSSL */
    const uint8_t *data;       /* RDNSS: the addresses (16 bytes each);
                                  DNSSL: the encoded names with padding */
    size_t count;              /* RDNSS: addresses; DNSSL: bytes at data */
} synack_ndp_opt;

typedef struct synack_ndp_opt_iter {
    const uint8_t *p;
    size_t len, off;
} synack_ndp_opt_iter;

/* Start walking the options of a parsed repr. */
static inline synack_ndp_opt_iter synack_ndp_opts(const synack_ndp_repr *r)
{
    synack_ndp_opt_iter it = {r->opts, r->opts_len, 0};
    return it;
}

/*
 * The next valid Prefix Information, RDNSS or DNSSL option (other types
 * and invalid ones, e.g. an RDNSS shorter than three units, are skipped).
 * Returns false at the end.
 */
bool synack_ndp_opt_next(synack_ndp_opt_iter *it, synack_ndp_opt *out);

/* The i-th address of an RDNSS option (i < count). */
synack_addr synack_ndp_rdnss_addr(const synack_ndp_opt *o, size_t i);

/*
 * The next domain name of a DNSSL option as dotted text (no final dot) in
 * name[cap]; *off starts at 0. Returns the text length, 0 when no name is
 * left (the rest is padding), or SYNACK_WIRE_BAD_OPTION (a label past the
 * end or a name longer than cap - 1; cannot happen for an option the
 * iterator yielded with cap >= 254).
 */
int synack_ndp_dnssl_name(const synack_ndp_opt *o, size_t *off, char *name, size_t cap);

/* Option emitters; each returns the bytes written (a multiple of 8). */
size_t synack_ndp_opt_prefix_emit(const synack_ndp_prefix *p, uint8_t *buf); /* 32 */
size_t synack_ndp_opt_rdnss_emit(uint32_t lifetime_s, const synack_addr *addrs,
                                 size_t n, uint8_t *buf);          /* 8 + 16 n */
/* `names`: dotted names separated by ',' (e.g. "a.example,b.example");
 * labels of 1..63 bytes. Returns 0 when a name is malformed. */
size_t synack_ndp_opt_dnssl_emit(uint32_t lifetime_s, const char *names, uint8_t *buf,
                                 size_t cap);

/* ---- addresses NDP and MLD use (RFC 4291 2.7.1, RFC 2464 7) ------------- */

/* ff02::1:ffXX:XXXX, the solicited-node group of a (RFC 4291 2.7.1). */
synack_addr synack_ndp_solicited_node(const synack_addr *a);
/* 33:33 and the group's low 32 bits (RFC 2464 section 7). */
synack_mac synack_ndp_mcast_mac(const synack_addr *group);
/* ff02::1, ff02::2, ff02::16 */
synack_addr synack_ndp_all_nodes(void);
synack_addr synack_ndp_all_routers(void);
synack_addr synack_mld_all_routers(void);

/* ---- MLDv2 (RFC 3810) ---------------------------------------------------- */

/* Multicast address record types (RFC 3810 5.2.12). */
#define SYNACK_MLD_IS_INCLUDE 1
#define SYNACK_MLD_IS_EXCLUDE 2
#define SYNACK_MLD_TO_INCLUDE 3
#define SYNACK_MLD_TO_EXCLUDE 4
#define SYNACK_MLD_ALLOW 5
#define SYNACK_MLD_BLOCK 6

#define SYNACK_MLD1_LEN 24       /* an MLDv1 message (RFC 2710 section 3) */
#define SYNACK_MLD2_QUERY_MIN 28 /* an MLDv2 query without sources */
#define SYNACK_MLD2_RECORD_LEN 20 /* a record without sources or aux data */

/* A Multicast Listener Query, version 1 or 2 (RFC 3810 5.1, 8.1). */
typedef struct synack_mld_query {
    bool v2;
    uint32_t max_resp_ms;     /* decoded Maximum Response Code (5.1.3) */
    synack_addr group;        /* :: for a general query */
    bool suppress;            /* S flag (v2) */
    uint8_t qrv;              /* robustness variable (v2), 0: unset */
    uint32_t qqi_s;           /* decoded QQIC (5.1.9), v2 */
    uint16_t n_sources;       /* v2; the sources follow in the message */
} synack_mld_query;

/*
 * Parse a query: 24 bytes is MLDv1, 28 or more MLDv2 with its source list
 * within the message; 25-27 bytes are UNSUPPORTED (RFC 3810 8.1 says to
 * ignore them), shorter TRUNCATED, a source list past the end BAD_LEN.
 */
int synack_mld_query_parse(const uint8_t *msg, size_t len, synack_mld_query *out);

/* A record of a report we send: no sources, no auxiliary data. */
typedef struct synack_mld_record {
    uint8_t type;             /* SYNACK_MLD_* */
    synack_addr group;
} synack_mld_record;

/*
 * Parse an MLDv2 report's records (sources and aux data skipped) into
 * out[cap]; *n gets the record count the message claims. Returns 8, or
 * TRUNCATED / BAD_LEN when a record runs past the end.
 */
int synack_mld_report_parse(const uint8_t *msg, size_t len, synack_mld_record *out,
                            size_t cap, size_t *n);

/* Write the ICMPv6 part of an MLDv2 report with n records and a zero
 * checksum (the IPv6 output fills it). Returns 8 + 20 n. */
size_t synack_mld_report_emit(const synack_mld_record *recs, size_t n, uint8_t *buf);

/* IPv6 header + Hop-by-Hop (Router Alert) + ICMPv6: the bytes of a whole
 * report packet of n records. */
static inline size_t synack_mld_packet_len(size_t n)
{
    return SYNACK_IP6_HDR_LEN + 8 + 8 + SYNACK_MLD2_RECORD_LEN * n;
}

/*
 * Write a whole MLDv2 report packet (RFC 3810 5.2): IPv6 header from src
 * (link-local, or :: during DAD, 5.2.13) to ff02::16 with hop limit 1
 * (section 5), a Hop-by-Hop header with the Router Alert option (value 0:
 * MLD, RFC 2711) and PadN, then the ICMPv6 type 143 with its checksum.
 * Returns synack_mld_packet_len(n).
 */
size_t synack_mld_packet_emit(const synack_addr *src, const synack_mld_record *recs,
                              size_t n, uint8_t *buf);

/* Decode RFC 3810's floating-point codes (5.1.3 and 5.1.9). */
uint32_t synack_mld_max_resp_ms(uint16_t code);
uint32_t synack_mld_qqi_s(uint8_t code);

#endif /* SYNACK_WIRE_NDP_H */
