/*
 * The conversions between the program's world (struct sockaddr, errno)
 * and the stack's (synack_ip4 + port, synack_err). Everything else goes
 * through these, so a change of the stack's address type stays here.
 */
#include <errno.h>
#include <string.h>

#include "sp.h"

int synack_sp_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, synack_sp_addr *out)
{
    if (sa == NULL || len < (socklen_t)sizeof(struct sockaddr_in))
        return EINVAL;
    if (sa->sa_family != AF_INET)
        return EAFNOSUPPORT;
    struct sockaddr_in in;
    memcpy(&in, sa, sizeof in);
    out->ip = ntohl(in.sin_addr.s_addr);
    out->port = ntohs(in.sin_port);
    return 0;
}

void synack_sp_addr_to_sockaddr(const synack_sp_addr *a, struct sockaddr *sa, socklen_t *len)
{
    if (len == NULL)
        return;
    struct sockaddr_in in;
    memset(&in, 0, sizeof in);
    in.sin_family = AF_INET;
    in.sin_port = htons(a->port);
    in.sin_addr.s_addr = htonl(a->ip);
    if (sa != NULL) {
        size_t n = *len < (socklen_t)sizeof in ? (size_t)*len : sizeof in;
        memcpy(sa, &in, n);
    }
    *len = (socklen_t)sizeof in;
}

/* ---- the stack's calls that take or give addresses -------------------- */

/* The stack's address type from ours (IPv4 only, for now). */
static synack_addr to_stack(synack_ip4 ip)
{
    return synack_addr_from_ip4(ip);
}

/* Ours from the stack's; an IPv6 address (none yet: the sockets are
 * AF_INET) would read as 0.0.0.0. */
static synack_ip4 from_stack(const synack_addr *a)
{
    return synack_addr_to_ip4(a);
}

int synack_sp_stack_connect(int h, const synack_sp_addr *a)
{
    synack_addr dst = to_stack(a->ip);
    return synack_tcp_connect(synack_sp_stack(), synack_sp_now(), h, &dst, a->port);
}

int synack_sp_stack_accept(int h, synack_sp_addr *peer)
{
    synack_addr a;
    int rc = synack_tcp_accept(synack_sp_stack(), synack_sp_now(), h, &a, &peer->port);
    if (rc >= 0)
        peer->ip = from_stack(&a);
    return rc;
}

int synack_sp_stack_local(int h, synack_sp_addr *out)
{
    synack_tcp_info info;
    int rc = synack_tcp_get_info(synack_sp_stack(), h, &info);
    if (rc == 0)
        *out = (synack_sp_addr){from_stack(&info.local_addr), info.local_port};
    return rc;
}

int synack_sp_stack_udp_sendto(int h, const synack_sp_addr *dst, const void *data, size_t len)
{
    synack_addr a = to_stack(dst->ip);
    return synack_udp_sendto(synack_sp_stack(), synack_sp_now(), h, &a, dst->port, data, len);
}

int synack_sp_stack_udp_recvfrom(int h, void *buf, size_t cap, synack_sp_addr *src)
{
    synack_addr a;
    int rc = synack_udp_recvfrom(synack_sp_stack(), h, buf, cap, &a, &src->port);
    if (rc >= 0)
        src->ip = from_stack(&a);
    return rc;
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
        *out = from_stack(&a);
    return rc;
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
