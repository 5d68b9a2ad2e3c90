/*
 * One stream client of the bridge: a non-blocking socket, the framing
 * reader for what it sends, and the bounded queue of what it is sent.
 * Buffers are allocated when the client connects, never per frame.
 */
#ifndef SYNACK_BR_CLIENT_H
#define SYNACK_BR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrlimit.h"
#include "framing.h"
#include "proxy.h"
#include "outq.h"
#include "switch.h"
#include "ws.h"

/* Why a client is closed. */
typedef enum synack_br_close_reason {
    SYNACK_BR_OPEN = 0,
    SYNACK_BR_CLOSED_EOF,          /* the client closed its end */
    SYNACK_BR_CLOSED_ERROR,        /* socket error */
    SYNACK_BR_CLOSED_FRAMING,      /* length 0 or above 65535 */
    SYNACK_BR_CLOSED_MALFORMED,    /* not an acceptable Ethernet frame */
    SYNACK_BR_CLOSED_AUTH,         /* wrong token */
    SYNACK_BR_CLOSED_AUTH_TIMEOUT, /* no token in time */
    SYNACK_BR_CLOSED_SHUTDOWN,     /* the bridge is stopping */
    SYNACK_BR_CLOSED_PROXY,        /* a trusted proxy sent no valid PROXY header */
    SYNACK_BR_CLOSED_PROXY_TIMEOUT, /* ... or none in time */
    SYNACK_BR_CLOSED_LIMIT,        /* the reported address is over its limits */
    SYNACK_BR_CLOSED_WS_HANDSHAKE, /* --listen-ws: not a valid upgrade request */
    SYNACK_BR_CLOSED_WS_ORIGIN,    /* ... an Origin not on --ws-origin */
    SYNACK_BR_CLOSED_WS_TIMEOUT,   /* ... no upgrade request in time */
    SYNACK_BR_CLOSED_WS_PROTOCOL,  /* ... broke RFC 6455 (unmasked, text, too big, ...) */
    SYNACK_BR_CLOSE_REASONS
} synack_br_close_reason;

/* Short name of a reason ("eof", "framing", "bad_token", ...). */
const char *synack_br_close_reason_name(synack_br_close_reason r);

/* The WebSocket layer of a --listen-ws client (allocated with it). */
typedef struct synack_br_wsconn {
    bool open;              /* the upgrade is done */
    uint8_t *hs;            /* SYNACK_BR_WS_HS_MAX bytes until then */
    size_t hslen;
    const char *const *origins;
    size_t norigins;
    synack_br_ws rd;        /* client frames */
    uint16_t close_code;    /* why we close, for our close frame */
    /* Output: frames in the client's queue go out as binary messages, all
     * that is queued at a flush in one message; `stage` holds a pong and
     * the next message's header, `msg_left` the message's unsent bytes. */
    uint8_t stage[2 + 125 + 10];
    size_t stage_len, stage_off;
    uint64_t msg_left;
    uint8_t pong[125];
    int pong_len;           /* -1: no pong owed */
    uint64_t msgs_out;
    /* while feeding: the client and why the data callback stopped */
    struct synack_br_client *c;
    struct synack_br *br;
    uint64_t now;
    synack_br_close_reason stop;
} synack_br_wsconn;

typedef struct synack_br_client {
    int fd;          /* -1 when the slot is free */
    int32_t port;
    char peer[64];   /* "address:port" text */
    synack_framer *framer; /* core/link/framing.h: reassembles what it sends */
    size_t in_cap;   /* largest frame it may send */
    synack_br_outq out;
    uint8_t *out_buf;
    /* The client's address for the per-address limits; `counted` once it
     * was admitted (released when it closes). */
    synack_br_addr addr;
    bool counted;
    uint64_t since;
    /* From a --trusted-proxy: the PROXY header, read before any frame. */
    enum { SYNACK_BR_NO_PROXY = 0, SYNACK_BR_PROXY_WAIT, SYNACK_BR_PROXY_GOT } proxy;
    uint8_t *pbuf;    /* SYNACK_BR_PROXY_MAX bytes while waiting */
    size_t plen, phdr;
    synack_br_proxy_addr paddr;
    synack_br_wsconn *ws; /* NULL for a stream client */
    uint16_t offload;     /* SYNACK_OFFLOAD_F_* granted (AGREE sent) */
} synack_br_client;

