/*
 * SHA-256 (FIPS 180-4 section 6.2), incremental; used by the `send` and
 * `sink` summaries so a transfer can be checked end to end. The native
 * tool uses OpenSSL's libcrypto (sha256_libcrypto.c: it uses the CPU's SHA
 * extensions where there are some; the hand-written one took over half of
 * the tool's cycles); the WASI build has no libcrypto and compiles the
 * portable sha256.c. Same API, same digests.
 */
#ifndef SYNACK_CLI_SHA256_H
#define SYNACK_CLI_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct synack_sha256 {
    uint32_t h[8];
    uint64_t len;     /* message bytes so far */
    uint8_t block[64];
    uint32_t fill;    /* bytes in block */
    void *evp;        /* libcrypto's EVP_MD_CTX (native), else NULL */
} synack_sha256;

/* Start a new digest (FIPS 180-4 section 5.3.3 initial hash value). */
void synack_sha256_init(synack_sha256 *c);

/* Add `len` bytes. */
void synack_sha256_update(synack_sha256 *c, const void *data, size_t len);

/* Pad, finish and write the 32-byte digest. The context is then spent. */
void synack_sha256_final(synack_sha256 *c, uint8_t out[32]);

/* Release a digest that will not be finished (no-op after final). */
void synack_sha256_end(synack_sha256 *c);

/* Lower-case hex of a digest into hex (65 bytes with the NUL). */
void synack_sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
