/* The C library's own calls for ordinary descriptors (both systems). */
#include "sp.h"

ssize_t synack_sp_sys_read(int fd, void *buf, size_t len)
{
    return SP_REAL(read)(fd, buf, len);
}

ssize_t synack_sp_sys_write(int fd, const void *buf, size_t len)
{
    return SP_REAL(write)(fd, buf, len);
}

ssize_t synack_sp_sys_readv(int fd, const struct iovec *iov, int n)
{
    return SP_REAL(readv)(fd, iov, n);
}

ssize_t synack_sp_sys_writev(int fd, const struct iovec *iov, int n)
{
    return SP_REAL(writev)(fd, iov, n);
}

int synack_sp_sys_close(int fd)
{
    return SP_REAL(close)(fd);
}
