/*
 * host/cli/cli_platform.h on Linux: CLOCK_MONOTONIC, getrandom(2),
 * poll(2) on the link and stdin (the loop sleeps until a frame, stdin
 * data or the stack's next deadline; there is no tick), read(2) and
 * write(2) of the link and stdin; the bookkeeping around them is
 * host/cli/cli_fdlink.c, stdout, stderr and files host/cli/cli_fdio.c.
 * A TAP link asks for receive offload (tap.c: TCP super-frames up to
 * 64 KB) unless SYNACK_TAP_OFFLOAD=0 or an impairment is set (those act
 * per frame); plain frames when the kernel refuses it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

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
    /* getrandom cannot fail on Linux >= 3.17 for small requests. */
    synack_cli_entropy_from_clock(buf, off, len, now_ms(NULL));
}

static int csprng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    size_t off = 0;
    while (off < len) {
        ssize_t n = getrandom(buf + off, len - off, 0);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n > 0)
            off += (size_t)n;
    }
    return 0;
}

static int64_t wall_s(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static int link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap)
{
    synack_native *n = ctx;
    info->medium = SYNACK_MEDIUM_ETHERNET;
    switch (o->link) {
    case SYNACK_CLI_LINK_TAP: {
        /* Impairments act per frame: keep those wire-sized. */
        const char *e = getenv("SYNACK_TAP_OFFLOAD");
        bool offload = !o->impair && (e == NULL || strcmp(e, "0") != 0);
        n->link.rfd = n->link.wfd =
            synack_native_tap_attach(o->tap_name, offload, &n->tap_vnet, err, errcap);
        /* Send offload rides on the same virtio_net_hdr; SYNACK_TAP_GSO=0
         * turns it off. */
        const char *g = getenv("SYNACK_TAP_GSO");
        if (n->tap_vnet && (g == NULL || strcmp(g, "0") != 0))
            info->gso_max = 65535;
        n->link.nonblock = true;
        info->stream = false;
        break;
    }
    case SYNACK_CLI_LINK_CONNECT:
        n->link.rfd = n->link.wfd = synack_native_stream_connect(
            o->connect_host, o->connect_port, err, errcap);
        n->link.nonblock = true;
        info->stream = true;
        break;
    case SYNACK_CLI_LINK_STDIO:
        /* Non-blocking both ways (a blocked write could deadlock two
         * tools on one pipe); the flags are put back at close. */
        n->link.rfd = 0;
        n->link.wfd = 1;
        n->stdio_flags[0] = fcntl(0, F_GETFL);
        n->stdio_flags[1] = fcntl(1, F_GETFL);
        if (n->stdio_flags[0] < 0 || n->stdio_flags[1] < 0 ||
            fcntl(0, F_SETFL, n->stdio_flags[0] | O_NONBLOCK) < 0 ||
            fcntl(1, F_SETFL, n->stdio_flags[1] | O_NONBLOCK) < 0) {
            snprintf(err, errcap, "stdin/stdout: %s", strerror(errno));
            return -1;
        }
        n->stdio_nonblock = true;
        n->link.nonblock = true;
        info->stream = true;
        break;
    default:
        snprintf(err, errcap, "this link is not available natively");
        return -1;
    }
    return n->link.rfd < 0 ? -1 : 0;
}

static void link_close(void *ctx)
{
    synack_native *n = ctx;
    if (n->stdio_nonblock) {
        fcntl(0, F_SETFL, n->stdio_flags[0]);
        fcntl(1, F_SETFL, n->stdio_flags[1]);
        n->stdio_nonblock = false;
    }
    if (n->tap_vnet)
        synack_native_tap_close((int)n->link.rfd, true);
    else if (n->link.rfd > 2)
        close((int)n->link.rfd);
    n->tap_vnet = false;
    n->link.rfd = n->link.wfd = -1;
}

static bool again(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ENOBUFS;
}

/* The link's read: the shared one, or a frame from an offloading TAP. */
static int32_t link_read(void *ctx, uint8_t *buf, size_t cap)
{
    synack_native *n = ctx;
    if (!n->tap_vnet || n->link.rfd < 0)
        return n->fd_read(ctx, buf, cap);
    uint8_t *frame;
    int32_t r = synack_native_tap_read((int)n->link.rfd, true, buf, cap, &frame);
    if (r == SYNACK_NATIVE_TAP_AGAIN || (r < 0 && errno == EINTR))
        return SYNACK_CLI_AGAIN;
    return r;
}

