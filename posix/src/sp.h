/*
 * synack_posix internals: one stack per process (the runtime, rt.c), a
 * table of socket descriptors (sock.c), poll/select (pollsel.c), the
 * resolver (resolv.c), and the system layer (sys_native.c, sys_wasi.c)
 * that reserves descriptor numbers, reaches the real read/write/close/
 * poll for ordinary descriptors and sleeps on the link plus the
 * program's descriptors until the stack's next deadline.
 *
 * Single-threaded, like the programs it is for: nothing here locks.
 * Unlike core/, this layer has process-wide state (the stack, the socket
 * table): the BSD calls it stands in for carry no context to hang it on.
 */
#ifndef SYNACK_POSIX_SP_H
#define SYNACK_POSIX_SP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <poll.h>

#include "cli_run.h"
#include "synack/synack.h"

/* ---- addresses (addr.c): the one place that knows both worlds -------- */

/* The stack's view of a socket address: IPv4 or IPv6 (an IPv4-mapped
 * IPv6 address, ::ffff:a.b.c.d, is held as the IPv4 address). */
typedef struct synack_sp_addr {
    synack_addr ip; /* SYNACK_AF_IP4 or SYNACK_AF_IP6; all-zero bytes: any */
    uint16_t port;  /* host byte order */
} synack_sp_addr;

/*
 * sockaddr -> synack_sp_addr: AF_INET, or AF_INET6 (a mapped IPv4
 * address becomes IPv4). Returns 0, or an errno value (EAFNOSUPPORT for
 * another family, EINVAL for a short length).
 */
int synack_sp_addr_from_sockaddr(const struct sockaddr *sa, socklen_t len, synack_sp_addr *out);
/* synack_sp_addr -> the sockaddr of a socket of `family`: sockaddr_in for
 * AF_INET, sockaddr_in6 for AF_INET6 (IPv4 as ::ffff:a.b.c.d), truncated
 * to *len as the calls do; *len is set to the full size. */
void synack_sp_addr_to_sockaddr(const synack_sp_addr *a, int family, struct sockaddr *sa,
                                socklen_t *len);
/* An IPv4 address and port. */
synack_sp_addr synack_sp_addr_v4(synack_ip4 ip, uint16_t port);
/* Whether the address is the wildcard (0.0.0.0 or ::). */
bool synack_sp_addr_is_any(const synack_addr *a);
/* Whether the address is IPv6 (and not a mapped IPv4 one). */
static inline bool synack_sp_addr_is6(const synack_addr *a) { return a->family == SYNACK_AF_IP6; }

/* The stack's calls with addresses, in terms of synack_sp_addr (addr.c). */
int synack_sp_stack_connect(int h, const synack_sp_addr *a);
int synack_sp_stack_accept(int h, synack_sp_addr *peer);
int synack_sp_stack_local(int h, synack_sp_addr *out); /* a connection's local address */
int synack_sp_stack_udp_sendto(int h, const synack_sp_addr *dst, const void *data, size_t len);
int synack_sp_stack_udp_recvfrom(int h, void *buf, size_t cap, synack_sp_addr *src);
int synack_sp_stack_dns_query(const char *name); /* the configured resolver */
int synack_sp_stack_dns_result(int q, synack_ip4 *out); /* an A record */
int synack_sp_stack_dns_query_family(const char *name, int family); /* SYNACK_AF_* */
int synack_sp_stack_dns_result_all(int q, synack_addr *out, size_t max);
/* Whether the stack has a global IPv6 address to send from. */
bool synack_sp_stack_has_ip6(void);

/* ---- errors ------------------------------------------------------------ */

/* The errno Linux reports for a synack_err (negative) value. */
int synack_sp_errno(int synack_err);

/* ---- the runtime (rt.c) ------------------------------------------------ */

/* A program descriptor the next wait also watches. */
typedef struct synack_sp_extra {
    int fd;
    short events;  /* POLLIN / POLLOUT */
    short revents; /* set by the wait */
} synack_sp_extra;

typedef struct synack_sp_rt {
    bool tried;        /* set-up attempted */
    bool up;           /* the stack runs */
    int setup_errno;   /* why not, when tried && !up */
    int depth;         /* > 0 while inside the stack: wrappers pass through */
    synack_cli cli;
    synack_cli_opts opts;
    synack_cli_platform plat; /* the system's platform, wait replaced */
    void *sys;                /* the platform's ctx (synack_native / _wasi) */
    synack_sp_extra *extra;          /* for the next wait; NULL: none */
    size_t n_extra;
    char tap_name[64];
    char pcap_path[256];
} synack_sp_rt;

extern synack_sp_rt synack_sp_g;

/* Bring the stack up from the environment (once). 0, or -1 with errno. */
int synack_sp_up(void);
/* The stack (synack_sp_up must have succeeded). */
static inline synack_stack *synack_sp_stack(void) { return synack_sp_g.cli.stack; }
/* The monotonic clock, ms. */
uint64_t synack_sp_now(void);
/*
 * Run the stack once and sleep until the link has frames, one of the
 * extra descriptors is ready, the stack's next deadline or `until`.
 * Returns 0, or -1 when the link is gone.
 */
