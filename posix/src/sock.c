/*
 * Socket descriptors over the stack's TCP and UDP handles: the BSD calls
 * with the errno values Linux gives (man 2 and 7: socket, tcp, udp).
 * Blocking calls run the stack (synack_sp_step) until they can finish, their
 * timeout (SO_RCVTIMEO / SO_SNDTIMEO) passes, or the link goes away.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <netinet/tcp.h>

#include "sp.h"

#define UDP_BUF 65536u
#define TCP_PEEK_MAX 65536u

/* ---- the descriptor table ---------------------------------------------- */

static synack_sp_sock **tab;
static size_t tab_cap;

synack_sp_sock *synack_sp_lookup(int fd)
{
    if (fd < 0 || (size_t)fd >= tab_cap)
        return NULL;
    return tab[fd];
}

static int put(synack_sp_sock *s)
{
    if ((size_t)s->fd >= tab_cap) {
        size_t cap = tab_cap ? tab_cap : 256;
        while (cap <= (size_t)s->fd)
            cap *= 2;
        synack_sp_sock **t = realloc(tab, cap * sizeof *t);
        if (t == NULL)
            return -1;
        memset(t + tab_cap, 0, (cap - tab_cap) * sizeof *t);
        tab = t;
        tab_cap = cap;
    }
    tab[s->fd] = s;
    return 0;
}

static int fail(int e)
{
    errno = e;
    return -1;
}

/* A new descriptor for a socket; NULL with errno. */
static synack_sp_sock *new_sock(int family, int type, int h)
{
    synack_sp_sock *s = calloc(1, sizeof *s);
    if (s == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    s->fd = synack_sp_sys_reserve_fd();
    if (s->fd < 0) {
        free(s);
        return NULL;
    }
    s->family = family;
    s->type = type;
    s->h = h;
    s->rcvtimeo_ms = s->sndtimeo_ms = -1;
    if (put(s) != 0) {
        synack_sp_sys_release_fd(s->fd);
        free(s);
        errno = ENOMEM;
        return NULL;
    }
    return s;
}

static void free_sock(synack_sp_sock *s)
{
    tab[s->fd] = NULL;
    synack_sp_sys_release_fd(s->fd);
    free(s->buf);
    free(s);
}

static bool is_tcp(const synack_sp_sock *s)
{
    return s->type == SOCK_STREAM;
}

static size_t buffered(const synack_sp_sock *s)
{
    return s->buf_len - s->buf_off;
}

/* ---- state and waiting ------------------------------------------------- */

static uint32_t tcp_events(const synack_sp_sock *s)
{
    return s->h >= 0 ? synack_tcp_events(synack_sp_stack(), s->h) : 0;
}

/* Bring a connecting socket's state up to date. */
static void refresh(synack_sp_sock *s)
{
    if (!is_tcp(s) || s->st != SP_CONNECTING)
        return;
    uint32_t ev = tcp_events(s);
    if (ev & SYNACK_EV_CONNECTED)
        s->st = SP_CONNECTED;
    else if (ev & (SYNACK_EV_ERROR | SYNACK_EV_CLOSED))
        s->st = SP_FAILED;
}

/* The error SO_ERROR would report (0: none); `take` clears it. */
static int pending_error(synack_sp_sock *s, bool take)
{
    int e = 0;
    if (is_tcp(s)) {
        if (s->h >= 0 && !s->err_taken) {
            int err = synack_tcp_error(synack_sp_stack(), s->h);
            if (err != 0)
                e = synack_sp_errno(err);
            if (e != 0 && take)
                s->err_taken = true;
        }
    } else if (s->udp_err != 0) {
        e = synack_sp_errno(s->udp_err);
        if (take)
            s->udp_err = 0;
    }
    return e;
}

/* Run the stack until ready(s) or the deadline. 0, or -1 with errno
 * (EAGAIN at the deadline, ENETDOWN when the link is gone). */
static int wait_for(synack_sp_sock *s, bool (*ready)(synack_sp_sock *), int64_t timeout_ms)
{
    uint64_t until = synack_sp_deadline(timeout_ms);
    for (;;) {
        if (ready(s))
            return 0;
        if (synack_sp_link_down())
            return fail(ENETDOWN);
        if (synack_sp_now() >= until)
            return fail(EAGAIN);
        synack_sp_step(until, NULL, 0);
    }
}

static bool connect_done(synack_sp_sock *s)
{
    refresh(s);
    return s->st != SP_CONNECTING;
}

static bool tcp_readable(synack_sp_sock *s)
{
    return buffered(s) > 0 ||
           (tcp_events(s) & (SYNACK_EV_READABLE | SYNACK_EV_ERROR | SYNACK_EV_EOF |
                             SYNACK_EV_CLOSED));
}

static bool tcp_writable(synack_sp_sock *s)
{
    return (tcp_events(s) & (SYNACK_EV_WRITABLE | SYNACK_EV_ERROR | SYNACK_EV_CLOSED)) != 0;
}

static bool acceptable(synack_sp_sock *s)
{
    return (tcp_events(s) & (SYNACK_EV_ACCEPT | SYNACK_EV_ERROR)) != 0;
}

/* UDP: take the next datagram from the stack into s->buf if none is
 * held. Returns whether one is held. ICMP errors are kept for a connected
 * socket (Linux reports them only there). */
static bool udp_fill(synack_sp_sock *s)
{
    if (s->has_dgram)
        return true;
    if (s->h < 0)
        return false;
    if (s->buf == NULL) {
        s->buf = malloc(UDP_BUF);
        if (s->buf == NULL)
            return false;
        s->buf_cap = UDP_BUF;
    }
    for (int i = 0; i < 64; i++) {
        synack_sp_addr src;
        int n = synack_sp_stack_udp_recvfrom(s->h, s->buf, s->buf_cap, &src);
        if (n == SYNACK_ERR_AGAIN)
            return false;
        if (n < 0) {
            if (s->has_peer)
                s->udp_err = n;
            continue;
        }
        if (s->has_peer && (!synack_addr_equal(&src.ip, &s->peer.ip) || src.port != s->peer.port))
            continue; /* a connected socket hears only its peer */
        if (s->family == AF_INET && synack_sp_addr_is6(&src.ip))
            continue; /* an AF_INET socket hears IPv4 only */
        s->has_dgram = true;
        s->buf_off = 0;
        s->buf_len = (size_t)n < s->buf_cap ? (size_t)n : s->buf_cap;
        s->dg_src = src;
        return true;
    }
    return false;
}

static bool udp_readable(synack_sp_sock *s)
{
    return udp_fill(s) || s->udp_err != 0;
}

short synack_sp_sock_revents(synack_sp_sock *s, short events)
{
    short m = 0;
    if (!is_tcp(s)) {
        m = POLLOUT;
        if (udp_readable(s))
            m |= POLLIN;
        if (s->udp_err != 0)
            m |= POLLERR;
        return m & (events | POLLERR | POLLHUP);
    }
    refresh(s);
    uint32_t ev = tcp_events(s);
    switch (s->st) {
    case SP_LISTEN:
        if (ev & SYNACK_EV_ACCEPT)
            m |= POLLIN;
        break;
    case SP_NEW:
        m |= POLLOUT | POLLHUP;
        break;
    case SP_CONNECTING:
        break;
    case SP_FAILED:
        m |= POLLIN | POLLOUT | POLLHUP;
        if (pending_error(s, false))
            m |= POLLERR;
        break;
    case SP_CONNECTED:
        if (buffered(s) > 0 || (ev & SYNACK_EV_READABLE) || s->rd_shut)
            m |= POLLIN;
#ifdef POLLRDHUP
        if (ev & SYNACK_EV_EOF)
            m |= POLLRDHUP;
#endif
        if ((ev & SYNACK_EV_WRITABLE) || s->wr_shut)
            m |= POLLOUT;
        if (ev & SYNACK_EV_ERROR) {
            m |= POLLIN | POLLOUT | POLLHUP;
            if (pending_error(s, false))
                m |= POLLERR;
        }
        if ((ev & SYNACK_EV_CLOSED) || ((ev & SYNACK_EV_EOF) && s->wr_shut))
            m |= POLLHUP;
        break;
    }
    return m & (events | POLLERR | POLLHUP);
}

/* ---- options applied to a TCP handle ----------------------------------- */

static void apply_tcp_opts(synack_sp_sock *s)
{
    synack_stack *st = synack_sp_stack();
    if (s->reuseaddr)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_REUSEADDR, 1);
    if (s->keepalive)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_KEEPALIVE, 1);
    if (s->nodelay)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_NODELAY, 1);
    if (s->keepidle_s)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_KEEPIDLE_MS, (int64_t)s->keepidle_s * 1000);
    if (s->keepintvl_s)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_KEEPINTVL_MS, (int64_t)s->keepintvl_s * 1000);
    if (s->keepcnt)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_KEEPCNT, s->keepcnt);
    if (s->sndbuf)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_SNDBUF, s->sndbuf);
    if (s->rcvbuf)
        synack_tcp_setopt(st, s->h, SYNACK_TCPOPT_RCVBUF, s->rcvbuf);
}

