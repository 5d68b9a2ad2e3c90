/*
 * The sans-IO TLS layer (synack/tls.h) over BearSSL's engine, which is
 * itself bytes-in/bytes-out: this file sets the engine up (versions,
 * suites, trust anchors or server chain and key decoded from PEM, ALPN,
 * SNI, time, entropy), moves bytes between the caller and the engine's
 * buffers, and turns BearSSL's error numbers into the few reasons a
 * person can act on.
 */
#include "synack/tls.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bearssl.h"

#define ALPN_MAX 8
#define MSG_MAX 256

/* What we offer and accept: ECDHE (forward secrecy) with an AEAD. The
 * order is the client's preference: AES-128-GCM (hardware AES natively),
 * ChaCha20-Poly1305 (fast without it, e.g. in wasm), AES-256-GCM. */
static const uint16_t suites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* The same, ChaCha20-Poly1305 first (prefer_chacha20). */
static const uint16_t suites_chacha[] = {
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static const struct {
    uint16_t id;
    const char *name;
} suite_names[] = {
    {BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
};

/*
 * --insecure: an X.509 "validator" that checks nothing and hands the
 * engine the leaf's public key, decoded with BearSSL's own decoder.
 */
typedef struct insecure_x509 {
    const br_x509_class *vtable;
    br_x509_decoder_context dec;
    int index; /* certificate number in the chain */
} insecure_x509;

static void ix_start_chain(const br_x509_class **ctx, const char *name)
{
    (void)name;
    ((insecure_x509 *)(void *)ctx)->index = 0;
}

static void ix_start_cert(const br_x509_class **ctx, uint32_t length)
{
    insecure_x509 *x = (insecure_x509 *)(void *)ctx;
    (void)length;
    if (x->index == 0)
        br_x509_decoder_init(&x->dec, NULL, NULL);
}

static void ix_append(const br_x509_class **ctx, const unsigned char *buf,
                      size_t len)
{
    insecure_x509 *x = (insecure_x509 *)(void *)ctx;
    if (x->index == 0)
        br_x509_decoder_push(&x->dec, buf, len);
}

static void ix_end_cert(const br_x509_class **ctx)
{
    ((insecure_x509 *)(void *)ctx)->index++;
}

static unsigned ix_end_chain(const br_x509_class **ctx)
{
    insecure_x509 *x = (insecure_x509 *)(void *)ctx;
    if (x->index == 0)
        return BR_ERR_X509_EMPTY_CHAIN;
    int e = br_x509_decoder_last_error(&x->dec);
    if (e != 0)
        return (unsigned)e;
    return br_x509_decoder_get_pkey(&x->dec) != NULL ? 0 : BR_ERR_X509_UNSUPPORTED;
}

static const br_x509_pkey *ix_get_pkey(const br_x509_class *const *ctx,
                                       unsigned *usages)
{
    insecure_x509 *x = (insecure_x509 *)(void *)ctx;
    if (usages != NULL)
        *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
    return br_x509_decoder_get_pkey(&x->dec);
}

static const br_x509_class insecure_vtable = {
    sizeof(insecure_x509), ix_start_chain, ix_start_cert, ix_append,
    ix_end_cert,           ix_end_chain,   ix_get_pkey,
};

struct synack_tls {
    bool server;
    bool opened;     /* the handshake completed */
    bool eof;        /* the transport closed */
    synack_tls_error err;
    int lib_err;
    char msg[MSG_MAX];
    char server_name[256];
    int64_t now_s;
    union {
        br_ssl_client_context client;
        br_ssl_server_context server;
    } ctx;
    br_x509_minimal_context x509;
    insecure_x509 insecure;
    br_x509_trust_anchor *anchors;
    size_t n_anchors;
    br_x509_certificate *chain;
    size_t n_chain;
    br_rsa_private_key rsa;
    br_ec_private_key ec;
    const char *alpn[ALPN_MAX];
    /* Every allocation above (anchors' DNs and keys, chain, key parts,
     * ALPN names), freed together. */
    void **owned;
    size_t n_owned, cap_owned;
    unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

static br_ssl_engine_context *eng(synack_tls *t)
{
    return t->server ? &t->ctx.server.eng : &t->ctx.client.eng;
}

static const br_ssl_engine_context *ceng(const synack_tls *t)
{
    return t->server ? &t->ctx.server.eng : &t->ctx.client.eng;
}

/* Keep p to be freed with t; returns p, or NULL (p freed) on failure. */
static void *own(synack_tls *t, void *p)
{
    if (p == NULL)
        return NULL;
    if (t->n_owned == t->cap_owned) {
        size_t cap = t->cap_owned ? t->cap_owned * 2 : 16;
        void **n = realloc(t->owned, cap * sizeof *n);
        if (n == NULL) {
            free(p);
            return NULL;
        }
        t->owned = n;
        t->cap_owned = cap;
    }
    t->owned[t->n_owned++] = p;
    return p;
}

static void *own_copy(synack_tls *t, const void *src, size_t len)
{
    void *p = own(t, malloc(len ? len : 1));
    if (p != NULL && len)
        memcpy(p, src, len);
    return p;
}

static void errf(char *err, size_t cap, const char *fmt, ...)
{
    if (err == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* A growable byte buffer the PEM decoder writes into. */
typedef struct bytes {
    unsigned char *p;
    size_t len, cap;
    bool oom;
} bytes;

static void bytes_add(void *ctx, const void *data, size_t len)
{
    bytes *b = ctx;
    if (b->oom)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + len)
            cap *= 2;
        unsigned char *n = realloc(b->p, cap);
        if (n == NULL) {
            b->oom = true;
            return;
        }
        b->p = n;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
}

/* Called for each PEM object: name and DER bytes. Returns 0 or -1. */
typedef int (*pem_fn)(synack_tls *t, const char *name, const unsigned char *der,
                      size_t len, char *err, size_t cap);

/* Decode every object of a PEM text. Returns how many, or -1. */
static int pem_each(synack_tls *t, const uint8_t *pem, size_t len, pem_fn fn,
                    char *err, size_t cap, const char *what)
{
    br_pem_decoder_context pc;
    bytes b = {0};
    char name[128] = "";
    int count = 0;
    bool inside = false;
    bool extra_nl = false;
    br_pem_decoder_init(&pc);
    br_pem_decoder_setdest(&pc, bytes_add, &b);
    /* The decoder needs a line end after the last END line: one is
     * pushed after the text. */
    while (len > 0 || !extra_nl) {
        const unsigned char *src = pem;
        size_t n = len;
        if (len == 0) {
            src = (const unsigned char *)"\n";
            n = 1;
            extra_nl = true;
        }
        size_t used = br_pem_decoder_push(&pc, src, n);
        if (len > 0) {
            pem += used;
            len -= used;
        }
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ:
            snprintf(name, sizeof name, "%s", br_pem_decoder_name(&pc));
            b.len = 0;
            inside = true;
            break;
        case BR_PEM_END_OBJ:
            inside = false;
            if (b.oom) {
                errf(err, cap, "%s: out of memory", what);
                free(b.p);
                return -1;
            }
            if (fn(t, name, b.p, b.len, err, cap) != 0) {
                free(b.p);
                return -1;
            }
            count++;
            break;
        case BR_PEM_ERROR:
            errf(err, cap, "%s: not valid PEM", what);
            free(b.p);
            return -1;
        default:
            break;
        }
    }
    free(b.p);
    if (inside) {
        errf(err, cap, "%s: PEM object not terminated", what);
        return -1;
    }
    return count;
}

static bool is_cert_name(const char *name)
{
    return strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0;
}

/* A CA certificate -> a trust anchor (its DN and public key copied). */
static int add_anchor(synack_tls *t, const char *name, const unsigned char *der,
                      size_t len, char *err, size_t cap)
{
    if (!is_cert_name(name))
        return 0; /* other objects in a bundle are ignored */
    br_x509_decoder_context dc;
    bytes dn = {0};
    br_x509_decoder_init(&dc, bytes_add, &dn);
    br_x509_decoder_push(&dc, der, len);
    const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
    if (pk == NULL || dn.oom) {
        errf(err, cap, "CA certificate %zu: cannot decode it (BearSSL error %d)",
             t->n_anchors + 1, br_x509_decoder_last_error(&dc));
        free(dn.p);
        return -1;
    }
    br_x509_trust_anchor *a = realloc(t->anchors, (t->n_anchors + 1) * sizeof *a);
    if (a == NULL) {
        free(dn.p);
        errf(err, cap, "out of memory");
        return -1;
    }
    t->anchors = a;
    br_x509_trust_anchor *ta = &a[t->n_anchors];
    memset(ta, 0, sizeof *ta);
    ta->dn.data = own(t, dn.p);
    ta->dn.len = dn.len;
    ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
    ta->pkey.key_type = pk->key_type;
    bool ok = ta->dn.data != NULL;
    if (pk->key_type == BR_KEYTYPE_RSA) {
        ta->pkey.key.rsa.n = own_copy(t, pk->key.rsa.n, pk->key.rsa.nlen);
        ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
        ta->pkey.key.rsa.e = own_copy(t, pk->key.rsa.e, pk->key.rsa.elen);
        ta->pkey.key.rsa.elen = pk->key.rsa.elen;
        ok = ok && ta->pkey.key.rsa.n && ta->pkey.key.rsa.e;
    } else {
        ta->pkey.key.ec.curve = pk->key.ec.curve;
        ta->pkey.key.ec.q = own_copy(t, pk->key.ec.q, pk->key.ec.qlen);
        ta->pkey.key.ec.qlen = pk->key.ec.qlen;
        ok = ok && ta->pkey.key.ec.q;
    }
    if (!ok) {
        errf(err, cap, "out of memory");
        return -1;
    }
    t->n_anchors++;
    return 0;
}

static int add_chain_cert(synack_tls *t, const char *name, const unsigned char *der,
                          size_t len, char *err, size_t cap)
{
    if (!is_cert_name(name))
        return 0;
    br_x509_certificate *c = realloc(t->chain, (t->n_chain + 1) * sizeof *c);
    if (c == NULL) {
        errf(err, cap, "out of memory");
        return -1;
    }
    t->chain = c;
    c[t->n_chain].data = own_copy(t, der, len);
    c[t->n_chain].data_len = len;
    if (c[t->n_chain].data == NULL) {
        errf(err, cap, "out of memory");
        return -1;
    }
    t->n_chain++;
    return 0;
}


static int add_key(synack_tls *t, const char *name, const unsigned char *der,
                   size_t len, char *err, size_t cap)
{
    (void)name;
    if (t->rsa.n_bitlen != 0 || t->ec.xlen != 0)
        return 0; /* the first key wins */
    br_skey_decoder_context kc;
    br_skey_decoder_init(&kc);
    br_skey_decoder_push(&kc, der, len);
    int kt = br_skey_decoder_key_type(&kc);
    if (kt == BR_KEYTYPE_RSA) {
        const br_rsa_private_key *k = br_skey_decoder_get_rsa(&kc);
        t->rsa.n_bitlen = k->n_bitlen;
        t->rsa.p = own_copy(t, k->p, k->plen);
        t->rsa.plen = k->plen;
        t->rsa.q = own_copy(t, k->q, k->qlen);
        t->rsa.qlen = k->qlen;
        t->rsa.dp = own_copy(t, k->dp, k->dplen);
        t->rsa.dplen = k->dplen;
        t->rsa.dq = own_copy(t, k->dq, k->dqlen);
        t->rsa.dqlen = k->dqlen;
        t->rsa.iq = own_copy(t, k->iq, k->iqlen);
        t->rsa.iqlen = k->iqlen;
        if (!t->rsa.p || !t->rsa.q || !t->rsa.dp || !t->rsa.dq || !t->rsa.iq) {
            errf(err, cap, "out of memory");
            return -1;
        }
    } else if (kt == BR_KEYTYPE_EC) {
        const br_ec_private_key *k = br_skey_decoder_get_ec(&kc);
        t->ec.curve = k->curve;
        t->ec.x = own_copy(t, k->x, k->xlen);
        t->ec.xlen = k->xlen;
        if (!t->ec.x) {
            errf(err, cap, "out of memory");
            return -1;
        }
    } else {
        errf(err, cap, "private key: not an RSA or EC key BearSSL can read (error %d)",
             br_skey_decoder_last_error(&kc));
        return -1;
    }
    return 0;
}

/* Hashes for TLS 1.2's handshake and signatures and for certificate
 * chains (SHA-1 still signs some CA certificates). */
static const br_hash_class *const hashes[] = {
    &br_sha1_vtable, &br_sha224_vtable, &br_sha256_vtable,
    &br_sha384_vtable, &br_sha512_vtable,
};

/* What client and server engines share: TLS 1.2's PRFs and the AEADs. */
static void common_engine(br_ssl_engine_context *e)
{
    br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
    br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
    br_ssl_engine_set_default_aes_gcm(e);
    br_ssl_engine_set_default_chapol(e);
}

/* Days from 0000-01-01 (proleptic Gregorian) to 1970-01-01, the origin
 * BearSSL's X.509 time uses. */
#define DAYS_TO_1970 719528

static int setup_client(synack_tls *t, const synack_tls_config *cfg, char *err,
                        size_t cap)
{
    if (!cfg->insecure) {
        if (cfg->server_name == NULL || cfg->server_name[0] == '\0') {
            errf(err, cap, "a server name to verify the certificate against is needed");
            return -1;
        }
        if (cfg->ca_pem == NULL || cfg->ca_pem_len == 0) {
            errf(err, cap, "no trust anchors (CA certificates) given");
            return -1;
        }
        int n = pem_each(t, cfg->ca_pem, cfg->ca_pem_len, add_anchor, err, cap,
                         "CA certificates");
        if (n < 0)
            return -1;
        if (t->n_anchors == 0) {
            errf(err, cap, "CA certificates: no CERTIFICATE in the PEM text");
            return -1;
        }
    }
    /* Only what the suites above need (not br_ssl_client_init_full, which
     * brings every suite, CBC, CCM, 3DES and TLS 1.0's PRF: twice the
     * size of the JavaScript module). */
    br_ssl_client_context *cc = &t->ctx.client;
    br_ssl_client_zero(cc);
    br_x509_minimal_init(&t->x509, &br_sha256_vtable, t->anchors, t->n_anchors);
    br_ssl_engine_set_default_rsavrfy(&cc->eng);
    br_ssl_engine_set_default_ecdsa(&cc->eng); /* also the ECDHE curves */
    br_x509_minimal_set_rsa(&t->x509, br_ssl_engine_get_rsavrfy(&cc->eng));
    br_x509_minimal_set_ecdsa(&t->x509, br_ssl_engine_get_ec(&cc->eng),
                              br_ssl_engine_get_ecdsa(&cc->eng));
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);
        br_ssl_engine_set_hash(&cc->eng, id, hashes[i]);
        br_x509_minimal_set_hash(&t->x509, id, hashes[i]);
    }
    br_ssl_engine_set_x509(&cc->eng, &t->x509.vtable);
    common_engine(&cc->eng);
    int64_t days = cfg->now_s / 86400, secs = cfg->now_s % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    br_x509_minimal_set_time(&t->x509, (uint32_t)(days + DAYS_TO_1970), (uint32_t)secs);
    if (cfg->insecure) {
        t->insecure.vtable = &insecure_vtable;
        br_ssl_engine_set_x509(&t->ctx.client.eng, &t->insecure.vtable);
    }
    return 0;
}

static int setup_server(synack_tls *t, const synack_tls_config *cfg, char *err,
                        size_t cap)
{
    if (cfg->cert_pem == NULL || cfg->key_pem == NULL) {
        errf(err, cap, "a server needs a certificate and a private key");
        return -1;
    }
    if (pem_each(t, cfg->cert_pem, cfg->cert_pem_len, add_chain_cert, err, cap,
                 "certificate") < 0)
        return -1;
    if (t->n_chain == 0) {
        errf(err, cap, "certificate: no CERTIFICATE in the PEM text");
        return -1;
    }
    if (pem_each(t, cfg->key_pem, cfg->key_pem_len, add_key, err, cap,
                 "private key") < 0)
        return -1;
    br_ssl_server_context *sc = &t->ctx.server;
    br_ssl_server_zero(sc);
    for (size_t i = 0; i < sizeof hashes / sizeof hashes[0]; i++) {
        int id = (int)((hashes[i]->desc >> BR_HASHDESC_ID_OFF) & BR_HASHDESC_ID_MASK);
        br_ssl_engine_set_hash(&sc->eng, id, hashes[i]);
    }
    br_ssl_engine_set_default_ec(&sc->eng);
    common_engine(&sc->eng);
    if (t->rsa.n_bitlen != 0) {
        br_ssl_server_set_single_rsa(sc, t->chain, t->n_chain, &t->rsa, BR_KEYTYPE_SIGN,
                                     br_rsa_private_get_default(),
                                     br_rsa_pkcs1_sign_get_default());
    } else if (t->ec.xlen != 0) {
        /* The issuer's key type matters only to static ECDH suites, which
         * are not offered. */
        br_ssl_server_set_single_ec(sc, t->chain, t->n_chain, &t->ec, BR_KEYTYPE_SIGN,
                                    BR_KEYTYPE_EC, br_ssl_engine_get_ec(&sc->eng),
                                    br_ecdsa_sign_asn1_get_default());
    } else {
        errf(err, cap, "private key: no key in the PEM text");
        return -1;
    }
    return 0;
}

synack_tls *synack_tls_new(const synack_tls_config *cfg, char *err, size_t errcap)
{
    if (cfg->seed == NULL || cfg->seed_len < SYNACK_TLS_SEED_MIN) {
        errf(err, errcap, "at least %d bytes of seed from the system's CSPRNG are needed",
             SYNACK_TLS_SEED_MIN);
        return NULL;
    }
    if (cfg->alpn_count > ALPN_MAX) {
        errf(err, errcap, "at most %d ALPN protocols", ALPN_MAX);
        return NULL;
    }
    synack_tls *t = calloc(1, sizeof *t);
    if (t == NULL) {
        errf(err, errcap, "out of memory");
        return NULL;
    }
    t->server = cfg->server;
    t->now_s = cfg->now_s;
    if (cfg->server_name != NULL)
        snprintf(t->server_name, sizeof t->server_name, "%s", cfg->server_name);
    int rc = t->server ? setup_server(t, cfg, err, errcap)
                       : setup_client(t, cfg, err, errcap);
    if (rc != 0) {
        synack_tls_free(t);
        return NULL;
    }
    br_ssl_engine_context *e = eng(t);
    br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(e, cfg->prefer_chacha20 ? suites_chacha : suites,
                             sizeof suites / sizeof suites[0]);
    br_ssl_engine_set_buffer(e, t->iobuf, sizeof t->iobuf, 1);
    br_ssl_engine_add_flags(e, BR_OPT_NO_RENEGOTIATION);
    for (size_t i = 0; i < cfg->alpn_count; i++) {
        t->alpn[i] = own_copy(t, cfg->alpn[i], strlen(cfg->alpn[i]) + 1);
        if (t->alpn[i] == NULL) {
            errf(err, errcap, "out of memory");
            synack_tls_free(t);
            return NULL;
        }
    }
    if (cfg->alpn_count > 0)
        br_ssl_engine_set_protocol_names(e, t->alpn, cfg->alpn_count);
    br_ssl_engine_inject_entropy(e, cfg->seed, cfg->seed_len);
    int ok = t->server ? br_ssl_server_reset(&t->ctx.server)
                       : br_ssl_client_reset(&t->ctx.client,
                                             t->server_name[0] ? t->server_name : NULL, 0);
    if (!ok) {
        errf(err, errcap, "cannot start the handshake (BearSSL error %d)",
             br_ssl_engine_last_error(e));
        synack_tls_free(t);
        return NULL;
    }
    return t;
}

void synack_tls_free(synack_tls *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_owned; i++)
        free(t->owned[i]);
    free(t->owned);
    free(t->anchors);
    free(t->chain);
    /* Key material and session keys must not linger in freed memory. */
    volatile unsigned char *p = (volatile unsigned char *)t;
    for (size_t i = 0; i < sizeof *t; i++)
        p[i] = 0;
    free(t);
}

