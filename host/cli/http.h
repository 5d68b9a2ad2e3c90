/*
 * The HTTP/1.1 client side of `get` without any I/O: URL parsing, the
 * request text, and an incremental response parser that hands body bytes
 * to a callback (RFC 9110, RFC 9112). Portable and unit-tested on its own.
 */
#ifndef SYNACK_CLI_HTTP_H
#define SYNACK_CLI_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNACK_HTTP_HOST_MAX 256
#define SYNACK_HTTP_PATH_MAX 2048
#define SYNACK_HTTP_LINE_MAX 8192

typedef struct synack_http_url {
    char host[SYNACK_HTTP_HOST_MAX]; /* name or dotted quad, no port */
    uint16_t port;                   /* default 80, 443 for https */
    bool tls;                        /* https:// */
    char path[SYNACK_HTTP_PATH_MAX]; /* origin-form, "/" at least */
} synack_http_url;

/*
 * Parse "http[s]://HOST[:PORT][/PATH][?QUERY]" (scheme case-insensitive;
 * the fragment is dropped). Returns 0, or -1 with a reason in err: other
 * schemes, empty host, bad port, user info, or parts too long.
 */
int synack_http_parse_url(const char *text, synack_http_url *u, char *err,
                          size_t errcap);

/*
 * The GET request for u (Host header with the port when not the scheme's
 * default,
 * Connection: close). Returns its length, or -1 when cap is too small.
 */
int synack_http_request(const synack_http_url *u, char *buf, size_t cap);

/* Where the response parser is. */
typedef enum synack_http_phase {
    SYNACK_HTTP_STATUS = 0,   /* waiting for the status line */
    SYNACK_HTTP_HEADERS,
    SYNACK_HTTP_BODY_LENGTH,  /* Content-Length bytes */
    SYNACK_HTTP_BODY_CLOSE,   /* body until the connection closes */
    SYNACK_HTTP_CHUNK_SIZE,   /* RFC 9112 section 7.1 */
    SYNACK_HTTP_CHUNK_DATA,
    SYNACK_HTTP_CHUNK_END,    /* the CRLF after chunk data */
    SYNACK_HTTP_TRAILERS,
    SYNACK_HTTP_DONE,
    SYNACK_HTTP_ERROR,
} synack_http_phase;

/* Receives body bytes (decoded); returns 0 or negative to stop. */
typedef int (*synack_http_body_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct synack_http_resp {
    synack_http_phase phase;
    int status;                  /* 100..999 once the status line is read */
    char status_line[256];       /* without CR LF, truncated to fit */
    bool headers_done;           /* the final (non-1xx) header block ended */
    bool chunked;
    bool has_length;
    uint64_t length;             /* Content-Length */
    uint64_t remaining;          /* of the body or current chunk */
    uint64_t body_bytes;         /* delivered so far */
    char line[SYNACK_HTTP_LINE_MAX];
    size_t line_len;
    bool no_body;                /* 204, 304 */
    const char *error;           /* why phase is ERROR */
} synack_http_resp;

/* Start parsing a response. */
void synack_http_resp_init(synack_http_resp *r);

/*
 * Feed received bytes. Body bytes go to fn as they are decoded. Returns 0,
 * -1 on a malformed response (r->error says why; sticky), or the negative
 * value fn returned. Bytes after the end of the response are ignored.
 */
int synack_http_resp_feed(synack_http_resp *r, const uint8_t *data,
                          size_t len, synack_http_body_fn fn, void *ctx);

/*
 * The connection closed. Returns 0 when the response is complete (or was
 * delimited by the close), -1 when it was cut short.
 */
int synack_http_resp_eof(synack_http_resp *r);

/* Whether the response is complete (no more bytes needed). */
bool synack_http_resp_done(const synack_http_resp *r);

#endif