/* ---- socket, bind, listen, accept, connect ------------------------------ */

int SP_WRAP(socket)(int domain, int type, int protocol)
{
    int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_INET && domain != AF_INET6)
        return fail(EAFNOSUPPORT);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return fail(type == SOCK_RAW ? EPERM : EINVAL);
    if (protocol != 0 && protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return fail(EPROTONOSUPPORT);
    if (synack_sp_up() != 0)
        return -1;
    int h = -1;
    if (type == SOCK_STREAM) {
        h = synack_tcp_open(synack_sp_stack());
        if (h < 0)
            return fail(ENFILE);
    }
    synack_sp_sock *s = new_sock(domain, type, h);
    if (s == NULL) {
        if (h >= 0)
            synack_tcp_close(synack_sp_stack(), synack_sp_now(), h);
        return -1;
    }
    s->nonblock = (flags & SOCK_NONBLOCK) != 0;
    s->cloexec = (flags & SOCK_CLOEXEC) != 0;
    return s->fd;
}

/* Whether `ip` may be a local address: any, or one of the interface's. */
static bool local_ip_ok(const synack_addr *ip)
{
    if (synack_sp_addr_is_any(ip))
        return true;
    if (!synack_sp_addr_is6(ip)) {
        synack_ip4 ours;
        synack_get_ipv4(synack_sp_stack(), &ours, NULL, NULL);
        return synack_addr_to_ip4(ip) == ours;
    }
    synack_ip6_addr_info info[16];
    size_t n = synack_get_ipv6(synack_sp_stack(), info, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (synack_addr_equal(&info[i].addr, ip))
            return true;
    return false;
}

/*
 * The address a program gave a socket, as the stack's: an AF_INET socket
 * takes sockaddr_in only (Linux: EAFNOSUPPORT), an AF_INET6 socket
 * sockaddr_in6 (IPv4 as ::ffff:a.b.c.d, which IPV6_V6ONLY forbids:
 * ENETUNREACH, as Linux says) and for connect and sendto sockaddr_in too.
 */
static int sock_addr(const synack_sp_sock *s, const struct sockaddr *sa, socklen_t len,
                     bool v4_ok, synack_sp_addr *a)
{
    if (sa == NULL || len < (socklen_t)sizeof(sa_family_t))
        return EINVAL;
    if (s->family == AF_INET && sa->sa_family != AF_INET)
        return EAFNOSUPPORT;
    if (s->family == AF_INET6 && sa->sa_family != AF_INET6 && !(v4_ok && sa->sa_family == AF_INET))
        return EAFNOSUPPORT;
    int e = synack_sp_addr_from_sockaddr(sa, len, a);
    if (e == 0 && s->family == AF_INET6 && s->v6only && !synack_sp_addr_is6(&a->ip) &&
        !synack_sp_addr_is_any(&a->ip))
        return ENETUNREACH;
    if (e == 0 && s->family == AF_INET6 && synack_sp_addr_is_any(&a->ip))
        a->ip.family = SYNACK_AF_IP6; /* :: */
    return e;
}

int SP_WRAP(bind)(int fd, const struct sockaddr *sa, socklen_t len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(bind, fd, sa, len);
    synack_sp_addr a;
    int e = sock_addr(s, sa, len, false, &a);
    if (e != 0)
        return fail(e == ENETUNREACH ? EADDRNOTAVAIL : e);
    if (!local_ip_ok(&a.ip))
        return fail(EADDRNOTAVAIL);
    if (s->bound || (!is_tcp(s) && s->h >= 0) || (is_tcp(s) && s->st != SP_NEW))
        return fail(EINVAL);
    synack_stack *st = synack_sp_stack();
    if (!is_tcp(s)) {
        int h = synack_udp_open(st, a.port);
        if (h < 0)
            return fail(synack_sp_errno(h));
        s->h = h;
        if (s->v6only)
            synack_udp_setopt(st, h, SYNACK_UDPOPT_V6ONLY, 1);
        a.port = (uint16_t)synack_udp_port(st, h);
    } else if (a.port != 0) {
        int rc = synack_tcp_bind(st, s->h, a.port);
        if (rc < 0)
            return fail(synack_sp_errno(rc));
    } else {
        /* Linux picks the port at bind; so do we (getsockname sees it). */
        uint64_t r = synack_sp_now() * 2654435761u + (uint64_t)fd * 40503u;
        int rc = SYNACK_ERR_ADDRINUSE;
        for (int i = 0; i < 64 && rc == SYNACK_ERR_ADDRINUSE; i++) {
            a.port = (uint16_t)(32768 + (r + (uint64_t)i * 7919u) % 28232u);
            rc = synack_tcp_bind(st, s->h, a.port);
        }
        if (rc < 0)
            return fail(synack_sp_errno(rc));
    }
    s->local = a;
    s->bound = true;
    return 0;
}

int SP_WRAP(listen)(int fd, int backlog)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(listen, fd, backlog);
    if (!is_tcp(s))
        return fail(EOPNOTSUPP);
    if (s->st != SP_NEW && s->st != SP_LISTEN)
        return fail(EINVAL);
    if (backlog < 1)
        backlog = 1;
    if (backlog > 4096)
        backlog = 4096;
    int rc = synack_tcp_listen(synack_sp_stack(), s->h, (uint32_t)backlog);
    if (rc < 0)
        return fail(synack_sp_errno(rc));
    if (s->v6only)
        synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_V6ONLY, 1);
    if (!s->bound) {
        synack_sp_addr l;
        if (synack_sp_stack_local(s->h, &l) == 0)
            s->local.port = l.port;
        s->bound = true;
    }
    s->st = SP_LISTEN;
    s->backlog = backlog;
    return 0;
}