static const char *alert_name(int a)
{
    switch (a) {
    case BR_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case BR_ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case BR_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
    case BR_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case BR_ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
    case BR_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case BR_ALERT_UNKNOWN_CA: return "unknown_ca";
    case BR_ALERT_DECODE_ERROR: return "decode_error";
    case BR_ALERT_DECRYPT_ERROR: return "decrypt_error";
    case BR_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case BR_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case BR_ALERT_INTERNAL_ERROR: return "internal_error";
    case 112: return "unrecognized_name";
    case BR_ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
    default: return "alert";
    }
}

static void fail(synack_tls *t, synack_tls_error code, int lib, const char *fmt, ...)
{
    if (t->err != SYNACK_TLS_OK)
        return;
    t->err = code;
    t->lib_err = lib;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->msg, sizeof t->msg, fmt, ap);
    va_end(ap);
}

/* Turn the engine's error number into a reason, once. */
static void classify(synack_tls *t, int e)
{
    const char *peer = t->server ? "client" : "server";
    if (e >= BR_ERR_RECV_FATAL_ALERT && e < BR_ERR_SEND_FATAL_ALERT) {
        int a = e - BR_ERR_RECV_FATAL_ALERT;
        switch (a) {
        case BR_ALERT_PROTOCOL_VERSION:
            fail(t, SYNACK_TLS_E_VERSION, e,
                 "protocol version: the %s refused TLS 1.2 (alert protocol_version); synack speaks TLS 1.2 only",
                 peer);
            return;
        case BR_ALERT_HANDSHAKE_FAILURE:
        case BR_ALERT_INSUFFICIENT_SECURITY:
            fail(t, SYNACK_TLS_E_HANDSHAKE, e,
                 "handshake failure: the %s refused the handshake (alert %s): no protocol version and cipher suite in common (synack speaks TLS 1.2 with ECDHE and AES-GCM or ChaCha20-Poly1305 only)",
                 peer, alert_name(a));
            return;
        case BR_ALERT_UNKNOWN_CA:
            fail(t, SYNACK_TLS_E_UNTRUSTED, e,
                 "certificate not trusted: the %s does not trust our certificate (alert unknown_ca)", peer);
            return;
        case BR_ALERT_CERTIFICATE_EXPIRED:
            fail(t, SYNACK_TLS_E_EXPIRED, e,
                 "certificate expired: the %s says our certificate expired (alert certificate_expired)", peer);
            return;
        case BR_ALERT_BAD_CERTIFICATE:
        case BR_ALERT_UNSUPPORTED_CERTIFICATE:
        case BR_ALERT_CERTIFICATE_UNKNOWN:
            fail(t, SYNACK_TLS_E_CERT, e, "bad certificate: the %s rejected our certificate (alert %s)",
                 peer, alert_name(a));
            return;
        default:
            fail(t, t->opened ? SYNACK_TLS_E_PROTOCOL : SYNACK_TLS_E_HANDSHAKE, e,
                 "%s: the %s sent a fatal alert %d (%s)",
                 t->opened ? "protocol error" : "handshake failure", peer, a, alert_name(a));
            return;
        }
    }
    switch (e) {
    case BR_ERR_X509_NOT_TRUSTED:
        fail(t, SYNACK_TLS_E_UNTRUSTED, e,
             "certificate not trusted: the %s's chain leads to none of the given CA certificates",
             peer);
        return;
    case BR_ERR_X509_BAD_SERVER_NAME:
        fail(t, SYNACK_TLS_E_NAME, e,
             "certificate name mismatch: the server's certificate is not for '%s'", t->server_name);
        return;
    case BR_ERR_X509_EXPIRED:
        fail(t, SYNACK_TLS_E_EXPIRED, e,
             "certificate expired or not yet valid at the current time (%lld s since 1970)",
             (long long)t->now_s);
        return;
    case BR_ERR_UNSUPPORTED_VERSION:
    case BR_ERR_BAD_VERSION:
        fail(t, SYNACK_TLS_E_VERSION, e,
             "protocol version: the %s does not speak TLS 1.2; synack speaks TLS 1.2 only", peer);
        return;
    case BR_ERR_BAD_CIPHER_SUITE:
        fail(t, SYNACK_TLS_E_HANDSHAKE, e,
             "handshake failure: no cipher suite in common (synack accepts only ECDHE with AES-GCM or ChaCha20-Poly1305)");
        return;
    default:
        break;
    }
    if (e >= BR_ERR_X509_OK && e < BR_ERR_RECV_FATAL_ALERT) {
        fail(t, SYNACK_TLS_E_CERT, e, "bad certificate: the %s's certificate cannot be used (BearSSL X.509 error %d)",
             peer, e);
        return;
    }
    if (e >= BR_ERR_SEND_FATAL_ALERT) {
        fail(t, t->opened ? SYNACK_TLS_E_PROTOCOL : SYNACK_TLS_E_HANDSHAKE, e,
             "%s: we sent the %s a fatal alert %d (%s)",
             t->opened ? "protocol error" : "handshake failure", peer,
             e - BR_ERR_SEND_FATAL_ALERT, alert_name(e - BR_ERR_SEND_FATAL_ALERT));
        return;
    }
    if (t->opened)
        fail(t, SYNACK_TLS_E_PROTOCOL, e, "protocol error: bad record from the %s (BearSSL error %d)", peer, e);
    else
        fail(t, SYNACK_TLS_E_HANDSHAKE, e, "handshake failure: bad message from the %s (BearSSL error %d)", peer, e);
}

