/*
 * synack TLS: a small sans-IO TLS layer over BearSSL (docs/tls.md).
 *
 * Like the stack, it does no I/O, reads no clock and draws no randomness
 * of its own: ciphertext comes in through synack_tls_feed() and leaves
 * through synack_tls_output()/synack_tls_output_done(); the application's
 * plaintext goes through synack_tls_write() and synack_tls_read(); the
 * wall-clock time (for certificate validity) and the seed (from the
 * platform's CSPRNG, never the stack's seeded generator) are arguments.
 * It knows nothing of sockets, so the native tool, the WASI tool and the
 * JavaScript module drive it over their own TCP connections.
 *
 * TLS 1.2 only (BearSSL has no TLS 1.3), ECDHE key exchange with AES-GCM
 * or ChaCha20-Poly1305: forward secrecy and AEAD, nothing else offered or
 * accepted.
 */
#ifndef SYNACK_TLS_H
#define SYNACK_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a connection failed: distinct codes a caller can act on. */
typedef enum synack_tls_error {
    SYNACK_TLS_OK = 0,
    SYNACK_TLS_E_UNTRUSTED,  /* the chain leads to no given trust anchor */
    SYNACK_TLS_E_NAME,       /* the certificate is not for the server name */
    SYNACK_TLS_E_EXPIRED,    /* a certificate is expired or not yet valid */
    SYNACK_TLS_E_VERSION,    /* the peer does not speak TLS 1.2 */
    SYNACK_TLS_E_HANDSHAKE,  /* no common cipher suite, ALPN, bad messages, ... */
    SYNACK_TLS_E_CERT,       /* a certificate we cannot use (malformed, key type) */
    SYNACK_TLS_E_PROTOCOL,   /* a bad record after the handshake (MAC, ...) */
    SYNACK_TLS_E_CLOSED,     /* TCP closed without close_notify */
    SYNACK_TLS_E_CONFIG,     /* bad configuration: PEM, key, seed, ... */
    SYNACK_TLS_E_MEMORY,
} synack_tls_error;

/* Where a connection is. */
typedef enum synack_tls_state {
    SYNACK_TLS_HANDSHAKE = 0, /* handshake under way */
    SYNACK_TLS_OPEN,          /* application data flows */
    SYNACK_TLS_CLOSED,        /* closed cleanly (close_notify) */
    SYNACK_TLS_FAILED,        /* synack_tls_error_code() says why */
} synack_tls_state;

/* Returned by read/write when nothing can be done right now. */
#define SYNACK_TLS_AGAIN (-1)
/* Returned by read/write/feed once the connection failed or closed. */
#define SYNACK_TLS_DEAD (-2)

/* Least seed length synack_tls_new accepts, bytes. */
#define SYNACK_TLS_SEED_MIN 32

typedef struct synack_tls_config {
    bool server;
    /* Client: the name sent as SNI and checked against the certificate
     * (DNS names only). NULL: no SNI; verification then fails unless
     * insecure. */
    const char *server_name;
    /* Client: trust anchors, one or more PEM certificates. */
    const uint8_t *ca_pem;
    size_t ca_pem_len;
    /* Client: skip certificate verification entirely (--insecure). */
    bool insecure;
    /* Server: certificate chain (PEM, leaf first) and its private key
     * (PEM: RSA, EC or PKCS#8). */
    const uint8_t *cert_pem;
    size_t cert_pem_len;
    const uint8_t *key_pem;
    size_t key_pem_len;
    /* Offer ChaCha20-Poly1305 before AES-GCM: where AES has no hardware
     * help (wasm), ChaCha20 is the faster one. */
    bool prefer_chacha20;
    /* ALPN protocol names in preference order (at most 8), or none. */
    const char *const *alpn;
    size_t alpn_count;
    /* Wall-clock time, seconds since 1970 (certificate validity). */
    int64_t now_s;
    /* At least SYNACK_TLS_SEED_MIN bytes from the platform's CSPRNG. */
    const uint8_t *seed;
    size_t seed_len;
} synack_tls_config;

typedef struct synack_tls synack_tls;

/*
 * A new connection in its handshake (a client's ClientHello is ready in
 * synack_tls_output at once). Returns NULL with a reason in err when the
 * configuration is unusable (bad PEM, no key, short seed, no memory).
 */
synack_tls *synack_tls_new(const synack_tls_config *cfg, char *err,
                           size_t errcap);

/* Free a connection (no alert is sent: call synack_tls_close first). */
void synack_tls_free(synack_tls *t);

/*
 * Ciphertext from the peer. Returns how many bytes were taken (possibly
 * fewer than len when the engine's buffer is full: offer the rest after
 * reading plaintext), or SYNACK_TLS_DEAD.
 */
int synack_tls_feed(synack_tls *t, const uint8_t *data, size_t len);

/* The transport closed (TCP FIN or reset): fails the connection with
 * SYNACK_TLS_E_CLOSED unless it was already closed cleanly. */
void synack_tls_eof(synack_tls *t);

/*
 * Ciphertext to send: *len bytes at the returned pointer (NULL, *len 0
 * when there is none). Call synack_tls_output_done with what the
 * transport took.
 */
const uint8_t *synack_tls_output(synack_tls *t, size_t *len);
void synack_tls_output_done(synack_tls *t, size_t n);

/*
 * Plaintext for the application: up to cap bytes. Returns the count, 0
 * once the peer closed cleanly, SYNACK_TLS_AGAIN, or SYNACK_TLS_DEAD
 * after a failure.
 */
int synack_tls_read(synack_tls *t, uint8_t *buf, size_t cap);

/*
 * Plaintext to send: takes up to len bytes (records are sealed when the
 * buffer fills or on synack_tls_flush). Returns the count,
 * SYNACK_TLS_AGAIN (handshake not done or buffer full) or
 * SYNACK_TLS_DEAD.
 */
int synack_tls_write(synack_tls *t, const uint8_t *data, size_t len);

/* Seal what write took into a record now. */
void synack_tls_flush(synack_tls *t);

/* Send close_notify (after flushing); reading may go on. */
void synack_tls_close(synack_tls *t);

/* Where the connection is. */
synack_tls_state synack_tls_get_state(const synack_tls *t);

/* Why it failed (SYNACK_TLS_OK while it has not). */
synack_tls_error synack_tls_error_code(const synack_tls *t);

/* One line a person can act on, e.g. "certificate not trusted: ...". */
const char *synack_tls_error_message(const synack_tls *t);

/* A short stable name of an error code: "untrusted", "name", ... */
const char *synack_tls_error_name(synack_tls_error e);

/* The library's own error number (BearSSL's), for diagnostics. */
int synack_tls_lib_error(const synack_tls *t);

/* Once open: "TLSv1.2", the cipher suite's IANA name, the ALPN protocol
 * chosen (NULL when none). */
const char *synack_tls_version(const synack_tls *t);
const char *synack_tls_cipher(const synack_tls *t);
const char *synack_tls_alpn(const synack_tls *t);

#endif
