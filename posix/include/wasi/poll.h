/* synack_posix under WASI: wasi-libc's <poll.h> plus POLLPRI, which it
 * leaves out (programs name it; synack sockets never report it: no
 * urgent data). */
#ifndef SYNACK_POSIX_POLL_H
#define SYNACK_POSIX_POLL_H
#include_next <poll.h>
#ifndef POLLPRI
#define POLLPRI 0x0400
#endif
#endif
