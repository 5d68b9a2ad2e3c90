/*
 * Socket semantics, one source built three ways with the same assertions:
 * against Linux's own sockets, against synack_posix natively (on a TAP),
 * and against synack_posix under wasmtime (tests/posix/run-all.sh). It
 * talks to tests/posix/peer.py on PEER (argv[1]) and checks what
 * portable programs rely on: non-blocking connect and poll, refused /
 * timed-out / reset as errno, EAGAIN, half-close, SO_ERROR, EADDRINUSE
 * for a port in TIME-WAIT without SO_REUSEADDR, select on many sockets,
 * the accept backlog, UDP, names and options.
 *
 *   socksem PEER_IP [TEST...]    exit status: the number of failures
 *
 * PEER_IP may be IPv6 (it has a colon): then every socket is AF_INET6 and
 * every address a sockaddr_in6, and the same assertions hold.
 *
 * Linux needs `sysctl net.ipv4.tcp_syn_retries=1` in the namespace and
 * synack SYNACK_SYN_RETRIES=1, so that "timed out" takes 3 s, not 2 min.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define P_ECHO 7001
#define P_CLOSED 7002
#define P_DROP 7003
#define P_RESET 7004
#define P_HALF 7005
#define P_STALL 7006
#define P_CONTROL 7007
#define P_UDP 7008
#define L_TIMEWAIT 7100
#define L_BACKLOG 7101

static const char *peer_ip;
static int failures;
static const char *current;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            printf("FAIL %s: %s (line %d, errno %d %s): ", current, #cond,      \
                   __LINE__, errno, strerror(errno));                           \
            printf(__VA_ARGS__);                                                \
            printf("\n");                                                       \
            failures++;                                                         \
            return;                                                             \
        }                                                                       \
    } while (0)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The family under test: AF_INET, or AF_INET6 for an IPv6 PEER_IP. */
static int fam = AF_INET;

typedef union sa {
    struct sockaddr sa;
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
} sa_t;

/* The size of a socket address of the family under test. */
static socklen_t salen(void)
{
    return fam == AF_INET6 ? (socklen_t)sizeof(struct sockaddr_in6)
                           : (socklen_t)sizeof(struct sockaddr_in);
}

static int sa_port(const sa_t *a)
{
    return ntohs(fam == AF_INET6 ? a->in6.sin6_port : a->in.sin_port);
}

static bool sa_same_host(const sa_t *a, const sa_t *b)
{
    if (fam == AF_INET6)
        return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, sizeof a->in6.sin6_addr) == 0;
    return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
}

static bool sa_host_any(const sa_t *a)
{
    static const uint8_t zero[16];
    if (fam == AF_INET6)
        return memcmp(&a->in6.sin6_addr, zero, sizeof zero) == 0;
    return a->in.sin_addr.s_addr == 0;
}

/* The wildcard address (0.0.0.0 or ::) and port. */
static sa_t any_addr(int port)
{
    sa_t a;
    memset(&a, 0, sizeof a);
    a.sa.sa_family = (sa_family_t)fam;
    if (fam == AF_INET6)
        a.in6.sin6_port = htons((uint16_t)port);
    else
        a.in.sin_port = htons((uint16_t)port);
    return a;
}

static sa_t peer(int port)
{
    sa_t a = any_addr(port);
    if (fam == AF_INET6)
        inet_pton(AF_INET6, peer_ip, &a.in6.sin6_addr);
    else
        inet_pton(AF_INET, peer_ip, &a.in.sin_addr);
    return a;
}

