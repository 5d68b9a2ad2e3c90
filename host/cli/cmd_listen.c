/*
 * listen PORT --echo|--discard|--file PATH [--count N] [--idle-timeout S]:
 * a TCP server for as many connections at once as the stack allows
 * (cfg.tcp.max_conns; the accept backlog is as large). A connection on
 * which nothing moves for --idle-timeout seconds (default 60) is reset,
 * so idle clients cannot lock later ones out. --echo returns what it
 * reads (RFC 862 style), --discard drops it (RFC 863 style), --file sends
 * the file and drops what it reads. Each connection ends with an orderly
 * close (RFC 9293 section 3.6): our FIN once our side is done, then the
 * peer's FIN, bounded by LISTEN_LINGER_MS. With --count N the command
 * ends after N connections.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"

#define LISTEN_BUF 16384u
#define LISTEN_LINGER_MS 30000u
#define LISTEN_ROUNDS 16

typedef struct lconn {
    int h;              /* -1: free slot */
    void *file;         /* --file */
    uint8_t *buf;
    size_t len, off;    /* bytes waiting to be sent */
    bool eof_in;        /* the peer's FIN was read */
    bool src_done;      /* nothing more to send (echo: eof_in) */
    bool shut;          /* our FIN is queued */
    uint64_t shut_at;
    uint64_t active_at; /* when something last moved (--idle-timeout) */
} lconn;

typedef struct listener {
    synack_cli *c;
    synack_cli_listen_mode mode;
    lconn *conns;       /* max slots, allocated with the listener */
    int max;
    uint32_t accepted, finished;
    uint8_t scratch[LISTEN_BUF]; /* what --discard and --file drop */
} listener;

static void conn_end(listener *L, lconn *k, bool abort)
{
    synack_cli *c = L->c;
    if (abort)
        synack_tcp_abort(c->stack, synack_cli_now(c), k->h);
    else
        synack_tcp_close(c->stack, synack_cli_now(c), k->h);
    if (k->file != NULL)
        c->p->file_close(c->p->ctx, k->file);
    free(k->buf);
    memset(k, 0, sizeof *k);
    k->h = -1;
    L->finished++;
}

/* The connection's buffer, allocated when echo or file first needs it
   (an idle connection costs none). NULL on failure. */
static uint8_t *conn_buf(lconn *k)
{
    if (k->buf == NULL)
        k->buf = malloc(LISTEN_BUF);
    return k->buf;
}

static void conn_start(listener *L, lconn *k, int h)
{
    synack_cli *c = L->c;
    memset(k, 0, sizeof *k);
    k->h = h;
    k->active_at = synack_cli_now(c);
    if (L->mode == SYNACK_CLI_LISTEN_FILE) {
        k->file = c->p->file_open(c->p->ctx, c->o->file, false);
        if (k->file == NULL) {
            synack_cli_msg(c, "listen: cannot open %s", c->o->file);
            conn_end(L, k, true);
        }
    }
}

/* Read what the peer sent: into buf for echo, else dropped. Returns
 * whether anything moved; ends the connection on an error. */
static bool conn_read(listener *L, lconn *k, bool *gone)
{
    synack_cli *c = L->c;
    bool echo = L->mode == SYNACK_CLI_LISTEN_ECHO && !k->shut;
    if (k->eof_in || (echo && k->len != 0))
        return false;
    if (echo && conn_buf(k) == NULL) {
        *gone = true;
        conn_end(L, k, true);
        return false;
    }
    int n = synack_tcp_recv(c->stack, synack_cli_now(c), k->h,
                            echo ? k->buf : L->scratch, LISTEN_BUF);
    if (n == SYNACK_ERR_AGAIN)
        return false;
    if (n == 0) {
        k->eof_in = true;
        if (L->mode != SYNACK_CLI_LISTEN_FILE)
            k->src_done = true;
        return true;
    }
    if (n < 0) {
        *gone = true;
        conn_end(L, k, true);
        return false;
    }
    if (echo) {
        k->len = (size_t)n;
        k->off = 0;
    }
    return true;
}

