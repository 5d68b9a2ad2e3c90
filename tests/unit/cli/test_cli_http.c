/*
 * The HTTP/1.1 pieces of `get` (host/cli/http.c): URL parsing, the
 * request, and the response parser with Content-Length, chunked transfer
 * coding (RFC 9112 section 7.1) and read-to-close bodies, fed whole and
 * byte by byte.
 */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wstring-concatenation"
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http.h"

/* ---- URL and request --------------------------------------------------- */

static void url_ok(void **state)
{
    (void)state;
    synack_http_url u;
    char err[128];
    assert_int_equal(synack_http_parse_url("http://10.0.2.2/", &u, err, sizeof err), 0);
    assert_string_equal(u.host, "10.0.2.2");
    assert_int_equal(u.port, 80);
    assert_string_equal(u.path, "/");

    assert_int_equal(synack_http_parse_url("HTTP://example.com:8080/a/b?x=1#frag",
                                           &u, err, sizeof err), 0);
    assert_string_equal(u.host, "example.com");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/a/b?x=1");

    assert_int_equal(synack_http_parse_url("http://h", &u, err, sizeof err), 0);
    assert_string_equal(u.path, "/");
    assert_int_equal(synack_http_parse_url("http://h?q", &u, err, sizeof err), 0);
    assert_string_equal(u.path, "/?q");
    assert_int_equal(synack_http_parse_url("http://h:65535", &u, err, sizeof err), 0);
    assert_int_equal(u.port, 65535);
    assert_false(u.tls);

    /* https: TLS, port 443 by default. */
    assert_int_equal(synack_http_parse_url("HTTPS://server.test/x", &u, err, sizeof err), 0);
    assert_true(u.tls);
    assert_string_equal(u.host, "server.test");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.path, "/x");
    assert_int_equal(synack_http_parse_url("https://h:4433", &u, err, sizeof err), 0);
    assert_true(u.tls);
    assert_int_equal(u.port, 4433);
}

static void url_ipv6(void **state)
{
    (void)state;
    synack_http_url u;
    char err[128], buf[512];
    assert_int_equal(synack_http_parse_url("http://[fd00::2]:8080/x", &u, err, sizeof err), 0);
    assert_string_equal(u.host, "fd00::2");
    assert_int_equal(u.port, 8080);
    assert_string_equal(u.path, "/x");
    /* the Host header puts the literal back in brackets (RFC 9110 7.2) */
    assert_true(synack_http_request(&u, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "Host: [fd00::2]:8080\r\n"));
    assert_int_equal(synack_http_parse_url("https://[2001:db8::1]", &u, err, sizeof err), 0);
    assert_string_equal(u.host, "2001:db8::1");
    assert_int_equal(u.port, 443);
    assert_string_equal(u.path, "/");
    assert_true(synack_http_request(&u, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "Host: [2001:db8::1]\r\n"));
}

