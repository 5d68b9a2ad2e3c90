/*
 * The metrics endpoint. A scrape is a short connection: the request is
 * read into a fixed buffer until its blank line, the answer is rendered
 * into memory at once (a consistent snapshot; a few KiB) and then written
 * as the socket takes it. Nothing here blocks the loop; a client that
 * never finishes its request or never reads its answer loses its slot at
 * the deadline.
 */
#define _GNU_SOURCE
#include "metrics.h"
#include "loop.h"

#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define METRICS_CONNS 8
#define METRICS_REQ_MAX 2048
#define METRICS_DEADLINE_MS 5000
#define METRICS_ACCEPT_BUDGET 16

typedef struct mconn {
    int fd;           /* -1: free */
    int pidx;         /* poll index this turn, or -1 */
    uint64_t since;
    size_t rlen;
    char req[METRICS_REQ_MAX];
    char *out;        /* the whole answer once rendered */
    size_t olen, off;
} mconn;

struct synack_br_metrics {
    int listen_fd;
    int listen_pidx;
    mconn c[METRICS_CONNS];
    synack_br_metrics_counters n;
};

synack_br_metrics *synack_br_metrics_open(const char *host, const char *port)
{
    int fd = synack_br_tcp_listen("--metrics", host, port, 16);
    if (fd < 0)
        return NULL;
    synack_br_metrics *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        close(fd);
        return NULL;
    }
    m->listen_fd = fd;
    for (int i = 0; i < METRICS_CONNS; i++)
        m->c[i].fd = -1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char h[NI_MAXHOST], s[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
        getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), s, sizeof(s),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        fprintf(stderr, "synack-bridge: metrics on %s%s%s:%s\n",
                ss.ss_family == AF_INET6 ? "[" : "", h,
                ss.ss_family == AF_INET6 ? "]" : "", s);
    return m;
}

static void conn_close(mconn *c)
{
    close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
    c->rlen = c->olen = c->off = 0;
}

void synack_br_metrics_close(synack_br_metrics *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < METRICS_CONNS; i++) {
        if (m->c[i].fd >= 0)
            conn_close(&m->c[i]);
    }
    close(m->listen_fd);
    free(m);
}

const synack_br_metrics_counters *synack_br_metrics_counts(const synack_br_metrics *m)
{
    return &m->n;
}

void synack_br_metrics_fill(synack_br_metrics *m, synack_br_pollset *ps,
                            uint64_t now, int *timeout_ms)
{
    m->listen_pidx = synack_br_pollset_add(ps, m->listen_fd, POLLIN);
    for (int i = 0; i < METRICS_CONNS; i++) {
        mconn *c = &m->c[i];
        c->pidx = -1;
        if (c->fd < 0)
            continue;
        c->pidx = synack_br_pollset_add(ps, c->fd, c->out ? POLLOUT : POLLIN);
        uint64_t due = c->since + METRICS_DEADLINE_MS;
        int left = due > now ? (int)(due - now) : 0;
        if (*timeout_ms < 0 || left < *timeout_ms)
            *timeout_ms = left;
    }
}

/* Build the whole answer: status line, headers, body. */
static void respond(synack_br_metrics *m, mconn *c, int status, const char *why,
                    synack_br_metrics_render_fn render, void *ctx)
{
    char *body = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&body, &blen);
    if (f == NULL) {
        conn_close(c);
        return;
    }
    if (status == 200)
        render(ctx, f);
    else
        fprintf(f, "%s\n", why);
    fclose(f);
    f = open_memstream(&c->out, &c->olen);
    if (f == NULL) {
        free(body);
        conn_close(c);
        return;
    }
    fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
               "Connection: close\r\n\r\n",
            status, why,
            status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
                          : "text/plain; charset=utf-8",
            blen);
    fwrite(body, 1, blen, f);
    fclose(f);
    free(body);
    c->off = 0;
    if (status == 200)
        m->n.ok++;
    else
        m->n.bad++;
}

/* A complete request head in c->req: answer it. */
static void answer(synack_br_metrics *m, mconn *c,
                   synack_br_metrics_render_fn render, void *ctx)
{
    static const char *const paths[] = {"/metrics", "/"};
    if (strncmp(c->req, "GET ", 4) != 0) {
        respond(m, c, 405, "Method Not Allowed", render, ctx);
        return;
    }
    const char *p = c->req + 4;
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        size_t n = strlen(paths[i]);
        if (strncmp(p, paths[i], n) == 0 && (p[n] == ' ' || p[n] == '?')) {
            respond(m, c, 200, "OK", render, ctx);
            return;
        }
    }
    respond(m, c, 404, "Not Found", render, ctx);
}

static void conn_read(synack_br_metrics *m, mconn *c,
                      synack_br_metrics_render_fn render, void *ctx)
{
    ssize_t r = recv(c->fd, c->req + c->rlen, METRICS_REQ_MAX - 1 - c->rlen, 0);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        conn_close(c);
        return;
    }
    if (r < 0)
        return;
    c->rlen += (size_t)r;
    c->req[c->rlen] = '\0';
    if (memchr(c->req, '\0', c->rlen) != NULL) {
        respond(m, c, 400, "Bad Request", render, ctx);
        return;
    }
    if (strstr(c->req, "\r\n\r\n") != NULL || strstr(c->req, "\n\n") != NULL)
        answer(m, c, render, ctx);
    else if (c->rlen == METRICS_REQ_MAX - 1)
        respond(m, c, 431, "Request Header Fields Too Large", render, ctx);
}

static void conn_write(mconn *c)
{
    ssize_t w = send(c->fd, c->out + c->off, c->olen - c->off,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            conn_close(c);
        return;
    }
    c->off += (size_t)w;
    if (c->off == c->olen) {
        shutdown(c->fd, SHUT_WR);
        conn_close(c);
    }
}

void synack_br_metrics_handle(synack_br_metrics *m, const synack_br_pollset *ps,
                              uint64_t now, synack_br_metrics_render_fn render,
                              void *ctx)
{
    for (int i = 0; i < METRICS_CONNS; i++) {
        mconn *c = &m->c[i];
        if (c->fd < 0 || c->pidx < 0)
            continue;
        short re = ps->v[c->pidx].revents;
        if (re & (POLLERR | POLLNVAL)) {
            conn_close(c);
            continue;
        }
        if (c->out == NULL && (re & (POLLIN | POLLHUP)))
            conn_read(m, c, render, ctx);
        else if (c->out != NULL && (re & (POLLOUT | POLLHUP)))
            conn_write(c);
        if (c->fd >= 0 && c->out != NULL && c->off == 0 && c->olen > 0)
            conn_write(c); /* most answers fit the socket buffer at once */
        if (c->fd >= 0 && now - c->since >= METRICS_DEADLINE_MS) {
            m->n.timeout++;
            conn_close(c);
        }
    }
    if (m->listen_pidx < 0 || !(ps->v[m->listen_pidx].revents & POLLIN))
        return;
    for (int k = 0; k < METRICS_ACCEPT_BUDGET; k++) {
        int fd = accept4(m->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        mconn *slot = NULL;
        for (int i = 0; i < METRICS_CONNS && slot == NULL; i++) {
            if (m->c[i].fd < 0)
                slot = &m->c[i];
        }
        if (slot == NULL) {
            m->n.refused++;
            close(fd);
            continue;
        }
        slot->fd = fd;
        slot->pidx = -1;
        slot->since = now;
        slot->rlen = slot->olen = slot->off = 0;
        slot->out = NULL;
    }
}
