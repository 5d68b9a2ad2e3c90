/*
 * Application wire formats carried over UDP: DHCP messages (RFC 2131
 * section 2, options per RFC 2132) and DNS messages (RFC 1035 section 4,
 * name compression per section 4.1.4). Same conventions as wire.h: parse
 * functions check every length once and fill a plain struct, returning a
 * non-negative length or a negative synack_wire_err (or one of the two
 * codes below); emitters write into a buffer of a stated capacity.
 */
#ifndef SYNACK_WIRE_APP_H
#define SYNACK_WIRE_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire.h"

/* Errors beyond synack_wire_err, for DNS names. */
#define SYNACK_WIRE_BAD_NAME (-8)    /* label type, label or name too long */
#define SYNACK_WIRE_BAD_POINTER (-9) /* compression pointer forward, looping or too many */

/* ---- DHCP (RFC 2131, RFC 2132) ----------------------------------------- */

#define SYNACK_DHCP_SERVER_PORT 67
#define SYNACK_DHCP_CLIENT_PORT 68
#define SYNACK_DHCP_FIXED_LEN 236  /* op .. file, before the magic cookie */
#define SYNACK_DHCP_MIN_LEN 240    /* fixed part + magic cookie */
#define SYNACK_DHCP_BOOTP_MIN 300  /* emitted messages are padded to this (RFC 1542 2.1) */
#define SYNACK_DHCP_MAX_LEN 576    /* what we emit at most (RFC 2131 section 2) */
#define SYNACK_DHCP_MAGIC 0x63825363u

#define SYNACK_BOOTREQUEST 1
#define SYNACK_BOOTREPLY 2
#define SYNACK_DHCP_FLAG_BROADCAST 0x8000

/* Message types (option 53, RFC 2132 section 9.6). */
#define SYNACK_DHCPDISCOVER 1
#define SYNACK_DHCPOFFER 2
#define SYNACK_DHCPREQUEST 3
#define SYNACK_DHCPDECLINE 4
#define SYNACK_DHCPACK 5
#define SYNACK_DHCPNAK 6
#define SYNACK_DHCPRELEASE 7
#define SYNACK_DHCPINFORM 8

/* Option codes used here (RFC 2132). */
#define SYNACK_DHCPOPT_PAD 0
#define SYNACK_DHCPOPT_SUBNET_MASK 1
#define SYNACK_DHCPOPT_ROUTER 3
#define SYNACK_DHCPOPT_DNS 6
#define SYNACK_DHCPOPT_REQUESTED_IP 50
#define SYNACK_DHCPOPT_LEASE_TIME 51
#define SYNACK_DHCPOPT_OVERLOAD 52
#define SYNACK_DHCPOPT_MSG_TYPE 53
#define SYNACK_DHCPOPT_SERVER_ID 54
#define SYNACK_DHCPOPT_PARAM_LIST 55
#define SYNACK_DHCPOPT_MAX_MSG_SIZE 57
#define SYNACK_DHCPOPT_T1 58
#define SYNACK_DHCPOPT_T2 59
#define SYNACK_DHCPOPT_END 255

#define SYNACK_DHCP_MAX_ADDRS 2 /* routers / DNS servers kept from a list */
#define SYNACK_DHCP_MAX_PARAMS 16

/*
 * A DHCP message: the fixed BOOTP fields and the options we understand.
 * `has_*` tell which options were present (parse) or are to be written
 * (emit). sname and file are neither read nor written (zeros).
 */
typedef struct synack_dhcp_repr {
    uint8_t op, htype, hlen, hops;
    uint32_t xid;
    uint16_t secs, flags;
    synack_ip4 ciaddr, yiaddr, siaddr, giaddr;
    uint8_t chaddr[16];

    uint8_t msg_type; /* option 53; 0 when absent */
    bool has_subnet_mask, has_lease_time, has_server_id, has_requested_ip;
    bool has_t1, has_t2, has_max_msg_size;
    synack_ip4 subnet_mask, server_id, requested_ip;
    uint32_t lease_time, t1, t2; /* seconds */
    uint16_t max_msg_size;
    uint8_t router_count, dns_count; /* entries kept (the list may be longer) */
    synack_ip4 router[SYNACK_DHCP_MAX_ADDRS], dns[SYNACK_DHCP_MAX_ADDRS];
    uint8_t param_count; /* option 55 */
    uint8_t params[SYNACK_DHCP_MAX_PARAMS];
    uint8_t overload;    /* option 52 value as seen; its fields are not read */
} synack_dhcp_repr;

/*
 * Parse a DHCP message (the UDP payload). Checks: at least the fixed part
 * and the magic cookie; hlen <= 16; options walk with pad (one byte) and
 * end; every other option has a length byte and data inside the message;
 * an END must be present; options we use have their exact size (53: 1;
 * 1, 50, 54: 4; 51, 58, 59: 4; 57: 2; 3 and 6: a non-zero multiple of 4)
 * and may not repeat. Unknown options are skipped by their length.
 * Option 52 (overload) is recorded but sname/file are not searched.
 * Returns the message length or a negative error.
 */
