/*
 * SHA-256 for the native tool from OpenSSL's libcrypto (EVP), which picks
 * the CPU's SHA extensions or vector code at run time. Same API and
 * digests as the portable sha256.c (the WASI build); see sha256.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sha256.h"

/* The tool cannot check a transfer without its digest: stop loudly. */
static void fail(const char *what)
{
    fprintf(stderr, "synack: libcrypto SHA-256: %s failed\n", what);
    abort();
}

void synack_sha256_init(synack_sha256 *c)
{
    memset(c, 0, sizeof(*c));
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    if (x == NULL)
        fail("EVP_MD_CTX_new");
    if (EVP_DigestInit_ex(x, EVP_sha256(), NULL) != 1)
        fail("EVP_DigestInit_ex");
    c->evp = x;
}

void synack_sha256_update(synack_sha256 *c, const void *data, size_t len)
{
    if (len > 0 && EVP_DigestUpdate(c->evp, data, len) != 1)
        fail("EVP_DigestUpdate");
    c->len += len;
}

void synack_sha256_final(synack_sha256 *c, uint8_t out[32])
{
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(c->evp, out, &n) != 1 || n != 32)
        fail("EVP_DigestFinal_ex");
    synack_sha256_end(c);
}

void synack_sha256_end(synack_sha256 *c)
{
    EVP_MD_CTX_free(c->evp);
    c->evp = NULL;
}
