/*
 * Name resolution through the stack's DNS stub resolver (the server from
 * SYNACK_DNS or DHCP): getaddrinfo, freeaddrinfo, gai_strerror,
 * getnameinfo and gethostbyname. getaddrinfo asks AAAA and A together
 * (AF_UNSPEC; AF_INET6 asks AAAA, AF_INET asks A) and lists every address
 * in RFC 8305 section 4 order, families interleaved, IPv6 first when the
 * stack has a global IPv6 address (a Happy Eyeballs client such as curl
 * races them; others try them in turn). AF_INET6 with AI_V4MAPPED gives
 * the A answer as ::ffff:a.b.c.d when there is no AAAA. gethostbyname
 * asks A only.
 * Numeric hosts and ports need no network; "localhost" is 127.0.0.1
 * (::1 for AF_INET6); a few well-known service names
 * are known (there is no /etc/services under WASI). No /etc/hosts, no
 * reverse lookups (getnameinfo answers numerically; NI_NAMEREQD fails).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

/* How long a lookup may take in all (the resolver's own retries are
 * 1 + 2 + 4 s). */
#define RESOLVE_MS 10000

int synack_sp_resolve(const char *name, synack_ip4 *out)
{
    if (synack_sp_up() != 0)
        return SYNACK_ERR_UNREACHABLE;
    int q = synack_sp_stack_dns_query(name);
    if (q < 0)
        return q;
    uint64_t until = synack_sp_deadline(RESOLVE_MS);
    int rc;
    for (;;) {
        rc = synack_sp_stack_dns_result(q, out);
        if (rc != SYNACK_ERR_AGAIN)
            break;
        if (synack_sp_link_down()) {
            rc = SYNACK_ERR_UNREACHABLE;
            break;
        }
        if (synack_sp_now() >= until) {
            rc = SYNACK_ERR_TIMEOUT;
            break;
        }
        synack_sp_step(until, NULL, 0);
    }
    synack_dns_close(synack_sp_stack(), q);
    return rc;
}

int synack_sp_resolve_all(const char *name, bool want6, bool want4,
                          synack_addr *out, int max)
{
    if (synack_sp_up() != 0)
        return SYNACK_ERR_UNREACHABLE;
    int q[2] = {-1, -1}, rc[2] = {SYNACK_ERR_NOTFOUND, SYNACK_ERR_NOTFOUND};
    synack_addr got[2][SYNACK_DNS_MAX_ADDRS];
    const bool want[2] = {want6, want4};
    const int fam[2] = {SYNACK_AF_IP6, SYNACK_AF_IP4};
    for (int f = 0; f < 2; f++) {
        if (!want[f])
            continue;
        q[f] = synack_sp_stack_dns_query_family(name, fam[f]);
        if (q[f] < 0) {
            rc[f] = q[f];
            q[f] = -1;
        } else {
            rc[f] = SYNACK_ERR_AGAIN;
        }
    }
    uint64_t until = synack_sp_deadline(RESOLVE_MS);
    for (;;) {
        bool pending = false;
        for (int f = 0; f < 2; f++) {
            if (q[f] >= 0 && rc[f] == SYNACK_ERR_AGAIN)
                rc[f] = synack_sp_stack_dns_result_all(q[f], got[f], SYNACK_DNS_MAX_ADDRS);
            pending |= rc[f] == SYNACK_ERR_AGAIN;
        }
        if (!pending)
            break;
        if (synack_sp_link_down() || synack_sp_now() >= until) {
            for (int f = 0; f < 2; f++)
                if (rc[f] == SYNACK_ERR_AGAIN)
                    rc[f] = synack_sp_link_down() ? SYNACK_ERR_UNREACHABLE : SYNACK_ERR_TIMEOUT;
            break;
        }
        synack_sp_step(until, NULL, 0);
    }
    for (int f = 0; f < 2; f++)
        if (q[f] >= 0)
            synack_dns_close(synack_sp_stack(), q[f]);
    int n[2] = {rc[0] > 0 ? rc[0] : 0, rc[1] > 0 ? rc[1] : 0};
    if (n[0] + n[1] == 0)
        return rc[1] != SYNACK_ERR_NOTFOUND && want4 ? rc[1] : rc[0];
    /* RFC 8305 section 4: interleave, the preferred family first */
    int first = synack_sp_stack_has_ip6() || n[1] == 0 ? 0 : 1;
    int k = 0, i[2] = {0, 0};
    for (int f = first; k < max && (i[0] < n[0] || i[1] < n[1]); f = 1 - f)
        if (i[f] < n[f])
            out[k++] = got[f][i[f]++];
    return k;
}

static const struct {
    const char *name;
    uint16_t port;
} services[] = {
    {"echo", 7},     {"discard", 9},  {"daytime", 13}, {"ftp", 21},
    {"ssh", 22},     {"telnet", 23},  {"smtp", 25},    {"domain", 53},
    {"http", 80},    {"pop3", 110},   {"ntp", 123},    {"imap", 143},
    {"https", 443},  {"submission", 587}, {"imaps", 993}, {"pop3s", 995},
    {"postgresql", 5432}, {"redis", 6379}, {"http-alt", 8080},
};