int SP_WRAP(accept4)(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(accept4, fd, sa, len, flags);
    if (!is_tcp(s))
        return fail(EOPNOTSUPP);
    if (s->st != SP_LISTEN)
        return fail(EINVAL);
    if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
        return fail(EINVAL);
    bool drained = false;
    for (;;) {
        synack_sp_addr from;
        int h = synack_sp_stack_accept(s->h, &from);
        if (h >= 0 && s->family == AF_INET && synack_sp_addr_is6(&from.ip)) {
            /* The stack's listeners take both families; an AF_INET
             * socket's never hears of IPv6 (Linux: such a SYN is reset). */
            synack_tcp_abort(synack_sp_stack(), synack_sp_now(), h);
            continue;
        }
        if (h >= 0) {
            synack_sp_sock *c = new_sock(s->family, SOCK_STREAM, h);
            if (c == NULL) {
                synack_tcp_abort(synack_sp_stack(), synack_sp_now(), h);
                return -1;
            }
            c->st = SP_CONNECTED;
            c->connect_told = true;
            c->bound = true;
            c->peer = from;
            synack_sp_stack_local(h, &c->local);
            c->nonblock = (flags & SOCK_NONBLOCK) != 0;
            c->cloexec = (flags & SOCK_CLOEXEC) != 0;
            /* Linux copies these from the listener. */
            c->nodelay = s->nodelay;
            c->keepalive = s->keepalive;
            c->keepidle_s = s->keepidle_s;
            c->keepintvl_s = s->keepintvl_s;
            c->keepcnt = s->keepcnt;
            c->rcvtimeo_ms = s->rcvtimeo_ms;
            c->sndtimeo_ms = s->sndtimeo_ms;
            if (c->nodelay || c->keepalive)
                apply_tcp_opts(c);
            if (sa != NULL)
                synack_sp_addr_to_sockaddr(&c->peer, c->family, sa, len);
            return c->fd;
        }
        if (h != SYNACK_ERR_AGAIN)
            return fail(synack_sp_errno(h));
        if (s->nonblock) {
            if (drained)
                return fail(EAGAIN);
            synack_sp_drain(); /* once: a connection may be waiting in the link */
            drained = true;
            continue;
        }
        if (wait_for(s, acceptable, s->rcvtimeo_ms) != 0)
            return -1;
    }
}

