/*
 * The bridge's event loop: one poll() over the listening socket, the
 * clients, the signal descriptor and the backend (the TAP device, or
 * slirp's sockets and timers).
 */
#ifndef SYNACK_BR_LOOP_H
#define SYNACK_BR_LOOP_H

#include "options.h"

/*
 * A non-blocking listening TCP socket on host:port (first address that
 * binds), or -1 with one line on stderr naming the option `opt`.
 */
int synack_br_tcp_listen(const char *opt, const char *host, const char *port,
                         int backlog);

/* Run the bridge until SIGINT/SIGTERM. Returns the process exit status. */
int synack_br_run(const synack_br_options *o, const uint8_t *token,
                  size_t token_len);

#endif