/* The engine's state, noting the end of the handshake and any error. */
static unsigned refresh(synack_tls *t)
{
    br_ssl_engine_context *e = eng(t);
    unsigned st = br_ssl_engine_current_state(e);
    int le = br_ssl_engine_last_error(e);
    if (le != BR_ERR_OK)
        classify(t, le);
    else if (!t->opened && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
        t->opened = true;
    if ((st & BR_SSL_CLOSED) && le == BR_ERR_OK && !t->opened)
        fail(t, SYNACK_TLS_E_HANDSHAKE, 0, "handshake failure: the %s closed during the handshake",
             t->server ? "client" : "server");
    return st;
}

static bool dead(synack_tls *t)
{
    refresh(t);
    return t->err != SYNACK_TLS_OK;
}

int synack_tls_feed(synack_tls *t, const uint8_t *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        unsigned st = refresh(t);
        if (t->err != SYNACK_TLS_OK || (st & BR_SSL_CLOSED))
            return done > 0 ? (int)done : SYNACK_TLS_DEAD;
        if (!(st & BR_SSL_RECVREC))
            break;
        size_t room;
        unsigned char *buf = br_ssl_engine_recvrec_buf(eng(t), &room);
        size_t n = len - done < room ? len - done : room;
        memcpy(buf, data + done, n);
        br_ssl_engine_recvrec_ack(eng(t), n);
        done += n;
    }
    refresh(t);
    if (done > (size_t)INT32_MAX)
        done = INT32_MAX;
    return (int)done;
}

