/*
 * The descriptor calls a program may make on a socket as on any file
 * (read, write, readv, writev, close, fcntl, ioctl) and the socket data
 * calls (recv, send, recvfrom, sendto, recvmsg, sendmsg). Descriptors
 * that are not synack sockets go to the C library unchanged, except
 * fds 0 and 1 under SYNACK_LINK=stdio on WASI (natively those are
 * rearranged once at start-up, sys_native.c): there fd 1 carries frames,
 * so the program's writes to it go to fd 2, and its fd 0 is empty.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

static int fail(int e)
{
    errno = e;
    return -1;
}

#ifdef __wasi__
#define STDIO_IN(fd) (synack_sp_stdio_link && (fd) == 0)
#define STDIO_OUT(fd) (synack_sp_stdio_link && (fd) == 1 ? 2 : (fd))
#else
#define STDIO_IN(fd) false
#define STDIO_OUT(fd) (fd)
#endif

ssize_t SP_WRAP(read)(int fd, void *buf, size_t len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return synack_sp_sock_recv(s, buf, len, 0, NULL, NULL);
    if (STDIO_IN(fd))
        return 0;
    return SP_REAL(read)(fd, buf, len);
}

ssize_t SP_WRAP(write)(int fd, const void *buf, size_t len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return synack_sp_sock_send(s, buf, len, 0, NULL, 0);
    return SP_REAL(write)(STDIO_OUT(fd), buf, len);
}

/* The iovecs as one buffer (sockets take one piece at a time). */
static size_t iov_total(const struct iovec *iov, int n)
{
    size_t t = 0;
    for (int i = 0; i < n; i++)
        t += iov[i].iov_len;
    return t;
}

static ssize_t sock_writev(synack_sp_sock *s, const struct iovec *iov, int n, int flags,
                           const struct sockaddr *to, socklen_t tolen)
{
    if (n < 0)
        return fail(EINVAL);
    if (n == 1)
        return synack_sp_sock_send(s, iov[0].iov_base, iov[0].iov_len, flags, to, tolen);
    size_t total = iov_total(iov, n);
    uint8_t *b = malloc(total ? total : 1);
    if (b == NULL)
        return fail(ENOMEM);
    size_t off = 0;
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len)
            memcpy(b + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    ssize_t r = synack_sp_sock_send(s, b, total, flags, to, tolen);
    free(b);
    return r;
}

static ssize_t sock_readv(synack_sp_sock *s, const struct iovec *iov, int n, int flags,
                          struct sockaddr *from, socklen_t *fromlen)
{
    if (n < 0)
        return fail(EINVAL);
    if (n == 1)
        return synack_sp_sock_recv(s, iov[0].iov_base, iov[0].iov_len, flags, from, fromlen);
    size_t total = iov_total(iov, n);
    uint8_t *b = malloc(total ? total : 1);
    if (b == NULL)
        return fail(ENOMEM);
    ssize_t r = synack_sp_sock_recv(s, b, total, flags, from, fromlen);
    size_t left = r > 0 ? (size_t)r : 0, off = 0;
    for (int i = 0; i < n && left > 0; i++) {
        size_t c = iov[i].iov_len < left ? iov[i].iov_len : left;
        memcpy(iov[i].iov_base, b + off, c);
        off += c;
        left -= c;
    }
    free(b);
    return r;
}

ssize_t SP_WRAP(readv)(int fd, const struct iovec *iov, int n)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return sock_readv(s, iov, n, 0, NULL, NULL);
    if (STDIO_IN(fd))
        return 0;
    return SP_REAL(readv)(fd, iov, n);
}

ssize_t SP_WRAP(writev)(int fd, const struct iovec *iov, int n)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return sock_writev(s, iov, n, 0, NULL, 0);
    return SP_REAL(writev)(STDIO_OUT(fd), iov, n);
}

int SP_WRAP(close)(int fd)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return synack_sp_sock_close(s);
    return SP_REAL(close)(fd);
}

ssize_t SP_WRAP(recv)(int fd, void *buf, size_t len, int flags)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS_ALL(recv, fd, buf, len, flags);
    return synack_sp_sock_recv(s, buf, len, flags, NULL, NULL);
}

ssize_t SP_WRAP(send)(int fd, const void *buf, size_t len, int flags)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS_ALL(send, fd, buf, len, flags);
    return synack_sp_sock_send(s, buf, len, flags, NULL, 0);
}

ssize_t SP_WRAP(recvfrom)(int fd, void *buf, size_t len, int flags,
                          struct sockaddr *from, socklen_t *fromlen)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(recvfrom, fd, buf, len, flags, from, fromlen);
    return synack_sp_sock_recv(s, buf, len, flags, from, fromlen);
}

ssize_t SP_WRAP(sendto)(int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *to, socklen_t tolen)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(sendto, fd, buf, len, flags, to, tolen);
    return synack_sp_sock_send(s, buf, len, flags, to, tolen);
}

ssize_t SP_WRAP(sendmsg)(int fd, const struct msghdr *m, int flags)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(sendmsg, fd, m, flags);
    if (m == NULL)
        return fail(EFAULT);
    return sock_writev(s, m->msg_iov, (int)m->msg_iovlen, flags,
                       m->msg_name, m->msg_name ? m->msg_namelen : 0);
}

ssize_t SP_WRAP(recvmsg)(int fd, struct msghdr *m, int flags)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(recvmsg, fd, m, flags);
    if (m == NULL)
        return fail(EFAULT);
    socklen_t nl = m->msg_namelen;
    /* MSG_TRUNC in msg_flags: a datagram longer than the buffers. */
    ssize_t r = sock_readv(s, m->msg_iov, (int)m->msg_iovlen, flags | SP_FULL_LEN,
                           m->msg_name, m->msg_name ? &nl : NULL);
    m->msg_flags = 0;
    m->msg_controllen = 0;
    if (r < 0)
        return r;
    if (m->msg_name)
        m->msg_namelen = nl;
    size_t cap = iov_total(m->msg_iov, (int)m->msg_iovlen);
    if ((size_t)r > cap) {
        m->msg_flags |= MSG_TRUNC;
        if (!SP_WANT_FULL(flags))
            r = (ssize_t)cap;
    }
    return r;
}

int SP_WRAP(fcntl)(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    uintptr_t arg = va_arg(ap, uintptr_t);
    va_end(ap);
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return synack_sp_sock_fcntl(s, cmd, arg);
    return SP_REAL(fcntl)(fd, cmd, arg);
}

#ifdef SP_ALL_SOCKETS_OURS
int SP_WRAP(ioctl)(int fd, int req, ...)
#else
int SP_WRAP(ioctl)(int fd, unsigned long req, ...)
#endif
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s != NULL)
        return synack_sp_sock_ioctl(s, (unsigned long)req, arg);
    return SP_REAL(ioctl)(fd, req, arg);
}
