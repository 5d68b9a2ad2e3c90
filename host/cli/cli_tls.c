/*
 * TLS over a tool TCP connection (cli_tls.h): moves ciphertext between the
 * sans-IO TLS layer and synack_tcp_send/recv, and waits with
 * synack_cli_step like every other command.
 */
#include "cli_tls.h"

#include <stdlib.h>
#include <string.h>

/* Largest CA file read (Debian's whole bundle is about 200 KB). */
#define CA_FILE_MAX (4u * 1024u * 1024u)

/* Read a whole file through the platform. Returns a malloc'ed buffer or
 * NULL (missing, unreadable, too large). */
static uint8_t *read_file(synack_cli *c, const char *path, size_t *len)
{
    void *f = c->p->file_open(c->p->ctx, path, false);
    if (f == NULL)
        return NULL;
    size_t cap = 65536, have = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        if (have == cap) {
            uint8_t *n = cap < CA_FILE_MAX ? realloc(buf, cap * 2) : NULL;
            if (n == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = n;
            cap *= 2;
        }
        int32_t n = c->p->file_read(c->p->ctx, f, buf + have, cap - have);
        if (n < 0) {
            free(buf);
            buf = NULL;
        } else if (n == 0) {
            break;
        } else {
            have += (size_t)n;
        }
    }
    c->p->file_close(c->p->ctx, f);
    *len = have;
    return buf;
}

/*
 * Move ciphertext: what TLS has to send into TCP, what TCP received into
 * TLS, once each way (*fed set when TLS took input). Never blocks.
 * Returns 0, or a negative synack error of the TCP connection (reset,
 * timed out, ...).
 */
static int pump_once(synack_cli_tls *ct, bool *fed)
{
    synack_cli *c = ct->c;
    for (;;) {
        size_t len;
        const uint8_t *p = synack_tls_output(ct->t, &len);
        if (p == NULL || len == 0)
            break;
        int n = synack_tcp_send(c->stack, synack_cli_now(c), ct->h, p, len);
        if (n > 0) {
            synack_tls_output_done(ct->t, (size_t)n);
            continue;
        }
        if (n == SYNACK_ERR_AGAIN)
            break;
        return n;
    }
    for (;;) {
        if (ct->in_off < ct->in_len) {
            int used = synack_tls_feed(ct->t, ct->in + ct->in_off, ct->in_len - ct->in_off);
            if (used <= 0)
                return 0; /* full until read, or dead: the caller looks */
            ct->in_off += (size_t)used;
            *fed = true;
            continue;
        }
        if (ct->tcp_eof)
            return 0;
        int n = synack_tcp_recv(c->stack, synack_cli_now(c), ct->h, ct->in, sizeof ct->in);
        if (n > 0) {
            ct->in_off = 0;
            ct->in_len = (size_t)n;
            continue;
        }
        if (n == 0) {
            ct->tcp_eof = true;
            synack_tls_eof(ct->t);
            return 0;
        }
        if (n == SYNACK_ERR_AGAIN)
            return 0;
        return n;
    }
}

/* Feeding records can make TLS produce some of its own (the client's
 * second flight answers the server's first): send them before returning,
 * or the caller waits for TCP while TLS waits to be pumped. */
static int pump(synack_cli_tls *ct)
{
    for (;;) {
        bool fed = false;
        int e = pump_once(ct, &fed);
        if (e < 0 || !fed)
            return e;
    }
}

/* Report a TLS failure; send the alert if we can, close. */
static int tls_failed(synack_cli_tls *ct)
{
    synack_cli_msg(ct->c, "%s: TLS %s: %s", ct->what,
                   synack_tls_error_name(synack_tls_error_code(ct->t)),
                   synack_tls_error_message(ct->t));
    pump(ct); /* the fatal alert, when there is one */
    synack_cli_tcp_finish(ct->c, ct->h, 1000);
    synack_tls_free(ct->t);
    ct->t = NULL;
    return SYNACK_CLI_EXIT_TLS;
}

void synack_cli_tls_abort(synack_cli_tls *ct)
{
    synack_tcp_abort(ct->c->stack, synack_cli_now(ct->c), ct->h);
    synack_tls_free(ct->t);
    ct->t = NULL;
}

