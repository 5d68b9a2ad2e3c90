/*
 * PROXY protocol parser (the specification published with HAProxy,
 * "The PROXY protocol, Versions 1 & 2"). Every length is checked against
 * what has arrived and against SYNACK_BR_PROXY_MAX before it is used.
 */
#include "proxy.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v2_sig[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                   0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* A decimal port 0..65535 without leading zeros (v1 grammar). */
static int v1_port(const char *s, size_t n, uint16_t *out)
{
    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* One address token (no NUL in it; at most 45 characters for IPv6). */
static int v1_addr(int family, const char *s, size_t n, uint8_t *out)
{
    char tmp[48];
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(family, tmp, out) == 1 ? 0 : -1;
}

static synack_br_proxy_status parse_v1(const uint8_t *buf, size_t len,
                                       synack_br_proxy_addr *out,
                                       size_t *hdr_len)
{
    /* Find CRLF within the first 107 bytes. */
    size_t lim = len < SYNACK_BR_PROXY_V1_MAX ? len : SYNACK_BR_PROXY_V1_MAX;
    size_t end = 0;
    for (size_t i = 0; i < lim; i++) {
        if (buf[i] == '\r') {
            if (i + 1 == lim)
                break; /* the LF may come next */
            if (buf[i + 1] != '\n')
                return SYNACK_BR_PROXY_BAD; /* a CR alone */
            end = i;
            break;
        }
        if (buf[i] == '\0' || buf[i] == '\n')
            return SYNACK_BR_PROXY_BAD;
    }
    if (end == 0)
        return len < SYNACK_BR_PROXY_V1_MAX ? SYNACK_BR_PROXY_MORE : SYNACK_BR_PROXY_BAD;
    /* "PROXY " proto " " src " " dst " " sport " " dport, single spaces. */
    const char *s = (const char *)buf;
    const char *tok[6];
    size_t tlen[6];
    int nt = 0;
    size_t i = 0;
    while (i < end) {
        size_t j = i;
        while (j < end && s[j] != ' ')
            j++;
        if (j == i || nt == 6)
            return SYNACK_BR_PROXY_BAD; /* empty token (double space) or too many */
        tok[nt] = s + i;
        tlen[nt] = j - i;
        nt++;
        i = j + 1;
        if (j < end && j + 1 == end)
            return SYNACK_BR_PROXY_BAD; /* trailing space */
    }
    if (nt < 2 || tlen[0] != 5 || memcmp(tok[0], "PROXY", 5) != 0)
        return SYNACK_BR_PROXY_BAD;
    memset(out, 0, sizeof(*out));
    *hdr_len = end + 2;
    if (tlen[1] == 7 && memcmp(tok[1], "UNKNOWN", 7) == 0)
        return SYNACK_BR_PROXY_DONE; /* the rest of the line is ignored */
    int fam;
    if (tlen[1] == 4 && memcmp(tok[1], "TCP4", 4) == 0)
        fam = AF_INET;
    else if (tlen[1] == 4 && memcmp(tok[1], "TCP6", 4) == 0)
        fam = AF_INET6;
    else
        return SYNACK_BR_PROXY_BAD;
    uint8_t dst[16];
    uint16_t dport;
    if (nt != 6 || v1_addr(fam, tok[2], tlen[2], out->addr) < 0 ||
        v1_addr(fam, tok[3], tlen[3], dst) < 0 ||
        v1_port(tok[4], tlen[4], &out->port) < 0 ||
        v1_port(tok[5], tlen[5], &dport) < 0)
        return SYNACK_BR_PROXY_BAD;
    out->family = fam;
    return SYNACK_BR_PROXY_DONE;
}

static synack_br_proxy_status parse_v2(const uint8_t *buf, size_t len,
                                       synack_br_proxy_addr *out,
                                       size_t *hdr_len)
{
    if (len < 16)
        return SYNACK_BR_PROXY_MORE;
    uint8_t ver = buf[12] >> 4, cmd = buf[12] & 0x0f;
    uint8_t fam = buf[13] >> 4, proto = buf[13] & 0x0f;
    size_t body = ((size_t)buf[14] << 8) | buf[15];
    if (ver != 2 || cmd > 1 || fam > 3 || proto > 2)
        return SYNACK_BR_PROXY_BAD;
    if (16 + body > SYNACK_BR_PROXY_MAX)
        return SYNACK_BR_PROXY_BAD;
    if (len < 16 + body)
        return SYNACK_BR_PROXY_MORE;
    memset(out, 0, sizeof(*out));
    *hdr_len = 16 + body;
    if (cmd == 0 || fam == 0 || proto == 0)
        return SYNACK_BR_PROXY_DONE; /* LOCAL, or UNSPEC: the peer itself */
    const uint8_t *a = buf + 16;
    if (fam == 1) { /* AF_INET: src 4, dst 4, sport 2, dport 2 */
        if (body < 12)
            return SYNACK_BR_PROXY_BAD;
        out->family = AF_INET;
        memcpy(out->addr, a, 4);
        out->port = (uint16_t)((a[8] << 8) | a[9]);
    } else if (fam == 2) { /* AF_INET6: 16, 16, 2, 2 */
        if (body < 36)
            return SYNACK_BR_PROXY_BAD;
        out->family = AF_INET6;
        memcpy(out->addr, a, 16);
        out->port = (uint16_t)((a[32] << 8) | a[33]);
    } else { /* AF_UNIX: 216 bytes of paths; no address to limit by */
        if (body < 216)
            return SYNACK_BR_PROXY_BAD;
    }
    return SYNACK_BR_PROXY_DONE;
}

synack_br_proxy_status synack_br_proxy_parse(const uint8_t *buf, size_t len,
                                             synack_br_proxy_addr *out,
                                             size_t *hdr_len)
{
    if (len == 0)
        return SYNACK_BR_PROXY_MORE;
    /* Decide the version from the first bytes: every byte that has
     * arrived must match one of the two signatures. */
    static const char v1_sig[] = "PROXY ";
    size_t k1 = len < 6 ? len : 6, k2 = len < 12 ? len : 12;
    if (memcmp(buf, v1_sig, k1) == 0)
        return len < 6 ? SYNACK_BR_PROXY_MORE : parse_v1(buf, len, out, hdr_len);
    if (memcmp(buf, v2_sig, k2) == 0)
        return len < 12 ? SYNACK_BR_PROXY_MORE : parse_v2(buf, len, out, hdr_len);
    return SYNACK_BR_PROXY_BAD;
}