int synack_sp_step(uint64_t until, synack_sp_extra *extra, size_t n_extra);
/* Take what the link has and run due timers, without sleeping (before a
 * call says EAGAIN or a poll reports). */
void synack_sp_drain(void);
/* Deadline `ms` from now (ms < 0: none, UINT64_MAX). */
uint64_t synack_sp_deadline(int64_t ms);
/* Whether the link is gone (sockets then fail with ENETDOWN). */
bool synack_sp_link_down(void);

/* ---- the system layer (sys_native.c / sys_wasi.c) ---------------------- */

/* Reserve a descriptor number for a socket. -1 with errno (EMFILE). */
int synack_sp_sys_reserve_fd(void);
/* Give the number back. */
void synack_sp_sys_release_fd(int fd);
/* The platform under the runtime: fills *p, returns its ctx. */
void *synack_sp_sys_platform(synack_cli_platform *p);
/* Open the link for the runtime's options (stdio needs care natively). */
int synack_sp_sys_link_open(void *ctx, const synack_cli_opts *o,
                     synack_cli_link_info *info, char *err, size_t errcap);
/* wait() of the platform: the link, synack_sp_g.extra and the deadline. */
int synack_sp_sys_wait(void *ctx, uint64_t deadline, unsigned want);
/* Real calls on ordinary descriptors. */
ssize_t synack_sp_sys_read(int fd, void *buf, size_t len);
ssize_t synack_sp_sys_write(int fd, const void *buf, size_t len);
ssize_t synack_sp_sys_readv(int fd, const struct iovec *iov, int n);
ssize_t synack_sp_sys_writev(int fd, const struct iovec *iov, int n);
int synack_sp_sys_close(int fd);
/* Poll ordinary descriptors only (no stack): the real poll. */
int synack_sp_sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
/* Whether a wait may sleep inside exit() (not under Asyncify, where it
 * would unwind the exit itself). */
bool synack_sp_sys_exit_can_wait(void);
/* Early set-up from the environment, before main (stdout under stdio). */
void synack_sp_sys_early(void);
/* Under SYNACK_LINK=stdio the program's fd 1 is stderr (and fd 0 empty). */
extern bool synack_sp_stdio_link;

/* ---- sockets (sock.c) -------------------------------------------------- */

typedef enum synack_sp_state {
    SP_NEW = 0,      /* TCP: not connected, not listening */
    SP_LISTEN,
    SP_CONNECTING,
    SP_CONNECTED,    /* established (or was: closing, reset) */
    SP_FAILED,       /* the connection attempt failed */
} synack_sp_state;

typedef struct synack_sp_sock {
    int fd;
    int family;      /* AF_INET or AF_INET6 */
    int type;        /* SOCK_STREAM or SOCK_DGRAM */
    bool v6only;     /* IPV6_V6ONLY (AF_INET6; Linux's default: off) */
    int h;           /* stack handle, -1 when none yet (UDP before bind) */
    synack_sp_state st;
    bool nonblock, cloexec, bound, err_taken, rd_shut, wr_shut;
    bool connect_told; /* connect() has said 0 (then EISCONN) */
    synack_sp_addr local;   /* bound address (ip 0: any) */
    synack_sp_addr peer;    /* TCP: the peer; UDP: the connected peer */
    bool has_peer;
    int udp_err;     /* UDP: a pending ICMP error (negative synack_err) */
    int64_t rcvtimeo_ms, sndtimeo_ms; /* < 0: none */
    bool linger_on;
    int linger_s;
    int reuseaddr, keepalive, nodelay, broadcast;
    int keepidle_s, keepintvl_s, keepcnt, sndbuf, rcvbuf;
    int backlog;
    /* Bytes taken from the stack but not yet by the program: a peeked
     * TCP prefix, or one UDP datagram (with its source). */
    uint8_t *buf;
    size_t buf_cap, buf_off, buf_len;
    bool has_dgram;
    synack_sp_addr dg_src;
} synack_sp_sock;

/* recv flag of our own (no system uses bit 30): return a datagram's full
 * length, as the program's MSG_TRUNC asks; recvmsg sets msg_flags from
 * it without passing MSG_TRUNC's meaning on to the program. */
#define SP_FULL_LEN (1 << 30)
#define SP_WANT_FULL(flags) (((flags) & (SP_FULL_LEN | MSG_TRUNC)) != 0)

/* The socket behind fd, or NULL for an ordinary descriptor. */
synack_sp_sock *synack_sp_lookup(int fd);
/* poll() bits of a socket now (after refreshing its state). */
short synack_sp_sock_revents(synack_sp_sock *s, short events);
/* Socket-side of read/write/close for the wrappers. */
ssize_t synack_sp_sock_recv(synack_sp_sock *s, void *buf, size_t len, int flags,
                     struct sockaddr *from, socklen_t *fromlen);
