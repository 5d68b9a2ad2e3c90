/*
 * The PROXY protocol (HAProxy's "PROXY protocol" specification, versions 1
 * and 2): a load balancer that proxies TCP tells the backend the client's
 * address in a header before the client's bytes. Sans-IO and bounded: the
 * parser looks at what has arrived so far and says "complete", "need more"
 * or "malformed", never reading past SYNACK_BR_PROXY_MAX bytes.
 */
#ifndef SYNACK_BR_PROXY_H
#define SYNACK_BR_PROXY_H

#include <stddef.h>
#include <stdint.h>

/* v1 is at most 107 bytes; v2 is 16 bytes plus addresses and TLVs. We take
 * TLVs up to this total and refuse longer headers (HAProxy's defaults send
 * none, or a few short ones). */
#define SYNACK_BR_PROXY_MAX 536
#define SYNACK_BR_PROXY_V1_MAX 107

typedef struct synack_br_proxy_addr {
    int family;        /* AF_INET, AF_INET6, or 0: use the connection's own
                          peer (v1 UNKNOWN, v2 LOCAL or UNSPEC) */
    uint8_t addr[16];  /* network order; 4 bytes used for AF_INET */
    uint16_t port;     /* host order */
} synack_br_proxy_addr;

typedef enum synack_br_proxy_status {
    SYNACK_BR_PROXY_MORE = 0, /* a valid prefix: wait for more bytes */
    SYNACK_BR_PROXY_DONE,     /* *hdr_len bytes were the header */
    SYNACK_BR_PROXY_BAD,      /* not a PROXY header, or a malformed one */
} synack_br_proxy_status;

/*
 * Parse the PROXY header at the start of buf[0..len). On DONE, *hdr_len is
 * its length and *out the source address it reports. MORE when len is
 * below SYNACK_BR_PROXY_MAX and buf is a valid beginning; BAD otherwise.
 */
synack_br_proxy_status synack_br_proxy_parse(const uint8_t *buf, size_t len,
                                             synack_br_proxy_addr *out,
                                             size_t *hdr_len);

#endif