/* A blocking connection to the peer's port, or -1. */
static int dial(int port)
{
    int fd = socket(fam, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    sa_t a = peer(port);
    if (connect(fd, &a.sa, salen()) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    return fcntl(fd, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
}

/* Read one line (blocking) into buf; its length, or -1. */
static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        char c;
        ssize_t r = recv(fd, &c, 1, 0);
        if (r <= 0)
            return -1;
        buf[n++] = c;
        if (c == '\n')
            break;
    }
    buf[n] = '\0';
    return (int)n;
}

/* Ask the peer for `count` connections to our `port`; true on "ok". */
static bool ask_connect(int ctl, int port, int count)
{
    char line[64];
    int n = snprintf(line, sizeof line, "CONNECT %d %d\n", port, count);
    if (send(ctl, line, (size_t)n, MSG_NOSIGNAL) != n)
        return false;
    return read_line(ctl, line, sizeof line) > 0 && strcmp(line, "ok\n") == 0;
}

static int listener(int port, bool reuse, int backlog)
{
    int fd = socket(fam, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    if (reuse)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sa_t a = any_addr(port);
    if (bind(fd, &a.sa, salen()) != 0 || listen(fd, backlog) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* ---- the tests ---------------------------------------------------------- */

static void t_nonblocking_connect(void)
{
    int fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0, "socket");
    sa_t a = peer(P_ECHO);
    int rc = connect(fd, &a.sa, salen());
    CHECK(rc == 0 || errno == EINPROGRESS, "connect: rc %d", rc);
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    CHECK(poll(&p, 1, 5000) == 1, "poll for POLLOUT");
    CHECK(p.revents & POLLOUT, "revents 0x%x", p.revents);
    int err = -1;
    socklen_t len = sizeof err;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0, "SO_ERROR %d", err);
    /* Linux: the first connect() after completion says 0, then EISCONN. */
    rc = connect(fd, &a.sa, salen());
    CHECK(rc == 0, "second connect: rc %d", rc);
    rc = connect(fd, &a.sa, salen());
    CHECK(rc == -1 && errno == EISCONN, "third connect: rc %d", rc);
    CHECK(send(fd, "ping", 4, MSG_NOSIGNAL) == 4, "send");
    p.events = POLLIN;
    CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN), "poll for the echo");
    char buf[8];
    CHECK(recv(fd, buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0, "echo");
    close(fd);
}

static void t_refused(void)
{
    sa_t a = peer(P_CLOSED);
    int fd = socket(fam, SOCK_STREAM, 0);
    CHECK(fd >= 0, "socket");
    int rc = connect(fd, &a.sa, salen());
    CHECK(rc == -1 && errno == ECONNREFUSED, "blocking connect: rc %d", rc);
    close(fd);

    fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(fd >= 0, "socket");
    rc = connect(fd, &a.sa, salen());
    CHECK(rc == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED), "connect: rc %d", rc);
    if (errno == EINPROGRESS) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        CHECK(poll(&p, 1, 5000) == 1, "poll");
        CHECK((p.revents & POLLOUT) && (p.revents & POLLERR), "revents 0x%x", p.revents);
        int err = 0;
        socklen_t len = sizeof err;
        CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0, "SO_ERROR");
        CHECK(err == ECONNREFUSED, "SO_ERROR %d", err);
        CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0,
              "SO_ERROR is cleared once read: %d", err);
    }
    close(fd);
}

static void t_timed_out(void)
{
    int64_t t0 = now_ms();
    int fd = dial(P_DROP);
    int e = errno;
    int64_t took = now_ms() - t0;
    errno = e;
    CHECK(fd == -1 && errno == ETIMEDOUT, "connect to a port that drops SYNs");
    CHECK(took >= 2000 && took < 20000, "took %lld ms", (long long)took);
}

static void t_reset(void)
{
    int fd = dial(P_RESET);
    CHECK(fd >= 0, "connect");
    CHECK(send(fd, "x\n", 2, MSG_NOSIGNAL) == 2, "send");
    char buf[16];
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    CHECK(r == -1 && errno == ECONNRESET, "recv after the peer's RST: %zd", r);
    r = recv(fd, buf, sizeof buf, 0);
    CHECK(r == 0, "recv again reads end of stream: %zd", r);
    r = send(fd, "y", 1, MSG_NOSIGNAL);
    CHECK(r == -1 && errno == EPIPE, "send after the reset: %zd", r);
    close(fd);
}