static void url_bad(void **state)
{
    (void)state;
    synack_http_url u;
    char err[128];
    const struct {
        const char *url, *why;
    } cases[] = {
        {"https:///", "empty host"},
        {"ftp://h/", "http://"},
        {"h/path", "http://"},
        {"http:///x", "empty host"},
        {"http://:80/", "empty host"},
        {"http://h:/", "empty port"},
        {"http://h:0/", "bad port"},
        {"http://h:65536/", "bad port"},
        {"http://h:99999999999/", "bad port"},
        {"http://h:8a/", "bad port"},
        {"http://u@h/", "user info"},
        {"http://[::1/", "unclosed"},
        {"http://[]/", "IPv6 literal"},
        {"http://[10.0.0.1]/", "IPv6 literal"},
        {"http://[fe80::1%eth0]/", "IPv6 literal"},
        {"http://[::1]x/", "IPv6 literal"},
        {"http://[::1]:/", "empty port"},
        {"http://h/a b", "spaces"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        if (synack_http_parse_url(cases[i].url, &u, err, sizeof err) != -1)
            fail_msg("%s accepted", cases[i].url);
        if (strstr(err, cases[i].why) == NULL)
            fail_msg("%s: '%s' lacks '%s'", cases[i].url, err, cases[i].why);
    }
    char longurl[400];
    strcpy(longurl, "http://");
    memset(longurl + 7, 'a', 300);
    longurl[307] = '\0';
    assert_int_equal(synack_http_parse_url(longurl, &u, err, sizeof err), -1);
}

static void request_text(void **state)
{
    (void)state;
    synack_http_url u;
    char buf[512];
    assert_int_equal(synack_http_parse_url("http://10.0.2.2/f.bin", &u, NULL, 0), 0);
    int n = synack_http_request(&u, buf, sizeof buf);
    assert_true(n > 0);
    assert_string_equal(buf, "GET /f.bin HTTP/1.1\r\n"
                             "Host: 10.0.2.2\r\n"
                             "User-Agent: synack/0.1\r\n"
                             "Accept: */*\r\n"
                             "Connection: close\r\n\r\n");
    assert_int_equal((size_t)n, strlen(buf));
    assert_int_equal(synack_http_parse_url("http://h:8000", &u, NULL, 0), 0);
    synack_http_request(&u, buf, sizeof buf);
    assert_non_null(strstr(buf, "GET / HTTP/1.1\r\nHost: h:8000\r\n"));
    assert_int_equal(synack_http_request(&u, buf, 20), -1);
    /* The scheme's default port is left out of Host; another is kept. */
    assert_int_equal(synack_http_parse_url("https://h/", &u, NULL, 0), 0);
    synack_http_request(&u, buf, sizeof buf);
    assert_non_null(strstr(buf, "\r\nHost: h\r\n"));
    assert_int_equal(synack_http_parse_url("https://h:80/", &u, NULL, 0), 0);
    synack_http_request(&u, buf, sizeof buf);
    assert_non_null(strstr(buf, "\r\nHost: h:80\r\n"));
}

/* ---- responses --------------------------------------------------------- */

typedef struct body {
    uint8_t data[4096];
    size_t len;
} body;

static int collect(void *ctx, const uint8_t *data, size_t len)
{
    body *b = ctx;
    assert_true(b->len + len <= sizeof b->data);
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

/* Parse `text` whole and byte by byte; both must agree. Returns the feed
 * result (0 or -1) and the response and body of the whole parse. */
static int parse(const char *text, bool eof, synack_http_resp *r, body *b)
{
    synack_http_resp *r2 = malloc(sizeof *r2);
    body *b2 = calloc(1, sizeof *b2);
    assert_non_null(r2);
    assert_non_null(b2);
    size_t len = strlen(text);

    synack_http_resp_init(r);
    memset(b, 0, sizeof *b);
    int rc = synack_http_resp_feed(r, (const uint8_t *)text, len, collect, b);
    if (rc == 0 && eof)
        rc = synack_http_resp_eof(r);

    synack_http_resp_init(r2);
    int rc2 = 0;
    for (size_t i = 0; i < len && rc2 == 0; i++)
        rc2 = synack_http_resp_feed(r2, (const uint8_t *)text + i, 1, collect, b2);
    if (rc2 == 0 && eof)
        rc2 = synack_http_resp_eof(r2);

    assert_int_equal(rc, rc2);
    assert_int_equal(r->status, r2->status);
    assert_int_equal(b->len, b2->len);
    assert_memory_equal(b->data, b2->data, b->len);
    free(r2);
    free(b2);
    return rc;
}

static void content_length(void **state)
{
    (void)state;
    synack_http_resp *r = malloc(sizeof *r);
    body *b = malloc(sizeof *b);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                           "Content-Type: text/plain\r\n\r\nhelloEXTRA",
                           false, r, b), 0);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->status_line, "HTTP/1.1 200 OK");
    assert_true(r->headers_done);
    assert_true(synack_http_resp_done(r));
    assert_int_equal(b->len, 5);
    assert_memory_equal(b->data, "hello", 5);

    /* Cut short: EOF before the end of the body. */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\ncontent-length:  10 \r\n\r\nhello",
                           true, r, b), -1);
    assert_non_null(strstr(r->error, "before the end of the body"));

    /* Zero length, bare LF line ends. */
    assert_int_equal(parse("HTTP/1.0 404 Not Found\nContent-Length: 0\n\n",
                           false, r, b), 0);
    assert_int_equal(r->status, 404);
    assert_true(synack_http_resp_done(r));
    assert_int_equal(b->len, 0);
    free(r);
    free(b);
}

