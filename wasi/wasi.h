/*
 * The WASI side of the `synack` tool: the platform interface of
 * host/cli/cli_platform.h over WASI preview 1 (wasi-libc, run under
 * wasmtime). Links: --stdio (stream framing on fds 0 and 1) and
 * --accept-fd N (stream framing on one connection accepted with
 * sock_accept from a listening socket the runtime preopened, e.g.
 * `wasmtime run -S tcplisten=127.0.0.1:9000`). The loop sleeps in
 * poll_oneoff on the link (and stdin) with the stack's next deadline as
 * a clock subscription: there is no busy loop.
 */
#ifndef SYNACK_WASI_H
#define SYNACK_WASI_H

#include <stdbool.h>
#include <stdint.h>

#include "cli_fdlink.h"
#include "cli_platform.h"

typedef struct synack_wasi {
    synack_cli_fdlink link; /* first: the shared link members use it */
} synack_wasi;

/* Fill *p with the WASI implementation; ctx is `w`. */
void synack_wasi_platform(synack_cli_platform *p, synack_wasi *w);

#endif
