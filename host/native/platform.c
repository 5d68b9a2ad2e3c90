/*
 * host/cli/cli_platform.h on Linux: CLOCK_MONOTONIC, getrandom(2),
 * poll(2) on the link and stdin (the loop sleeps until a frame, stdin
 * data or the stack's next deadline; there is no tick), descriptors for
 * the link and stdin; stdout, stderr and files are host/cli/cli_fdio.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "cli_fdio.h"
#include "native.h"

static uint64_t now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t off = 0;
    int tries = 0;
    while (off < len && tries++ < 64) {
        ssize_t n = getrandom(buf + off, len - off, 0);
        if (n > 0)
            off += (size_t)n;
    }
    /* getrandom cannot fail on Linux >= 3.17 for small requests; if it
     * did, mix the clock in rather than leave zeros. */
    for (; off < len; off++)
        buf[off] = (uint8_t)(now_ms(NULL) * 2654435761u >> (off % 24));
}

static int link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap)
{
    synack_native *n = ctx;
    info->medium = SYNACK_MEDIUM_ETHERNET;
    switch (o->link) {
    case SYNACK_CLI_LINK_TAP:
        n->link_rfd = n->link_wfd = synack_native_tap_open(o->tap_name, err, errcap);
        n->link_nonblock = true;
        info->stream = false;
        break;
    case SYNACK_CLI_LINK_CONNECT:
        n->link_rfd = n->link_wfd = synack_native_stream_connect(
            o->connect_host, o->connect_port, err, errcap);
        n->link_nonblock = true;
        info->stream = true;
        break;
    case SYNACK_CLI_LINK_STDIO:
        /* Non-blocking both ways (a blocked write could deadlock two
         * tools on one pipe); the flags are put back at close. */
        n->link_rfd = 0;
        n->link_wfd = 1;
        n->stdio_flags[0] = fcntl(0, F_GETFL);
        n->stdio_flags[1] = fcntl(1, F_GETFL);
        if (n->stdio_flags[0] < 0 || n->stdio_flags[1] < 0 ||
            fcntl(0, F_SETFL, n->stdio_flags[0] | O_NONBLOCK) < 0 ||
            fcntl(1, F_SETFL, n->stdio_flags[1] | O_NONBLOCK) < 0) {
            snprintf(err, errcap, "stdin/stdout: %s", strerror(errno));
            return -1;
        }
        n->stdio_nonblock = true;
        n->link_nonblock = true;
        info->stream = true;
        break;
    default:
        snprintf(err, errcap, "this link is not available natively");
        return -1;
    }
    return n->link_rfd < 0 ? -1 : 0;
}

static void link_close(void *ctx)
{
    synack_native *n = ctx;
    if (n->stdio_nonblock) {
        fcntl(0, F_SETFL, n->stdio_flags[0]);
        fcntl(1, F_SETFL, n->stdio_flags[1]);
        n->stdio_nonblock = false;
    }
    if (n->link_rfd > 2)
        close(n->link_rfd);
    n->link_rfd = n->link_wfd = -1;
}

static int wait_ready(void *ctx, uint64_t deadline, unsigned want)
{
    synack_native *n = ctx;
    struct pollfd fds[3];
    nfds_t nfds = 0;
    int link_at = -1, out_at = -1, stdin_at = -1;
    if (n->link_rfd >= 0) {
        fds[nfds] = (struct pollfd){.fd = n->link_rfd, .events = POLLIN};
        link_at = (int)nfds++;
    }
    if ((want & SYNACK_CLI_READY_LINK_OUT) && n->link_wfd >= 0) {
        if (n->link_wfd == n->link_rfd) {
            fds[link_at].events |= POLLOUT;
            out_at = link_at;
        } else {
            fds[nfds] = (struct pollfd){.fd = n->link_wfd, .events = POLLOUT};
            out_at = (int)nfds++;
        }
    }
    if ((want & SYNACK_CLI_READY_STDIN) && n->link_rfd != 0) {
        fds[nfds] = (struct pollfd){.fd = 0, .events = POLLIN};
        stdin_at = (int)nfds++;
    }
    int timeout = -1;
    if (deadline != UINT64_MAX) {
        uint64_t now = now_ms(NULL);
        uint64_t left = deadline > now ? deadline - now : 0;
        timeout = left > INT_MAX ? INT_MAX : (int)left;
    }
    int rc = poll(fds, nfds, timeout);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    unsigned ready = 0;
    const short in_ev = POLLIN | POLLHUP | POLLERR | POLLNVAL;
    if (link_at >= 0 && (fds[link_at].revents & in_ev))
        ready |= SYNACK_CLI_READY_LINK;
    if (out_at >= 0 && (fds[out_at].revents & (POLLOUT | POLLERR | POLLHUP)))
        ready |= SYNACK_CLI_READY_LINK_OUT;
    if (stdin_at >= 0 && (fds[stdin_at].revents & in_ev))
        ready |= SYNACK_CLI_READY_STDIN;
    return (int)ready;
}

/* One read that never blocks: poll first when fd is blocking. */
static int32_t read_now(int fd, bool nonblock, uint8_t *buf, size_t cap)
{
    if (!nonblock) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, 0);
        if (rc == 0 || (rc < 0 && errno == EINTR))
            return SYNACK_CLI_AGAIN;
        if (rc < 0)
            return -1;
    }
    if (cap > INT32_MAX)
        cap = INT32_MAX;
    ssize_t r = read(fd, buf, cap);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                   ? SYNACK_CLI_AGAIN : -1;
    return (int32_t)r;
}

static int32_t link_read(void *ctx, uint8_t *buf, size_t cap)
{
    synack_native *n = ctx;
    return read_now(n->link_rfd, n->link_nonblock, buf, cap);
}

static int32_t link_write(void *ctx, const uint8_t *data, size_t len)
{
    synack_native *n = ctx;
    if (n->link_wfd < 0)
        return -1;
    if (len > INT32_MAX)
        len = INT32_MAX;
    for (;;) {
        ssize_t w = write(n->link_wfd, data, len);
        if (w >= 0)
            return (int32_t)w;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
            return SYNACK_CLI_AGAIN;
        return -1;
    }
}

static int32_t stdin_read(void *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    return read_now(0, false, buf, cap);
}

void synack_native_platform(synack_cli_platform *p, synack_native *n)
{
    memset(n, 0, sizeof *n);
    n->link_rfd = n->link_wfd = -1;
    memset(p, 0, sizeof *p);
    p->ctx = n;
    p->links = (1u << SYNACK_CLI_LINK_TAP) | (1u << SYNACK_CLI_LINK_CONNECT) |
               (1u << SYNACK_CLI_LINK_STDIO);
    p->now_ms = now_ms;
    p->entropy = entropy;
    p->link_open = link_open;
    p->link_close = link_close;
    p->wait = wait_ready;
    p->link_read = link_read;
    p->link_write = link_write;
    p->stdin_read = stdin_read;
    synack_cli_fdio_fill(p); /* stdout, stderr, files */
}
