/*
 * The link and stdin members of synack_cli_platform over descriptors,
 * shared by the native tool (read(2)/write(2)/poll(2)) and the WASI tool
 * (fd_read/fd_write/poll_oneoff): the platform supplies a non-blocking
 * read and write of one descriptor; this file does the bookkeeping
 * (which descriptor, AGAIN, what wait() watches) the same way for both.
 */
#ifndef SYNACK_CLI_FDLINK_H
#define SYNACK_CLI_FDLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_platform.h"

typedef struct synack_cli_fdlink {
    int64_t rfd;   /* read side of the link, -1 when none */
    int64_t wfd;   /* write side (the same descriptor except --stdio) */
    bool nonblock; /* rfd reads return AGAIN instead of blocking */
    /*
     * Read what fd has without blocking (when !nonblock, check
     * readiness first): the length, 0 at end, SYNACK_CLI_AGAIN or -1.
     */
    int32_t (*read_fd)(int64_t fd, bool nonblock, uint8_t *buf, size_t cap);
    /* Write a prefix of data (len <= INT32_MAX) without blocking:
     * the count, SYNACK_CLI_AGAIN or -1. */
    int32_t (*write_fd)(int64_t fd, const uint8_t *data, size_t len);
} synack_cli_fdlink;

/* One descriptor wait() watches, and the SYNACK_CLI_READY_* bit it sets. */
typedef struct synack_cli_fdwatch {
    int64_t fd;
    bool write;     /* watch for room to write, else for input */
    unsigned ready; /* the bit to report when it fires */
} synack_cli_fdwatch;

/*
 * The descriptors to watch for `want` (SYNACK_CLI_READY_* bits): the
 * link's input always (when open), its output and stdin when asked
 * (stdin not when it is the link). Fills out[0..2]; returns the count.
 */
size_t synack_cli_fdlink_watches(const synack_cli_fdlink *l, unsigned want,
                                 synack_cli_fdwatch out[3]);

/* Milliseconds from `now` to `deadline`, 0 when it has passed. */
uint64_t synack_cli_ms_left(uint64_t deadline, uint64_t now);

/*
 * Fill buf[off..len) from the clock: the fallback of an entropy source
 * that failed, better than leaving zeros.
 */
void synack_cli_entropy_from_clock(uint8_t *buf, size_t off, size_t len,
                                   uint64_t now_ms);

/*
 * Set p->ctx = ctx, and p->link_read, link_write, stdin_read (over l's
 * read_fd/write_fd) plus the synack_cli_fdio_fill members. `l` must be
 * the first member of the struct ctx points to (the platform's own
 * functions get the same ctx). rfd and wfd start at -1.
 */
void synack_cli_fdlink_fill(synack_cli_platform *p, void *ctx,
                            synack_cli_fdlink *l);

#endif
