/* synack_posix's opt-in compatibility layer for WASI: <sys/un.h> with
 * POSIX's sun_path (wasi-libc's struct sockaddr_un has only the family).
 * AF_UNIX sockets still do not exist: socket() says EAFNOSUPPORT. */
#ifndef SYNACK_POSIX_COMPAT_SYS_UN_H
#define SYNACK_POSIX_COMPAT_SYS_UN_H
#include <sys/socket.h>
#ifndef __wasilibc___struct_sockaddr_un_h
#define __wasilibc___struct_sockaddr_un_h
struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[108];
};
#endif
#include_next <sys/un.h>
#endif
