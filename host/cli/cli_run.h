/*
 * The command runtime: one stack on the link the options name (with the
 * pcap and impair wrappers stacked on it when asked), addressing (static
 * or DHCP), name resolution, and the loop primitive the commands are
 * written with. Portable: it reaches the system only through
 * synack_cli_platform.
 */
#ifndef SYNACK_CLI_RUN_H
#define SYNACK_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"
#include "cli_platform.h"
#include "cli_txq.h"
#include "framing.h"
#include "offload.h"
#include "synack/synack.h"
#include "synack_links.h"

/* Largest frame a link can hand over (the stream framing limit). */
#define SYNACK_CLI_FRAME_MAX 65535u
/* Bytes a stream link may hold back when the peer reads slowly. */
#define SYNACK_CLI_TXQ_BYTES (2u * 1024u * 1024u)

typedef struct synack_cli {
    const synack_cli_platform *p;
    const synack_cli_opts *o;
    synack_cli_link_info link;
    bool link_open;
    synack_offload_client offload; /* --offload on a stream link */
    uint8_t *cut;           /* scratch for cutting before it agreed */
    bool link_down;         /* EOF or framing error: commands stop */
    bool link_reported;     /* link_why printed */
    const char *link_why;   /* why the link went down */
    synack_stack *stack;
    synack_impair *im_out;  /* stack -> wire */
    synack_impair *im_in;   /* wire -> stack */
    synack_pcap *pcap;
    void *pcap_file;
    void *out_file;         /* --out */
    bool out_to_stderr;     /* --stdio without --out */
    synack_framer *framer;  /* stream links */
    uint8_t *rx;            /* SYNACK_CLI_FRAME_MAX + 4 bytes */
    uint8_t *tx;            /* a framed frame on its way out */
    synack_cli_txq txq;     /* stream links: bytes the link did not take */
    synack_addr v6_told[8]; /* IPv6 addresses already reported */
    uint8_t v6_told_n;
    synack_addr dns6_told;  /* the IPv6 resolver last reported */
} synack_cli;

/* The platform's monotonic clock (ms). */
uint64_t synack_cli_now(synack_cli *c);

/*
 * Run the stack once: timers due now, then sleep until the link has
 * frames, stdin has data (when want_stdin), the stack's next deadline or
 * `until`, whichever comes first; then feed what arrived and run timers
 * again. Returns SYNACK_CLI_READY_STDIN when stdin is readable, 0
 * otherwise, or -1 when the link is gone (the reason is printed by
 * synack_cli_link_report once the command has failed). The step in which
 * the link goes down still returns normally, so the command can take what
 * its last frames brought; the next one returns -1.
 */
int synack_cli_step(synack_cli *c, uint64_t until, bool want_stdin);

/* Print why the link went down ("link: closed by the other end"), once,
 * if it did. synack_cli_main calls it when a command fails. */
void synack_cli_link_report(synack_cli *c);

/* Write command output (stdout, --out PATH, or stderr under --stdio). */
int synack_cli_out(synack_cli *c, const void *data, size_t len);

/* printf to the command output. */
int synack_cli_outf(synack_cli *c, const char *fmt, ...);

/* One line on stderr, prefixed "synack: " (the newline is added). */
void synack_cli_msg(synack_cli *c, const char *fmt, ...);

/*
 * Report a network failure of `what` ("connect 10.0.0.1:80") as one line
 * naming the error (refused, reset, timed out, unreachable, ...). Returns
 * 1, the exit status of a network failure.
 */
int synack_cli_fail(synack_cli *c, const char *what, int err);

/* Tell stderr that a server is ready: "listening on A.B.C.D port N (tcp)". */
void synack_cli_announce(synack_cli *c, const char *proto, uint16_t port);

/*
 * HOST as an address literal of either family, or resolved through DNS:
 * `family` SYNACK_AF_IP4 or SYNACK_AF_IP6 asks only A or only AAAA; 0
 * asks both and takes the IPv6 address when the stack has an IPv6 route
 * to it (synack_route_source), as Happy Eyeballs orders them, else the
 * IPv4 one; the choice is printed. Returns 0, or prints the failure and
 * returns 1.
 */
int synack_cli_resolve(synack_cli *c, const char *host, uint8_t family, synack_addr *out);

/*
 * Resolve HOST, then open a TCP connection to HOST:port and wait for the
 * handshake. `what` (capacity `cap`) receives "VERB HOST port N", the name
 * errors use, for the caller's later messages too. Returns 0 with *h set,
 * or prints the failure and returns its exit status.
 */
int synack_cli_tcp_dial(synack_cli *c, const char *verb, const char *host,
                        uint16_t port, char *what, size_t cap, int *h);

/*
 * Whether h's FIN has been sent and acknowledged (or the connection is
 * gone), i.e. everything we queued has arrived.
 */
bool synack_cli_tcp_fin_acked(synack_cli *c, int h);

/* Whether the peer has acknowledged every byte we queued on h (a FIN
 * aside). */
bool synack_cli_tcp_delivered(synack_cli *c, int h);

/*
 * Shut down h, read and discard what still arrives, and wait until our
 * FIN is acknowledged and the peer has closed too, or until `timeout_ms`
 * passes; then close the handle. Returns 0, or -1 when the link died.
 */
int synack_cli_tcp_finish(synack_cli *c, int h, uint64_t timeout_ms);

/* Set up the runtime for parsed options: link, stack, addressing. Returns
 * 0 or the exit status to end with (already reported). */
int synack_cli_setup(synack_cli *c, const synack_cli_platform *p,
                     const synack_cli_opts *o);

/* Free everything setup made. */
void synack_cli_teardown(synack_cli *c);

/* The commands (host/cli/cmd_*.c). Each returns the exit status. */
int synack_cli_cmd_ping(synack_cli *c);
int synack_cli_cmd_connect(synack_cli *c);
int synack_cli_cmd_get(synack_cli *c);
int synack_cli_cmd_listen(synack_cli *c);
int synack_cli_cmd_send(synack_cli *c);
int synack_cli_cmd_sink(synack_cli *c);
int synack_cli_cmd_udp_echo(synack_cli *c);

#endif
