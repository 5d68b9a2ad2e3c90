/*
 * HTTP/1.1 GET client pieces: URL (RFC 3986 section 3, the "http" scheme
 * of RFC 9110 section 4.2.1), request (RFC 9112 section 3, Host per RFC
 * 9110 section 7.2), and the response: status line (RFC 9112 section 4),
 * header fields (section 5), message body length (section 6.3) with
 * Content-Length, chunked transfer coding (section 7.1) or read to close.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "synack/synack.h"

static int url_fail(char *err, size_t cap, const char *why)
{
    if (err != NULL && cap > 0)
        snprintf(err, cap, "%s", why);
    return -1;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool prefix_nocase(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++)
        if (lower(*s) != *prefix)
            return false;
    return true;
}

int synack_http_parse_url(const char *text, synack_http_url *u, char *err,
                          size_t errcap)
{
    bool tls = prefix_nocase(text, "https://");
    if (!tls && !prefix_nocase(text, "http://"))
        return url_fail(err, errcap, "expected an http:// or https:// URL");
    const char *p = text + (tls ? 8 : 7);
    u->tls = tls;
    size_t auth_len = strcspn(p, "/?#");
    const char *auth = p;
    if (memchr(auth, '@', auth_len) != NULL)
        return url_fail(err, errcap, "user info in URLs is not supported");
    const char *colon;
    if (auth_len > 0 && auth[0] == '[') {
        /* RFC 3986 3.2.2: an IPv6 literal in brackets (no zone ids) */
        const char *close = memchr(auth, ']', auth_len);
        if (close == NULL)
            return url_fail(err, errcap, "unclosed '[' in URL");
        size_t l = (size_t)(close - auth - 1);
        synack_addr a;
        if (l == 0 || l >= sizeof u->host)
            return url_fail(err, errcap, "bad IPv6 literal in URL");
        memcpy(u->host, auth + 1, l);
        u->host[l] = '\0';
        if (synack_addr_parse(u->host, &a) != 0 || a.family != SYNACK_AF_IP6)
            return url_fail(err, errcap, "bad IPv6 literal in URL");
        const char *after = close + 1, *end = auth + auth_len;
        if (after != end && *after != ':')
            return url_fail(err, errcap, "bad IPv6 literal in URL");
        colon = after != end ? after : NULL;
    } else {
        colon = memchr(auth, ':', auth_len);
        size_t host_len = colon != NULL ? (size_t)(colon - auth) : auth_len;
        if (host_len == 0)
            return url_fail(err, errcap, "empty host in URL");
        if (host_len >= sizeof u->host)
            return url_fail(err, errcap, "host name too long");
        memcpy(u->host, auth, host_len);
        u->host[host_len] = '\0';
    }
    u->port = tls ? 443 : 80;
    if (colon != NULL) {
        const char *d = colon + 1, *end = auth + auth_len;
        uint32_t port = 0;
        if (d == end)
            return url_fail(err, errcap, "empty port in URL");
        for (; d < end; d++) {
            if (*d < '0' || *d > '9' || port > 6553)
                return url_fail(err, errcap, "bad port in URL");
            port = port * 10u + (uint32_t)(*d - '0');
        }
        if (port == 0 || port > 65535)
            return url_fail(err, errcap, "bad port in URL");
        u->port = (uint16_t)port;
    }
    p += auth_len;
    size_t path_len = strcspn(p, "#");
    size_t extra = (path_len == 0 || p[0] == '?') ? 1 : 0; /* a leading "/" */
    if (path_len + extra >= sizeof u->path)
        return url_fail(err, errcap, "path too long");
    for (size_t i = 0; i < path_len; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
            return url_fail(err, errcap, "spaces or controls in URL path");
    if (extra)
        u->path[0] = '/';
    memcpy(u->path + extra, p, path_len);
    u->path[path_len + extra] = '\0';
    return 0;
}

int synack_http_request(const synack_http_url *u, char *buf, size_t cap)
{
    char port[8] = "";
    if (u->port != (u->tls ? 443 : 80))
        snprintf(port, sizeof port, ":%u", (unsigned)u->port);
    int n = snprintf(buf, cap,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s%s%s%s\r\n"
                     "User-Agent: synack/0.1\r\n"
                     "Accept: */*\r\n"
                     "Connection: close\r\n"
                     "\r\n",
                     u->path, strchr(u->host, ':') ? "[" : "", u->host,
                     strchr(u->host, ':') ? "]" : "", port);
    if (n < 0 || (size_t)n >= cap)
        return -1;
    return n;
}

