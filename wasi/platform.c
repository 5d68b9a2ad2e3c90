/*
 * host/cli/cli_platform.h on WASI preview 1: clock_time_get(MONOTONIC),
 * random_get, and poll_oneoff over the link's (and stdin's) readiness
 * plus one relative clock subscription for the stack's next deadline;
 * sock_accept for --accept-fd; fd_read/fd_write of the link and stdin,
 * with the bookkeeping around them in host/cli/cli_fdlink.c. stdout,
 * stderr and files (paths inside the directories preopened with
 * wasmtime --dir) are host/cli/cli_fdio.c.
 */
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#include "wasi.h"

#define NS_PER_MS 1000000u

static uint64_t now_ms(void *ctx)
{
    (void)ctx;
    __wasi_timestamp_t ns = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, NS_PER_MS, &ns) != 0)
        return 0;
    return (uint64_t)ns / NS_PER_MS;
}

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    /* random_get fills the whole buffer or fails; 256 bytes a call is
     * the most getentropy() promises, keep to that. */
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < 256 ? len - off : 256;
        if (__wasi_random_get(buf + off, n) != 0)
            break;
        off += n;
    }
    /* A runtime without entropy: mix the clock in rather than leave zeros. */
    synack_cli_entropy_from_clock(buf, off, len, now_ms(NULL));
}

static int csprng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t off = 0;
    while (off < len) {
        size_t n = len - off < 256 ? len - off : 256;
        if (__wasi_random_get(buf + off, n) != 0)
            return -1;
        off += n;
    }
    return 0;
}

static int64_t wall_s(void *ctx)
{
    (void)ctx;
    __wasi_timestamp_t ns = 0;
    if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1000000000u, &ns) != 0)
        return 0;
    return (int64_t)(ns / 1000000000u);
}

/*
 * A subscription's userdata is the SYNACK_CLI_READY_* bit it reports
 * (SUB_READABLE for a lone readiness check); the clock's is 0.
 */
#define SUB_READABLE 0x1u

static void sub_fd(__wasi_subscription_t *s, uint64_t ready, int64_t fd,
                   bool write)
{
    memset(s, 0, sizeof *s);
    s->userdata = ready;
    s->u.tag = write ? __WASI_EVENTTYPE_FD_WRITE : __WASI_EVENTTYPE_FD_READ;
    if (write)
        s->u.u.fd_write.file_descriptor = (__wasi_fd_t)fd;
    else
        s->u.u.fd_read.file_descriptor = (__wasi_fd_t)fd;
}

static void sub_clock(__wasi_subscription_t *s, uint64_t timeout_ms)
{
    memset(s, 0, sizeof *s);
    s->userdata = 0;
    s->u.tag = __WASI_EVENTTYPE_CLOCK;
    s->u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    /* Relative: poll_oneoff measures from its own start. */
    s->u.u.clock.timeout = timeout_ms > UINT64_MAX / NS_PER_MS
                               ? UINT64_MAX : timeout_ms * NS_PER_MS;
    s->u.u.clock.precision = 0;
    s->u.u.clock.flags = 0;
}

/*
 * Subscribe to the n given subscriptions. Returns the userdata bits of
 * those that fired, or -1. An fd event that carries an error
 * counts as ready: the read or write that follows reports it.
 */
static int poll_subs(const __wasi_subscription_t *subs, size_t n)
{
    __wasi_event_t ev[4];
    __wasi_size_t got = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, (__wasi_size_t)n, &got);
    if (e == __WASI_ERRNO_INTR)
        return 0;
    if (e != 0)
        return -1;
    int bits = 0;
    for (__wasi_size_t i = 0; i < got && i < 4; i++)
        bits |= (int)ev[i].userdata;
    return bits;
}

/* Whether fd has something to read now (data, EOF or an error). */
static bool readable_now(int64_t fd)
{
    __wasi_subscription_t s[2];
    sub_fd(&s[0], SUB_READABLE, fd, false);
    sub_clock(&s[1], 0);
    int bits = poll_subs(s, 2);
    return bits > 0 && (bits & SUB_READABLE);
}

/*
 * Wait for a connection on the preopened listening socket `lfd` and
 * accept it non-blocking. Returns the new descriptor, or -1 with a reason.
 */
static int64_t accept_link(int64_t lfd, char *err, size_t errcap)
{
    for (;;) {
        __wasi_fd_t fd;
        __wasi_errno_t e = __wasi_sock_accept((__wasi_fd_t)lfd,
                                              __WASI_FDFLAGS_NONBLOCK, &fd);
        if (e == 0)
            return (int64_t)fd;
        if (e != __WASI_ERRNO_AGAIN && e != __WASI_ERRNO_INTR) {
            snprintf(err, errcap,
                     "--accept-fd %lld: not a listening socket (%s); the "
                     "runtime must preopen one (an older wasmtime: "
                     "-S preview2=n -S tcplisten=HOST:PORT)",
                     (long long)lfd, strerror(e));
            return -1;
        }
        /* No peer yet: sleep until the listener is readable. */
        __wasi_subscription_t s;
        sub_fd(&s, SUB_READABLE, lfd, false);
        if (poll_subs(&s, 1) < 0) {
            snprintf(err, errcap, "--accept-fd %lld: cannot wait on it",
                     (long long)lfd);
            return -1;
        }
    }
}