void synack_tls_eof(synack_tls *t)
{
    t->eof = true;
    unsigned st = refresh(t);
    if (t->err != SYNACK_TLS_OK || (st & BR_SSL_CLOSED))
        return;
    if (t->opened)
        fail(t, SYNACK_TLS_E_CLOSED, 0,
             "connection closed without close_notify: the data may be cut short");
    else
        fail(t, SYNACK_TLS_E_HANDSHAKE, 0, "handshake failure: the %s closed the connection during the handshake",
             t->server ? "client" : "server");
}

const uint8_t *synack_tls_output(synack_tls *t, size_t *len)
{
    unsigned st = refresh(t);
    *len = 0;
    if (!(st & BR_SSL_SENDREC))
        return NULL;
    return br_ssl_engine_sendrec_buf(eng(t), len);
}

void synack_tls_output_done(synack_tls *t, size_t n)
{
    if (n > 0)
        br_ssl_engine_sendrec_ack(eng(t), n);
}

int synack_tls_read(synack_tls *t, uint8_t *buf, size_t cap)
{
    unsigned st = refresh(t);
    if (st & BR_SSL_RECVAPP) {
        size_t have;
        unsigned char *p = br_ssl_engine_recvapp_buf(eng(t), &have);
        size_t n = have < cap ? have : cap;
        if (n > (size_t)INT32_MAX)
            n = INT32_MAX;
        memcpy(buf, p, n);
        br_ssl_engine_recvapp_ack(eng(t), n);
        return (int)n;
    }
    if (t->err != SYNACK_TLS_OK)
        return SYNACK_TLS_DEAD;
    if (st & BR_SSL_CLOSED)
        return 0;
    return SYNACK_TLS_AGAIN;
}

