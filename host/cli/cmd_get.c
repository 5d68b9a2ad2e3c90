/*
 * get URL: one HTTP/1.1 GET (RFC 9112) over a synack TCP connection, in
 * TLS for https:// (cli_tls.c). The status line goes to stderr, the
 * decoded body to the output. Exit 0 when a whole response arrived
 * (whatever its status), 1 on a network failure or a response cut short
 * or malformed, 3 when TLS failed (certificate, version, cipher).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "cli_tls.h"
#include "http.h"

static int body_out(void *ctx, const uint8_t *data, size_t len)
{
    synack_cli *c = ctx;
    return synack_cli_out(c, data, len) == 0 ? 0 : -2;
}

/* Send all of req; returns 0 or the exit status. */
static int send_request(synack_cli *c, int h, const char *what,
                        const char *req, size_t len)
{
    size_t off = 0;
    while (off < len) {
        int n = synack_tcp_send(c->stack, synack_cli_now(c), h, req + off,
                                len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n != SYNACK_ERR_AGAIN)
            return synack_cli_fail(c, what, n);
        if (synack_cli_step(c, UINT64_MAX, false) < 0)
            return 1;
    }
    return 0;
}

/* The exchange once connected (ct: NULL for http); returns the exit
 * status. */
static int exchange(synack_cli *c, int h, const char *what,
                    const synack_http_url *url, synack_http_resp *resp,
                    synack_cli_tls *ct);

int synack_cli_cmd_get(synack_cli *c)
{
    synack_http_url *url = malloc(sizeof *url);
    synack_http_resp *resp = malloc(sizeof *resp);
    synack_cli_tls *ct = malloc(sizeof *ct);
    int rc = 1;
    if (url == NULL || resp == NULL || ct == NULL) {
        synack_cli_msg(c, "out of memory");
        goto out;
    }
    char err[128];
    if (synack_http_parse_url(c->o->url, url, err, sizeof err) != 0) {
        synack_cli_msg(c, "get %s: %s", c->o->url, err);
        rc = SYNACK_CLI_EXIT_USAGE;
        goto out;
    }
    char what[300];
    int h;
    rc = synack_cli_tcp_dial(c, "get", url->host, url->port, what, sizeof what, &h);
    if (rc == 0 && url->tls) {
        rc = synack_cli_tls_open(ct, c, h, what, url->host);
        if (rc == 0)
            rc = exchange(c, h, what, url, resp, ct);
    } else if (rc == 0) {
        rc = exchange(c, h, what, url, resp, NULL);
    }
out:
    free(url);
    free(resp);
    free(ct);
    return rc;
}

/* Give up on the connection after a failure of ours. */
static void drop(synack_cli *c, int h, synack_cli_tls *ct)
{
    if (ct != NULL)
        synack_cli_tls_abort(ct);
    else
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
}

static int exchange(synack_cli *c, int h, const char *what,
                    const synack_http_url *url, synack_http_resp *resp,
                    synack_cli_tls *ct)
{
    char req[SYNACK_HTTP_PATH_MAX + SYNACK_HTTP_HOST_MAX + 128];
    int rc = 1;
    int rlen = synack_http_request(url, req, sizeof req);
    if (rlen < 0) {
        drop(c, h, ct);
        return 1;
    }
    if (ct != NULL) {
        if ((rc = synack_cli_tls_send_all(ct, req, (size_t)rlen)) != 0)
            return rc; /* reported and closed */
    } else if ((rc = send_request(c, h, what, req, (size_t)rlen)) != 0) {
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
        return rc;
    }

    synack_http_resp_init(resp);
    bool status_shown = false;
    uint8_t buf[16384];
    for (;;) {
        bool truncated = false;
        int status = 1;
        int n = ct != NULL ? synack_cli_tls_recv(ct, buf, sizeof buf, &truncated, &status)
                           : synack_tcp_recv(c->stack, synack_cli_now(c), h, buf, sizeof buf);
        if (ct != NULL && n == -1)
            return status; /* reported and closed */
        if (truncated && !synack_http_resp_done(resp)) {
            /* A close-delimited body must end with close_notify, or an
             * attacker could cut it short unnoticed. */
            synack_cli_msg(c, "%s: TLS closed: %s", what, synack_tls_error_message(ct->t));
            synack_cli_tls_abort(ct);
            return 1;
        }
        int perr = 0;
        if (n > 0)
            perr = synack_http_resp_feed(resp, buf, (size_t)n, body_out, c);
        else if (n == 0)
            perr = synack_http_resp_eof(resp);
        if (!status_shown && resp->status != 0 && resp->headers_done) {
            char line[300];
            int l = snprintf(line, sizeof line, "%s\n", resp->status_line);
            c->p->err_write(c->p->ctx, line, (size_t)l < sizeof line ? (size_t)l : sizeof line - 1);
            status_shown = true;
        }
        if (perr != 0) {
            drop(c, h, ct);
            if (perr == -2)
                synack_cli_msg(c, "get: cannot write the output");
            else
                synack_cli_msg(c, "%s: bad response: %s", what, resp->error);
            return 1;
        }
        if (synack_http_resp_done(resp))
            break;
        if (n < 0 && n != SYNACK_ERR_AGAIN) {
            drop(c, h, ct);
            return synack_cli_fail(c, what, n);
        }
        if (n == SYNACK_ERR_AGAIN && synack_cli_step(c, UINT64_MAX, false) < 0) {
            drop(c, h, ct);
            return 1;
        }
    }
    /* A complete response: the rest of the connection does not matter. */
    if (ct != NULL)
        synack_cli_tls_close(ct, 2000);
    else
        synack_cli_tcp_finish(c, h, 2000);
    return 0;
}
