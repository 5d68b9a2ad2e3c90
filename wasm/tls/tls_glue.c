/*
 * The wasm side of synack-tls.mjs (the JavaScript API's TLS, a module of
 * its own so that synack.wasm stays small): the sans-IO layer of tls/ as
 * exported functions. Only the constructor needs glue (its configuration
 * arrives as flat arguments); every other call is a synack_tls_* export.
 */
#include <emscripten.h>
#include <stdint.h>
#include <string.h>

#include "synack/tls.h"

#define ALPN_MAX 8

/*
 * A new client (server == 0) or server. alpn is the names one after the
 * other, each ended by NUL (alpn_count of them). Strings and buffers are
 * copied; the caller frees its own. NULL with a reason in err on failure.
 */
EMSCRIPTEN_KEEPALIVE
synack_tls *synack_tlsjs_new(int server, const char *server_name, int insecure,
                             const uint8_t *ca, uint32_t ca_len,
                             const uint8_t *cert, uint32_t cert_len,
                             const uint8_t *key, uint32_t key_len,
                             const char *alpn, uint32_t alpn_count,
                             double now_s, const uint8_t *seed, uint32_t seed_len,
                             char *err, uint32_t errcap)
{
    const char *names[ALPN_MAX];
    if (alpn_count > ALPN_MAX)
        alpn_count = ALPN_MAX;
    for (uint32_t i = 0; i < alpn_count; i++) {
        names[i] = alpn;
        alpn += strlen(alpn) + 1;
    }
    synack_tls_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.server = server != 0;
    cfg.server_name = server_name;
    cfg.insecure = insecure != 0;
    cfg.ca_pem = ca;
    cfg.ca_pem_len = ca_len;
    cfg.cert_pem = cert;
    cfg.cert_pem_len = cert_len;
    cfg.key_pem = key;
    cfg.key_pem_len = key_len;
    cfg.alpn = names;
    cfg.alpn_count = alpn_count;
    cfg.now_s = (int64_t)now_s;
    cfg.seed = seed;
    cfg.seed_len = seed_len;
    /* Software AES in wasm: ChaCha20-Poly1305 is the faster AEAD here. */
    cfg.prefer_chacha20 = true;
    return synack_tls_new(&cfg, err, errcap);
}

/* synack_tls_output with the length written to *len (a uint32). */
EMSCRIPTEN_KEEPALIVE
const uint8_t *synack_tlsjs_output(synack_tls *t, uint32_t *len)
{
    size_t n = 0;
    const uint8_t *p = synack_tls_output(t, &n);
    *len = (uint32_t)n;
    return p;
}
