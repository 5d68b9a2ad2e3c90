/*
 * libFuzzer target: the bridge's WebSocket endpoint (host/bridge/ws.c),
 * what any visitor's bytes reach first with --listen-ws. The first byte
 * picks the part:
 *   even: the upgrade request parser (bit 1: with an Origin allow-list).
 *         Each call gets a heap copy of exactly the bytes it may read, so
 *         ASan catches an over-read. Properties: "need more" only below
 *         SYNACK_BR_WS_HS_MAX; an accepted request is no longer than the
 *         input, parses the same on its own, not at all when cut short,
 *         and its accept value is 28 base64 characters.
 *   odd:  the frame reader. The rest is fed whole, then again cut into
 *         pieces of (first byte >> 1) + 1 bytes: the payload bytes handed
 *         on and the final status must not depend on the cut, and never
 *         exceed the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ws.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "ws: %s (line %d)\n", #cond, __LINE__);            \
            abort();                                                           \
        }                                                                      \
    } while (0)

static const char *const origins[] = {"https://good.example", "http://127.0.0.1:8080"};

static synack_br_ws_hs_status parse_copy(const uint8_t *data, size_t n, size_t norig,
                                         synack_br_ws_handshake *hs)
{
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, data, n);
    synack_br_ws_hs_status st = synack_br_ws_handshake_parse(b, n, origins, norig, hs);
    free(b);
    return st;
}

static void handshake(const uint8_t *data, size_t n, size_t norig)
{
    synack_br_ws_handshake hs;
    synack_br_ws_hs_status st = parse_copy(data, n, norig, &hs);
    if (st == SYNACK_BR_WS_HS_MORE) {
        CHECK(n < SYNACK_BR_WS_HS_MAX);
        return;
    }
    char resp[256];
    size_t rl = synack_br_ws_handshake_response(st, &hs, resp, sizeof(resp));
    CHECK(rl > 12 && rl < sizeof(resp) && memcmp(resp, "HTTP/1.1 ", 9) == 0);
    if (st != SYNACK_BR_WS_HS_OK)
        return;
    CHECK(hs.used > 0 && hs.used <= n && hs.used <= SYNACK_BR_WS_HS_MAX);
    CHECK(strlen(hs.accept) == 28);
    synack_br_ws_handshake hs2;
    CHECK(parse_copy(data, hs.used, norig, &hs2) == SYNACK_BR_WS_HS_OK);
    CHECK(hs2.used == hs.used && hs2.binary == hs.binary &&
          strcmp(hs2.accept, hs.accept) == 0);
    CHECK(parse_copy(data, hs.used - 1, norig, &hs2) == SYNACK_BR_WS_HS_MORE);
    CHECK(parse_copy(data, hs.used / 2, norig, &hs2) == SYNACK_BR_WS_HS_MORE);
}

typedef struct sink {
    uint8_t *out;
    size_t n, cap;
    size_t pings;
} sink;

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
    sink *s = ctx;
    CHECK(s->n + n <= s->cap);
    memcpy(s->out + s->n, p, n);
    s->n += n;
    return 0;
}

static void on_ping(void *ctx, const uint8_t *p, size_t n)
{
    sink *s = ctx;
    (void)p;
    CHECK(n <= 125);
    s->pings++;
}

/* Feed data in pieces of `piece` bytes (0: whole); stop at the first
 * status other than OK, as the bridge does. */
static synack_br_ws_status frames(const uint8_t *data, size_t n, size_t piece, sink *s,
                                  synack_br_ws *w)
{
    static const synack_br_ws_cb cb = {on_data, on_ping};
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, data, n);
    synack_br_ws_init(w);
    synack_br_ws_status st = SYNACK_BR_WS_OK;
    size_t off = 0;
    while (off < n && st == SYNACK_BR_WS_OK) {
        size_t k = piece == 0 || piece > n - off ? n - off : piece;
        uint8_t *b = malloc(k); /* exactly the piece, for ASan */
        memcpy(b, copy + off, k);
        st = synack_br_ws_feed(w, b, k, &cb, s);
        free(b);
        off += k;
    }
    free(copy);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    data++;
    size--;
    if ((sel & 1) == 0) {
        handshake(data, size, (sel & 2) ? 2 : 0);
        return 0;
    }
    sink a = {malloc(size + 1), 0, size, 0}, b = {malloc(size + 1), 0, size, 0};
    synack_br_ws wa, wb;
    synack_br_ws_status sa = frames(data, size, 0, &a, &wa);
    synack_br_ws_status sb = frames(data, size, (size_t)(sel >> 1) + 1, &b, &wb);
    CHECK(sa == sb);
    CHECK(a.n == b.n && memcmp(a.out, b.out, a.n) == 0);
    CHECK(a.pings == b.pings && wa.messages == wb.messages);
    uint8_t hdr[10];
    size_t hl = synack_br_ws_frame_header(hdr, SYNACK_BR_WS_OP_BINARY, size);
    CHECK(hl == (size < 126 ? 2u : size < 65536 ? 4u : 10u));
    free(a.out);
    free(b.out);
    return 0;
}
