/*
 * host/cli/cli_fdio.h: stdout, stderr and files as POSIX descriptors.
 * Only what glibc and wasi-libc both have (open, read, write, close,
 * poll), so the native and WASI tools share it.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "cli_fdio.h"

/* How long a full non-blocking descriptor may stay full. */
#define WRITE_STALL_MS 30000

int synack_cli_fd_write_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len > INT32_MAX ? INT32_MAX : len);
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = {.fd = fd, .events = POLLOUT};
            if (poll(&pf, 1, WRITE_STALL_MS) <= 0)
                return -1; /* the reader has stopped reading */
            continue;
        }
        return -1;
    }
    return 0;
}

static int out_write(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return synack_cli_fd_write_all(1, data, len);
}

static int err_write(void *ctx, const void *data, size_t len)
{
    (void)ctx;
    return synack_cli_fd_write_all(2, data, len);
}

/* A file handle is the descriptor plus one, so that NULL means none. */
static void *file_open(void *ctx, const char *path, bool for_writing)
{
    (void)ctx;
    int fd = for_writing ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                         : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    return (void *)(intptr_t)(fd + 1);
}

static int file_fd(void *f)
{
    return (int)(intptr_t)f - 1;
}

static int32_t file_read(void *ctx, void *f, uint8_t *buf, size_t cap)
{
    (void)ctx;
    for (;;) {
        ssize_t r = read(file_fd(f), buf, cap > INT32_MAX ? INT32_MAX : cap);
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -1 : (int32_t)r;
    }
}

static int file_write(void *ctx, void *f, const void *data, size_t len)
{
    (void)ctx;
    return synack_cli_fd_write_all(file_fd(f), data, len);
}

static void file_close(void *ctx, void *f)
{
    (void)ctx;
    close(file_fd(f));
}

void synack_cli_fdio_fill(synack_cli_platform *p)
{
    p->out_write = out_write;
    p->err_write = err_write;
    p->file_open = file_open;
    p->file_read = file_read;
    p->file_write = file_write;
    p->file_close = file_close;
}
