/* synack_posix's opt-in compatibility layer for WASI: wasi-libc's
 * <signal.h> plus what it leaves out (posix/src/compat_wasi.c). */
#ifndef SYNACK_POSIX_COMPAT_SIGNAL_H
#define SYNACK_POSIX_COMPAT_SIGNAL_H
#include_next <signal.h>
int kill(pid_t, int); /* only the process itself (raise) */
#endif