int SP_WRAP(accept)(int fd, struct sockaddr *sa, socklen_t *len)
{
    if (synack_sp_lookup(fd) == NULL)
        return PASS_ALL(accept, fd, sa, len);
    return SP_WRAP(accept4)(fd, sa, len, 0);
}

/* UDP: give the socket its handle (an ephemeral port) if it has none. */
static int udp_autobind(synack_sp_sock *s)
{
    if (s->h >= 0)
        return 0;
    int h = synack_udp_open(synack_sp_stack(), 0);
    if (h < 0)
        return fail(synack_sp_errno(h));
    s->h = h;
    s->bound = true;
    s->local.port = (uint16_t)synack_udp_port(synack_sp_stack(), h);
    return 0;
}

static int tcp_connect(synack_sp_sock *s, const synack_sp_addr *a)
{
    refresh(s);
    switch (s->st) {
    case SP_LISTEN:
        return fail(EINVAL);
    case SP_CONNECTING:
        return fail(EALREADY);
    case SP_CONNECTED:
        if (!s->connect_told) {
            s->connect_told = true; /* the non-blocking connect completed */
            return 0;
        }
        return fail(EISCONN);
    case SP_FAILED: {
        int e = pending_error(s, true);
        if (e != 0)
            return fail(e);
        /* Linux lets a failed socket try again: a fresh handle. */
        synack_tcp_close(synack_sp_stack(), synack_sp_now(), s->h);
        s->h = synack_tcp_open(synack_sp_stack());
        if (s->h < 0)
            return fail(ENOBUFS);
        apply_tcp_opts(s);
        s->st = SP_NEW;
        s->err_taken = false;
        s->bound = false;
        break;
    }
    case SP_NEW:
        break;
    }
    int rc = synack_sp_stack_connect(s->h, a);
    if (rc < 0)
        return fail(rc == SYNACK_ERR_UNREACHABLE ? ENETUNREACH : synack_sp_errno(rc));
    s->peer = *a;
    s->st = SP_CONNECTING;
    if (s->nonblock)
        return fail(EINPROGRESS);
    if (wait_for(s, connect_done, s->sndtimeo_ms) != 0)
        return errno == EAGAIN ? fail(EINPROGRESS) : -1;
    if (s->st == SP_FAILED) {
        int e = pending_error(s, true);
        return fail(e ? e : ECONNREFUSED);
    }
    s->connect_told = true;
    return 0;
}

int SP_WRAP(connect)(int fd, const struct sockaddr *sa, socklen_t len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(connect, fd, sa, len);
    if (!is_tcp(s) && sa != NULL && len >= (socklen_t)sizeof(sa_family_t) &&
        sa->sa_family == AF_UNSPEC) {
        s->has_peer = false; /* UDP: dissolve the association */
        return 0;
    }
    synack_sp_addr a;
    int e = sock_addr(s, sa, len, true, &a);
    if (e != 0)
        return fail(e);
    if (is_tcp(s))
        return tcp_connect(s, &a);
    if (udp_autobind(s) != 0)
        return -1;
    s->peer = a;
    s->has_peer = true;
    s->has_dgram = false; /* what came from others before is not for us */
    return 0;
}

/* ---- data ---------------------------------------------------------------- */

static bool dontwait(const synack_sp_sock *s, int flags)
{
    return s->nonblock || (flags & MSG_DONTWAIT);
}

