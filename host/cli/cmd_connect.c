/*
 * connect HOST PORT: like nc. Stdin goes to the connection, the connection
 * to stdout. Stdin's end shuts down our sending side (a half-close, RFC
 * 9293 section 3.6); the peer's end of stream ends the command.
 */
#include <string.h>

#include "cli_run.h"

#define CHUNK 16384u

/* The link is gone: deliver what the stack already holds. Returns whether
 * the peer's FIN was among it. */
static bool drain_to_eof(synack_cli *c, int h, uint8_t *out, size_t cap)
{
    for (;;) {
        int n = synack_tcp_recv(c->stack, synack_cli_now(c), h, out, cap);
        if (n <= 0)
            return n == 0;
        synack_cli_out(c, out, (size_t)n);
    }
}

int synack_cli_cmd_connect(synack_cli *c)
{
    const synack_cli_opts *o = c->o;
    char what[300];
    int h;
    int rc = synack_cli_tcp_dial(c, "connect", o->host, o->port, what, sizeof what, &h);
    if (rc != 0)
        return rc;

    uint8_t in[CHUNK], out[CHUNK];
    size_t in_len = 0, in_off = 0;
    bool stdin_eof = false, remote_eof = false;
    int ready = 0;
    while (!remote_eof) {
        uint64_t now = synack_cli_now(c);
        /* The connection to stdout. */
        for (int i = 0; i < 64; i++) {
            int n = synack_tcp_recv(c->stack, now, h, out, sizeof out);
            if (n == SYNACK_ERR_AGAIN)
                break;
            if (n == 0) {
                remote_eof = true;
                break;
            }
            if (n < 0) {
                synack_tcp_abort(c->stack, now, h);
                return synack_cli_fail(c, what, n);
            }
            synack_cli_out(c, out, (size_t)n);
        }
        if (remote_eof)
            break;
        /* Stdin to the connection. */
        if ((unsigned)ready & SYNACK_CLI_READY_STDIN) {
            int32_t n = c->p->stdin_read(c->p->ctx, in, sizeof in);
            if (n > 0) {
                in_len = (size_t)n;
                in_off = 0;
            } else if (n != SYNACK_CLI_AGAIN) {
                stdin_eof = true;
                synack_tcp_shutdown(c->stack, now, h);
            }
        }
        while (in_off < in_len) {
            int n = synack_tcp_send(c->stack, now, h, in + in_off, in_len - in_off);
            if (n == SYNACK_ERR_AGAIN)
                break;
            if (n < 0) {
                synack_tcp_abort(c->stack, now, h);
                return synack_cli_fail(c, what, n);
            }
            in_off += (size_t)n;
        }
        if (in_off == in_len)
            in_len = in_off = 0;
        ready = synack_cli_step(c, UINT64_MAX, !stdin_eof && in_len == 0);
        if (ready < 0 && !drain_to_eof(c, h, out, sizeof out)) {
            synack_tcp_abort(c->stack, synack_cli_now(c), h);
            return 1;
        }
        if (ready < 0)
            break; /* the link went away after the peer's FIN */
    }
    if (synack_cli_tcp_finish(c, h, 5000) < 0)
        return 1;
    return 0;
}