void synack_http_resp_init(synack_http_resp *r)
{
    memset(r, 0, sizeof *r);
    r->phase = SYNACK_HTTP_STATUS;
}

static int resp_fail(synack_http_resp *r, const char *why)
{
    r->phase = SYNACK_HTTP_ERROR;
    r->error = why;
    return -1;
}

/* RFC 9112 section 4: HTTP-version SP status-code SP [reason-phrase]. */
static int status_line(synack_http_resp *r)
{
    const char *l = r->line;
    if (r->line_len < 12 || memcmp(l, "HTTP/1.", 7) != 0 ||
        l[7] < '0' || l[7] > '9' || l[8] != ' ')
        return resp_fail(r, "bad status line");
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (l[i] < '0' || l[i] > '9')
            return resp_fail(r, "bad status code");
        code = code * 10 + (l[i] - '0');
    }
    if (code < 100 || (r->line_len > 12 && l[12] != ' '))
        return resp_fail(r, "bad status code");
    r->status = code;
    size_t keep = r->line_len < sizeof r->status_line - 1
                      ? r->line_len : sizeof r->status_line - 1;
    memcpy(r->status_line, l, keep);
    r->status_line[keep] = '\0';
    r->chunked = false;
    r->has_length = false;
    r->no_body = code == 204 || code == 304;
    r->phase = SYNACK_HTTP_HEADERS;
    return 0;
}

/* Optional whitespace around a field value (RFC 9110 section 5.5). */
static const char *trim(const char *s, size_t *len)
{
    while (*len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*len)--;
    }
    while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
        (*len)--;
    return s;
}

static bool name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && prefix_nocase(name, want);
}

/* Whether the last transfer coding in the list is "chunked". */
static bool last_coding_chunked(const char *v, size_t len)
{
    const char *last = v;
    for (size_t i = 0; i < len; i++)
        if (v[i] == ',')
            last = v + i + 1;
    size_t l = len - (size_t)(last - v);
    last = trim(last, &l);
    return name_is(last, l, "chunked");
}

static int header_line(synack_http_resp *r)
{
    const char *l = r->line;
    const char *colon = memchr(l, ':', r->line_len);
    if (colon == NULL || colon == l)
        return resp_fail(r, "bad header field");
    size_t name_len = (size_t)(colon - l);
    for (size_t i = 0; i < name_len; i++)
        if (l[i] == ' ' || l[i] == '\t')
            return resp_fail(r, "whitespace in header name");
    size_t vlen = r->line_len - name_len - 1;
    const char *v = trim(colon + 1, &vlen);

    if (name_is(l, name_len, "content-length")) {
        uint64_t n = 0;
        if (vlen == 0)
            return resp_fail(r, "bad Content-Length");
        for (size_t i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9' || n > (UINT64_MAX / 10) - 9)
                return resp_fail(r, "bad Content-Length");
            n = n * 10 + (uint64_t)(v[i] - '0');
        }
        /* RFC 9112 section 6.3 (5): differing lengths are an error. */
        if (r->has_length && r->length != n)
            return resp_fail(r, "conflicting Content-Length");
        r->has_length = true;
        r->length = n;
    } else if (name_is(l, name_len, "transfer-encoding")) {
        r->chunked = last_coding_chunked(v, vlen);
        if (!r->chunked)
            return resp_fail(r, "unsupported Transfer-Encoding");
    }
    return 0;
}

/* The empty line after the header block: RFC 9112 section 6.3. */
static void headers_end(synack_http_resp *r)
{
    if (r->status < 200) {
        /* 1xx: an interim response; the real one follows. */
        r->phase = SYNACK_HTTP_STATUS;
        return;
    }
    r->headers_done = true;
    if (r->no_body) {
        r->phase = SYNACK_HTTP_DONE;
    } else if (r->chunked) {
        r->phase = SYNACK_HTTP_CHUNK_SIZE;
    } else if (r->has_length) {
        r->remaining = r->length;
        r->phase = r->length == 0 ? SYNACK_HTTP_DONE : SYNACK_HTTP_BODY_LENGTH;
    } else {
        r->phase = SYNACK_HTTP_BODY_CLOSE;
    }
}

