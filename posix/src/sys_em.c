/*
 * The system layer under Emscripten: a platform for the `synack` tool's
 * runtime whose link is JavaScript's (posix/em/synack_posix.js: a
 * WebSocket to websockify or synack-bridge --listen-ws with the stream
 * framing of DESIGN.md, or the link object a page gave as
 * Module.synackLink), frames already cut apart there, so the runtime
 * sees a frame link. The wait sleeps in JavaScript (synack_em_wait):
 * with Asyncify the wasm stack unwinds to the event loop and is rewound
 * when a frame comes or the deadline passes; in a Worker
 * (SYNACK_EM_BLOCKING=worker) it is an Atomics.wait on memory the main
 * thread fills. Socket descriptors are reserved by opening /dev/null, as
 * natively, so the C library never hands their numbers to a file.
 */
#define _DEFAULT_SOURCE /* getentropy */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <emscripten.h>

#include "cli_fdio.h"
#include "cli_fdlink.h"
#include "sp.h"

/* posix/em/synack_posix.js. */
/* Open the link (url: ws://..., wss://... or "module"); waits until it
 * is open. 0, or -1 with a reason in err. */
extern int synack_em_link_open(const char *url, char *err, int errcap);
/* One frame into buf: its length, 0 when the link is gone, -2 when none. */
extern int synack_em_link_read(uint8_t *buf, int cap);
/* Send one frame: len, or -1 when the link is gone. */
extern int synack_em_link_write(const uint8_t *frame, int len);
extern void synack_em_link_close(void);
/* Sleep until a frame is there or the link went down (1), or ms passed
 * (0); ms < 0: no limit. */
extern int synack_em_wait(int ms);
/* 1 when a wait may sleep inside exit() (the Worker model), else 0. */
extern int synack_em_exit_can_wait(void);

bool synack_sp_stdio_link;

/* With program descriptors to watch, the wait looks at them again this
 * often (synack_sp_sys_poll below: they are ready at once anyway). */
#define EXTRA_RECHECK_MS 20

void synack_sp_sys_early(void)
{
}

static uint64_t now_ms(void *ctx)
{
    (void)ctx;
    return (uint64_t)emscripten_get_now();
}

static int csprng(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    /* getentropy: crypto.getRandomValues in a page, crypto in Node;
     * at most 256 bytes a call. */
    for (size_t off = 0; off < len; off += 256) {
        size_t n = len - off < 256 ? len - off : 256;
        if (getentropy(buf + off, n) != 0)
            return -1;
    }
    return 0;
}

static void entropy(void *ctx, uint8_t *buf, size_t len)
{
    if (csprng(ctx, buf, len) != 0)
        synack_cli_entropy_from_clock(buf, 0, len, now_ms(ctx));
}

static int64_t wall_s(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

static int link_open(void *ctx, const synack_cli_opts *o, synack_cli_link_info *info,
                     char *err, size_t errcap)
{
    (void)ctx;
    if (o->link != SYNACK_CLI_LINK_WS) {
        snprintf(err, errcap, "only SYNACK_LINK=ws://... or module under Emscripten");
        return -1;
    }
    if (synack_em_link_open(o->ws_url, err, (int)errcap) != 0)
        return -1;
    info->stream = false; /* JavaScript hands over whole frames */
    info->medium = SYNACK_MEDIUM_ETHERNET;
    return 0;
}

static void link_close(void *ctx)
{
    (void)ctx;
    synack_em_link_close();
}

static int32_t link_read(void *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    int n = synack_em_link_read(buf, cap > INT_MAX ? INT_MAX : (int)cap);
    return n == -2 ? SYNACK_CLI_AGAIN : n;
}

static int32_t link_write(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    return synack_em_link_write(data, (int)len);
}

static int32_t stdin_read(void *ctx, uint8_t *buf, size_t cap)
{
    (void)ctx;
    (void)buf;
    (void)cap;
    return SYNACK_CLI_AGAIN; /* no command of the tool runs here */
}

void *synack_sp_sys_platform(synack_cli_platform *p)
{
    memset(p, 0, sizeof *p);
    synack_cli_fdio_fill(p);
    p->links = 1u << SYNACK_CLI_LINK_WS;
    p->now_ms = now_ms;
    p->entropy = entropy;
    p->csprng = csprng;
    p->wall_s = wall_s;
    p->link_open = link_open;
    p->link_close = link_close;
    p->link_read = link_read;
    p->link_write = link_write;
    p->stdin_read = stdin_read;
    return NULL;
}

int synack_sp_sys_link_open(void *ctx, const synack_cli_opts *o,
                            synack_cli_link_info *info, char *err, size_t errcap)
{
    return link_open(ctx, o, info, err, errcap);
}

/* The program's descriptors that are ready now. */
static bool extra_ready(void)
{
    bool any = false;
    for (size_t i = 0; i < synack_sp_g.n_extra; i++) {
        struct pollfd p = {.fd = synack_sp_g.extra[i].fd, .events = synack_sp_g.extra[i].events};
        if (synack_sp_sys_poll(&p, 1, 0) > 0) {
            synack_sp_g.extra[i].revents = p.revents;
            any = true;
        }
    }
    return any;
}

int synack_sp_sys_wait(void *ctx, uint64_t deadline, unsigned want)
{
    (void)ctx;
    /* The link takes every frame at once: writable whenever asked. */
    if (want & SYNACK_CLI_READY_LINK_OUT)
        return (int)SYNACK_CLI_READY_LINK_OUT;
    if (extra_ready())
        return 0;
    int ms = -1;
    if (deadline != UINT64_MAX) {
        uint64_t left = synack_cli_ms_left(deadline, synack_sp_now());
        ms = left > INT_MAX ? INT_MAX : (int)left;
    }
    if (synack_sp_g.n_extra > 0 && (ms < 0 || ms > EXTRA_RECHECK_MS))
        ms = EXTRA_RECHECK_MS;
    int r = synack_em_wait(ms);
    if (synack_sp_g.n_extra > 0)
        extra_ready();
    return r > 0 ? (int)SYNACK_CLI_READY_LINK : 0;
}

int synack_sp_sys_reserve_fd(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void synack_sp_sys_release_fd(int fd)
{
    SP_REAL(close)(fd);
}

/*
 * Ordinary descriptors: Emscripten's files, pipes and terminals never
 * block a poll (its own poll says POLLIN | POLLOUT for every open
 * descriptor, and with -sNODERAWFS=1 it throws on a file), so an open
 * descriptor is ready for what was asked and a closed one is POLLNVAL.
 * Nothing is left to wait for, whatever the timeout.
 */
int synack_sp_sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    (void)timeout_ms;
    int count = 0;
    for (nfds_t i = 0; i < n; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        if (SP_REAL(fcntl)(fds[i].fd, F_GETFD) < 0)
            fds[i].revents = POLLNVAL;
        else
            fds[i].revents = (short)(fds[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM));
        if (fds[i].revents != 0)
            count++;
    }
    return count;
}

int synack_sp_not_ours(int fd)
{
    errno = fd >= 0 && SP_REAL(fcntl)(fd, F_GETFD) >= 0 ? ENOTSOCK : EBADF;
    return -1;
}

bool synack_sp_sys_exit_can_wait(void)
{
    return synack_em_exit_can_wait() != 0;
}
