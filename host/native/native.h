/*
 * The Linux side of the `synack` tool: the platform interface of
 * host/cli/cli_platform.h over file descriptors, poll(2) and
 * clock_gettime(2), and the link drivers that open a descriptor: an
 * existing TAP device, a TCP connection to a bridge, stdin/stdout.
 */
#ifndef SYNACK_NATIVE_H
#define SYNACK_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_platform.h"

typedef struct synack_native {
    int link_rfd;     /* read side of the link, -1 when none */
    int link_wfd;     /* write side (the same descriptor except --stdio) */
    bool link_nonblock; /* link_rfd is O_NONBLOCK (else poll before read) */
    bool stdio_nonblock; /* --stdio made fds 0 and 1 non-blocking */
    int stdio_flags[2];  /* their file status flags before that */
} synack_native;

/* Fill *p with the Linux implementation; ctx is `n`. */
void synack_native_platform(synack_cli_platform *p, synack_native *n);

/*
 * Attach to the existing TAP device `name` (TUNSETIFF, IFF_TAP |
 * IFF_NO_PI). Returns a non-blocking descriptor, or -1 with a reason.
 */
int synack_native_tap_open(const char *name, char *err, size_t errcap);

/*
 * Connect a TCP stream to host:port. Returns a non-blocking descriptor,
 * or -1 with a reason.
 */
int synack_native_stream_connect(const char *host, uint16_t port, char *err,
                                 size_t errcap);

#endif
