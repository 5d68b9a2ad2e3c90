/*
 * TLS over one of the tool's TCP connections (`get https://...`): the
 * sans-IO layer (tls/, synack/tls.h) driven by the command runtime. Trust
 * anchors come from --cacert FILE (or the system bundle natively), the
 * seed from the platform's CSPRNG, the time from its wall clock.
 */
#ifndef SYNACK_CLI_TLS_H
#define SYNACK_CLI_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_run.h"
#include "synack/tls.h"

/* Where the tool looks for CA certificates without --cacert. */
#define SYNACK_CLI_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
/* How long a handshake may take, ms. */
#define SYNACK_CLI_TLS_HANDSHAKE_MS 30000u

typedef struct synack_cli_tls {
    synack_cli *c;
    int h;               /* the TCP handle */
    const char *what;    /* "get HOST port N", for messages */
    synack_tls *t;
    bool tcp_eof;        /* the peer's FIN arrived */
    size_t in_off, in_len;
    uint8_t in[16384];   /* received from TCP, not yet taken by TLS */
} synack_cli_tls;

/*
 * Run the handshake on the open connection h, verifying the certificate
 * against server_name (unless --insecure, which prints a warning). Returns
 * 0, or prints the reason and returns the exit status (the connection is
 * then closed).
 */
int synack_cli_tls_open(synack_cli_tls *ct, synack_cli *c, int h,
                        const char *what, const char *server_name);

/* Send all of data; returns 0 or the exit status (reported, closed). */
int synack_cli_tls_send_all(synack_cli_tls *ct, const void *data, size_t len);

/*
 * Received plaintext: the count, 0 at the end (close_notify, or TCP
 * closed without it: *truncated is then set), SYNACK_ERR_AGAIN (run
 * synack_cli_step), or -1 after a failure it reported (*status set).
 */
int synack_cli_tls_recv(synack_cli_tls *ct, uint8_t *buf, size_t cap,
                        bool *truncated, int *status);

/* close_notify, then the TCP close as synack_cli_tcp_finish; frees. */
void synack_cli_tls_close(synack_cli_tls *ct, uint64_t timeout_ms);

/* Drop the TLS state and abort the TCP connection (after a failure). */
void synack_cli_tls_abort(synack_cli_tls *ct);

#endif