static ssize_t tcp_recv(synack_sp_sock *s, uint8_t *buf, size_t len, int flags)
{
    refresh(s);
    if (s->st == SP_CONNECTING) {
        if (dontwait(s, flags))
            return fail(EAGAIN);
        if (wait_for(s, connect_done, s->rcvtimeo_ms) != 0)
            return -1;
    }
    if (s->st == SP_FAILED) {
        int e = pending_error(s, true);
        return fail(e ? e : ENOTCONN);
    }
    if (s->st != SP_CONNECTED)
        return fail(ENOTCONN);
    if (len == 0)
        return 0;
    size_t got = 0;
    bool drained = false;
    for (;;) {
        /* What an earlier MSG_PEEK took from the stack comes first. */
        if (buffered(s) > 0 && !(flags & MSG_PEEK)) {
            size_t n = buffered(s) < len - got ? buffered(s) : len - got;
            memcpy(buf + got, s->buf + s->buf_off, n);
            s->buf_off += n;
            got += n;
            if (buffered(s) == 0)
                s->buf_off = s->buf_len = 0;
        }
        if (got == len || s->rd_shut)
            return (ssize_t)got;
        int n;
        if (flags & MSG_PEEK) {
            if (s->buf == NULL) {
                s->buf = malloc(TCP_PEEK_MAX);
                if (s->buf == NULL)
                    return fail(ENOMEM);
                s->buf_cap = TCP_PEEK_MAX;
            }
            if (s->buf_off > 0) {
                memmove(s->buf, s->buf + s->buf_off, buffered(s));
                s->buf_len -= s->buf_off;
                s->buf_off = 0;
            }
            n = 0;
            if (s->buf_len < len && s->buf_len < s->buf_cap) {
                size_t want = len < s->buf_cap ? len : s->buf_cap;
                n = synack_tcp_recv(synack_sp_stack(), synack_sp_now(), s->h, s->buf + s->buf_len,
                                    want - s->buf_len);
                if (n > 0)
                    s->buf_len += (size_t)n;
            }
            if (s->buf_len > 0) {
                size_t c = s->buf_len < len ? s->buf_len : len;
                memcpy(buf, s->buf, c);
                return (ssize_t)c;
            }
        } else {
            n = synack_tcp_recv(synack_sp_stack(), synack_sp_now(), s->h, buf + got, len - got);
            if (n > 0) {
                got += (size_t)n;
                if (got == len || !(flags & MSG_WAITALL))
                    return (ssize_t)got;
                continue;
            }
        }
        if (n == 0)
            return (ssize_t)got; /* end of stream */
        if (n != SYNACK_ERR_AGAIN) {
            if (got > 0)
                return (ssize_t)got;
            if (s->err_taken)
                return 0; /* the error was reported: end of stream now */
            s->err_taken = true;
            return fail(synack_sp_errno(n));
        }
        if (got > 0 && !(flags & MSG_WAITALL))
            return (ssize_t)got;
        if (dontwait(s, flags)) {
            if (got > 0 || drained)
                return got > 0 ? (ssize_t)got : fail(EAGAIN);
            synack_sp_drain(); /* once: data may be waiting in the link */
            drained = true;
            continue;
        }
        if (wait_for(s, tcp_readable, s->rcvtimeo_ms) != 0)
            return got > 0 ? (ssize_t)got : -1;
    }
}

static ssize_t udp_recv(synack_sp_sock *s, uint8_t *buf, size_t len, int flags,
                        struct sockaddr *from, socklen_t *fromlen, bool *trunc)
{
    if (udp_autobind(s) != 0)
        return -1;
    bool drained = false;
    for (;;) {
        if (udp_fill(s)) {
            size_t n = s->buf_len < len ? s->buf_len : len;
            memcpy(buf, s->buf, n);
            if (trunc != NULL)
                *trunc = n < s->buf_len;
            size_t full = s->buf_len;
            if (from != NULL)
                synack_sp_addr_to_sockaddr(&s->dg_src, s->family, from, fromlen);
            if (!(flags & MSG_PEEK))
                s->has_dgram = false;
            return (ssize_t)(SP_WANT_FULL(flags) ? full : n);
        }
        int e = pending_error(s, true);
        if (e != 0)
            return fail(e);
        if (dontwait(s, flags)) {
            if (drained)
                return fail(EAGAIN);
            synack_sp_drain();
            drained = true;
            continue;
        }
        if (wait_for(s, udp_readable, s->rcvtimeo_ms) != 0)
            return -1;
    }
}

ssize_t synack_sp_sock_recv(synack_sp_sock *s, void *buf, size_t len, int flags,
                     struct sockaddr *from, socklen_t *fromlen)
{
    if (synack_sp_link_down() && !is_tcp(s))
        return fail(ENETDOWN);
    if (!is_tcp(s))
        return udp_recv(s, buf, len, flags, from, fromlen, NULL);
    ssize_t n = tcp_recv(s, buf, len, flags);
    if (n >= 0 && from != NULL)
        synack_sp_addr_to_sockaddr(&s->peer, s->family, from, fromlen);
    return n;
}

static ssize_t tcp_send(synack_sp_sock *s, const uint8_t *buf, size_t len, int flags)
{
    refresh(s);
    if (s->wr_shut)
        return fail(EPIPE);
    if (s->st == SP_CONNECTING) {
        if (dontwait(s, flags))
            return fail(EAGAIN);
        if (wait_for(s, connect_done, s->sndtimeo_ms) != 0)
            return -1;
    }
    if (s->st == SP_FAILED) {
        int e = pending_error(s, true);
        return fail(e ? e : EPIPE);
    }
    if (s->st != SP_CONNECTED)
        return fail(s->st == SP_LISTEN ? ENOTCONN : EPIPE);
    size_t done = 0;
    bool drained = false;
    for (;;) {
        int n = synack_tcp_send(synack_sp_stack(), synack_sp_now(), s->h, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            if (done == len)
                return (ssize_t)done;
            continue;
        }
        if (n == 0 && len == 0)
            return 0;
        if (n != SYNACK_ERR_AGAIN && n != SYNACK_ERR_NOMEM && n != 0) {
            if (done > 0)
                return (ssize_t)done;
            if (n == SYNACK_ERR_CLOSED || s->err_taken)
                return fail(EPIPE);
            s->err_taken = true;
            return fail(synack_sp_errno(n));
        }
        if (dontwait(s, flags)) {
            if (done > 0 || drained)
                return done > 0 ? (ssize_t)done : fail(EAGAIN);
            synack_sp_drain(); /* once: ACKs may be waiting in the link */
            drained = true;
            continue;
        }
        if (wait_for(s, tcp_writable, s->sndtimeo_ms) != 0)
            return done > 0 ? (ssize_t)done : -1;
    }
}