static void t_eagain(void)
{
    int fd = dial(P_ECHO);
    CHECK(fd >= 0, "connect");
    CHECK(set_nonblock(fd, true) == 0, "O_NONBLOCK");
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, "F_GETFL shows O_NONBLOCK");
    char buf[16];
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    CHECK(r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK), "recv with nothing there: %zd", r);
    int avail = -1;
    CHECK(ioctl(fd, FIONREAD, &avail) == 0 && avail == 0, "FIONREAD %d", avail);
    CHECK(send(fd, "hello", 5, MSG_NOSIGNAL) == 5, "send");
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK(poll(&p, 1, 5000) == 1, "poll");
    int64_t until = now_ms() + 2000;
    do
        CHECK(ioctl(fd, FIONREAD, &avail) == 0, "FIONREAD");
    while (avail < 5 && now_ms() < until);
    CHECK(avail == 5, "FIONREAD %d", avail);
    CHECK(recv(fd, buf, 3, MSG_PEEK) == 3 && memcmp(buf, "hel", 3) == 0, "MSG_PEEK");
    CHECK(recv(fd, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0, "recv");
    int off = 0;
    CHECK(ioctl(fd, FIONBIO, &off) == 0, "FIONBIO 0");
    CHECK((fcntl(fd, F_GETFL) & O_NONBLOCK) == 0, "FIONBIO cleared O_NONBLOCK");
    struct timeval tv = {0, 200000};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO");
    int64_t t0 = now_ms();
    r = recv(fd, buf, sizeof buf, 0);
    int64_t took = now_ms() - t0;
    CHECK(r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK), "recv past SO_RCVTIMEO: %zd", r);
    CHECK(took >= 150 && took < 3000, "SO_RCVTIMEO took %lld ms", (long long)took);
    close(fd);

    /* A peer that never reads: sends stop with EAGAIN, and once its
     * window is closed too, POLLOUT stays clear. */
    fd = dial(P_STALL);
    CHECK(fd >= 0, "connect to the stalling peer");
    CHECK(set_nonblock(fd, true) == 0, "O_NONBLOCK");
    static char chunk[65536];
    size_t sent = 0;
    int64_t stop = now_ms() + 20000;
    for (;;) {
        r = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);
        if (r >= 0) {
            sent += (size_t)r;
            CHECK(sent < ((size_t)256 << 20) && now_ms() < stop, "no EAGAIN after %zu bytes", sent);
            continue;
        }
        CHECK(errno == EAGAIN || errno == EWOULDBLOCK, "send into a full path (after %zu bytes)", sent);
        p.fd = fd;
        p.events = POLLOUT;
        p.revents = 0;
        if (poll(&p, 1, 300) == 0)
            break;
        CHECK(now_ms() < stop, "POLLOUT never cleared (%zu bytes sent)", sent);
    }
    close(fd);
}

static void t_half_close(void)
{
    int fd = dial(P_HALF);
    CHECK(fd >= 0, "connect");
    static char data[1000];
    memset(data, 'a', sizeof data);
    struct iovec iov[2] = {{data, 400}, {data + 400, 600}};
    CHECK(writev(fd, iov, 2) == 1000, "writev");
    CHECK(shutdown(fd, SHUT_WR) == 0, "shutdown(SHUT_WR)");
    ssize_t r = send(fd, "z", 1, MSG_NOSIGNAL);
    CHECK(r == -1 && errno == EPIPE, "send after SHUT_WR: %zd", r);
    char line[32];
    CHECK(read_line(fd, line, sizeof line) > 0, "the peer's answer");
    CHECK(strcmp(line, "got 1000\n") == 0, "answer '%s'", line);
    r = read(fd, line, sizeof line);
    CHECK(r == 0, "then end of stream: %zd", r);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK(poll(&p, 1, 1000) == 1 && (p.revents & POLLIN), "EOF is readable");
    close(fd);
}

