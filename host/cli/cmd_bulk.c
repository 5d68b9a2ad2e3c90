/*
 * send HOST PORT --bytes N and sink PORT [--count N]: bulk TCP transfer
 * with a JSON summary on the output when each transfer ends (DESIGN.md):
 * {"bytes":N,"seconds":S,"mbit_per_s":R,"sha256":"...","retransmits":K}
 * `send` transmits the seeded stream of bulk.h (seed: --seed, default 1),
 * shuts down, and stops the clock when its FIN is acknowledged, i.e. when
 * every byte has arrived. `sink` times from accept to the peer's FIN.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bulk.h"
#include "cli_run.h"
#include "sha256.h"

#define CHUNK 65536u

static uint64_t retransmits(synack_cli *c, int h)
{
    synack_tcp_info info;
    if (synack_tcp_get_info(c->stack, h, &info) != 0)
        return 0;
    return info.rexmit_segs;
}

static void summary(synack_cli *c, uint64_t bytes, uint64_t ms,
                    synack_sha256 *sha, uint64_t rexmit)
{
    uint8_t d[32];
    char hex[65], line[256];
    synack_sha256_final(sha, d);
    synack_sha256_hex(d, hex);
    int n = synack_cli_summary(line, sizeof line - 1, bytes, ms, hex, rexmit);
    if (n < 0)
        return;
    line[n++] = '\n';
    synack_cli_out(c, line, (size_t)n);
}

/* Queue the stream and wait for the FIN's ACK; returns the exit status. */
static int send_stream(synack_cli *c, int h, const char *what, uint8_t *buf,
                       synack_sha256 *sha)
{
    const synack_cli_opts *o = c->o;
    synack_cli_stream gen;
    synack_cli_stream_init(&gen, o->has_seed ? o->seed
                                             : SYNACK_CLI_STREAM_DEFAULT_SEED);
    uint64_t start = synack_cli_now(c), queued = 0;
    size_t len = 0, off = 0;

    while (queued < o->bytes || off < len) {
        if (off == len) {
            uint64_t left = o->bytes - queued;
            len = left < CHUNK ? (size_t)left : CHUNK;
            off = 0;
            synack_cli_stream_fill(&gen, buf, len);
            synack_sha256_update(sha, buf, len);
            queued += len;
        }
        int n = synack_tcp_send(c->stack, synack_cli_now(c), h, buf + off,
                                len - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n != SYNACK_ERR_AGAIN) {
            synack_tcp_abort(c->stack, synack_cli_now(c), h);
            return synack_cli_fail(c, what, n);
        }
        if (synack_cli_step(c, UINT64_MAX, false) < 0)
            return 1;
    }
    synack_tcp_shutdown(c->stack, synack_cli_now(c), h);
    /* Bounded by the stack's data retransmission limit. */
    while (!synack_cli_tcp_fin_acked(c, h)) {
        if (synack_cli_step(c, UINT64_MAX, false) < 0)
            return 1;
    }
    int err = synack_tcp_error(c->stack, h);
    if (err != 0) {
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
        return synack_cli_fail(c, what, err);
    }
    uint64_t ms = synack_cli_now(c) - start;
    summary(c, o->bytes, ms, sha, retransmits(c, h));
    return synack_cli_tcp_finish(c, h, 5000) < 0 ? 1 : 0;
}

int synack_cli_cmd_send(synack_cli *c)
{
    const synack_cli_opts *o = c->o;
    char what[300];
    int h;
    int rc = synack_cli_tcp_dial(c, "send to", o->host, o->port, what, sizeof what, &h);
    if (rc != 0)
        return rc;
    uint8_t *buf = malloc(CHUNK);
    if (buf == NULL) {
        synack_tcp_abort(c->stack, synack_cli_now(c), h);
        return 1;
    }
    synack_sha256 sha; /* released here on every path (libcrypto allocates) */
    synack_sha256_init(&sha);
    rc = send_stream(c, h, what, buf, &sha);
    synack_sha256_end(&sha);
    free(buf);
    return rc;
}

/* Receive one connection to its end; prints the summary. Returns 0, 1
 * when the connection failed (reported), or -1 when the link died. */
static int sink_with(synack_cli *c, int h, uint8_t *buf, synack_sha256 *sha)
{
    uint64_t start = synack_cli_now(c), bytes = 0;
    for (;;) {
        int n = synack_tcp_recv(c->stack, synack_cli_now(c), h, buf, CHUNK);
        if (n > 0) {
            synack_sha256_update(sha, buf, (size_t)n);
            bytes += (uint64_t)n;
            continue;
        }
        if (n == 0)
            break;
        if (n != SYNACK_ERR_AGAIN) {
            char what[64];
            snprintf(what, sizeof what, "sink %u", (unsigned)c->o->port);
            synack_cli_fail(c, what, n);
            synack_tcp_abort(c->stack, synack_cli_now(c), h);
            return 1;
        }
        if (synack_cli_step(c, UINT64_MAX, false) < 0)
            return -1;
    }
    uint64_t ms = synack_cli_now(c) - start;
    summary(c, bytes, ms, sha, retransmits(c, h));
    return synack_cli_tcp_finish(c, h, 5000);
}

static int sink_one(synack_cli *c, int h, uint8_t *buf)
{
    synack_sha256 sha; /* released here on every path (libcrypto allocates) */
    synack_sha256_init(&sha);
    int rc = sink_with(c, h, buf, &sha);
    synack_sha256_end(&sha);
    return rc;
}

int synack_cli_cmd_sink(synack_cli *c)
{
    int l = synack_tcp_open(c->stack);
    /* a server takes its port back during TIME-WAIT, as with SO_REUSEADDR */
    int rc = l < 0 ? l : synack_tcp_setopt(c->stack, l, SYNACK_TCPOPT_REUSEADDR, 1);
    if (rc == 0)
        rc = synack_tcp_bind(c->stack, l, c->o->port);
    if (rc == 0)
        rc = synack_tcp_listen(c->stack, l, 16);
    if (rc != 0) {
        synack_cli_msg(c, "sink %u: %s", (unsigned)c->o->port, synack_strerror(rc));
        return 1;
    }
    synack_cli_announce(c, "tcp", c->o->port);
    uint8_t *buf = malloc(CHUNK);
    if (buf == NULL)
        return 1;
    uint32_t done = 0;
    int status = 0;
    while (c->o->count == 0 || done < c->o->count) {
        int h = synack_tcp_accept(c->stack, synack_cli_now(c), l, NULL, NULL);
        if (h >= 0) {
            int r = sink_one(c, h, buf);
            if (r != 0)
                status = 1;
            if (r < 0)
                break;
            done++;
            continue;
        }
        if (synack_cli_step(c, UINT64_MAX, false) < 0) {
            status = 1;
            break;
        }
    }
    free(buf);
    synack_tcp_close(c->stack, synack_cli_now(c), l);
    return status;
}