/*
 * Take over connected socket `fd` for switch port `port`. Allocates a
 * framing reader and an output queue of out_cap bytes; frames longer than
 * in_cap bytes close the client.
 * Returns 0, or -1 when out of memory.
 */
int synack_br_client_open(synack_br_client *c, int fd, int32_t port,
                          const char *peer, size_t in_cap, size_t out_cap);

/* Expect a PROXY header before the frames. Returns 0, or -1 (no memory). */
int synack_br_client_expect_proxy(synack_br_client *c);

/*
 * After a read left the client in SYNACK_BR_PROXY_GOT (the caller has
 * looked at c->paddr): feed what came after the header to the switch.
 * Same return as synack_br_client_read.
 */
synack_br_close_reason synack_br_client_proxy_done(synack_br_client *c,
                                                   synack_br *br, uint64_t now);

/*
 * Make this a WebSocket client (--listen-ws): an upgrade request, then
 * binary messages carrying the stream. origins: the --ws-origin list
 * (kept by reference). Returns 0, or -1 (no memory).
 */
int synack_br_client_expect_ws(synack_br_client *c, const char *const *origins,
                               size_t norigins);

/*
 * Feed bytes the client sent after any PROXY header: through the
 * WebSocket layer for a WebSocket client, then to the framing reader.
 * `data` may be modified (unmasked in place). Same return as
 * synack_br_client_read.
 */
synack_br_close_reason synack_br_client_input(synack_br_client *c, synack_br *br,
                                              uint8_t *data, size_t n, uint64_t now);

/* A WebSocket client still waiting for its upgrade request. */
bool synack_br_client_ws_waiting(const synack_br_client *c);

/*
 * Before closing a WebSocket client for `why`: send a close frame when the
 * output is between messages (best effort, never blocks).
 */
void synack_br_client_ws_goodbye(synack_br_client *c, synack_br_close_reason why);

/*
 * A TCP/IPv4 or TCP/IPv6 super-frame from the backend (a TAP with TSO: its checksums
 * complete, pieces of `seg` payload bytes). Its pieces go through the
 * switch as plain frames would; when all of them go to one client that
 * takes super-frames of that family (br->takes_super), that client gets it whole as a
 * SUPER instead, else every port gets its pieces.
 */
void synack_br_backend_super(synack_br *br, uint64_t now, const uint8_t *frame, size_t len,
                             uint32_t seg);

/* Close the socket and free the buffers; the slot becomes free. */
void synack_br_client_close(synack_br_client *c);

/*
 * Read what the socket has (one read of at most rxlen bytes into rx) and
 * feed each complete frame to the switch. While a PROXY header is awaited
 * only its bytes are read (at most SYNACK_BR_PROXY_MAX), and the client
 * moves to SYNACK_BR_PROXY_GOT when it is complete. Returns SYNACK_BR_OPEN, or the
 * reason to close the client.
 */
synack_br_close_reason synack_br_client_read(synack_br_client *c, synack_br *br,
                                             uint8_t *rx, size_t rxlen,
                                             uint64_t now);

/*
 * Feed `n` received bytes to the framing reader (exposed for tests).
 * Same return as synack_br_client_read.
 */
synack_br_close_reason synack_br_client_feed(synack_br_client *c, synack_br *br,
                                             const uint8_t *data, size_t n,
                                             uint64_t now);

/* Queue one frame for the client; false (dropped) when the queue is full. */
bool synack_br_client_queue(synack_br_client *c, const uint8_t *frame,
                            size_t len);

/* Write what is queued, as much as the socket takes. Returns 0 or -1. */
int synack_br_client_flush(synack_br_client *c);

/* Whether output is waiting (poll for POLLOUT). */
bool synack_br_client_pending(const synack_br_client *c);

#endif
