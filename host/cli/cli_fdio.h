/*
 * Output and files on POSIX descriptors, shared by the native tool
 * (glibc) and the WASI tool (wasi-libc, where paths resolve against the
 * directories preopened with wasmtime --dir): the out_write, err_write
 * and file_* members of synack_cli_platform.
 */
#ifndef SYNACK_CLI_FDIO_H
#define SYNACK_CLI_FDIO_H

#include <stddef.h>

#include "cli_platform.h"

/*
 * Write all of data to fd. When fd is non-blocking and full, waits up to
 * 30 s for room (a reader that stopped reading). Returns 0 or -1.
 */
int synack_cli_fd_write_all(int fd, const void *data, size_t len);

/*
 * Set p->out_write (fd 1), p->err_write (fd 2) and p->file_open,
 * file_read, file_write, file_close (open(2) and friends). Other members
 * are left alone.
 */
void synack_cli_fdio_fill(synack_cli_platform *p);

#endif