static int link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap)
{
    synack_wasi *w = ctx;
    info->medium = SYNACK_MEDIUM_ETHERNET;
    info->stream = true;
    switch (o->link) {
    case SYNACK_CLI_LINK_STDIO:
        /* stdin and stdout stay blocking (wasmtime refuses NONBLOCK on
         * them with EBADF and always reports stdout writable): reads
         * happen only after poll_oneoff says so; a write waits until the
         * peer reads, so the peer must keep reading stdout while it
         * writes stdin (socat -b 4096, the README says why). */
        w->link.rfd = 0;
        w->link.wfd = 1;
        w->link.nonblock = false;
        return 0;
    case SYNACK_CLI_LINK_ACCEPT_FD:
        if (o->accept_fd <= 2) {
            snprintf(err, errcap, "--accept-fd %d: 0, 1 and 2 are stdio",
                     (int)o->accept_fd);
            return -1;
        }
        w->link.rfd = w->link.wfd = accept_link(o->accept_fd, err, errcap);
        w->link.nonblock = true;
        return w->link.rfd < 0 ? -1 : 0;
    default:
        snprintf(err, errcap, "this link is not available under WASI");
        return -1;
    }
}

static void link_close(void *ctx)
{
    synack_wasi *w = ctx;
    if (w->link.rfd > 2)
        (void)__wasi_fd_close((__wasi_fd_t)w->link.rfd);
    w->link.rfd = w->link.wfd = -1;
}

static int wait_ready(void *ctx, uint64_t deadline, unsigned want)
{
    synack_wasi *w = ctx;
    synack_cli_fdwatch fw[3];
    __wasi_subscription_t s[4];
    size_t n = synack_cli_fdlink_watches(&w->link, want, fw);
    for (size_t i = 0; i < n; i++)
        sub_fd(&s[i], fw[i].ready, fw[i].fd, fw[i].write);
    if (deadline != UINT64_MAX)
        sub_clock(&s[n++], synack_cli_ms_left(deadline, now_ms(NULL)));
    if (n == 0)
        return 0;
    int bits = poll_subs(s, n);
    if (bits < 0)
        return -1;
    return (int)((unsigned)bits & (SYNACK_CLI_READY_LINK | SYNACK_CLI_READY_LINK_OUT |
                                   SYNACK_CLI_READY_STDIN));
}

/* One read that never blocks: poll first unless fd is non-blocking. */
static int32_t read_fd(int64_t fd, bool nonblock, uint8_t *buf, size_t cap)
{
    if (fd < 0)
        return -1;
    if (!nonblock && !readable_now(fd))
        return SYNACK_CLI_AGAIN;
    __wasi_iovec_t iov = {.buf = buf, .buf_len = cap};
    __wasi_size_t got = 0;
    __wasi_errno_t e = __wasi_fd_read((__wasi_fd_t)fd, &iov, 1, &got);
    if (e == __WASI_ERRNO_AGAIN || e == __WASI_ERRNO_INTR)
        return SYNACK_CLI_AGAIN;
    if (e != 0)
        return -1;
    return (int32_t)got;
}

static int32_t write_fd(int64_t fd, const uint8_t *data, size_t len)
{
    __wasi_ciovec_t iov = {.buf = data, .buf_len = len};
    for (;;) {
        __wasi_size_t put = 0;
        __wasi_errno_t e = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &put);
        if (e == 0)
            return put == 0 ? SYNACK_CLI_AGAIN : (int32_t)put;
        if (e == __WASI_ERRNO_INTR)
            continue;
        if (e == __WASI_ERRNO_AGAIN)
            return SYNACK_CLI_AGAIN;
        return -1;
    }
}

void synack_wasi_platform(synack_cli_platform *p, synack_wasi *w)
{
    memset(w, 0, sizeof *w);
    w->link.read_fd = read_fd;
    w->link.write_fd = write_fd;
    synack_cli_fdlink_fill(p, w, &w->link); /* link, stdin, stdout, files */
    p->links = (1u << SYNACK_CLI_LINK_STDIO) | (1u << SYNACK_CLI_LINK_ACCEPT_FD);
    p->now_ms = now_ms;
    p->entropy = entropy;
    p->csprng = csprng;
    p->wall_s = wall_s;
    p->link_open = link_open;
    p->link_close = link_close;
    p->wait = wait_ready;
}