/* The link's write: one frame behind a zeroed virtio_net_hdr when offloading. */
static int32_t link_write(void *ctx, const uint8_t *data, size_t len)
{
    synack_native *n = ctx;
    if (!n->tap_vnet || n->link.wfd < 0)
        return n->fd_write(ctx, data, len);
    if (synack_native_tap_write((int)n->link.wfd, true, data, len) == 0)
        return (int32_t)len;
    return again(errno) ? SYNACK_CLI_AGAIN : -1;
}

static int32_t link_write_gso(void *ctx, const uint8_t *data, size_t len, const synack_gso *g)
{
    synack_native *n = ctx;
    if (synack_native_tap_write_gso((int)n->link.wfd, data, len, g) == 0)
        return (int32_t)len;
    return again(errno) ? SYNACK_CLI_AGAIN : -1;
}

static int wait_ready(void *ctx, uint64_t deadline, unsigned want)
{
    synack_native *n = ctx;
    synack_cli_fdwatch w[3];
    struct pollfd fds[3];
    nfds_t nfds = (nfds_t)synack_cli_fdlink_watches(&n->link, want, w);
    for (nfds_t i = 0; i < nfds; i++)
        fds[i] = (struct pollfd){.fd = (int)w[i].fd,
                                 .events = w[i].write ? POLLOUT : POLLIN};
    int timeout = -1;
    if (deadline != UINT64_MAX) {
        uint64_t left = synack_cli_ms_left(deadline, now_ms(NULL));
        timeout = left > INT_MAX ? INT_MAX : (int)left;
    }
    int rc = poll(fds, nfds, timeout);
    if (rc < 0)
        return errno == EINTR ? 0 : -1;
    unsigned ready = 0;
    const short in_ev = POLLIN | POLLHUP | POLLERR | POLLNVAL;
    const short out_ev = POLLOUT | POLLERR | POLLHUP;
    for (nfds_t i = 0; i < nfds; i++)
        if (fds[i].revents & (w[i].write ? out_ev : in_ev))
            ready |= w[i].ready;
    return (int)ready;
}

/* One read that never blocks: poll first when fd is blocking. */
static int32_t read_fd(int64_t fd, bool nonblock, uint8_t *buf, size_t cap)
{
    if (!nonblock) {
        struct pollfd p = {.fd = (int)fd, .events = POLLIN};
        int rc = poll(&p, 1, 0);
        if (rc == 0 || (rc < 0 && errno == EINTR))
            return SYNACK_CLI_AGAIN;
        if (rc < 0)
            return -1;
    }
    ssize_t r = read((int)fd, buf, cap);
    if (r < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                   ? SYNACK_CLI_AGAIN : -1;
    return (int32_t)r;
}

static int32_t write_fd(int64_t fd, const uint8_t *data, size_t len)
{
    for (;;) {
        ssize_t w = write((int)fd, data, len);
        if (w >= 0)
            return (int32_t)w;
        if (errno == EINTR)
            continue;
        if (again(errno))
            return SYNACK_CLI_AGAIN;
        return -1;
    }
}

void synack_native_platform(synack_cli_platform *p, synack_native *n)
{
    memset(n, 0, sizeof *n);
    n->link.read_fd = read_fd;
    n->link.write_fd = write_fd;
    synack_cli_fdlink_fill(p, n, &n->link); /* link, stdin, stdout, files */
    n->fd_read = p->link_read;
    n->fd_write = p->link_write;
    p->link_read = link_read;
    p->link_write = link_write;
    p->link_write_gso = link_write_gso;
    p->links = (1u << SYNACK_CLI_LINK_TAP) | (1u << SYNACK_CLI_LINK_CONNECT) |
               (1u << SYNACK_CLI_LINK_STDIO);
    p->now_ms = now_ms;
    p->entropy = entropy;
    p->csprng = csprng;
    p->wall_s = wall_s;
    p->link_open = link_open;
    p->link_close = link_close;
    p->wait = wait_ready;
}
