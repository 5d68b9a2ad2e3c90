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
    SYNACK_BR_CLOSE_REASONS
} synack_br_close_reason;

/* Short name of a reason ("eof", "framing", "bad_token", ...). */
const char *synack_br_close_reason_name(synack_br_close_reason r);

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
