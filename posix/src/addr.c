/*
 * The conversions between the program's world (struct sockaddr, errno)
 * and the stack's (synack_addr + port, synack_err). Everything else goes
 * through these, so a change of the stack's address type stays here.
 * AF_INET6 sockets are dual-stack, as on Linux: an IPv4 peer appears to
 * them as ::ffff:a.b.c.d, and such an address given to them means IPv4.
 */
#include <errno.h>
#include <string.h>

#include "sp.h"

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

synack_sp_addr synack_sp_addr_v4(synack_ip4 ip, uint16_t port)
{
    return (synack_sp_addr){synack_addr_from_ip4(ip), port};
}

bool synack_sp_addr_is_any(const synack_addr *a)
{
    for (size_t i = 0; i < sizeof a->b; i++)
        if (a->b[i] != 0)
            return false;
    return true;
}

int synack_sp_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, synack_sp_addr *out)
{
    if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
        return EINVAL;
    if (sa->sa_family == AF_INET6) {
        if (len < (socklen_t)sizeof(struct sockaddr_in6))
            return EINVAL;
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        memset(&out->ip, 0, sizeof out->ip);
        if (memcmp(in6.sin6_addr.s6_addr, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
            out->ip.family = SYNACK_AF_IP4;
            memcpy(out->ip.b, in6.sin6_addr.s6_addr + 12, 4);
        } else {
            out->ip.family = SYNACK_AF_IP6;
            memcpy(out->ip.b, in6.sin6_addr.s6_addr, 16);
        }
        out->port = ntohs(in6.sin6_port);
        return 0;
    }
    if (sa->sa_family != AF_INET)
        return EAFNOSUPPORT;
    if (len < (socklen_t)sizeof(struct sockaddr_in))
        return EINVAL;
    struct sockaddr_in in;
    memcpy(&in, sa, sizeof in);
    *out = synack_sp_addr_v4(ntohl(in.sin_addr.s_addr), ntohs(in.sin_port));
    return 0;
}

void synack_sp_addr_to_sockaddr(const synack_sp_addr *a, int family, struct sockaddr *sa,
                                socklen_t *len)
{
    if (len == NULL)
        return;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
    const void *src;
    size_t size;
    if (family == AF_INET6) {
        memset(&in6, 0, sizeof in6);
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons(a->port);
        if (synack_sp_addr_is6(&a->ip)) {
            memcpy(in6.sin6_addr.s6_addr, a->ip.b, 16);
        } else if (!synack_sp_addr_is_any(&a->ip)) {
            memcpy(in6.sin6_addr.s6_addr, v4mapped_prefix, sizeof v4mapped_prefix);
            memcpy(in6.sin6_addr.s6_addr + 12, a->ip.b, 4);
        }
        src = &in6;
        size = sizeof in6;
    } else {
        memset(&in, 0, sizeof in);
        in.sin_family = AF_INET;
        in.sin_port = htons(a->port);
        memcpy(&in.sin_addr.s_addr, a->ip.b, 4); /* network order already */
        if (synack_sp_addr_is6(&a->ip))
            in.sin_addr.s_addr = 0;
        src = &in;
        size = sizeof in;
    }
    if (sa != NULL) {
        size_t n = *len < (socklen_t)size ? (size_t)*len : size;
        memcpy(sa, src, n);
    }
    *len = (socklen_t)size;
}

/* ---- the stack's calls that take or give addresses -------------------- */

int synack_sp_stack_connect(int h, const synack_sp_addr *a)
{
    return synack_tcp_connect(synack_sp_stack(), synack_sp_now(), h, &a->ip, a->port);
}

int synack_sp_stack_accept(int h, synack_sp_addr *peer)
{
    return synack_tcp_accept(synack_sp_stack(), synack_sp_now(), h, &peer->ip, &peer->port);
}

int synack_sp_stack_local(int h, synack_sp_addr *out)
{
    synack_tcp_info info;
    int rc = synack_tcp_get_info(synack_sp_stack(), h, &info);
    if (rc == 0)
        *out = (synack_sp_addr){info.local_addr, info.local_port};
    return rc;
}

int synack_sp_stack_udp_sendto(int h, const synack_sp_addr *dst, const void *data, size_t len)
{
    return synack_udp_sendto(synack_sp_stack(), synack_sp_now(), h, &dst->ip, dst->port, data, len);
}

int synack_sp_stack_udp_recvfrom(int h, void *buf, size_t cap, synack_sp_addr *src)
{
    return synack_udp_recvfrom(synack_sp_stack(), h, buf, cap, &src->ip, &src->port);
}

int synack_sp_stack_dns_query(const char *name)
{
    return synack_dns_query(synack_sp_stack(), synack_sp_now(), name, NULL);
}

int synack_sp_stack_dns_result(int q, synack_ip4 *out)
{
    synack_addr a;
    int rc = synack_dns_result(synack_sp_stack(), q, &a);
    if (rc == 0)
        *out = synack_addr_to_ip4(&a);
    return rc;
}

int synack_sp_stack_dns_query_family(const char *name, int family)
{
    return synack_dns_query_family(synack_sp_stack(), synack_sp_now(), name, NULL, family);
}

int synack_sp_stack_dns_result_all(int q, synack_addr *out, size_t max)
{
    return synack_dns_result_all(synack_sp_stack(), q, out, max);
}

bool synack_sp_stack_has_ip6(void)
{
    synack_ip6_addr_info a[8];
    size_t n = synack_get_ipv6(synack_sp_stack(), a, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        bool ll = a[i].addr.b[0] == 0xfe && (a[i].addr.b[1] & 0xc0) == 0x80;
        if (!ll && (a[i].state == SYNACK_IP6_PREFERRED || a[i].state == SYNACK_IP6_DEPRECATED))
            return true;
    }
    return false;
}

int synack_sp_errno(int err)
{
    switch (err) {
    case SYNACK_ERR_INVAL: return EINVAL;
    case SYNACK_ERR_NOMEM: return ENOBUFS;
    case SYNACK_ERR_AGAIN: return EAGAIN;
    case SYNACK_ERR_ADDRINUSE: return EADDRINUSE;
    case SYNACK_ERR_NOTCONN: return ENOTCONN;
    case SYNACK_ERR_REFUSED: return ECONNREFUSED;
    case SYNACK_ERR_RESET: return ECONNRESET;
    case SYNACK_ERR_TIMEOUT: return ETIMEDOUT;
    case SYNACK_ERR_UNREACHABLE: return EHOSTUNREACH;
    case SYNACK_ERR_CLOSED: return EPIPE;
    case SYNACK_ERR_MSGSIZE: return EMSGSIZE;
    case SYNACK_ERR_STATE: return EINVAL;
    case SYNACK_ERR_BADF: return EBADF;
    case SYNACK_ERR_ISCONN: return EISCONN;
    case SYNACK_ERR_ABORTED: return ECONNABORTED;
    case SYNACK_ERR_NOTFOUND: return EHOSTUNREACH;
    default: return EIO;
    }
}
