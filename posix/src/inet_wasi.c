/*
 * Under WASI only: the address text functions wasi-libc declares but
 * does not define (inet_pton, inet_ntop, inet_aton, inet_addr,
 * inet_ntoa), and h_errno. inet_pton and inet_ntop take AF_INET and
 * AF_INET6 (RFC 4291 text in, RFC 5952 text out: the core's parser and
 * formatter).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "synack/synack.h"

int h_errno;

int inet_pton(int af, const char *restrict src, void *restrict dst)
{
    if (af == AF_INET6) {
        synack_addr a;
        if (strchr(src, ':') == NULL || synack_addr_parse(src, &a) != 0 || a.family != SYNACK_AF_IP6)
            return 0;
        memcpy(dst, a.b, 16);
        return 1;
    }
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    synack_ip4 ip;
    if (synack_ip4_parse_text(src, &ip) != 0)
        return 0;
    uint32_t be = htonl(ip);
    memcpy(dst, &be, 4);
    return 1;
}

const char *inet_ntop(int af, const void *restrict src, char *restrict dst, socklen_t size)
{
    if (af == AF_INET6) {
        synack_addr a = {.family = SYNACK_AF_IP6};
        memcpy(a.b, src, 16);
        char text[SYNACK_ADDR_STRLEN];
        int n = synack_addr_format(&a, text);
        if (n < 0 || (socklen_t)n >= size) {
            errno = ENOSPC;
            return NULL;
        }
        memcpy(dst, text, (size_t)n + 1);
        return dst;
    }
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    uint32_t be;
    memcpy(&be, src, 4);
    char text[16];
    int n = synack_ip4_format(ntohl(be), text);
    if (n < 0 || (socklen_t)n >= size) {
        errno = ENOSPC;
        return NULL;
    }
    memcpy(dst, text, (size_t)n + 1);
    return dst;
}

int inet_aton(const char *src, struct in_addr *out)
{
    synack_ip4 ip;
    if (synack_ip4_parse_text(src, &ip) != 0)
        return 0;
    out->s_addr = htonl(ip);
    return 1;
}

in_addr_t inet_addr(const char *src)
{
    struct in_addr a;
    return inet_aton(src, &a) ? a.s_addr : (in_addr_t)0xffffffffu;
}

char *inet_ntoa(struct in_addr in)
{
    static char buf[16];
    synack_ip4_format(ntohl(in.s_addr), buf);
    return buf;
}
