/* synack_posix's opt-in compatibility layer for WASI: wasi-libc's
 * <stdlib.h> plus what it leaves out (posix/src/compat_wasi.c). */
#ifndef SYNACK_POSIX_COMPAT_STDLIB_H
#define SYNACK_POSIX_COMPAT_STDLIB_H
#include_next <stdlib.h>
int mkstemp(char *);
#endif