int synack_cli_tls_open(synack_cli_tls *ct, synack_cli *c, int h,
                        const char *what, const char *server_name)
{
    memset(ct, 0, sizeof *ct);
    ct->c = c;
    ct->h = h;
    ct->what = what;
    const synack_cli_opts *o = c->o;
    synack_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.server_name = server_name;
    cfg.insecure = o->insecure;
    uint8_t *ca = NULL;
    size_t ca_len = 0;
    if (o->insecure) {
        synack_cli_msg(c, "WARNING: --insecure: the server's certificate is NOT checked; "
                          "anyone on the path can read and change this connection");
    } else {
        const char *path = o->cacert != NULL ? o->cacert : SYNACK_CLI_SYSTEM_CA;
        ca = read_file(c, path, &ca_len);
        if (ca == NULL) {
            if (o->cacert != NULL)
                synack_cli_msg(c, "--cacert %s: cannot read it", path);
            else
                synack_cli_msg(c, "%s: no CA certificates (%s unreadable): give --cacert FILE",
                               what, path);
            synack_tcp_abort(c->stack, synack_cli_now(c), h);
            return SYNACK_CLI_EXIT_TLS;
        }
    }
    cfg.ca_pem = ca;
    cfg.ca_pem_len = ca_len;
    static const char *const alpn[] = {"http/1.1"};
    cfg.alpn = alpn;
    cfg.alpn_count = 1;
    uint8_t seed[48];
    if (c->p->csprng == NULL || c->p->csprng(c->p->ctx, seed, sizeof seed) != 0) {
        free(ca);
        synack_cli_msg(c, "%s: the system's random number generator failed; no TLS without it", what);
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
        return SYNACK_CLI_EXIT_TLS;
    }
    cfg.seed = seed;
    cfg.seed_len = sizeof seed;
    cfg.now_s = c->p->wall_s != NULL ? c->p->wall_s(c->p->ctx) : 0;
    char err[256];
    ct->t = synack_tls_new(&cfg, err, sizeof err);
    memset(seed, 0, sizeof seed);
    free(ca);
    if (ct->t == NULL) {
        synack_cli_msg(c, "%s: TLS: %s", what, err);
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
        return SYNACK_CLI_EXIT_TLS;
    }
    uint64_t deadline = synack_cli_now(c) + SYNACK_CLI_TLS_HANDSHAKE_MS;
    for (;;) {
        int e = pump(ct);
        if (e < 0) {
            synack_cli_tls_abort(ct);
            return synack_cli_fail(c, what, e);
        }
        synack_tls_state st = synack_tls_get_state(ct->t);
        if (st == SYNACK_TLS_OPEN)
            break;
        if (st != SYNACK_TLS_HANDSHAKE)
            return tls_failed(ct);
        if (synack_cli_now(c) >= deadline) {
            synack_cli_msg(c, "%s: TLS handshake: no answer within %u s", what,
                           SYNACK_CLI_TLS_HANDSHAKE_MS / 1000u);
            synack_cli_tls_abort(ct);
            return SYNACK_CLI_EXIT_TLS;
        }
        if (synack_cli_step(c, deadline, false) < 0) {
            synack_cli_tls_abort(ct);
            return 1;
        }
    }
    return 0;
}

int synack_cli_tls_send_all(synack_cli_tls *ct, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t off = 0;
    while (off < len) {
        int n = synack_tls_write(ct->t, p + off, len - off);
        if (n > 0)
            off += (size_t)n;
        else if (n == SYNACK_TLS_DEAD)
            return tls_failed(ct);
        synack_tls_flush(ct->t);
        int e = pump(ct);
        if (e < 0) {
            synack_cli_tls_abort(ct);
            return synack_cli_fail(ct->c, ct->what, e);
        }
        if (n <= 0 && synack_cli_step(ct->c, UINT64_MAX, false) < 0) {
            synack_cli_tls_abort(ct);
            return 1;
        }
    }
    synack_tls_flush(ct->t);
    int e = pump(ct);
    if (e < 0) {
        synack_cli_tls_abort(ct);
        return synack_cli_fail(ct->c, ct->what, e);
    }
    return 0;
}

int synack_cli_tls_recv(synack_cli_tls *ct, uint8_t *buf, size_t cap,
                        bool *truncated, int *status)
{
    *truncated = false;
    int e = pump(ct);
    if (e < 0) {
        synack_cli_tls_abort(ct);
        *status = synack_cli_fail(ct->c, ct->what, e);
        return -1;
    }
    int n = synack_tls_read(ct->t, buf, cap);
    if (n > 0) {
        pump(ct); /* room for more: take what TCP holds */
        return n;
    }
    if (n == 0)
        return 0;
    if (n == SYNACK_TLS_DEAD) {
        if (synack_tls_error_code(ct->t) == SYNACK_TLS_E_CLOSED) {
            *truncated = true;
            return 0;
        }
        *status = tls_failed(ct);
        return -1;
    }
    return SYNACK_ERR_AGAIN;
}

void synack_cli_tls_close(synack_cli_tls *ct, uint64_t timeout_ms)
{
    if (ct->t != NULL) {
        synack_tls_close(ct->t);
        pump(ct);
    }
    synack_cli_tcp_finish(ct->c, ct->h, timeout_ms);
    synack_tls_free(ct->t);
    ct->t = NULL;
}
