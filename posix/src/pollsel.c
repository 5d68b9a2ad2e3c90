/*
 * poll and select over synack sockets mixed with the program's ordinary
 * descriptors. While nothing is ready the stack runs, and the process
 * sleeps in one system wait (poll(2) / poll_oneoff) on the link, the
 * ordinary descriptors and the earliest of the stack's next deadline and
 * the call's timeout.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "sp.h"

int SP_REAL(select)(int, fd_set *, fd_set *, fd_set *, struct timeval *);

#ifndef POLLPRI
#define POLLPRI 0 /* WASI: no urgent data */
#endif

static int fail(int e)
{
    errno = e;
    return -1;
}

/* The ordinary descriptors' readiness now (zero-timeout system poll). */
static int poll_ordinary(struct pollfd *fds, nfds_t n, const bool *is_sock)
{
    struct pollfd local[64];
    struct pollfd *o = n <= 64 ? local : malloc(n * sizeof *o);
    if (o == NULL)
        return -1;
    nfds_t k = 0;
    for (nfds_t i = 0; i < n; i++)
        if (!is_sock[i])
            o[k++] = fds[i];
    int rc = k > 0 ? synack_sp_sys_poll(o, k, 0) : 0;
    k = 0;
    for (nfds_t i = 0; i < n; i++)
        if (!is_sock[i])
            fds[i].revents = rc > 0 ? o[k++].revents : 0;
    if (o != local)
        free(o);
    return rc < 0 ? -1 : 0;
}

static int do_poll(struct pollfd *fds, nfds_t n, int timeout)
{
    bool local_is[64];
    bool *is_sock = n <= 64 ? local_is : malloc(n * sizeof *is_sock);
    synack_sp_extra *extra = malloc((n ? n : 1) * sizeof *extra);
    if (is_sock == NULL || extra == NULL) {
        if (is_sock != local_is)
            free(is_sock);
        free(extra);
        return fail(ENOMEM);
    }
    size_t n_extra = 0;
    for (nfds_t i = 0; i < n; i++) {
        is_sock[i] = synack_sp_lookup(fds[i].fd) != NULL;
        if (!is_sock[i] && fds[i].fd >= 0)
            extra[n_extra++] = (synack_sp_extra){fds[i].fd, (short)(fds[i].events & (POLLIN | POLLOUT)), 0};
    }
    uint64_t until = synack_sp_deadline(timeout < 0 ? -1 : timeout);
    int count;
    /* What has arrived counts, even when something is ready already. */
    synack_sp_drain();
    for (;;) {
        if (poll_ordinary(fds, n, is_sock) != 0) {
            count = -1;
            break;
        }
        count = 0;
        for (nfds_t i = 0; i < n; i++) {
            if (is_sock[i])
                fds[i].revents = synack_sp_sock_revents(synack_sp_lookup(fds[i].fd), fds[i].events);
            if (fds[i].revents)
                count++;
        }
        if (count > 0 || synack_sp_now() >= until)
            break;
        if (synack_sp_link_down()) {
            /* No stack any more: only the ordinary descriptors can change. */
            uint64_t now = synack_sp_now();
            int left = until == UINT64_MAX ? -1 : (int)(until > now ? until - now : 0);
            struct pollfd *o = malloc((n ? n : 1) * sizeof *o);
            if (o == NULL) {
                count = fail(ENOMEM);
                break;
            }
            nfds_t k = 0;
            for (nfds_t i = 0; i < n; i++)
                if (!is_sock[i])
                    o[k++] = fds[i];
            int rc = synack_sp_sys_poll(o, k, left);
            free(o);
            if (rc < 0) {
                count = -1;
                break;
            }
            if (rc == 0 && k == 0)
                break;
            continue; /* count again, sockets included */
        }
        synack_sp_step(until, extra, n_extra);
    }
    if (is_sock != local_is)
        free(is_sock);
    free(extra);
    return count;
}

int SP_WRAP(poll)(struct pollfd *fds, nfds_t n, int timeout)
{
    bool any = false;
    for (nfds_t i = 0; i < n && !any; i++)
        any = synack_sp_lookup(fds[i].fd) != NULL;
    /* Inside the stack (the link's own waits), or no stack at all: the
     * system's poll. Otherwise the stack runs while the program waits,
     * even on ordinary descriptors only (its connections still need
     * ACKs and timers). */
    if (synack_sp_g.depth > 0 || !synack_sp_g.up || (!any && synack_sp_link_down()))
        return SP_REAL(poll)(fds, n, timeout);
    return do_poll(fds, n, timeout);
}

int SP_WRAP(select)(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
    if (nfds < 0 || nfds > FD_SETSIZE * 64)
        return fail(EINVAL);
    bool any = false;
    for (int fd = 0; fd < nfds && !any; fd++)
        any = synack_sp_lookup(fd) != NULL &&
              ((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) || (x && FD_ISSET(fd, x)));
    if (synack_sp_g.depth > 0 || !synack_sp_g.up || (!any && synack_sp_link_down()))
        return SP_REAL(select)(nfds, r, w, x, tv);
    if (tv != NULL && (tv->tv_sec < 0 || tv->tv_usec < 0))
        return fail(EINVAL);
    struct pollfd *fds = malloc(((size_t)nfds + 1) * sizeof *fds);
    if (fds == NULL)
        return fail(ENOMEM);
    nfds_t n = 0;
    for (int fd = 0; fd < nfds; fd++) {
        short ev = 0;
        if (r && FD_ISSET(fd, r))
            ev |= POLLIN;
        if (w && FD_ISSET(fd, w))
            ev |= POLLOUT;
        if (x && FD_ISSET(fd, x))
            ev |= POLLPRI;
        if (ev)
            fds[n++] = (struct pollfd){.fd = fd, .events = ev};
    }
    int timeout = -1;
    if (tv != NULL) {
        int64_t ms = (int64_t)tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
        timeout = ms > 0x7fffffff ? 0x7fffffff : (int)ms;
    }
    int rc = do_poll(fds, n, timeout);
    if (rc < 0) {
        free(fds);
        return -1;
    }
    for (nfds_t i = 0; i < n; i++) {
        if (fds[i].revents & POLLNVAL) {
            free(fds);
            return fail(EBADF);
        }
    }
    if (r)
        FD_ZERO(r);
    if (w)
        FD_ZERO(w);
    if (x)
        FD_ZERO(x);
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        short re = fds[i].revents, ev = fds[i].events;
        /* Linux's select: an error or hang-up counts as readable and
         * writable, so the next call reports it. */
        if ((ev & POLLIN) && (re & (POLLIN | POLLHUP | POLLERR))) {
            FD_SET(fds[i].fd, r);
            count++;
        }
        if ((ev & POLLOUT) && (re & (POLLOUT | POLLERR))) {
            FD_SET(fds[i].fd, w);
            count++;
        }
        if ((ev & POLLPRI) && (re & POLLPRI)) {
            FD_SET(fds[i].fd, x);
            count++;
        }
    }
    free(fds);
    if (tv != NULL && rc == 0)
        tv->tv_sec = tv->tv_usec = 0; /* Linux: the time not slept */
    return count;
}