int synack_dhcp_parse(const uint8_t *buf, size_t len, synack_dhcp_repr *out);

/*
 * Write a message: fixed part, cookie, the options present in r (53 first,
 * then 1, 3, 6, 50, 51, 54, 55, 57, 58, 59), END, zero padding to 300 bytes.
 * Returns the length, or 0 when cap is too small.
 */
size_t synack_dhcp_emit(const synack_dhcp_repr *r, uint8_t *buf, size_t cap);

/* Prefix length of a contiguous netmask; -1 when not contiguous. */
int synack_ip4_mask_prefix(synack_ip4 mask);

/* ---- DNS (RFC 1035) ---------------------------------------------------- */

#define SYNACK_DNS_PORT 53
#define SYNACK_DNS_HDR_LEN 12
#define SYNACK_DNS_NAME_MAX 255      /* wire form, root label included */
#define SYNACK_DNS_MAX_JUMPS 16      /* compression pointers per name */
#define SYNACK_DNS_MAX_ANSWERS 32    /* answer records kept by a parse */
#define SYNACK_DNS_UDP_MAX 512       /* RFC 1035 2.3.4 (no EDNS) */

#define SYNACK_DNS_TYPE_A 1
#define SYNACK_DNS_TYPE_CNAME 5
#define SYNACK_DNS_TYPE_AAAA 28 /* RFC 3596 */
#define SYNACK_DNS_CLASS_IN 1

#define SYNACK_DNS_RCODE_NOERROR 0
#define SYNACK_DNS_RCODE_FORMERR 1
#define SYNACK_DNS_RCODE_SERVFAIL 2
#define SYNACK_DNS_RCODE_NXDOMAIN 3

/* Header flag bits (RFC 1035 4.1.1). */
#define SYNACK_DNS_QR 0x8000
#define SYNACK_DNS_AA 0x0400
#define SYNACK_DNS_TC 0x0200
#define SYNACK_DNS_RD 0x0100
#define SYNACK_DNS_RA 0x0080

/* A domain name in uncompressed wire form, ASCII letters lower-cased. */
typedef struct synack_dns_name {
    uint8_t len; /* bytes used in b, the root label included */
    uint8_t b[SYNACK_DNS_NAME_MAX];
} synack_dns_name;

/* One resource record; names are offsets into the message (already
 * validated: synack_dns_name_read on them cannot fail). */
typedef struct synack_dns_rr {
    uint16_t name_off;
    uint16_t type, cls;
    uint32_t ttl;
    uint16_t rdata_off, rdlen;
} synack_dns_rr;

typedef struct synack_dns_repr {
    uint16_t id, flags;  /* flags: QR, opcode, AA, TC, RD, RA, rcode */
    uint16_t qdcount, ancount, nscount, arcount;
    /* the first question (when qdcount >= 1) */
    uint16_t qname_off;
    uint16_t qtype, qclass;
    /* the answers kept (at most SYNACK_DNS_MAX_ANSWERS) */
    uint16_t an_count;
    synack_dns_rr an[SYNACK_DNS_MAX_ANSWERS];
} synack_dns_repr;

static inline uint8_t synack_dns_rcode(const synack_dns_repr *r)
{
    return (uint8_t)(r->flags & 0x000f);
}

static inline uint8_t synack_dns_opcode(const synack_dns_repr *r)
{
    return (uint8_t)((r->flags >> 11) & 0x0f);
}

/*
 * Read the (possibly compressed) name at `off` of the message `msg`
 * into *out. Labels must lie inside the message, label types 01/10 are
 * rejected, pointers must point before the label that holds them (so no
 * loop is possible) and at most SYNACK_DNS_MAX_JUMPS are followed; the
 * name may not exceed 255 bytes. *next gets the offset just after the
 * name at its original place. Returns 0 or a negative error.
 */
int synack_dns_name_read(const uint8_t *msg, size_t len, size_t off,
                         synack_dns_name *out, size_t *next);

/*
 * Convert text ("www.example.com", optional final dot) to wire form.
 * Labels 1..63 bytes of printable ASCII other than '.', the whole name at
 * most 255 bytes. Returns 0 or SYNACK_WIRE_BAD_NAME.
 */
int synack_dns_name_from_text(const char *text, synack_dns_name *out);

/* Whether two names are equal (both already lower-cased wire form). */
bool synack_dns_name_equal(const synack_dns_name *a, const synack_dns_name *b);

/*
 * Parse a DNS message: header, the question section, and the answer
 * section (records past SYNACK_DNS_MAX_ANSWERS are checked but not kept);
 * authority and additional sections are not read. Returns the offset after
 * the answer section, or a negative error.
 */
int synack_dns_parse(const uint8_t *msg, size_t len, synack_dns_repr *out);

/*
 * Write a standard query (RD set) for one question. Returns the length,
 * or 0 when cap is too small.
 */
size_t synack_dns_query_emit(uint8_t *buf, size_t cap, uint16_t id,
                             const synack_dns_name *qname, uint16_t qtype,
                             uint16_t qclass);

#endif