/* Move bytes for one connection; returns whether anything moved. */
static bool conn_service(listener *L, lconn *k)
{
    synack_cli *c = L->c;
    uint64_t now = synack_cli_now(c);
    bool moved = false, gone = false;

    while (k->off < k->len) {
        int n = synack_tcp_send(c->stack, now, k->h, k->buf + k->off,
                                k->len - k->off);
        if (n == SYNACK_ERR_AGAIN)
            break;
        if (n < 0) {
            conn_end(L, k, true);
            return false;
        }
        k->off += (size_t)n;
        moved = true;
    }
    if (k->off == k->len)
        k->len = k->off = 0;

    if (L->mode == SYNACK_CLI_LISTEN_FILE && k->len == 0 && !k->src_done) {
        if (conn_buf(k) == NULL) {
            conn_end(L, k, true);
            return false;
        }
        int32_t n = c->p->file_read(c->p->ctx, k->file, k->buf, LISTEN_BUF);
        if (n > 0) {
            k->len = (size_t)n;
            moved = true;
        } else {
            if (n < 0)
                synack_cli_msg(c, "listen: read error on %s", c->o->file);
            k->src_done = true;
        }
    }
    if (conn_read(L, k, &gone))
        moved = true;
    if (gone)
        return false;

    if (!k->shut && k->src_done && k->len == 0) {
        synack_tcp_shutdown(c->stack, now, k->h);
        k->shut = true;
        k->shut_at = now;
        moved = true;
    }
    if (moved)
        k->active_at = now;
    uint64_t idle_ms = (uint64_t)c->o->idle_timeout_s * 1000u;
    if (idle_ms != 0 && !moved && now - k->active_at >= idle_ms) {
        conn_end(L, k, true); /* nothing moved for --idle-timeout */
        return false;
    }
    if (k->shut) {
        bool failed = (synack_tcp_events(c->stack, k->h) & SYNACK_EV_ERROR) != 0;
        if (failed || (k->eof_in && synack_cli_tcp_fin_acked(c, k->h)) ||
            now - k->shut_at >= LISTEN_LINGER_MS) {
            conn_end(L, k, false);
            return false;
        }
    }
    return moved;
}

/* The link went away. Connections whose exchange was complete (the
 * peer's FIN read, everything we sent acknowledged: only the FIN
 * handshake was cut short) count as finished. Returns the exit status:
 * 0 when that makes the --count, else 1. */
static int link_gone(listener *L)
{
    for (int i = 0; i < L->max; i++) {
        lconn *k = &L->conns[i];
        if (k->h >= 0 && k->shut && k->eof_in && synack_cli_tcp_delivered(L->c, k->h))
            conn_end(L, k, false);
    }
    uint32_t count = L->c->o->count;
    return count != 0 && L->finished >= count ? 0 : 1;
}

static int serve(listener *L, int l)
{
    synack_cli *c = L->c;
    uint32_t count = c->o->count;
    bool listening = true;
    for (;;) {
        while (listening && (count == 0 || L->accepted < count)) {
            lconn *slot = NULL;
            for (int i = 0; i < L->max && slot == NULL; i++)
                if (L->conns[i].h < 0)
                    slot = &L->conns[i];
            if (slot == NULL)
                break;
            int h = synack_tcp_accept(c->stack, synack_cli_now(c), l, NULL, NULL);
            if (h < 0)
                break;
            L->accepted++;
            conn_start(L, slot, h);
        }
        if (listening && count != 0 && L->accepted >= count) {
            /* No more connections: later SYNs are refused. */
            synack_tcp_close(c->stack, synack_cli_now(c), l);
            listening = false;
        }
        uint64_t until = UINT64_MAX;
        for (int i = 0; i < L->max; i++) {
            lconn *k = &L->conns[i];
            for (int r = 0; r < LISTEN_ROUNDS && k->h >= 0; r++)
                if (!conn_service(L, k))
                    break;
            if (k->h >= 0 && k->shut && k->shut_at + LISTEN_LINGER_MS < until)
                until = k->shut_at + LISTEN_LINGER_MS;
            uint64_t idle_ms = (uint64_t)c->o->idle_timeout_s * 1000u;
            if (k->h >= 0 && idle_ms != 0 && k->active_at + idle_ms < until)
                until = k->active_at + idle_ms;
        }
        if (count != 0 && L->finished >= count)
            return 0;
        if (synack_cli_step(c, until, false) < 0)
            return link_gone(L);
    }
}

int synack_cli_cmd_listen(synack_cli *c)
{
    /* as many connections as the stack takes (it was made with the
       default configuration's max_conns), one of them the listener */
    synack_config d;
    synack_config_default(&d);
    int max = d.tcp.max_conns > 1 ? (int)d.tcp.max_conns - 1 : 1;
    int l = synack_tcp_open(c->stack);
    /* a server takes its port back during TIME-WAIT, as with SO_REUSEADDR */
    int rc = l < 0 ? l : synack_tcp_setopt(c->stack, l, SYNACK_TCPOPT_REUSEADDR, 1);
    if (rc == 0)
        rc = synack_tcp_bind(c->stack, l, c->o->port);
    if (rc == 0)
        rc = synack_tcp_listen(c->stack, l, (uint32_t)max);
    if (rc != 0) {
        synack_cli_msg(c, "listen %u: %s", (unsigned)c->o->port,
                       synack_strerror(rc));
        return 1;
    }
    synack_cli_announce(c, "tcp", c->o->port);
    listener *L = calloc(1, sizeof *L);
    if (L == NULL)
        return 1;
    L->c = c;
    L->mode = c->o->listen_mode;
    L->max = max;
    L->conns = calloc((size_t)max, sizeof *L->conns);
    if (L->conns == NULL) {
        free(L);
        return 1;
    }
    for (int i = 0; i < L->max; i++)
        L->conns[i].h = -1;
    rc = serve(L, l);
    for (int i = 0; i < L->max; i++)
        if (L->conns[i].h >= 0)
            conn_end(L, &L->conns[i], true);
    free(L->conns);
    free(L);
    return rc;
}
