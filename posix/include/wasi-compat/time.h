/* synack_posix's opt-in compatibility layer for WASI: wasi-libc's
 * <time.h> plus what it leaves out (posix/src/compat_wasi.c). */
#ifndef SYNACK_POSIX_COMPAT_TIME_H
#define SYNACK_POSIX_COMPAT_TIME_H
#include_next <time.h>
void tzset(void); /* no time zones: UTC */
#endif