static ssize_t udp_send(synack_sp_sock *s, const void *buf, size_t len,
                        const struct sockaddr *to, socklen_t tolen)
{
    synack_sp_addr dst;
    if (to != NULL) {
        int e = sock_addr(s, to, tolen, true, &dst);
        if (e != 0)
            return fail(e);
    } else if (s->has_peer) {
        dst = s->peer;
    } else {
        return fail(EDESTADDRREQ);
    }
    if (!synack_sp_addr_is6(&dst.ip) && synack_addr_to_ip4(&dst.ip) == 0xffffffffu && !s->broadcast)
        return fail(EACCES);
    if (udp_autobind(s) != 0)
        return -1;
    int rc = synack_sp_stack_udp_sendto(s->h, &dst, buf, len);
    if (rc < 0)
        return fail(rc == SYNACK_ERR_UNREACHABLE ? ENETUNREACH : synack_sp_errno(rc));
    return (ssize_t)len;
}

ssize_t synack_sp_sock_send(synack_sp_sock *s, const void *buf, size_t len, int flags,
                     const struct sockaddr *to, socklen_t tolen)
{
    if (synack_sp_link_down())
        return fail(ENETDOWN);
    if (is_tcp(s)) {
        if (to != NULL && s->st != SP_CONNECTED)
            return fail(EPIPE); /* no TCP Fast Open */
        return tcp_send(s, buf, len, flags);
    }
    return udp_send(s, buf, len, to, tolen);
}

/* ---- closing ---------------------------------------------------------------- */

/* Connections closed by the program, still sending what they hold. */
static int *orphans;
static size_t n_orphans, cap_orphans;

size_t synack_sp_orphans_count(void)
{
    return n_orphans;
}

void synack_sp_orphans_service(void)
{
    synack_stack *st = synack_sp_stack();
    for (size_t i = 0; i < n_orphans;) {
        int h = orphans[i];
        uint8_t sink[512];
        int n = synack_tcp_recv(st, synack_sp_now(), h, sink, sizeof sink);
        bool done;
        if (n > 0) {
            /* Data for a closed socket: Linux answers with a reset. */
            synack_tcp_abort(st, synack_sp_now(), h);
            done = true;
        } else {
            synack_tcp_info info;
            done = synack_tcp_get_info(st, h, &info) != 0 ||
                   info.state == SYNACK_TCP_FIN_WAIT_2 ||
                   info.state == SYNACK_TCP_TIME_WAIT || info.state == SYNACK_TCP_CLOSED ||
                   (synack_tcp_events(st, h) & (SYNACK_EV_CLOSED | SYNACK_EV_ERROR));
            if (done)
                synack_tcp_close(st, synack_sp_now(), h);
        }
        if (done)
            orphans[i] = orphans[--n_orphans];
        else
            i++;
    }
}

static bool fin_acked(synack_sp_sock *s)
{
    synack_tcp_info info;
    if (synack_tcp_get_info(synack_sp_stack(), s->h, &info) != 0)
        return true;
    return info.state == SYNACK_TCP_FIN_WAIT_2 || info.state == SYNACK_TCP_TIME_WAIT ||
           info.state == SYNACK_TCP_CLOSED ||
           (tcp_events(s) & (SYNACK_EV_CLOSED | SYNACK_EV_ERROR));
}

int synack_sp_sock_close(synack_sp_sock *s)
{
    synack_stack *st = synack_sp_stack();
    if (!is_tcp(s)) {
        if (s->h >= 0)
            synack_udp_close(st, s->h);
    } else if (s->st == SP_CONNECTED && !synack_sp_link_down()) {
        synack_tcp_info info;
        bool unread = buffered(s) > 0 ||
                      (synack_tcp_get_info(st, s->h, &info) == 0 && info.rcvbuf_used > 0);
        if (s->linger_on && s->linger_s == 0) {
            synack_tcp_abort(st, synack_sp_now(), s->h);
        } else if (unread || (tcp_events(s) & SYNACK_EV_ERROR)) {
            synack_tcp_close(st, synack_sp_now(), s->h); /* unread data: RST */
        } else {
            if (!s->wr_shut)
                synack_tcp_shutdown(st, synack_sp_now(), s->h);
            if (s->linger_on)
                (void)wait_for(s, fin_acked, (int64_t)s->linger_s * 1000);
            if (n_orphans == cap_orphans) {
                size_t cap = cap_orphans ? 2 * cap_orphans : 16;
                int *o = realloc(orphans, cap * sizeof *o);
                if (o != NULL) {
                    orphans = o;
                    cap_orphans = cap;
                }
            }
            if (n_orphans < cap_orphans)
                orphans[n_orphans++] = s->h;
            else
                synack_tcp_close(st, synack_sp_now(), s->h);
        }
    } else if (s->h >= 0) {
        synack_tcp_close(st, synack_sp_now(), s->h);
    }
    free_sock(s);
    return 0;
}

int SP_WRAP(shutdown)(int fd, int how)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS_ALL(shutdown, fd, how);
    if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
        return fail(EINVAL);
    refresh(s);
    if (!is_tcp(s)) {
        if (!s->has_peer)
            return fail(ENOTCONN);
        return 0;
    }
    if (s->st != SP_CONNECTED)
        return fail(ENOTCONN);
    if (how != SHUT_RD && !s->wr_shut) {
        synack_tcp_shutdown(synack_sp_stack(), synack_sp_now(), s->h);
        s->wr_shut = true;
    }
    if (how != SHUT_WR)
        s->rd_shut = true;
    return 0;
}

/* ---- names ---------------------------------------------------------------- */

