/*
 * The client and server configurations that the TLS unit tests, the TLS
 * benchmarks and fuzz_tls_records share: the fixtures' CA (client) and
 * leaf certificate and key (server), a time inside their validity, and the
 * caller's seed. Callers change fields after (ALPN, cipher preference).
 */
#ifndef SYNACK_TLS_CONFIGS_H
#define SYNACK_TLS_CONFIGS_H

#include <string.h>

#include "synack/tls.h"
#include "tls_fixtures.h"

#define TLS_FX_NOW 1798761600 /* 2027-01-01: inside the fixtures' validity */

static inline synack_tls_config tls_fx_client(const uint8_t *seed, size_t seed_len)
{
    synack_tls_config c;
    memset(&c, 0, sizeof c);
    c.server_name = "server.test";
    c.ca_pem = (const uint8_t *)TLS_FX_CA;
    c.ca_pem_len = strlen(TLS_FX_CA);
    c.now_s = TLS_FX_NOW;
    c.seed = seed;
    c.seed_len = seed_len;
    return c;
}

static inline synack_tls_config tls_fx_server(const uint8_t *seed, size_t seed_len)
{
    synack_tls_config c;
    memset(&c, 0, sizeof c);
    c.server = true;
    c.cert_pem = (const uint8_t *)TLS_FX_LEAF;
    c.cert_pem_len = strlen(TLS_FX_LEAF);
    c.key_pem = (const uint8_t *)TLS_FX_LEAF_KEY;
    c.key_pem_len = strlen(TLS_FX_LEAF_KEY);
    c.now_s = TLS_FX_NOW;
    c.seed = seed;
    c.seed_len = seed_len;
    return c;
}

#endif
