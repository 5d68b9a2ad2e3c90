/*
 * synack_posix under WASI: wasi-libc's <sys/socket.h> plus what WASI
 * preview 1 leaves out and synack_posix provides (socket, bind, connect,
 * listen, ..., the SO_* options). Values follow musl, except where
 * wasi-libc already fixed them (SOCK_STREAM, SOL_SOCKET, MSG_PEEK, ...).
 */
#ifndef SYNACK_POSIX_SYS_SOCKET_H
#define SYNACK_POSIX_SYS_SOCKET_H
#include_next <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SOCK_RAW
#define SOCK_RAW 3
#endif
#ifndef SO_REUSEADDR
#define SO_DEBUG 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define SO_DONTROUTE 5
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_OOBINLINE 10
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#endif
#ifndef SOL_IP
#define SOL_IP 0
#define SOL_IPV6 41
#endif
#ifndef SOMAXCONN
#define SOMAXCONN 128
#endif
/* wasi-libc (2022) defines MSG_TRUNC as a WASI constant that does not
 * exist (__WASI_RIFLAGS_RECV_DATA_TRUNCATED): musl's value instead. */
#undef MSG_TRUNC
#define MSG_TRUNC 0x0020
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif
#ifndef PF_INET
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#define PF_UNIX AF_UNIX
#endif
#ifndef AF_LOCAL
#define AF_LOCAL AF_UNIX
#endif

int socket(int, int, int);
int bind(int, const struct sockaddr *, socklen_t);
int connect(int, const struct sockaddr *, socklen_t);
int listen(int, int);
int getsockname(int, struct sockaddr *__restrict, socklen_t *__restrict);
int getpeername(int, struct sockaddr *__restrict, socklen_t *__restrict);
ssize_t sendto(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t recvfrom(int, void *__restrict, size_t, int, struct sockaddr *__restrict,
                 socklen_t *__restrict);
ssize_t sendmsg(int, const struct msghdr *, int);
ssize_t recvmsg(int, struct msghdr *, int);
int setsockopt(int, int, int, const void *, socklen_t);

#ifdef __cplusplus
}
#endif
#endif