static void read_to_close(void **state)
{
    (void)state;
    synack_http_resp *r = malloc(sizeof *r);
    body *b = malloc(sizeof *b);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of it\nuntil close",
                           false, r, b), 0);
    assert_false(synack_http_resp_done(r));
    assert_int_equal(synack_http_resp_eof(r), 0);
    assert_true(synack_http_resp_done(r));
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of it\nuntil close",
                           true, r, b), 0);
    assert_int_equal(b->len, strlen("all of it\nuntil close"));
    assert_memory_equal(b->data, "all of it\nuntil close", b->len);

    /* 204 has no body even without a length. */
    assert_int_equal(parse("HTTP/1.1 204 No Content\r\n\r\n", false, r, b), 0);
    assert_true(synack_http_resp_done(r));

    /* EOF before the headers ended. */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-", true, r, b), -1);
    assert_non_null(strstr(r->error, "before the response headers"));
    free(r);
    free(b);
}

static void chunked(void **state)
{
    (void)state;
    synack_http_resp *r = malloc(sizeof *r);
    body *b = malloc(sizeof *b);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\n"
                           "Transfer-Encoding: gzip, chunked\r\n"
                           "Content-Length: 999\r\n\r\n"
                           "4\r\nWiki\r\n"
                           "5;name=value\r\npedia\r\n"
                           "E\r\n in\r\n\r\nchunks.\r\n"
                           "0\r\nTrailer: x\r\n\r\n",
                           false, r, b), 0);
    assert_true(r->chunked);
    assert_true(synack_http_resp_done(r));
    assert_int_equal(b->len, 23);
    assert_memory_equal(b->data, "Wikipedia in\r\n\r\nchunks.", 23);

    /* Interim 100 Continue before the real response. */
    assert_int_equal(parse("HTTP/1.1 100 Continue\r\n\r\n"
                           "HTTP/1.1 200 OK\r\ntransfer-encoding: CHUNKED\r\n\r\n"
                           "a\r\n0123456789\r\n0\r\n\r\n",
                           false, r, b), 0);
    assert_int_equal(r->status, 200);
    assert_int_equal(b->len, 10);

    /* Truncated chunked body. */
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "a\r\n01234", true, r, b), -1);
    free(r);
    free(b);
}

static void malformed(void **state)
{
    (void)state;
    synack_http_resp *r = malloc(sizeof *r);
    body *b = malloc(sizeof *b);
    const char *cases[] = {
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Low\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (parse(cases[i], false, r, b) != -1)
            fail_msg("case %u accepted", (unsigned)i);
        assert_int_equal(r->phase, SYNACK_HTTP_ERROR);
        assert_non_null(r->error);
        /* Sticky. */
        assert_int_equal(synack_http_resp_feed(r, (const uint8_t *)"x", 1,
                                               collect, b), -1);
    }
    /* A header line longer than the limit. */
    size_t n = SYNACK_HTTP_LINE_MAX + 100;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
    memset(big + 20, 'a', n - 20);
    big[n] = '\0';
    synack_http_resp_init(r);
    assert_int_equal(synack_http_resp_feed(r, (const uint8_t *)big, n, collect, b), -1);
    assert_non_null(strstr(r->error, "too long"));
    free(big);
    free(r);
    free(b);
}

static int stop_at_once(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
    return -7;
}

static void callback_stops(void **state)
{
    (void)state;
    synack_http_resp *r = malloc(sizeof *r);
    synack_http_resp_init(r);
    const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    assert_int_equal(synack_http_resp_feed(r, (const uint8_t *)t, strlen(t),
                                           stop_at_once, NULL), -7);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(url_ok),
        cmocka_unit_test(url_bad),
        cmocka_unit_test(url_ipv6),
        cmocka_unit_test(request_text),
        cmocka_unit_test(content_length),
        cmocka_unit_test(read_to_close),
        cmocka_unit_test(chunked),
        cmocka_unit_test(malformed),
        cmocka_unit_test(callback_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