int SP_WRAP(getsockname)(int fd, struct sockaddr *sa, socklen_t *len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(getsockname, fd, sa, len);
    if (len == NULL)
        return fail(EFAULT);
    synack_sp_addr a = s->local;
    if (is_tcp(s) && (s->st == SP_CONNECTED || s->st == SP_CONNECTING))
        synack_sp_stack_local(s->h, &a);
    else if (!is_tcp(s) && s->has_peer && synack_sp_addr_is_any(&a.ip) &&
             !synack_sp_addr_is6(&s->peer.ip)) {
        synack_ip4 ours;
        synack_get_ipv4(synack_sp_stack(), &ours, NULL, NULL);
        a.ip = synack_addr_from_ip4(ours);
    }
    synack_sp_addr_to_sockaddr(&a, s->family, sa, len);
    return 0;
}

int SP_WRAP(getpeername)(int fd, struct sockaddr *sa, socklen_t *len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(getpeername, fd, sa, len);
    if (len == NULL)
        return fail(EFAULT);
    refresh(s);
    if (is_tcp(s) ? s->st != SP_CONNECTED : !s->has_peer)
        return fail(ENOTCONN);
    synack_sp_addr_to_sockaddr(&s->peer, s->family, sa, len);
    return 0;
}

/* ---- options ------------------------------------------------------------------ */

static int get_int(const void *v, socklen_t len, int *out)
{
    if (v == NULL || len < (socklen_t)sizeof(int))
        return fail(EINVAL);
    memcpy(out, v, sizeof *out);
    return 0;
}

static int64_t tv_ms(const struct timeval *tv)
{
    if (tv->tv_sec == 0 && tv->tv_usec == 0)
        return -1; /* 0 means no timeout */
    return (int64_t)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
}

int SP_WRAP(setsockopt)(int fd, int level, int name, const void *v, socklen_t len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS(setsockopt, fd, level, name, v, len);
    int x = 0;
    bool tcp = is_tcp(s);
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_RCVTIMEO:
        case SO_SNDTIMEO: {
            struct timeval tv;
            if (v == NULL || len < (socklen_t)sizeof tv)
                return fail(EINVAL);
            memcpy(&tv, v, sizeof tv);
            if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
                return fail(EDOM);
            *(name == SO_RCVTIMEO ? &s->rcvtimeo_ms : &s->sndtimeo_ms) = tv_ms(&tv);
            return 0;
        }
        case SO_LINGER: {
            struct linger l;
            if (v == NULL || len < (socklen_t)sizeof l)
                return fail(EINVAL);
            memcpy(&l, v, sizeof l);
            s->linger_on = l.l_onoff != 0;
            s->linger_s = l.l_linger < 0 ? 0 : l.l_linger;
            return 0;
        }
        }
        if (get_int(v, len, &x) != 0)
            return -1;
        switch (name) {
        case SO_REUSEADDR:
            s->reuseaddr = x != 0;
            if (tcp)
                synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_REUSEADDR, x != 0);
            return 0;
        case SO_KEEPALIVE:
            s->keepalive = x != 0;
            if (tcp)
                synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_KEEPALIVE, x != 0);
            return 0;
        case SO_BROADCAST:
            s->broadcast = x != 0;
            return 0;
        case SO_SNDBUF:
        case SO_RCVBUF: {
            /* Linux doubles the value (bookkeeping overhead) and has floors. */
            int v2 = x < 2304 ? 4608 : (x > (1 << 29) ? (1 << 30) : 2 * x);
            *(name == SO_SNDBUF ? &s->sndbuf : &s->rcvbuf) = v2;
            if (tcp)
                synack_tcp_setopt(synack_sp_stack(), s->h,
                                  name == SO_SNDBUF ? SYNACK_TCPOPT_SNDBUF : SYNACK_TCPOPT_RCVBUF,
                                  v2);
            return 0;
        }
        case SO_REUSEPORT:
        case SO_OOBINLINE:
        case SO_DONTROUTE:
            return 0; /* accepted, no effect here */
        }
        return fail(ENOPROTOOPT);
    }
    if (level == IPPROTO_TCP) {
        if (!tcp)
            return fail(EOPNOTSUPP);
        if (get_int(v, len, &x) != 0)
            return -1;
        switch (name) {
        case TCP_NODELAY:
            s->nodelay = x != 0;
            synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_NODELAY, x != 0);
            return 0;
        case TCP_KEEPIDLE:
        case TCP_KEEPINTVL:
        case TCP_KEEPCNT:
            if (x < 1 || x > 32767)
                return fail(EINVAL);
            if (name == TCP_KEEPIDLE) {
                s->keepidle_s = x;
                synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_KEEPIDLE_MS, (int64_t)x * 1000);
            } else if (name == TCP_KEEPINTVL) {
                s->keepintvl_s = x;
                synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_KEEPINTVL_MS, (int64_t)x * 1000);
            } else {
                s->keepcnt = x;
                synack_tcp_setopt(synack_sp_stack(), s->h, SYNACK_TCPOPT_KEEPCNT, x);
            }
            return 0;
        }
        return fail(ENOPROTOOPT);
    }
    if (level == IPPROTO_IP)
        return 0; /* IP_TOS, IP_TTL, ...: accepted, no effect here */
    if (level == IPPROTO_IPV6 && s->family == AF_INET6) {
        if (name != IPV6_V6ONLY)
            return 0; /* IPV6_TCLASS, hop limits, ...: accepted, no effect here */
        if (v == NULL || len < (socklen_t)sizeof x)
            return fail(EINVAL);
        memcpy(&x, v, sizeof x);
        if (s->bound)
            return fail(EINVAL); /* as Linux: only before bind */
        s->v6only = x != 0;
        return 0;
    }
    return fail(ENOPROTOOPT);
}

