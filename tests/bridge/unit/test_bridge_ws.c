/*
 * The bridge's WebSocket endpoint (ws.c, and the WebSocket output of
 * client.c): the RFC 6455 handshake example, refused requests, the frame
 * reader fed whole and byte by byte, control frames and violations, and
 * that everything queued for a client leaves in one binary message
 * (over a socketpair).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "ws.h"

static const char REQ[] =
    "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, binary\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

static synack_br_ws_hs_status parse(const char *req, size_t n, size_t norig,
                                    synack_br_ws_handshake *hs)
{
    static const char *const origins[] = {"HTTP://EXAMPLE.COM"};
    return synack_br_ws_handshake_parse((const uint8_t *)req, n, origins, norig, hs);
}

static void test_handshake(void **state)
{
    (void)state;
    synack_br_ws_handshake hs;
    /* RFC 6455 section 1.3's example key and accept value */
    assert_int_equal(parse(REQ, strlen(REQ), 0, &hs), SYNACK_BR_WS_HS_OK);
    assert_string_equal(hs.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_true(hs.binary);
    assert_int_equal(hs.used, strlen(REQ));
    assert_int_equal(parse(REQ, strlen(REQ), 1, &hs), SYNACK_BR_WS_HS_OK);
    char resp[256];
    size_t rl = synack_br_ws_handshake_response(SYNACK_BR_WS_HS_OK, &hs, resp, sizeof(resp));
    assert_true(rl > 0 && strstr(resp, "HTTP/1.1 101 ") == resp);
    assert_non_null(strstr(resp, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_non_null(strstr(resp, "Sec-WebSocket-Protocol: binary\r\n"));
    for (size_t k = 0; k < strlen(REQ); k++)
        assert_int_equal(parse(REQ, k, 0, &hs), SYNACK_BR_WS_HS_MORE);

    char bad[600];
    /* every required header matters */
    static const char *const drop[] = {"Host: server.example.com\r\n", "Upgrade: websocket\r\n",
                                       "Connection: Upgrade\r\n",
                                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"};
    for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
        const char *at = strstr(REQ, drop[i]);
        size_t pre = (size_t)(at - REQ);
        snprintf(bad, sizeof(bad), "%.*s%s", (int)pre, REQ, at + strlen(drop[i]));
        assert_int_equal(parse(bad, strlen(bad), 0, &hs), SYNACK_BR_WS_HS_BAD);
    }
    snprintf(bad, sizeof(bad), "%s", REQ);
    memcpy(strstr(bad, "Version: 13") + 9, "12", 2);
    assert_int_equal(parse(bad, strlen(bad), 0, &hs), SYNACK_BR_WS_HS_VERSION);
    snprintf(bad, sizeof(bad), "%s", REQ);
    memcpy(strstr(bad, "http://example.com"), "http://evil.co", 14);
    assert_int_equal(parse(bad, strlen(bad), 1, &hs), SYNACK_BR_WS_HS_ORIGIN);
    assert_int_equal(parse(bad, strlen(bad), 0, &hs), SYNACK_BR_WS_HS_OK);
    char big[SYNACK_BR_WS_HS_MAX + 10];
    memset(big, 'a', sizeof(big));
    assert_int_equal(parse(big, sizeof(big), 0, &hs), SYNACK_BR_WS_HS_TOO_BIG);
}

/* A masked client frame into out; returns its length. */
static size_t frame(uint8_t *out, uint8_t b0, const uint8_t *p, size_t n)
{
    static const uint8_t m[4] = {0xA1, 0xB2, 0xC3, 0xD4};
    size_t h = synack_br_ws_frame_header(out, b0 & 0x0F, n);
    out[0] = b0;
    out[1] |= 0x80;
    memcpy(out + h, m, 4);
    for (size_t i = 0; i < n; i++)
        out[h + 4 + i] = p[i] ^ m[i & 3];
    return h + 4 + n;
}

typedef struct got {
    uint8_t data[70000];
    size_t n;
    int pings;
} got;

static int on_data(void *ctx, const uint8_t *p, size_t n)
{
    got *g = ctx;
    memcpy(g->data + g->n, p, n);
    g->n += n;
    return 0;
}

static void on_ping(void *ctx, const uint8_t *p, size_t n)
{
    got *g = ctx;
    (void)p;
    (void)n;
    g->pings++;
}

static const synack_br_ws_cb CB = {on_data, on_ping};

static void test_frames(void **state)
{
    (void)state;
    static uint8_t msg[66000], wire[70000];
    static got a, b;
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7);
    size_t n = 0;
    n += frame(wire + n, 0x02, msg, 100);                 /* fragmented: 100 + */
    n += frame(wire + n, 0x89, (const uint8_t *)"p", 1);  /* a ping between */
    n += frame(wire + n, 0x00, msg + 100, 300);           /* 300 (16-bit length) */
    n += frame(wire + n, 0x80, msg + 400, 65600);         /* 65600 (64-bit length), FIN */
    n += frame(wire + n, 0x82, msg, 0);                   /* an empty message */
    static uint8_t copy[70000];
    synack_br_ws w;
    memset(&a, 0, sizeof(a));
    memcpy(copy, wire, n);
    synack_br_ws_init(&w);
    assert_int_equal(synack_br_ws_feed(&w, copy, n, &CB, &a), SYNACK_BR_WS_OK);
    assert_int_equal(a.n, 66000);
    assert_memory_equal(a.data, msg, 66000);
    assert_int_equal(a.pings, 1);
    assert_int_equal(w.messages, 2);
    memset(&b, 0, sizeof(b));
    memcpy(copy, wire, n);
    synack_br_ws_init(&w);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(synack_br_ws_feed(&w, copy + i, 1, &CB, &b), SYNACK_BR_WS_OK);
    assert_int_equal(b.n, 66000);
    assert_memory_equal(b.data, msg, 66000);
    assert_int_equal(b.pings, 1);

    struct {
        uint8_t wire[16];
        size_t n;
        synack_br_ws_status want;
    } cases[] = {
        {{0x82, 0x01, 'x'}, 3, SYNACK_BR_WS_PROTOCOL},                 /* unmasked */
        {{0x81, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_TEXT},             /* text */
        {{0xC2, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_PROTOCOL},         /* RSV1 */
        {{0x80, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_PROTOCOL},         /* stray continuation */
        {{0x83, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_PROTOCOL},         /* reserved opcode */
        {{0x09, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_PROTOCOL},         /* fragmented ping */
        {{0x89, 0xFE, 0, 126, 1, 2, 3, 4}, 8, SYNACK_BR_WS_PROTOCOL}, /* 126-byte ping */
        {{0x82, 0xFE, 0, 5, 1, 2, 3, 4}, 8, SYNACK_BR_WS_PROTOCOL},   /* non-minimal length */
        {{0x82, 0xFF, 0, 0, 0, 0, 0, 0x20, 0, 0, 1, 2, 3, 4}, 14, SYNACK_BR_WS_TOO_BIG},
        {{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 14, SYNACK_BR_WS_PROTOCOL},
        {{0x88, 0x80, 1, 2, 3, 4}, 6, SYNACK_BR_WS_CLOSED},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        synack_br_ws_init(&w);
        memset(&a, 0, sizeof(a));
        assert_int_equal(synack_br_ws_feed(&w, cases[i].wire, cases[i].n, &CB, &a),
                         cases[i].want);
    }
    uint8_t h[10];
    assert_int_equal(synack_br_ws_frame_header(h, 2, 125), 2);
    assert_int_equal(synack_br_ws_frame_header(h, 2, 126), 4);
    assert_int_equal(synack_br_ws_frame_header(h, 2, 65535), 4);
    assert_int_equal(synack_br_ws_frame_header(h, 2, 65536), 10);
    assert_int_equal(h[0], 0x82);
    assert_int_equal(h[1], 127);
    assert_int_equal(h[7], 1);
}

/* A client on one end of a socketpair: the 101 comes back, then three
 * queued frames leave in ONE binary message. */
static void test_client_batches(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    synack_br_client c;
    assert_int_equal(synack_br_client_open(&c, sv[0], 1, "test", 1518, 65540), 0);
    assert_int_equal(synack_br_client_expect_ws(&c, NULL, 0), 0);
    assert_true(synack_br_client_ws_waiting(&c));
    uint8_t f[3][100];
    for (int i = 0; i < 3; i++) {
        memset(f[i], 'a' + i, sizeof(f[i]));
        assert_true(synack_br_client_queue(&c, f[i], 60 + 10 * (size_t)i));
    }
    assert_false(synack_br_client_pending(&c)); /* nothing before the upgrade */
    uint8_t req[sizeof(REQ)];
    memcpy(req, REQ, sizeof(REQ) - 1);
    assert_int_equal(synack_br_client_input(&c, NULL, req, sizeof(REQ) - 1, 0), SYNACK_BR_OPEN);
    assert_false(synack_br_client_ws_waiting(&c));
    char resp[512];
    ssize_t r = read(sv[1], resp, sizeof(resp) - 1);
    assert_true(r > 0);
    resp[r] = '\0';
    assert_non_null(strstr(resp, "101 Switching Protocols"));
    assert_true(synack_br_client_pending(&c));
    assert_int_equal(synack_br_client_flush(&c), 0);
    assert_false(synack_br_client_pending(&c));
    uint8_t out[512];
    r = read(sv[1], out, sizeof(out));
    size_t payload = 3 * 4 + 60 + 70 + 80;
    assert_int_equal(r, 4 + (ssize_t)payload); /* one header: 0x82 126 len16 */
    assert_int_equal(out[0], 0x82);
    assert_int_equal(out[1], 126);
    assert_int_equal((out[2] << 8) | out[3], payload);
    assert_int_equal(out[4 + 3], 60);
    assert_memory_equal(out + 8, f[0], 60);
    assert_int_equal(out[4 + 64 + 3], 70);
    synack_br_client_ws_goodbye(&c, SYNACK_BR_CLOSED_SHUTDOWN);
    r = read(sv[1], out, sizeof(out));
    assert_int_equal(r, 4);
    assert_int_equal(out[0], 0x88);
    assert_int_equal((out[2] << 8) | out[3], 1001);
    synack_br_client_close(&c);
    close(sv[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_frames),
        cmocka_unit_test(test_client_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
