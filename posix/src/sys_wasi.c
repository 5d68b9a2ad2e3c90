/*
 * The system layer under WASI preview 1: the `synack` tool's platform
 * (wasi/platform.c), socket descriptor numbers chosen from 64 up where
 * the runtime has no descriptor (preview 1 cannot reserve one: a program
 * holding more than 60 files open at once could see a number reused),
 * and a wait that is one poll_oneoff over the link, the program's
 * descriptors and a clock subscription for the next deadline.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include <wasi/libc.h>

#include "sp.h"
#include "wasi.h"

#define NS_PER_MS 1000000u
#define FD_BASE 64

bool synack_sp_stdio_link;
static synack_wasi wasi;
static int (*base_link_open)(void *ctx, const synack_cli_opts *o,
                             synack_cli_link_info *info, char *err, size_t errcap);

void synack_sp_sys_early(void)
{
    const char *l = getenv("SYNACK_LINK");
    /* fd 1 carries frames: the wrappers send the program's writes to fd 1
     * to fd 2 and give it an empty fd 0. */
    synack_sp_stdio_link = l != NULL && strcmp(l, "stdio") == 0;
}

/*
 * wasi-libc (Debian's, 2022) learns the preopened directories in a
 * constructor that walks descriptors from 3 up and stops at the first
 * one fd_prestat_get calls EBADF. A listening socket that wasmtime
 * preopened (-S tcplisten, for SYNACK_LINK=fd:N) comes before the
 * directories and is such a descriptor, so every --dir was lost and
 * paths did not resolve ("Capabilities insufficient"). This runs after
 * that constructor (default priority) and registers the directories
 * behind such a descriptor: it walks on while fd_fdstat_get says a
 * descriptor exists.
 */
#define PREOPEN_SCAN_MAX 4096

static void rescan_preopens(void)
{
    bool behind = false; /* past a descriptor wasi-libc stopped at */
    for (__wasi_fd_t fd = 3; fd < PREOPEN_SCAN_MAX; fd++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) != 0)
            return;
        __wasi_prestat_t ps;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
        if (e == __WASI_ERRNO_BADF) {
            behind = true;
            continue;
        }
        if (!behind || e != 0 || ps.tag != __WASI_PREOPENTYPE_DIR)
            continue;
        size_t len = ps.u.dir.pr_name_len;
        char *name = malloc(len + 1);
        if (name == NULL)
            return;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) == 0) {
            name[len] = '\0';
            __wasilibc_register_preopened_fd((int)fd, name);
        }
        free(name);
    }
}

__attribute__((constructor)) static void early(void)
{
    rescan_preopens();
    synack_sp_sys_early();
}

void *synack_sp_sys_platform(synack_cli_platform *p)
{
    synack_wasi_platform(p, &wasi);
    base_link_open = p->link_open;
    return &wasi;
}

int synack_sp_sys_link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap)
{
    return base_link_open(ctx, o, info, err, errcap);
}

/* userdata: the link's SYNACK_CLI_READY_* bit, the clock 0, and for the
 * program's descriptor i EXTRA_TAG + 2i (+1 for writing). */
#define EXTRA_TAG 0x10000u

static void sub_fd(__wasi_subscription_t *s, uint64_t ud, int fd, bool write)
{
    memset(s, 0, sizeof *s);
    s->userdata = ud;
    s->u.tag = write ? __WASI_EVENTTYPE_FD_WRITE : __WASI_EVENTTYPE_FD_READ;
    if (write)
        s->u.u.fd_write.file_descriptor = (__wasi_fd_t)fd;
    else
        s->u.u.fd_read.file_descriptor = (__wasi_fd_t)fd;
}

int synack_sp_sys_wait(void *ctx, uint64_t deadline, unsigned want)
{
    synack_wasi *w = ctx;
    synack_cli_fdwatch fw[3];
    size_t nw = synack_cli_fdlink_watches(&w->link, want, fw);
    size_t cap = nw + 2 * synack_sp_g.n_extra + 1;
    __wasi_subscription_t *subs = malloc(cap * sizeof *subs);
    __wasi_event_t *ev = malloc(cap * sizeof *ev);
    if (subs == NULL || ev == NULL) {
        free(subs);
        free(ev);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < nw; i++)
        sub_fd(&subs[n++], fw[i].ready, (int)fw[i].fd, fw[i].write);
    for (size_t i = 0; i < synack_sp_g.n_extra; i++) {
        if (synack_sp_g.extra[i].events & POLLIN)
            sub_fd(&subs[n++], EXTRA_TAG + 2 * i, synack_sp_g.extra[i].fd, false);
        if (synack_sp_g.extra[i].events & POLLOUT)
            sub_fd(&subs[n++], EXTRA_TAG + 2 * i + 1, synack_sp_g.extra[i].fd, true);
    }
    if (deadline != UINT64_MAX) {
        uint64_t left = synack_cli_ms_left(deadline, synack_sp_now());
        __wasi_subscription_t *s = &subs[n++];
        memset(s, 0, sizeof *s);
        s->u.tag = __WASI_EVENTTYPE_CLOCK;
        s->u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        s->u.u.clock.timeout = left > UINT64_MAX / NS_PER_MS ? UINT64_MAX : left * NS_PER_MS;
    }
    int ready = 0;
    if (n > 0) {
        __wasi_size_t got = 0;
        __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, (__wasi_size_t)n, &got);
        if (e != 0 && e != __WASI_ERRNO_INTR)
            ready = -1;
        for (__wasi_size_t i = 0; e == 0 && i < got; i++) {
            uint64_t ud = ev[i].userdata;
            if (ud >= EXTRA_TAG) {
                synack_sp_extra *x = &synack_sp_g.extra[(ud - EXTRA_TAG) / 2];
                bool write = (ud - EXTRA_TAG) & 1u;
                if (ev[i].error == __WASI_ERRNO_BADF)
                    x->revents |= POLLNVAL;
                else if (ev[i].error != 0)
                    x->revents |= POLLERR;
                else
                    x->revents |= write ? POLLOUT : POLLIN;
                if (ev[i].fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP)
                    x->revents |= POLLHUP;
            } else if (ev[i].type != __WASI_EVENTTYPE_CLOCK) {
                ready |= (int)ud;
            }
        }
    }
    free(subs);
    free(ev);
    return ready;
}

int synack_sp_sys_reserve_fd(void)
{
    for (int fd = FD_BASE; fd < FD_BASE + 65536; fd++) {
        __wasi_fdstat_t st;
        if (synack_sp_lookup(fd) == NULL && __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) != 0)
            return fd;
    }
    errno = EMFILE;
    return -1;
}

void synack_sp_sys_release_fd(int fd)
{
    (void)fd;
}

int synack_sp_sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    return SP_REAL(poll)(fds, n, timeout_ms);
}

int synack_sp_not_ours(int fd)
{
    __wasi_fdstat_t st;
    errno = fd >= 0 && __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) == 0 ? ENOTSOCK : EBADF;
    return -1;
}

bool synack_sp_sys_exit_can_wait(void)
{
    return true;
}
