/* synack_posix's opt-in compatibility layer for WASI: wasi-libc's
 * <sys/stat.h> plus what it leaves out (posix/src/compat_wasi.c). */
#ifndef SYNACK_POSIX_COMPAT_SYS_STAT_H
#define SYNACK_POSIX_COMPAT_SYS_STAT_H
#include_next <sys/stat.h>
int chmod(const char *, mode_t); /* no mode bits: succeeds */
#endif