/* 0 with *port, or an EAI_ value. */
static int service_port(const char *service, int flags, uint16_t *port)
{
    *port = 0;
    if (service == NULL || *service == '\0')
        return 0;
    char *end;
    unsigned long v = strtoul(service, &end, 10);
    if (*end == '\0' && service[0] >= '0' && service[0] <= '9') {
        if (v > 65535)
            return EAI_SERVICE;
        *port = (uint16_t)v;
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        if (strcmp(service, services[i].name) == 0) {
            *port = services[i].port;
            return 0;
        }
    }
    return EAI_SERVICE;
}

/* Map a synack_err of a lookup to an EAI_ value. */
static int eai_of(int rc)
{
    switch (rc) {
    case SYNACK_ERR_NOTFOUND:
    case SYNACK_ERR_INVAL:
        return EAI_NONAME;
    case SYNACK_ERR_TIMEOUT:
    case SYNACK_ERR_UNREACHABLE:
    case SYNACK_ERR_NOMEM:
        return EAI_AGAIN;
    default:
        return EAI_FAIL;
    }
}

/* An IPv4 name or numeric host: 0 with *ip (host order), or an EAI_ value. */
static int host_addr4(const char *node, int flags, synack_ip4 *ip)
{
    if (node == NULL) {
        *ip = (flags & AI_PASSIVE) ? 0 : SYNACK_IP4(127, 0, 0, 1);
        return 0;
    }
    if (synack_ip4_parse_text(node, ip) == 0)
        return 0;
    if (flags & AI_NUMERICHOST)
        return EAI_NONAME;
    if (strcmp(node, "localhost") == 0) {
        *ip = SYNACK_IP4(127, 0, 0, 1);
        return 0;
    }
    int rc = synack_sp_resolve(node, ip);
    return rc == 0 ? 0 : eai_of(rc);
}

/*
 * The hosts for `family` (AF_UNSPEC, AF_INET, AF_INET6): the count (>= 1)
 * with a[] and the result's family per address in fams[], or 0 with the
 * EAI_ value in *err.
 */
#define MAX_HOSTS (2 * SYNACK_DNS_MAX_ADDRS)
static int host_addrs(const char *node, int family, int flags, synack_addr *a, int *fams,
                      int *err)
{
    *err = 0;
    synack_addr v6;
    bool numeric6 = node != NULL && strchr(node, ':') != NULL && synack_addr_parse(node, &v6) == 0 &&
                    v6.family == SYNACK_AF_IP6;
    if (numeric6) {
        if (family == AF_INET)
            return *err = EAI_NONAME, 0;
        a[0] = v6;
        fams[0] = AF_INET6;
        return 1;
    }
    bool name = node != NULL && strcmp(node, "localhost") != 0 &&
                synack_addr_parse(node, &v6) != 0;
    if (name && !(flags & AI_NUMERICHOST)) {
        bool want6 = family != AF_INET;
        bool want4 = family != AF_INET6 || (flags & AI_V4MAPPED);
        int n = synack_sp_resolve_all(node, want6, want4, a, MAX_HOSTS);
        if (n < 0)
            return *err = eai_of(n), 0;
        bool any6 = false;
        for (int i = 0; i < n; i++)
            any6 |= a[i].family == SYNACK_AF_IP6;
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (family == AF_INET6 && a[i].family == SYNACK_AF_IP4 && any6)
                continue; /* AI_V4MAPPED: mapped IPv4 only without AAAA */
            a[k] = a[i];
            fams[k++] = a[i].family == SYNACK_AF_IP6 || family == AF_INET6 ? AF_INET6 : AF_INET;
        }
        return k;
    }
    if (family == AF_INET6) {
        if (node == NULL || strcmp(node, "localhost") == 0) {
            memset(a, 0, sizeof *a);
            a->family = SYNACK_AF_IP6;
            if (node != NULL || !(flags & AI_PASSIVE))
                a->b[15] = 1; /* ::1 */
            fams[0] = AF_INET6;
            return 1;
        }
        if (!(flags & AI_V4MAPPED))
            return *err = EAI_NONAME, 0;
    }
    synack_ip4 ip;
    int e = host_addr4(node, flags, &ip);
    if (e != 0)
        return *err = e, 0;
    a[0] = synack_addr_from_ip4(ip);
    fams[0] = family == AF_INET6 ? AF_INET6 : AF_INET; /* AF_INET6: as ::ffff:a.b.c.d */
    return 1;
}

