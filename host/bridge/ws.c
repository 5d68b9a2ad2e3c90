/*
 * RFC 6455 server side for synack-bridge --listen-ws: see ws.h. The only
 * cryptography is the handshake's SHA-1 (RFC 6455 4.2.2, not a security
 * function here), from OpenSSL's libcrypto.
 */
#include "ws.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/* ---- the opening handshake --------------------------------------------- */

typedef struct span {
    const char *p;
    size_t n;
} span;

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool eq_nocase(span s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
            return false;
    return true;
}

static span trim(span s)
{
    while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

/* Whether the comma-separated list s holds the token lit (ASCII case
 * ignored when nocase). */
static bool list_has(span s, const char *lit, bool nocase)
{
    size_t i = 0;
    while (i <= s.n) {
        size_t j = i;
        while (j < s.n && s.p[j] != ',')
            j++;
        span t = trim((span){s.p + i, j - i});
        if (nocase ? eq_nocase(t, lit)
                   : (t.n == strlen(lit) && memcmp(t.p, lit, t.n) == 0))
            return true;
        i = j + 1;
    }
    return false;
}

static bool is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* A Sec-WebSocket-Key: base64 of 16 bytes (22 characters and "=="). */
static bool valid_key(span k)
{
    if (k.n != 24 || k.p[22] != '=' || k.p[23] != '=')
        return false;
    for (size_t i = 0; i < 22; i++)
        if (!is_b64(k.p[i]))
            return false;
    return true;
}

static bool token_char(char c)
{
    return c > ' ' && c < 127 && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

synack_br_ws_hs_status synack_br_ws_handshake_parse(const uint8_t *buf, size_t n,
                                                    const char *const *origins,
                                                    size_t norigins,
                                                    synack_br_ws_handshake *out)
{
    memset(out, 0, sizeof(*out));
    const char *s = (const char *)buf;
    size_t lim = n < SYNACK_BR_WS_HS_MAX ? n : SYNACK_BR_WS_HS_MAX;
    size_t end = 0;
    for (size_t i = 3; i < lim; i++) {
        if (s[i - 3] == '\r' && s[i - 2] == '\n' && s[i - 1] == '\r' && s[i] == '\n') {
            end = i + 1;
            break;
        }
    }
    if (end == 0)
        return n >= SYNACK_BR_WS_HS_MAX ? SYNACK_BR_WS_HS_TOO_BIG : SYNACK_BR_WS_HS_MORE;
    out->used = end;
    if (memchr(s, '\0', end) != NULL)
        return SYNACK_BR_WS_HS_BAD;

    /* Request line: GET <target> HTTP/1.1 */
    size_t ll = 0;
    while (s[ll] != '\r' || s[ll + 1] != '\n')
        ll++; /* stops at the blank line at the latest */
    if (ll < 14 || memcmp(s, "GET ", 4) != 0 || memcmp(s + ll - 9, " HTTP/1.1", 9) != 0)
        return SYNACK_BR_WS_HS_BAD;
    for (size_t i = 4; i < ll - 9; i++)
        if (s[i] <= ' ' || s[i] >= 127)
            return SYNACK_BR_WS_HS_BAD;

    bool host = false, upgrade = false, connection = false;
    int keys = 0;
    span key = {0}, version = {0}, origin = {0};
    bool have_version = false, have_origin = false;
    size_t i = ll + 2;
    while (i < end - 2) {
        size_t j = i;
        while (s[j] != '\r')
            j++;
        if (s[j + 1] != '\n')
            return SYNACK_BR_WS_HS_BAD;
        span line = {s + i, j - i};
        const char *colon = memchr(line.p, ':', line.n);
        if (colon == NULL || colon == line.p)
            return SYNACK_BR_WS_HS_BAD; /* also obs-fold lines (leading space) */
        span name = {line.p, (size_t)(colon - line.p)};
        for (size_t k = 0; k < name.n; k++)
            if (!token_char(name.p[k]))
                return SYNACK_BR_WS_HS_BAD;
        span value = trim((span){colon + 1, line.n - name.n - 1});
        for (size_t k = 0; k < value.n; k++)
            if ((unsigned char)value.p[k] < ' ' && value.p[k] != '\t')
                return SYNACK_BR_WS_HS_BAD;
        if (eq_nocase(name, "host")) {
            host = true;
        } else if (eq_nocase(name, "upgrade")) {
            upgrade = upgrade || list_has(value, "websocket", true);
        } else if (eq_nocase(name, "connection")) {
            connection = connection || list_has(value, "upgrade", true);
        } else if (eq_nocase(name, "sec-websocket-key")) {
            keys++;
            key = value;
        } else if (eq_nocase(name, "sec-websocket-version")) {
            if (have_version)
                return SYNACK_BR_WS_HS_BAD;
            have_version = true;
            version = value;
        } else if (eq_nocase(name, "origin")) {
            if (have_origin)
                return SYNACK_BR_WS_HS_BAD;
            have_origin = true;
            origin = value;
        } else if (eq_nocase(name, "sec-websocket-protocol")) {
            out->binary = out->binary || list_has(value, "binary", false);
        }
        i = j + 2;
    }
    if (!host || !upgrade || !connection || keys != 1 || !valid_key(key) || !have_version)
        return SYNACK_BR_WS_HS_BAD;
    if (!(version.n == 2 && memcmp(version.p, "13", 2) == 0))
        return SYNACK_BR_WS_HS_VERSION;
    if (norigins > 0) {
        bool ok = false;
        for (size_t k = 0; k < norigins && have_origin && !ok; k++)
            ok = eq_nocase(origin, origins[k]);
        if (!ok)
            return SYNACK_BR_WS_HS_ORIGIN;
    }

    char cat[24 + sizeof(GUID)];
    memcpy(cat, key.p, 24);
    memcpy(cat + 24, GUID, sizeof(GUID) - 1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(cat, sizeof(cat) - 1, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
        return SYNACK_BR_WS_HS_BAD;
    EVP_EncodeBlock((unsigned char *)out->accept, md, 20); /* 28 chars + NUL */
    return SYNACK_BR_WS_HS_OK;
}

size_t synack_br_ws_handshake_response(synack_br_ws_hs_status st,
                                       const synack_br_ws_handshake *hs,
                                       char *out, size_t cap)
{
    int r;
    switch (st) {
    case SYNACK_BR_WS_HS_OK:
        r = snprintf(out, cap,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n",
                     hs->accept, hs->binary ? "Sec-WebSocket-Protocol: binary\r\n" : "");
        break;
    case SYNACK_BR_WS_HS_VERSION:
        r = snprintf(out, cap, "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                               "Connection: close\r\nContent-Length: 0\r\n\r\n");
        break;
    case SYNACK_BR_WS_HS_ORIGIN:
        r = snprintf(out, cap, "HTTP/1.1 403 Forbidden\r\nConnection: close\r\n"
                               "Content-Length: 0\r\n\r\n");
        break;
    default:
        r = snprintf(out, cap, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                               "Content-Length: 0\r\n\r\n");
        break;
    }
    if (r < 0)
        return 0;
    return (size_t)r < cap ? (size_t)r : cap - 1;
}

/* ---- frames ------------------------------------------------------------ */

void synack_br_ws_init(synack_br_ws *w)
{
    memset(w, 0, sizeof(*w));
}

size_t synack_br_ws_frame_header(uint8_t *out, uint8_t opcode, uint64_t len)
{
    out[0] = (uint8_t)(0x80 | opcode);
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len < 65536) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}

/* XOR with the masking key, 8 bytes at a time (the client masks every
 * byte it sends, so this runs over the whole upstream). */
static void unmask(uint8_t *p, size_t n, const uint8_t mask[4], uint32_t pos)
{
    uint8_t m[8];
    for (int k = 0; k < 8; k++)
        m[k] = mask[(pos + (uint32_t)k) & 3];
    uint64_t m64;
    memcpy(&m64, m, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= m64;
        memcpy(p + i, &v, 8);
    }
    for (; i < n; i++)
        p[i] ^= m[i & 7];
}

/* The header in w->hdr is complete: check it and start the payload. */
static synack_br_ws_status start_frame(synack_br_ws *w)
{
    uint8_t b0 = w->hdr[0], b1 = w->hdr[1];
    if (b0 & 0x70)
        return SYNACK_BR_WS_PROTOCOL; /* no extension was negotiated */
    uint8_t op = b0 & 0x0F;
    bool fin = (b0 & 0x80) != 0;
    uint64_t len = b1 & 0x7F;
    size_t at = 2;
    if (len == 126) {
        len = ((uint64_t)w->hdr[2] << 8) | w->hdr[3];
        if (len < 126)
            return SYNACK_BR_WS_PROTOCOL; /* not the minimal encoding */
        at = 4;
    } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++)
            len = (len << 8) | w->hdr[2 + i];
        if (len < 65536 || (len >> 63))
            return SYNACK_BR_WS_PROTOCOL;
        at = 10;
    }
    memcpy(w->mask, w->hdr + at, 4);
    switch (op) {
    case 0x0:
        if (!w->in_message)
            return SYNACK_BR_WS_PROTOCOL;
        break;
    case 0x1:
        return w->in_message ? SYNACK_BR_WS_PROTOCOL : SYNACK_BR_WS_TEXT;
    case 0x2:
        if (w->in_message)
            return SYNACK_BR_WS_PROTOCOL;
        w->in_message = true;
        w->msg_len = 0;
        break;
    case 0x8:
    case 0x9:
    case 0xA:
        if (!fin || len > 125)
            return SYNACK_BR_WS_PROTOCOL;
        w->ctrl_len = 0;
        break;
    default:
        return SYNACK_BR_WS_PROTOCOL;
    }
    if (op <= 0x2) {
        if (len > SYNACK_BR_WS_MSG_MAX - w->msg_len)
            return SYNACK_BR_WS_TOO_BIG;
        w->msg_len += len;
    }
    w->opcode = (uint8_t)(op | (fin ? 0x80 : 0));
    w->left = len;
    w->mpos = 0;
    w->in_payload = true;
    w->hlen = 0;
    return SYNACK_BR_WS_OK;
}

/* The current frame's payload is complete. */
static synack_br_ws_status end_frame(synack_br_ws *w, const synack_br_ws_cb *cb,
                                     void *ctx)
{
    w->in_payload = false;
    uint8_t op = w->opcode & 0x0F;
    if (op <= 0x2) {
        if (w->opcode & 0x80) {
            w->in_message = false;
            w->messages++;
        }
        return SYNACK_BR_WS_OK;
    }
    if (op == 0x8)
        return SYNACK_BR_WS_CLOSED;
    if (op == 0x9 && cb->ping != NULL)
        cb->ping(ctx, w->ctrl, w->ctrl_len);
    return SYNACK_BR_WS_OK; /* a pong: nothing to do */
}

synack_br_ws_status synack_br_ws_feed(synack_br_ws *w, uint8_t *data, size_t n,
                                      const synack_br_ws_cb *cb, void *ctx)
{
    size_t i = 0;
    while (i < n) {
        if (!w->in_payload) {
            /* Gather the header: 2 bytes, then its length and mask key. */
            size_t need = 2;
            if (w->hlen >= 2) {
                if (!(w->hdr[1] & 0x80))
                    return SYNACK_BR_WS_PROTOCOL; /* clients must mask */
                uint8_t l7 = w->hdr[1] & 0x7F;
                need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + 4;
            }
            while (w->hlen < need && i < n)
                w->hdr[w->hlen++] = data[i++];
            if (w->hlen < need)
                return SYNACK_BR_WS_OK;
            if (need == 2)
                continue; /* now the full header length is known */
            synack_br_ws_status st = start_frame(w);
            if (st != SYNACK_BR_WS_OK)
                return st;
            if (w->left == 0) {
                st = end_frame(w, cb, ctx);
                if (st != SYNACK_BR_WS_OK)
                    return st;
            }
            continue;
        }
        size_t take = n - i;
        if (take > w->left)
            take = (size_t)w->left;
        uint8_t *p = data + i;
        unmask(p, take, w->mask, w->mpos);
        w->mpos = (w->mpos + (uint32_t)take) & 3;
        w->left -= take;
        i += take;
        if ((w->opcode & 0x0F) <= 0x2) {
            if (cb->data != NULL && cb->data(ctx, p, take) != 0)
                return SYNACK_BR_WS_STOPPED;
        } else {
            memcpy(w->ctrl + w->ctrl_len, p, take); /* len <= 125 checked */
            w->ctrl_len = (uint8_t)(w->ctrl_len + take);
        }
        if (w->left == 0) {
            synack_br_ws_status st = end_frame(w, cb, ctx);
            if (st != SYNACK_BR_WS_OK)
                return st;
        }
    }
    return SYNACK_BR_WS_OK;
}
