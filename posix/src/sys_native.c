/*
 * The system layer on Linux: the `synack` tool's platform
 * (host/native/platform.c), a descriptor number per socket reserved by
 * opening /dev/null (so the kernel never hands that number to a file,
 * and fd_set bitmaps and fd-indexed arrays keep working), and a wait
 * that polls the link and the program's descriptors together.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native.h"
#include "sp.h"

bool synack_sp_stdio_link;
/* SYNACK_LINK=stdio: the process's original stdin and stdout, where
 * frames come and go, once fd 0 reads /dev/null and fd 1 is stderr. */
static int stdio_in = -1, stdio_out = -1;
static synack_native native;
static int (*base_link_open)(void *ctx, const synack_cli_opts *o,
                             synack_cli_link_info *info, char *err, size_t errcap);

void synack_sp_sys_early(void)
{
    const char *l = getenv("SYNACK_LINK");
    if (l == NULL || strcmp(l, "stdio") != 0 || stdio_out >= 0)
        return;
    /* Frames own the original stdout; what the program prints goes to
     * stderr from the start (before its first socket call). */
    stdio_in = SP_REAL(fcntl)(0, F_DUPFD_CLOEXEC, 3);
    stdio_out = SP_REAL(fcntl)(1, F_DUPFD_CLOEXEC, 3);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (stdio_in >= 0 && nul >= 0)
        dup2(nul, 0);
    if (nul >= 0)
        SP_REAL(close)(nul);
    if (stdio_out >= 0)
        dup2(2, 1);
    synack_sp_stdio_link = true;
}

__attribute__((constructor)) static void early(void)
{
    synack_sp_sys_early();
}

void *synack_sp_sys_platform(synack_cli_platform *p)
{
    synack_native_platform(p, &native);
    base_link_open = p->link_open;
    return &native;
}

static int set_nonblock(int fd)
{
    int fl = SP_REAL(fcntl)(fd, F_GETFL);
    return fl < 0 ? -1 : SP_REAL(fcntl)(fd, F_SETFL, fl | O_NONBLOCK);
}

int synack_sp_sys_link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap)
{
    synack_native *n = ctx;
    if (o->link == SYNACK_CLI_LINK_STDIO || o->link == SYNACK_CLI_LINK_CONNECT)
        /* A link the other end closes is an error, not a signal. */
        signal(SIGPIPE, SIG_IGN);
    if (o->link != SYNACK_CLI_LINK_STDIO)
        return base_link_open(ctx, o, info, err, errcap);
    synack_sp_sys_early();
    n->link.rfd = stdio_in >= 0 ? stdio_in : 0;
    n->link.wfd = stdio_out >= 0 ? stdio_out : 1;
    if (set_nonblock((int)n->link.rfd) < 0 || set_nonblock((int)n->link.wfd) < 0) {
        snprintf(err, errcap, "stdin/stdout: %s", strerror(errno));
        return -1;
    }
    n->link.nonblock = true;
    info->medium = SYNACK_MEDIUM_ETHERNET;
    info->stream = true;
    return 0;
}

int synack_sp_sys_wait(void *ctx, uint64_t deadline, unsigned want)
{
    synack_native *n = ctx;
    synack_cli_fdwatch w[3];
    size_t nw = synack_cli_fdlink_watches(&n->link, want, w);
    size_t total = nw + synack_sp_g.n_extra;
    struct pollfd local[32];
    struct pollfd *fds = total <= 32 ? local : malloc(total * sizeof *fds);
    if (fds == NULL)
        return -1;
    for (size_t i = 0; i < nw; i++)
        fds[i] = (struct pollfd){.fd = (int)w[i].fd, .events = w[i].write ? POLLOUT : POLLIN};
    for (size_t i = 0; i < synack_sp_g.n_extra; i++)
        fds[nw + i] = (struct pollfd){.fd = synack_sp_g.extra[i].fd, .events = synack_sp_g.extra[i].events};
    int timeout = -1;
    if (deadline != UINT64_MAX) {
        uint64_t left = synack_cli_ms_left(deadline, synack_sp_now());
        timeout = left > INT_MAX ? INT_MAX : (int)left;
    }
    int rc = SP_REAL(poll)(fds, (nfds_t)total, timeout);
    unsigned ready = 0;
    if (rc > 0) {
        const short in_ev = POLLIN | POLLHUP | POLLERR | POLLNVAL;
        const short out_ev = POLLOUT | POLLERR | POLLHUP;
        for (size_t i = 0; i < nw; i++)
            if (fds[i].revents & (w[i].write ? out_ev : in_ev))
                ready |= w[i].ready;
        for (size_t i = 0; i < synack_sp_g.n_extra; i++)
            synack_sp_g.extra[i].revents = fds[nw + i].revents;
    }
    if (fds != local)
        free(fds);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    return (int)ready;
}

int synack_sp_sys_reserve_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void synack_sp_sys_release_fd(int fd)
{
    SP_REAL(close)(fd);
}

int synack_sp_sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    return SP_REAL(poll)(fds, n, timeout_ms);
}

bool synack_sp_sys_exit_can_wait(void)
{
    return true;
}