static void t_time_wait(void)
{
    int ctl = dial(P_CONTROL);
    CHECK(ctl >= 0, "control connection");
    /* Linux lets SO_REUSEADDR take over a TIME-WAIT port only when the
     * old socket had it too (servers set it on every run). */
    int ls = listener(L_TIMEWAIT, true, 4);
    CHECK(ls >= 0, "listen on %d", L_TIMEWAIT);
    CHECK(ask_connect(ctl, L_TIMEWAIT, 1), "the peer connects");
    int c = accept(ls, NULL, NULL);
    CHECK(c >= 0, "accept");
    /* We close first: this end goes to FIN-WAIT and then TIME-WAIT. */
    close(c);
    close(ls);
    /* Let the peer's FIN come back. */
    struct pollfd p = {.fd = ctl, .events = POLLIN};
    poll(&p, 1, 500);
    int again = listener(L_TIMEWAIT, false, 4);
    CHECK(again == -1 && errno == EADDRINUSE, "bind without SO_REUSEADDR");
    again = listener(L_TIMEWAIT, true, 4);
    CHECK(again >= 0, "bind and listen with SO_REUSEADDR");
    close(again);
    close(ctl);
}

static void t_select_many(void)
{
    enum { N = 20 };
    int fds[N];
    for (int i = 0; i < N; i++) {
        fds[i] = dial(P_ECHO);
        CHECK(fds[i] >= 0, "connection %d", i);
    }
    int maxfd = 0, want = 0;
    for (int i = 0; i < N; i++) {
        if (fds[i] > maxfd)
            maxfd = fds[i];
        if (i % 3 == 0) {
            CHECK(send(fds[i], "!", 1, MSG_NOSIGNAL) == 1, "send on %d", i);
            want++;
        }
    }
    int64_t until = now_ms() + 5000;
    int got = 0;
    fd_set r;
    while (now_ms() < until) {
        FD_ZERO(&r);
        for (int i = 0; i < N; i++)
            FD_SET(fds[i], &r);
        struct timeval tv = {1, 0};
        got = select(maxfd + 1, &r, NULL, NULL, &tv);
        CHECK(got >= 0, "select");
        if (got == want)
            break;
    }
    CHECK(got == want, "select saw %d of %d", got, want);
    for (int i = 0; i < N; i++)
        CHECK((FD_ISSET(fds[i], &r) != 0) == (i % 3 == 0), "socket %d readable: %d", i,
              FD_ISSET(fds[i], &r) != 0);
    /* Writable: all of them, at once. */
    fd_set w;
    FD_ZERO(&w);
    for (int i = 0; i < N; i++)
        FD_SET(fds[i], &w);
    struct timeval tv0 = {0, 0};
    CHECK(select(maxfd + 1, NULL, &w, NULL, &tv0) == N, "all writable");
    /* A timeout with nothing ready returns 0. */
    FD_ZERO(&r);
    FD_SET(fds[1], &r);
    struct timeval tv = {0, 100000};
    int64_t t0 = now_ms();
    CHECK(select(fds[1] + 1, &r, NULL, NULL, &tv) == 0, "select timeout");
    CHECK(now_ms() - t0 >= 80, "select slept %lld ms", (long long)(now_ms() - t0));
    for (int i = 0; i < N; i++)
        close(fds[i]);
}