/* One result: the addrinfo and its sockaddr in one block. */
static struct addrinfo *one(int family, int socktype, const synack_addr *ip, uint16_t port)
{
    struct addrinfo *ai = calloc(1, sizeof *ai + sizeof(struct sockaddr_in6));
    if (ai == NULL)
        return NULL;
    ai->ai_family = family;
    ai->ai_socktype = socktype;
    ai->ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    ai->ai_addr = (struct sockaddr *)(void *)(ai + 1);
    socklen_t len = sizeof(struct sockaddr_in6);
    synack_sp_addr a = {*ip, port};
    synack_sp_addr_to_sockaddr(&a, family, ai->ai_addr, &len);
    ai->ai_addrlen = len;
    return ai;
}

void SP_WRAP(freeaddrinfo)(struct addrinfo *ai)
{
    while (ai != NULL) {
        struct addrinfo *next = ai->ai_next;
        free(ai->ai_canonname);
        free(ai);
        ai = next;
    }
}

int SP_WRAP(getaddrinfo)(const char *node, const char *service,
                         const struct addrinfo *hints, struct addrinfo **res)
{
    int flags = hints ? hints->ai_flags : 0;
    int family = hints ? hints->ai_family : AF_UNSPEC;
    int socktype = hints ? hints->ai_socktype : 0;
    if (res == NULL || (node == NULL && service == NULL))
        return EAI_NONAME;
    *res = NULL;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return EAI_FAMILY;
    if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    uint16_t port;
    int e = service_port(service, flags, &port);
    if (e != 0)
        return e;
    synack_addr ips[MAX_HOSTS];
    int fams[MAX_HOSTS];
    int nh = host_addrs(node, family, flags, ips, fams, &e);
    if (nh == 0)
        return e;
    int types[2] = {socktype ? socktype : SOCK_STREAM, SOCK_DGRAM};
    int n = socktype ? 1 : 2;
    struct addrinfo *head = NULL, **tail = &head;
    for (int k = 0; k < nh; k++) {
        for (int i = 0; i < n; i++) {
            struct addrinfo *ai = one(fams[k], types[i], &ips[k], port);
            if (ai == NULL) {
                SP_WRAP(freeaddrinfo)(head);
                return EAI_MEMORY;
            }
            *tail = ai;
            tail = &ai->ai_next;
        }
    }
    synack_addr ip = ips[0];
    if (flags & AI_CANONNAME) {
        char text[SYNACK_ADDR_STRLEN];
        synack_addr_format(&ip, text);
        head->ai_canonname = strdup(node ? node : text);
        if (head->ai_canonname == NULL) {
            SP_WRAP(freeaddrinfo)(head);
            return EAI_MEMORY;
        }
    }
    *res = head;
    return 0;
}

const char *SP_WRAP(gai_strerror)(int e)
{
    switch (e) {
    case 0: return "Success";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_OVERFLOW: return "Result too large for supplied buffer";
    case EAI_SYSTEM: return "System error";
    default: return "Unknown error";
    }
}

int SP_WRAP(getnameinfo)(const struct sockaddr *sa, socklen_t salen, char *host,
                         socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
    synack_sp_addr a;
    int e = synack_sp_addr_from_sockaddr(sa, salen, &a);
    if (e == EAFNOSUPPORT)
        return EAI_FAMILY;
    if (e != 0)
        return EAI_FAIL;
    if (host != NULL && hostlen > 0) {
        if (flags & NI_NAMEREQD)
            return EAI_NONAME; /* no reverse lookups */
        char text[SYNACK_ADDR_STRLEN];
        synack_addr shown = a.ip;
        if (sa->sa_family == AF_INET6 && !synack_sp_addr_is6(&shown)) {
            /* ::ffff:a.b.c.d stays that (synack_addr_format writes it so) */
            struct sockaddr_in6 in6;
            memcpy(&in6, sa, sizeof in6);
            shown.family = SYNACK_AF_IP6;
            memcpy(shown.b, in6.sin6_addr.s6_addr, 16);
        }
        int n = synack_addr_format(&shown, text);
        if (n < 0 || (socklen_t)n >= hostlen)
            return EAI_OVERFLOW;
        memcpy(host, text, (size_t)n + 1);
    }
    if (serv != NULL && servlen > 0) {
        int n = snprintf(serv, servlen, "%u", (unsigned)a.port);
        if (n < 0 || (socklen_t)n >= servlen)
            return EAI_OVERFLOW;
    }
    return 0;
}

struct hostent *SP_WRAP(gethostbyname)(const char *name)
{
    static struct hostent he;
    static char hname[256];
    static struct in_addr addr;
    static char *addrs[2];
    static char *aliases[1];
    synack_ip4 ip;
    if (name == NULL || host_addr4(name, 0, &ip) != 0) {
        h_errno = HOST_NOT_FOUND;
        return NULL;
    }
    snprintf(hname, sizeof hname, "%s", name);
    addr.s_addr = htonl(ip);
    addrs[0] = (char *)&addr;
    addrs[1] = NULL;
    aliases[0] = NULL;
    he.h_name = hname;
    he.h_aliases = aliases;
    he.h_addrtype = AF_INET;
    he.h_length = 4;
    he.h_addr_list = addrs;
    return &he;
}