int synack_tls_write(synack_tls *t, const uint8_t *data, size_t len)
{
    unsigned st = refresh(t);
    if (t->err != SYNACK_TLS_OK || (st & BR_SSL_CLOSED))
        return SYNACK_TLS_DEAD;
    if (!(st & BR_SSL_SENDAPP))
        return SYNACK_TLS_AGAIN;
    size_t room;
    unsigned char *p = br_ssl_engine_sendapp_buf(eng(t), &room);
    size_t n = len < room ? len : room;
    if (n > (size_t)INT32_MAX)
        n = INT32_MAX;
    memcpy(p, data, n);
    br_ssl_engine_sendapp_ack(eng(t), n);
    return (int)n;
}

void synack_tls_flush(synack_tls *t)
{
    br_ssl_engine_flush(eng(t), 0);
}

void synack_tls_close(synack_tls *t)
{
    if (dead(t))
        return;
    br_ssl_engine_close(eng(t));
}

synack_tls_state synack_tls_get_state(const synack_tls *t)
{
    if (t->err != SYNACK_TLS_OK)
        return SYNACK_TLS_FAILED;
    unsigned st = br_ssl_engine_current_state(ceng(t));
    if (br_ssl_engine_last_error(ceng(t)) != BR_ERR_OK)
        return SYNACK_TLS_FAILED;
    if (st & BR_SSL_CLOSED)
        return t->opened ? SYNACK_TLS_CLOSED : SYNACK_TLS_FAILED;
    if (t->opened || (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)))
        return SYNACK_TLS_OPEN;
    return SYNACK_TLS_HANDSHAKE;
}