static void t_poll_mixed(void)
{
    /* A regular file is always readable; an idle socket is not. */
    int f = open("socksem.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(f >= 0, "open a file");
    CHECK(write(f, "data", 4) == 4, "write the file");
    int s = dial(P_ECHO);
    CHECK(s >= 0, "connect");
    struct pollfd p[2] = {{.fd = s, .events = POLLIN}, {.fd = f, .events = POLLIN}};
    CHECK(poll(p, 2, 1000) == 1, "one ready");
    CHECK(p[0].revents == 0 && (p[1].revents & POLLIN), "socket 0x%x file 0x%x", p[0].revents,
          p[1].revents);
    CHECK(send(s, "x", 1, MSG_NOSIGNAL) == 1, "send");
    int64_t until = now_ms() + 5000;
    int n;
    do
        n = poll(p, 2, 1000);
    while (n < 2 && now_ms() < until);
    CHECK(n == 2 && (p[0].revents & POLLIN), "both ready: socket 0x%x", p[0].revents);
    close(s);
    close(f);
    unlink("socksem.tmp");
}

static void t_backlog(void)
{
    int ctl = dial(P_CONTROL);
    CHECK(ctl >= 0, "control connection");
    int ls = listener(L_BACKLOG, true, 8);
    CHECK(ls >= 0, "listen");
    CHECK(ask_connect(ctl, L_BACKLOG, 5), "the peer makes 5 connections");
    CHECK(set_nonblock(ls, true) == 0, "O_NONBLOCK");
    sa_t ctl_peer;
    socklen_t len = sizeof ctl_peer;
    CHECK(getpeername(ctl, &ctl_peer.sa, &len) == 0, "getpeername");
    int c[5];
    for (int i = 0; i < 5; i++) {
        struct pollfd p = {.fd = ls, .events = POLLIN};
        CHECK(poll(&p, 1, 2000) == 1, "listener readable for connection %d", i);
        sa_t from;
        len = sizeof from;
        c[i] = accept(ls, &from.sa, &len);
        CHECK(c[i] >= 0, "accept %d", i);
        CHECK(len == salen() && from.sa.sa_family == fam && sa_same_host(&from, &ctl_peer),
              "peer address of connection %d", i);
        CHECK((fcntl(c[i], F_GETFL) & O_NONBLOCK) == 0, "accept does not inherit O_NONBLOCK");
    }
    int extra = accept(ls, NULL, NULL);
    CHECK(extra == -1 && (errno == EAGAIN || errno == EWOULDBLOCK), "a sixth accept: %d", extra);
    for (int i = 0; i < 5; i++)
        close(c[i]);
    close(ls);
    close(ctl);
}

static void t_names(void)
{
    int fd = dial(P_ECHO);
    CHECK(fd >= 0, "connect");
    sa_t a, b;
    socklen_t la = sizeof a, lb = sizeof b;
    CHECK(getpeername(fd, &a.sa, &la) == 0, "getpeername");
    sa_t want = peer(P_ECHO);
    CHECK(la == salen() && a.sa.sa_family == fam && sa_port(&a) == P_ECHO && sa_same_host(&a, &want),
          "peer address");
    CHECK(getsockname(fd, &b.sa, &lb) == 0, "getsockname");
    CHECK(lb == salen() && sa_port(&b) != 0 && !sa_host_any(&b), "local address");
    int one = 1, v = 0;
    socklen_t lv = sizeof v;
    CHECK(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "TCP_NODELAY");
    CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &lv) == 0 && v != 0, "TCP_NODELAY reads back");
    CHECK(setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) == 0, "SO_KEEPALIVE");
    int idle = 30;
    CHECK(setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == 0, "TCP_KEEPIDLE");
    lv = sizeof v;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &lv) == 0 && v == SOCK_STREAM, "SO_TYPE");
    struct linger lg = {1, 0};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0, "SO_LINGER");
    close(fd);
    int u = socket(fam, SOCK_DGRAM, 0);
    CHECK(u >= 0, "UDP socket");
    lb = sizeof b;
    CHECK(getpeername(u, &b.sa, &lb) == -1 && errno == ENOTCONN, "getpeername unconnected");
    close(u);
    CHECK(socket(fam, 12345, 0) == -1, "an unknown type fails");
    CHECK(getsockname(0x7fff, &b.sa, &lb) == -1 && errno == EBADF,
          "a closed descriptor");

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = fam;
    hints.ai_socktype = SOCK_STREAM;
    CHECK(getaddrinfo(peer_ip, "7001", &hints, &res) == 0 && res != NULL, "getaddrinfo numeric");
    CHECK(res->ai_family == fam && res->ai_socktype == SOCK_STREAM &&
              res->ai_addrlen == salen() && res->ai_next == NULL, "one result");
    memcpy(&a, res->ai_addr, salen());
    CHECK(sa_port(&a) == 7001 && sa_same_host(&a, &want), "its address");
    freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICHOST;
    CHECK(getaddrinfo("not-a-number.invalid", "80", &hints, &res) == EAI_NONAME,
          "AI_NUMERICHOST with a name");
    CHECK(gai_strerror(EAI_NONAME) != NULL, "gai_strerror");
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    CHECK(getnameinfo(&want.sa, salen(), host, sizeof host, serv,
                      sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) == 0, "getnameinfo");
    CHECK(strcmp(host, peer_ip) == 0 && strcmp(serv, "7001") == 0, "%s %s", host, serv);
    struct in_addr ia;
    char text[INET_ADDRSTRLEN];
    CHECK(inet_pton(AF_INET, "192.0.2.33", &ia) == 1 && ia.s_addr == htonl(0xc0000221), "inet_pton");
    CHECK(inet_pton(AF_INET, "192.0.2", &ia) == 0, "inet_pton rejects a short address");
    CHECK(inet_ntop(AF_INET, &ia, text, sizeof text) != NULL && strcmp(text, "192.0.2.33") == 0,
          "inet_ntop");
    struct in6_addr i6;
    char text6[INET6_ADDRSTRLEN];
    CHECK(inet_pton(AF_INET6, "2001:DB8:0:0::21", &i6) == 1 && i6.s6_addr[0] == 0x20 &&
              i6.s6_addr[15] == 0x21, "inet_pton AF_INET6");
    CHECK(inet_ntop(AF_INET6, &i6, text6, sizeof text6) != NULL && strcmp(text6, "2001:db8::21") == 0,
          "inet_ntop AF_INET6: %s", text6);
    CHECK(inet_pton(AF_INET6, "2001:db8::1::2", &i6) == 0, "inet_pton rejects two ::");
    if (fam == AF_INET6) {
        /* IPV6_V6ONLY: off by default (Linux), settable before bind. */
        int s6 = socket(AF_INET6, SOCK_STREAM, 0);
        CHECK(s6 >= 0, "AF_INET6 socket");
        v = 1;
        lv = sizeof v;
        CHECK(getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, &lv) == 0 && v == 0, "IPV6_V6ONLY is off");
        CHECK(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0, "IPV6_V6ONLY on");
        lv = sizeof v;
        CHECK(getsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, &lv) == 0 && v == 1, "IPV6_V6ONLY reads back");
        struct sockaddr_in6 m4;
        memset(&m4, 0, sizeof m4);
        m4.sin6_family = AF_INET6;
        m4.sin6_port = htons(9);
        inet_pton(AF_INET6, "::ffff:192.0.2.1", &m4.sin6_addr);
        CHECK(connect(s6, (struct sockaddr *)&m4, sizeof m4) == -1 && errno == ENETUNREACH,
              "an IPv4-mapped peer on an IPV6_V6ONLY socket");
        close(s6);
        lv = sizeof v;
        CHECK(getsockopt(u = socket(AF_INET, SOCK_DGRAM, 0), IPPROTO_IPV6, IPV6_V6ONLY, &v, &lv) == -1,
              "IPV6_V6ONLY on an AF_INET socket");
        close(u);
    }
}

