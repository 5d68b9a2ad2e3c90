/*
 * The TLS record boundary (tls/, synack/tls.h): a client and a server in
 * memory, where the input decides how each direction's bytes are cut into
 * feeds (every split and merge of records a TCP stream can make), what
 * the server sends, and optionally one byte flipped in the server's
 * stream. Properties: no crash or sanitizer report; without a flip the
 * handshake completes and the client reads exactly what the server wrote;
 * with a flip the client reads a prefix of it, never other bytes (AEAD),
 * whatever the flip hit (a header may also leave it waiting).
 *
 * Input: [flip: 3 bytes (offset hi, lo, xor; xor 0 = none)]
 *        [n: 1 byte, number of cut sizes] [n cut sizes, 1 byte each]
 *        [the rest: the server's application data, in writes of
 *         1 + (byte % 200) bytes: the first byte of each write is its
 *         length code]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/tls.h"
#include "tls_configs.h"

static const uint8_t seed_c[32] = {1};
static const uint8_t seed_s[32] = {2};

typedef struct cutter {
    const uint8_t *sizes;
    size_t n, i;
} cutter;

static size_t next_cut(cutter *c)
{
    if (c->n == 0)
        return 1u << 20; /* everything merged */
    size_t s = c->sizes[c->i++ % c->n];
    return s == 0 ? 1u << 20 : s;
}

/* Move what `from` has to `to`, cut by `cut`; flip one byte of the
 * stream at absolute offset *flip_at (counted by *pos). */
/* Plaintext the client read, checked against what the server wrote. */
static uint8_t *got;
static size_t ngot, got_cap;

static void read_client(synack_tls *c)
{
    int r;
    while (ngot < got_cap && (r = synack_tls_read(c, got + ngot, got_cap - ngot)) > 0)
        ngot += (size_t)r;
}

static void move(synack_tls *from, synack_tls *to, cutter *cut, size_t *pos,
                 size_t flip_at, uint8_t flip_xor, bool to_client)
{
    static uint8_t buf[1 << 17];
    size_t have = 0, len;
    const uint8_t *p;
    while ((p = synack_tls_output(from, &len)) != NULL && len > 0 && have < sizeof buf) {
        if (len > sizeof buf - have)
            len = sizeof buf - have;
        memcpy(buf + have, p, len);
        synack_tls_output_done(from, len);
        have += len;
    }
    if (flip_xor != 0 && flip_at >= *pos && flip_at < *pos + have)
        buf[flip_at - *pos] ^= flip_xor;
    *pos += have;
    size_t off = 0;
    int stalls = 0;
    while (off < have && stalls < 2) {
        size_t n = next_cut(cut);
        if (n > have - off)
            n = have - off;
        int used = synack_tls_feed(to, buf + off, n);
        if (used < 0)
            return;
        if (used == 0) {
            /* Full until the plaintext is read (only the client gets
             * application data here). */
            if (to_client)
                read_client(to);
            stalls++;
            continue;
        }
        stalls = 0;
        off += (size_t)used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t flip_at = ((size_t)data[0] << 8) | data[1];
    uint8_t flip_xor = data[2];
    size_t ncut = data[3];
    data += 4;
    size = -4 + size;
    if (ncut > size)
        ncut = size;
    cutter cut_sc = {data, ncut, 0}, cut_cs = {data, ncut, ncut / 2};
    data += ncut;
    size -= ncut;

    synack_tls_config cc = tls_fx_client(seed_c, sizeof seed_c);
    synack_tls_config sc = tls_fx_server(seed_s, sizeof seed_s);
    synack_tls *c = synack_tls_new(&cc, NULL, 0), *s = synack_tls_new(&sc, NULL, 0);
    if (c == NULL || s == NULL)
        abort();

    got = NULL;
    ngot = got_cap = 0;
    size_t pos_sc = 0, pos_cs = 0;
    for (int i = 0; i < 20; i++) {
        move(c, s, &cut_cs, &pos_cs, 0, 0, false);
        move(s, c, &cut_sc, &pos_sc, flip_at, flip_xor, true);
    }
    bool flipped = flip_xor != 0 && flip_at < pos_sc;
    if (!flipped && (synack_tls_get_state(c) != SYNACK_TLS_OPEN ||
                     synack_tls_get_state(s) != SYNACK_TLS_OPEN))
        abort();

    /* The server's writes; the client's reads must be a prefix of them. */
    uint8_t *sent = malloc(size + 1);
    got = malloc(size + 1);
    ngot = 0;
    got_cap = size + 1;
    size_t nsent = 0, off = 0;
    while (off < size && synack_tls_get_state(s) == SYNACK_TLS_OPEN) {
        size_t w = 1 + data[off] % 200;
        if (w > size - off)
            w = size - off;
        size_t done = 0;
        for (int tries = 0; done < w && tries < 8; tries++) {
            int n = synack_tls_write(s, data + off + done, w - done);
            if (n > 0) {
                memcpy(sent + nsent, data + off + done, (size_t)n);
                nsent += (size_t)n;
                done += (size_t)n;
            }
            synack_tls_flush(s);
            move(s, c, &cut_sc, &pos_sc, flip_at, flip_xor, true);
            read_client(c);
        }
        off += w;
    }
    synack_tls_flush(s);
    for (int i = 0; i < 4; i++) {
        move(s, c, &cut_sc, &pos_sc, flip_at, flip_xor, true);
        read_client(c);
    }
    flipped = flip_xor != 0 && flip_at < pos_sc;
    if (ngot > nsent || memcmp(sent, got, ngot) != 0)
        abort(); /* bytes the server never wrote */
    if (!flipped && ngot != nsent)
        abort();
    free(sent);
    free(got);
    got = NULL;
    got_cap = 0;
    synack_tls_free(c);
    synack_tls_free(s);
    return 0;
}
