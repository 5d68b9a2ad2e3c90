/*
 * Descriptor bookkeeping of the link, shared by the native and WASI
 * platforms (cli_fdlink.h).
 */
#include <string.h>

#include "cli_fdio.h"
#include "cli_fdlink.h"

size_t synack_cli_fdlink_watches(const synack_cli_fdlink *l, unsigned want,
                                 synack_cli_fdwatch out[3])
{
    size_t n = 0;
    if (l->rfd >= 0)
        out[n++] = (synack_cli_fdwatch){l->rfd, false, SYNACK_CLI_READY_LINK};
    if ((want & SYNACK_CLI_READY_LINK_OUT) && l->wfd >= 0)
        out[n++] = (synack_cli_fdwatch){l->wfd, true, SYNACK_CLI_READY_LINK_OUT};
    if ((want & SYNACK_CLI_READY_STDIN) && l->rfd != 0)
        out[n++] = (synack_cli_fdwatch){0, false, SYNACK_CLI_READY_STDIN};
    return n;
}

uint64_t synack_cli_ms_left(uint64_t deadline, uint64_t now)
{
    return deadline > now ? deadline - now : 0;
}

void synack_cli_entropy_from_clock(uint8_t *buf, size_t off, size_t len,
                                   uint64_t now_ms)
{
    for (; off < len; off++)
        buf[off] = (uint8_t)(now_ms * 2654435761u >> (off % 24));
}

static int32_t link_read(void *ctx, uint8_t *buf, size_t cap)
{
    synack_cli_fdlink *l = ctx;
    if (l->rfd < 0)
        return -1;
    return l->read_fd(l->rfd, l->nonblock, buf, cap > INT32_MAX ? INT32_MAX : cap);
}

static int32_t link_write(void *ctx, const uint8_t *data, size_t len)
{
    synack_cli_fdlink *l = ctx;
    if (l->wfd < 0)
        return -1;
    return l->write_fd(l->wfd, data, len > INT32_MAX ? INT32_MAX : len);
}

static int32_t stdin_read(void *ctx, uint8_t *buf, size_t cap)
{
    synack_cli_fdlink *l = ctx;
    return l->read_fd(0, false, buf, cap > INT32_MAX ? INT32_MAX : cap);
}

void synack_cli_fdlink_fill(synack_cli_platform *p, void *ctx,
                            synack_cli_fdlink *l)
{
    l->rfd = l->wfd = -1;
    l->nonblock = false;
    memset(p, 0, sizeof *p);
    p->ctx = ctx;
    p->link_read = link_read;
    p->link_write = link_write;
    p->stdin_read = stdin_read;
    synack_cli_fdio_fill(p); /* stdout, stderr, files */
}
