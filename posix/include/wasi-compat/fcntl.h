/* synack_posix's opt-in compatibility layer for WASI: wasi-libc's
 * <fcntl.h> plus F_DUPFD (musl's value; fcntl says EINVAL for it). */
#ifndef SYNACK_POSIX_COMPAT_FCNTL_H
#define SYNACK_POSIX_COMPAT_FCNTL_H
#include_next <fcntl.h>
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#endif
