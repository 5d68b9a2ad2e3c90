/*
 * What the portable command code (host/cli/) needs from the system it
 * runs on. The native tool implements it with Linux calls (host/native/),
 * the WASI tool with wasi-libc (wasi/); both take the stdout, stderr and
 * file members from cli_fdio.h. Every function gets `ctx`. Nothing here
 * blocks except wait() (until its deadline) and the stdout, stderr and
 * file writes.
 */
#ifndef SYNACK_CLI_PLATFORM_H
#define SYNACK_CLI_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"

/* Bits of wait(): what to watch and what is ready. */
#define SYNACK_CLI_READY_LINK 0x1u     /* link_read() has data or EOF */
#define SYNACK_CLI_READY_STDIN 0x2u    /* stdin_read() has data or EOF */
#define SYNACK_CLI_READY_LINK_OUT 0x4u /* link_write() can take bytes */

/* Returned by the read functions when nothing is there right now. */
#define SYNACK_CLI_AGAIN (-2)

/* How the opened link carries frames. */
typedef struct synack_cli_link_info {
    bool stream;          /* bytes with DESIGN.md stream framing; else one
                             frame per link_read/link_write (TAP) */
    synack_medium medium; /* SYNACK_MEDIUM_ETHERNET for every link today */
    /* Send offload: the largest TCP segment (IP bytes) link_write_gso
     * takes in one piece; 0 (the default) for none. Frame links only. */
    uint32_t gso_max;
} synack_cli_link_info;

typedef struct synack_cli_platform {
    void *ctx;
    /* SYNACK_CLI_LINK_* kinds this platform can open, as 1u << kind. */
    uint32_t links;

    /* Monotonic clock, milliseconds. */
    uint64_t (*now_ms)(void *ctx);
    /* Fill buf with unpredictable bytes. */
    void (*entropy)(void *ctx, uint8_t *buf, size_t len);
    /* Fill buf from the system's CSPRNG alone (getrandom, WASI
     * random_get): 0, or -1 when it cannot, and then TLS does not run
     * (entropy() above mixes in the clock instead; keys must not). */
    int (*csprng)(void *ctx, uint8_t *buf, size_t len);
    /* Wall-clock time, seconds since 1970: certificate validity. */
    int64_t (*wall_s)(void *ctx);

    /*
     * Open the link o->link describes. Returns 0, or -1 with a one-line
     * reason in err.
     */
    int (*link_open)(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap);
    void (*link_close)(void *ctx);
    /*
     * Sleep until the link is readable, stdin is readable (when `want`
     * has SYNACK_CLI_READY_STDIN), the link can take more bytes (when
     * `want` has SYNACK_CLI_READY_LINK_OUT), or the clock reaches
     * `deadline` (UINT64_MAX: no deadline). Returns SYNACK_CLI_READY_*
     * bits (0 at the deadline), or -1 on a system error.
     */
    int (*wait)(void *ctx, uint64_t deadline, unsigned want);
    /*
     * Read what the link has, without blocking: up to cap bytes (a stream
     * link) or one frame (a frame link). Returns the length, 0 at end of
     * stream, SYNACK_CLI_AGAIN, or -1 on error.
     */
    int32_t (*link_read)(void *ctx, uint8_t *buf, size_t cap);
    /*
     * Write without blocking. A stream link may take only a prefix: the
     * count is returned and the caller keeps the rest. A frame link takes
     * the whole frame or nothing. Returns the count, SYNACK_CLI_AGAIN
     * when nothing fits now, or -1 on error.
     */
    int32_t (*link_write)(void *ctx, const uint8_t *data, size_t len);
    /* With info->gso_max: write one TCP segment larger than the MTU for
     * the link to cut into pieces of g->seg payload bytes, with the
     * offsets the stack gave (synack_link.send_gso). Returns as
     * link_write. */
    int32_t (*link_write_gso)(void *ctx, const uint8_t *data, size_t len, const synack_gso *g);

    /* Like link_read, for stdin. */
    int32_t (*stdin_read)(void *ctx, uint8_t *buf, size_t cap);
    /* Write all of data to stdout / stderr. Returns 0 or -1. */
    int (*out_write)(void *ctx, const void *data, size_t len);
    int (*err_write)(void *ctx, const void *data, size_t len);

    /* Files (--out, --pcap, listen --file): a handle, or NULL on error. */
    void *(*file_open)(void *ctx, const char *path, bool for_writing);
    /* Read up to cap bytes: the length, 0 at the end, -1 on error. */
    int32_t (*file_read)(void *ctx, void *f, uint8_t *buf, size_t cap);
    int (*file_write)(void *ctx, void *f, const void *data, size_t len);
    void (*file_close)(void *ctx, void *f);
} synack_cli_platform;

/*
 * Run the tool: parse argv, open the link, set up the stack, run the
 * command. Returns the exit status: 0, 1 (network failure) or 2 (usage).
 */
int synack_cli_main(int argc, char *const *argv, const synack_cli_platform *p);

#endif