static int hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* chunk-size [chunk-ext] (RFC 9112 section 7.1). */
static int chunk_size_line(synack_http_resp *r)
{
    uint64_t n = 0;
    size_t i = 0;
    for (; i < r->line_len; i++) {
        int d = hexdigit(r->line[i]);
        if (d < 0)
            break;
        if (n > (UINT64_MAX >> 4))
            return resp_fail(r, "chunk size too large");
        n = n * 16 + (uint64_t)d;
    }
    if (i == 0 || (i < r->line_len && r->line[i] != ';' &&
                   r->line[i] != ' ' && r->line[i] != '\t'))
        return resp_fail(r, "bad chunk size");
    r->remaining = n;
    r->phase = n == 0 ? SYNACK_HTTP_TRAILERS : SYNACK_HTTP_CHUNK_DATA;
    return 0;
}

/* A complete line is in r->line: act on it by phase. */
static int line_done(synack_http_resp *r)
{
    switch (r->phase) {
    case SYNACK_HTTP_STATUS:
        return status_line(r);
    case SYNACK_HTTP_HEADERS:
        if (r->line_len == 0) {
            headers_end(r);
            return 0;
        }
        return header_line(r);
    case SYNACK_HTTP_CHUNK_SIZE:
        return chunk_size_line(r);
    case SYNACK_HTTP_CHUNK_END:
        if (r->line_len != 0)
            return resp_fail(r, "missing CRLF after chunk");
        r->phase = SYNACK_HTTP_CHUNK_SIZE;
        return 0;
    case SYNACK_HTTP_TRAILERS:
        if (r->line_len == 0)
            r->phase = SYNACK_HTTP_DONE;
        return 0;
    default:
        return 0;
    }
}

static bool line_phase(synack_http_phase p)
{
    return p == SYNACK_HTTP_STATUS || p == SYNACK_HTTP_HEADERS ||
           p == SYNACK_HTTP_CHUNK_SIZE || p == SYNACK_HTTP_CHUNK_END ||
           p == SYNACK_HTTP_TRAILERS;
}

int synack_http_resp_feed(synack_http_resp *r, const uint8_t *data,
                          size_t len, synack_http_body_fn fn, void *ctx)
{
    size_t i = 0;
    while (i < len) {
        if (r->phase == SYNACK_HTTP_ERROR)
            return -1;
        if (r->phase == SYNACK_HTTP_DONE)
            return 0;
        if (line_phase(r->phase)) {
            char c = (char)data[i++];
            if (c == '\n') {
                if (r->line_len > 0 && r->line[r->line_len - 1] == '\r')
                    r->line_len--;
                r->line[r->line_len] = '\0';
                int rc = line_done(r);
                r->line_len = 0;
                if (rc != 0)
                    return rc;
            } else {
                if (r->line_len + 1 >= sizeof r->line)
                    return resp_fail(r, "line too long");
                r->line[r->line_len++] = c;
            }
            continue;
        }
        /* Body bytes: BODY_LENGTH, BODY_CLOSE or CHUNK_DATA. */
        size_t n = len - i;
        if (r->phase != SYNACK_HTTP_BODY_CLOSE && (uint64_t)n > r->remaining)
            n = (size_t)r->remaining;
        if (fn != NULL) {
            int rc = fn(ctx, data + i, n);
            if (rc < 0)
                return rc;
        }
        i += n;
        r->body_bytes += n;
        if (r->phase == SYNACK_HTTP_BODY_CLOSE)
            continue;
        r->remaining -= n;
        if (r->remaining == 0)
            r->phase = r->phase == SYNACK_HTTP_CHUNK_DATA ? SYNACK_HTTP_CHUNK_END
                                                         : SYNACK_HTTP_DONE;
    }
    return r->phase == SYNACK_HTTP_ERROR ? -1 : 0;
}

int synack_http_resp_eof(synack_http_resp *r)
{
    if (r->phase == SYNACK_HTTP_DONE || r->phase == SYNACK_HTTP_BODY_CLOSE) {
        r->phase = SYNACK_HTTP_DONE;
        return 0;
    }
    if (r->phase != SYNACK_HTTP_ERROR)
        resp_fail(r, r->headers_done ? "connection closed before the end of the body"
                                     : "connection closed before the response headers");
    return -1;
}

bool synack_http_resp_done(const synack_http_resp *r)
{
    return r->phase == SYNACK_HTTP_DONE;
}