static int put_int(void *v, socklen_t *len, int x)
{
    if (v == NULL || len == NULL)
        return fail(EFAULT);
    size_t n = *len < (socklen_t)sizeof x ? (size_t)*len : sizeof x;
    memcpy(v, &x, n);
    *len = (socklen_t)n;
    return 0;
}

int SP_WRAP(getsockopt)(int fd, int level, int name, void *v, socklen_t *len)
{
    synack_sp_sock *s = synack_sp_lookup(fd);
    if (s == NULL)
        return PASS_ALL(getsockopt, fd, level, name, v, len);
    bool tcp = is_tcp(s);
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_ERROR:
            refresh(s);
            return put_int(v, len, pending_error(s, true));
        case SO_TYPE:
            return put_int(v, len, s->type);
        case SO_ACCEPTCONN:
            return put_int(v, len, s->st == SP_LISTEN);
        case SO_REUSEADDR:
            return put_int(v, len, s->reuseaddr);
        case SO_KEEPALIVE:
            return put_int(v, len, s->keepalive);
        case SO_BROADCAST:
            return put_int(v, len, s->broadcast);
        case SO_SNDBUF:
            return put_int(v, len, s->sndbuf ? s->sndbuf : 16384);
        case SO_RCVBUF:
            return put_int(v, len, s->rcvbuf ? s->rcvbuf : 131072);
#ifdef SO_DOMAIN
        case SO_DOMAIN:
            return put_int(v, len, s->family);
#endif
#ifdef SO_PROTOCOL
        case SO_PROTOCOL:
            return put_int(v, len, tcp ? IPPROTO_TCP : IPPROTO_UDP);
#endif
        case SO_LINGER: {
            struct linger l = {s->linger_on, s->linger_s};
            if (v == NULL || len == NULL)
                return fail(EFAULT);
            size_t n = *len < (socklen_t)sizeof l ? (size_t)*len : sizeof l;
            memcpy(v, &l, n);
            *len = (socklen_t)n;
            return 0;
        }
        case SO_RCVTIMEO:
        case SO_SNDTIMEO: {
            int64_t ms = name == SO_RCVTIMEO ? s->rcvtimeo_ms : s->sndtimeo_ms;
            struct timeval tv = {0, 0};
            if (ms >= 0) {
                tv.tv_sec = (time_t)(ms / 1000);
                tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
            }
            if (v == NULL || len == NULL)
                return fail(EFAULT);
            size_t n = *len < (socklen_t)sizeof tv ? (size_t)*len : sizeof tv;
            memcpy(v, &tv, n);
            *len = (socklen_t)n;
            return 0;
        }
        }
        return fail(ENOPROTOOPT);
    }
    if (level == IPPROTO_TCP) {
        if (!tcp)
            return fail(EOPNOTSUPP);
        switch (name) {
        case TCP_NODELAY:
            return put_int(v, len, s->nodelay);
        case TCP_KEEPIDLE:
            return put_int(v, len, s->keepidle_s ? s->keepidle_s : 7200);
        case TCP_KEEPINTVL:
            return put_int(v, len, s->keepintvl_s ? s->keepintvl_s : 75);
        case TCP_KEEPCNT:
            return put_int(v, len, s->keepcnt ? s->keepcnt : 9);
#ifdef TCP_MAXSEG
        case TCP_MAXSEG: {
            synack_tcp_info info;
            int mss = synack_tcp_get_info(synack_sp_stack(), s->h, &info) == 0 ? (int)info.mss : 536;
            return put_int(v, len, mss);
        }
#endif
        }
        return fail(ENOPROTOOPT);
    }
    if (level == IPPROTO_IPV6 && s->family == AF_INET6 && name == IPV6_V6ONLY)
        return put_int(v, len, s->v6only);
    return fail(ENOPROTOOPT);
}

/* ---- descriptor calls on sockets (the wrappers in io.c) ------------------------ */

int synack_sp_sock_fcntl(synack_sp_sock *s, int cmd, uintptr_t arg)
{
    switch (cmd) {
    case F_GETFL:
        return O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
    case F_SETFL:
        s->nonblock = (arg & O_NONBLOCK) != 0;
        return 0;
    case F_GETFD:
        return s->cloexec ? FD_CLOEXEC : 0;
    case F_SETFD:
        s->cloexec = (arg & FD_CLOEXEC) != 0;
        return 0;
    }
    return fail(EINVAL);
}

int synack_sp_sock_ioctl(synack_sp_sock *s, unsigned long req, void *arg)
{
    if (arg == NULL)
        return fail(EFAULT);
    if (req == (unsigned long)FIONBIO) {
        int on;
        memcpy(&on, arg, sizeof on);
        s->nonblock = on != 0;
        return 0;
    }
    if (req == (unsigned long)FIONREAD) {
        int n = 0;
        if (!is_tcp(s)) {
            n = udp_fill(s) ? (int)s->buf_len : 0;
        } else if (s->st == SP_LISTEN) {
            return fail(EINVAL);
        } else if (s->st == SP_CONNECTED) {
            synack_tcp_info info;
            n = (int)buffered(s);
            if (synack_tcp_get_info(synack_sp_stack(), s->h, &info) == 0)
                n += (int)info.rcvbuf_used;
        }
        memcpy(arg, &n, sizeof n);
        return 0;
    }
    return fail(ENOTTY);
}