ssize_t synack_sp_sock_send(synack_sp_sock *s, const void *buf, size_t len, int flags,
                     const struct sockaddr *to, socklen_t tolen);
int synack_sp_sock_close(synack_sp_sock *s);
int synack_sp_sock_fcntl(synack_sp_sock *s, int cmd, uintptr_t arg);
int synack_sp_sock_ioctl(synack_sp_sock *s, unsigned long req, void *arg);
/* Closed connections still finishing (FIN not yet acknowledged): serviced
 * on every step, and waited for at exit. */
void synack_sp_orphans_service(void);
size_t synack_sp_orphans_count(void);

/* ---- resolver (resolv.c) ------------------------------------------------ */

/* Resolve a name through the stack's DNS (blocking). 0 or a synack_err. */
int synack_sp_resolve(const char *name, synack_ip4 *out);

/*
 * Resolve AAAA (want6) and A (want4) together, waiting for both answers:
 * the addresses in RFC 8305 section 4 order (families interleaved, IPv6
 * first when the stack has a global IPv6 address) into out. Returns the
 * count (>= 1) or a synack_err (NOTFOUND when neither family has one).
 */
int synack_sp_resolve_all(const char *name, bool want6, bool want4,
                          synack_addr *out, int max);

/* ---- interception ---------------------------------------------------------
 * Programs are linked with --wrap=NAME for every call in synack_posix.wrap:
 * their calls to NAME reach __wrap_NAME here, and __real_NAME is the C
 * library's own (for ordinary descriptors). Under WASI the socket calls
 * wasi-libc lacks have no __real_ and are never forwarded. */
#define SP_WRAP(name) __wrap_##name
#define SP_REAL(name) __real_##name

/* Under WASI and Emscripten every socket is a synack socket: a socket
 * call on another descriptor fails (EBADF or ENOTSOCK). Under Emscripten
 * none reaches the C library, so its own socket emulation (SOCKFS, one
 * WebSocket per socket) is not even linked. Natively the kernel's
 * sockets (socketpair) stay reachable. */
#if defined(__wasi__) || defined(__EMSCRIPTEN__)
#define SP_ALL_SOCKETS_OURS 1
#endif

ssize_t SP_REAL(read)(int, void *, size_t);
ssize_t SP_REAL(write)(int, const void *, size_t);
ssize_t SP_REAL(readv)(int, const struct iovec *, int);
ssize_t SP_REAL(writev)(int, const struct iovec *, int);
int SP_REAL(close)(int);
#ifndef __EMSCRIPTEN__
int SP_REAL(accept)(int, struct sockaddr *, socklen_t *);
int SP_REAL(shutdown)(int, int);
int SP_REAL(getsockopt)(int, int, int, void *, socklen_t *);
ssize_t SP_REAL(recv)(int, void *, size_t, int);
ssize_t SP_REAL(send)(int, const void *, size_t, int);
#endif
#ifndef SP_ALL_SOCKETS_OURS
int SP_REAL(bind)(int, const struct sockaddr *, socklen_t);
int SP_REAL(listen)(int, int);
int SP_REAL(accept4)(int, struct sockaddr *, socklen_t *, int);
int SP_REAL(connect)(int, const struct sockaddr *, socklen_t);
int SP_REAL(getsockname)(int, struct sockaddr *, socklen_t *);
int SP_REAL(getpeername)(int, struct sockaddr *, socklen_t *);
int SP_REAL(setsockopt)(int, int, int, const void *, socklen_t);
ssize_t SP_REAL(recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
ssize_t SP_REAL(sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
ssize_t SP_REAL(recvmsg)(int, struct msghdr *, int);
ssize_t SP_REAL(sendmsg)(int, const struct msghdr *, int);
#endif
/* A socket call on a descriptor that is not ours goes to the C library:
 * natively always; under WASI only for the calls wasi-libc has (PASS_ALL:
 * accept, shutdown, getsockopt, recv, send on sockets the runtime
 * preopened); under Emscripten never. Otherwise it fails (PASS). */
#ifdef SP_ALL_SOCKETS_OURS
#define SP_FIRST(a, ...) (a)
#define PASS(name, ...) synack_sp_not_ours(SP_FIRST(__VA_ARGS__, 0))
#ifdef __EMSCRIPTEN__
#define PASS_ALL(name, ...) PASS(name, __VA_ARGS__)
#else
#define PASS_ALL(name, ...) SP_REAL(name)(__VA_ARGS__)
#endif
/* -1 with EBADF (no such descriptor) or ENOTSOCK. */
int synack_sp_not_ours(int fd);
#else
#define PASS(name, ...) SP_REAL(name)(__VA_ARGS__)
#define PASS_ALL(name, ...) SP_REAL(name)(__VA_ARGS__)
#endif
int SP_REAL(poll)(struct pollfd *, nfds_t, int);
int SP_REAL(fcntl)(int, int, ...);
#ifdef SP_ALL_SOCKETS_OURS
int SP_REAL(ioctl)(int, int, ...);
#else
int SP_REAL(ioctl)(int, unsigned long, ...);
#endif

#endif