static void t_udp(void)
{
    int u = socket(fam, SOCK_DGRAM, 0);
    CHECK(u >= 0, "socket");
    sa_t a = peer(P_UDP);
    CHECK(sendto(u, "dgram", 5, 0, &a.sa, salen()) == 5, "sendto");
    struct pollfd p = {.fd = u, .events = POLLIN};
    CHECK(poll(&p, 1, 3000) == 1 && (p.revents & POLLIN), "reply readable");
    int avail = 0;
    CHECK(ioctl(u, FIONREAD, &avail) == 0 && avail == 5, "FIONREAD %d", avail);
    char buf[16];
    sa_t from;
    socklen_t len = sizeof from;
    ssize_t r = recvfrom(u, buf, 3, 0, &from.sa, &len);
    CHECK(r == 3 && memcmp(buf, "dgr", 3) == 0, "a truncated datagram: %zd", r);
    CHECK(len == salen() && sa_port(&from) == P_UDP && sa_same_host(&from, &a), "its source");
    CHECK(set_nonblock(u, true) == 0, "O_NONBLOCK");
    r = recv(u, buf, sizeof buf, 0);
    CHECK(r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK), "the rest was dropped: %zd", r);
    /* sendmsg / recvmsg with two iovecs */
    struct iovec out[2] = {{"ab", 2}, {"cd", 2}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &a;
    m.msg_namelen = salen();
    m.msg_iov = out;
    m.msg_iovlen = 2;
    CHECK(sendmsg(u, &m, 0) == 4, "sendmsg");
    CHECK(poll(&p, 1, 3000) == 1, "reply");
    char x[1], y[8];
    struct iovec in[2] = {{x, 1}, {y, sizeof y}};
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = in;
    m.msg_iovlen = 2;
    CHECK(recvmsg(u, &m, 0) == 4 && x[0] == 'a' && memcmp(y, "bcd", 3) == 0, "recvmsg");
    CHECK(!(m.msg_flags & MSG_TRUNC), "not truncated");
    close(u);

    /* A connected socket hears of the peer's closed port. */
    u = socket(fam, SOCK_DGRAM, 0);
    CHECK(u >= 0, "socket");
    a = peer(P_CLOSED);
    CHECK(connect(u, &a.sa, salen()) == 0, "connect");
    CHECK(send(u, "?", 1, 0) == 1, "send");
    p.fd = u;
    poll(&p, 1, 2000);
    r = recv(u, buf, sizeof buf, 0);
    CHECK(r == -1 && errno == ECONNREFUSED, "ICMP port unreachable: %zd", r);
    close(u);
}

