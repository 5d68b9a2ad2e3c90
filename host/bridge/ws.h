/*
 * The bridge's own WebSocket endpoint (RFC 6455, server side), sans-IO:
 * the opening handshake (an HTTP/1.1 upgrade request in, the response
 * text out) and the reader of client frames. Binary messages carry the
 * same length-prefixed frame stream as a plain stream client (DESIGN.md,
 * CONTRACT: stream framing); message boundaries mean nothing to it.
 * Written here rather than taken from libwebsockets: see README.md
 * ("WebSocket endpoint").
 */
#ifndef SYNACK_BR_WS_H
#define SYNACK_BR_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNACK_BR_WS_HS_MAX 4096             /* largest upgrade request */
#define SYNACK_BR_WS_MSG_MAX (1024u * 1024u) /* largest client message */
#define SYNACK_BR_WS_ORIGIN_MAX 16           /* --ws-origin entries */

/* Outcome of parsing the upgrade request. */
typedef enum synack_br_ws_hs_status {
    SYNACK_BR_WS_HS_MORE = 0, /* no blank line yet */
    SYNACK_BR_WS_HS_OK,       /* upgrade accepted: send the 101 response */
    SYNACK_BR_WS_HS_BAD,      /* not a valid upgrade request: 400 */
    SYNACK_BR_WS_HS_VERSION,  /* Sec-WebSocket-Version is not 13: 426 */
    SYNACK_BR_WS_HS_ORIGIN,   /* Origin not on the allow-list: 403 */
    SYNACK_BR_WS_HS_TOO_BIG,  /* request longer than SYNACK_BR_WS_HS_MAX: 400 */
} synack_br_ws_hs_status;

/* What an accepted upgrade request asked for. */
typedef struct synack_br_ws_handshake {
    size_t used;     /* bytes of the request, up to and including the blank line */
    bool binary;     /* the client offered the `binary` subprotocol */
    char accept[29]; /* Sec-WebSocket-Accept value, NUL-terminated */
} synack_br_ws_handshake;

/*
 * Parse the first n bytes a client sent. origins[0..norigins) is the
 * --ws-origin allow-list (none: any Origin, or none, is accepted; else the
 * Origin header must equal one of them, ignoring ASCII case).
 */
synack_br_ws_hs_status synack_br_ws_handshake_parse(const uint8_t *buf, size_t n,
                                                    const char *const *origins,
                                                    size_t norigins,
                                                    synack_br_ws_handshake *out);

/*
 * The HTTP response for status st (101 for SYNACK_BR_WS_HS_OK, else the
 * error) into out (cap bytes, 256 is enough). Returns its length.
 */
size_t synack_br_ws_handshake_response(synack_br_ws_hs_status st,
                                       const synack_br_ws_handshake *hs,
                                       char *out, size_t cap);

/* Why the frame reader stopped. */
typedef enum synack_br_ws_status {
    SYNACK_BR_WS_OK = 0,
    SYNACK_BR_WS_CLOSED,    /* the client sent a close frame */
    SYNACK_BR_WS_PROTOCOL,  /* RFC 6455 violation (unmasked, reserved bits, ...): 1002 */
    SYNACK_BR_WS_TEXT,      /* a text message: 1003 */
    SYNACK_BR_WS_TOO_BIG,   /* message above SYNACK_BR_WS_MSG_MAX: 1009 */
    SYNACK_BR_WS_STOPPED,   /* the data callback asked to stop */
} synack_br_ws_status;

/* Callbacks of the frame reader. */
typedef struct synack_br_ws_cb {
    /* Payload bytes of a binary message, unmasked, in order. Nonzero stops. */
    int (*data)(void *ctx, const uint8_t *p, size_t n);
    /* A complete ping (answer with a pong carrying the same payload). */
    void (*ping)(void *ctx, const uint8_t *p, size_t n);
} synack_br_ws_cb;

/* The reader of client-to-server frames. */
typedef struct synack_br_ws {
    uint8_t hdr[14]; /* the frame header being gathered */
    uint8_t hlen;
    uint8_t opcode;  /* of the current frame */
    bool in_payload;
    bool in_message; /* a data message is open (continuations expected) */
    uint64_t left;   /* payload bytes left in the current frame */
    uint64_t msg_len;
    uint8_t mask[4];
    uint32_t mpos;
    uint8_t ctrl[125]; /* a control frame's payload */
    uint8_t ctrl_len;
    uint64_t messages; /* data messages completed (counters) */
} synack_br_ws;

/* Start reading frames. */
void synack_br_ws_init(synack_br_ws *w);

/*
 * Feed n bytes the client sent (unmasked in place, hence not const).
 * Returns SYNACK_BR_WS_OK when all were consumed, else why it stopped.
 */
synack_br_ws_status synack_br_ws_feed(synack_br_ws *w, uint8_t *data, size_t n,
                                      const synack_br_ws_cb *cb, void *ctx);

/*
 * The header of an unmasked server frame (FIN set) with this opcode and
 * payload length into out (10 bytes are enough). Returns its length.
 */
size_t synack_br_ws_frame_header(uint8_t *out, uint8_t opcode, uint64_t len);

/* RFC 6455 opcodes the bridge sends. */
#define SYNACK_BR_WS_OP_BINARY 0x2
#define SYNACK_BR_WS_OP_CLOSE 0x8
#define SYNACK_BR_WS_OP_PING 0x9
#define SYNACK_BR_WS_OP_PONG 0xA

#endif
