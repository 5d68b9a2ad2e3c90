/*
 * A DNS server for tests, written with the public UDP API: answers A
 * queries from a small table of A and CNAME records (following CNAMEs
 * into the answer, RFC 1034 section 4.3.2), NXDOMAIN for unknown names,
 * and misbehaves on request (silence, truncation, SERVFAIL, wrong ID or
 * question first).
 */
#ifndef CC_DNS_SERVER_H
#define CC_DNS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_fixture.h"
#include "wire/wire_app.h"

typedef struct cc_dns_record {
    const char *name;
    uint16_t type;      /* SYNACK_DNS_TYPE_A, _AAAA, _CNAME, or another (TXT: 16) */
    synack_ip4 addr;    /* A */
    const char *target; /* CNAME; for AAAA the IPv6 address as text */
} cc_dns_record;

#define CC_DNS_LOG_MAX 16

typedef struct cc_dns_server {
    synack_stack *s;
    int sock;
    const cc_dns_record *records;
    size_t nrecords;
    /* behaviour */
    uint32_t ignore_first;  /* queries read but not answered */
    bool silent;
    bool truncate;          /* answer with TC set and no records */
    bool servfail;
    uint16_t ignore_type;   /* queries of this type are read, not answered */
    /* when set, the answer to every query is what this writes (returns
     * its length; 0: no answer) */
    size_t (*craft)(void *ctx, const uint8_t *q, size_t qlen, uint8_t *out,
                    size_t cap);
    void *craft_ctx;
    bool bad_first;         /* before the answer, send one with the wrong ID
                               and one with another question */
    /* what it saw */
    uint32_t queries;
    uint64_t t[CC_DNS_LOG_MAX];
    uint16_t sport[CC_DNS_LOG_MAX];
    uint16_t id[CC_DNS_LOG_MAX];
} cc_dns_server;

/* Open `port` on s and serve `records`. Returns 0 or an error. */
int cc_dns_server_start(cc_dns_server *d, synack_stack *s, uint16_t port,
                        const cc_dns_record *records, size_t nrecords);

/* Read and answer queued queries (a cc_service_fn). */
int cc_dns_server_service(void *ctx, net_fixture *f);

#endif