/*
 * getaddrinfo of a name with an AAAA and an A record (SOCKSEM_DUAL_NAME,
 * served by dnsmasq; skipped without it): AF_UNSPEC lists both families,
 * IPv6 first (RFC 8305 section 4: the host has a global IPv6 address);
 * AF_INET and AF_INET6 only theirs; the first result connects.
 */
static void t_dual_name(void)
{
    const char *name = getenv("SOCKSEM_DUAL_NAME");
    if (name == NULL || *name == '\0') {
        printf("skip dual_name (no SOCKSEM_DUAL_NAME)\n");
        return;
    }
    struct addrinfo hints, *res = NULL, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    CHECK(getaddrinfo(name, "7001", &hints, &res) == 0 && res != NULL, "getaddrinfo AF_UNSPEC");
    if (res == NULL)
        return;
    int n4 = 0, n6 = 0;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        n4 += ai->ai_family == AF_INET;
        n6 += ai->ai_family == AF_INET6;
    }
    CHECK(n4 == 1 && n6 == 1, "both families (%d IPv4, %d IPv6)", n4, n6);
    CHECK(res->ai_family == AF_INET6, "IPv6 first");
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    CHECK(fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0, "connect to the first");
    if (fd >= 0)
        close(fd);
    freeaddrinfo(res);
    int fams[2] = {AF_INET, AF_INET6};
    for (int i = 0; i < 2; i++) {
        hints.ai_family = fams[i];
        res = NULL;
        CHECK(getaddrinfo(name, "7001", &hints, &res) == 0 && res != NULL &&
                  res->ai_family == fams[i] && res->ai_next == NULL,
              "getaddrinfo family %d: one of that family", fams[i]);
        if (res != NULL)
            freeaddrinfo(res);
    }
    hints.ai_family = AF_UNSPEC;
    CHECK(getaddrinfo("nosuch.socksem.test", "7001", &hints, &res) == EAI_NONAME,
          "an unknown name: EAI_NONAME");
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"nonblocking_connect", t_nonblocking_connect},
    {"refused", t_refused},
    {"reset", t_reset},
    {"eagain", t_eagain},
    {"half_close", t_half_close},
    {"time_wait", t_time_wait},
    {"select_many", t_select_many},
    {"poll_mixed", t_poll_mixed},
    {"backlog", t_backlog},
    {"names", t_names},
    {"udp", t_udp},
    {"timed_out", t_timed_out},
    {"dual_name", t_dual_name},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: socksem PEER_IP [TEST...]\n");
        return 2;
    }
    peer_ip = argv[1];
    fam = strchr(peer_ip, ':') != NULL ? AF_INET6 : AF_INET;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        bool run = argc == 2;
        for (int k = 2; k < argc; k++)
            run = run || strcmp(argv[k], tests[i].name) == 0;
        if (!run)
            continue;
        current = tests[i].name;
        int before = failures;
        int64_t t0 = now_ms();
        tests[i].fn();
        if (failures == before)
            printf("ok   %s (%lld ms)\n", tests[i].name, (long long)(now_ms() - t0));
    }
    printf("%d failed\n", failures);
    return failures > 100 ? 100 : failures;
}