synack_tls_error synack_tls_error_code(const synack_tls *t)
{
    return t->err;
}

const char *synack_tls_error_message(const synack_tls *t)
{
    return t->err != SYNACK_TLS_OK ? t->msg : "no error";
}

const char *synack_tls_error_name(synack_tls_error e)
{
    switch (e) {
    case SYNACK_TLS_OK: return "ok";
    case SYNACK_TLS_E_UNTRUSTED: return "untrusted";
    case SYNACK_TLS_E_NAME: return "name";
    case SYNACK_TLS_E_EXPIRED: return "expired";
    case SYNACK_TLS_E_VERSION: return "version";
    case SYNACK_TLS_E_HANDSHAKE: return "handshake";
    case SYNACK_TLS_E_CERT: return "certificate";
    case SYNACK_TLS_E_PROTOCOL: return "protocol";
    case SYNACK_TLS_E_CLOSED: return "closed";
    case SYNACK_TLS_E_CONFIG: return "config";
    case SYNACK_TLS_E_MEMORY: return "memory";
    }
    return "unknown";
}

int synack_tls_lib_error(const synack_tls *t)
{
    return t->lib_err;
}

const char *synack_tls_version(const synack_tls *t)
{
    if (!t->opened)
        return NULL;
    return br_ssl_engine_get_version(ceng(t)) == BR_TLS12 ? "TLSv1.2" : "TLS";
}

const char *synack_tls_cipher(const synack_tls *t)
{
    if (!t->opened)
        return NULL;
    uint16_t id = ceng(t)->session.cipher_suite;
    for (size_t i = 0; i < sizeof suite_names / sizeof suite_names[0]; i++)
        if (suite_names[i].id == id)
            return suite_names[i].name;
    return "unknown";
}

const char *synack_tls_alpn(const synack_tls *t)
{
    if (!t->opened)
        return NULL;
    return br_ssl_engine_get_selected_protocol((br_ssl_engine_context *)ceng(t));
}
