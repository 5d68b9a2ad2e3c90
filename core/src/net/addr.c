/*
 * synack_addr, the address type of both families: conversion from and to
 * synack_ip4, text parsing (dotted quad; IPv6 per RFC 4291 section 2.2)
 * and formatting (IPv6 per RFC 5952: lower case, the longest run of two
 * or more zero groups as "::", the first of equal runs).
 */
#include <string.h>

#include "synack/synack.h"

synack_addr synack_addr_from_ip4(synack_ip4 ip)
{
    synack_addr a;
    memset(&a, 0, sizeof a);
    a.family = SYNACK_AF_IP4;
    a.b[0] = (uint8_t)(ip >> 24);
    a.b[1] = (uint8_t)(ip >> 16);
    a.b[2] = (uint8_t)(ip >> 8);
    a.b[3] = (uint8_t)ip;
    return a;
}

synack_ip4 synack_addr_to_ip4(const synack_addr *a)
{
    if (a == NULL || a->family != SYNACK_AF_IP4)
        return 0;
    return (synack_ip4)a->b[0] << 24 | (synack_ip4)a->b[1] << 16 |
           (synack_ip4)a->b[2] << 8 | a->b[3];
}

bool synack_addr_equal(const synack_addr *a, const synack_addr *b)
{
    return a->family == b->family && memcmp(a->b, b->b, sizeof a->b) == 0;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* IPv6 text: up to eight groups of 1-4 hex digits, at most one "::", an
 * optional dotted-quad tail in place of the last two groups. */
static int parse_ip6(const char *p, uint8_t out[16])
{
    uint16_t g[8];
    int n = 0, gap = -1;
    if (p[0] == ':') {
        if (p[1] != ':')
            return SYNACK_ERR_INVAL;
        gap = 0;
        p += 2;
    }
    while (*p != '\0') {
        if (n == 8)
            return SYNACK_ERR_INVAL;
        /* a dotted quad as the last 32 bits */
        const char *q = p;
        while (*q != '\0' && *q != ':' && *q != '.')
            q++;
        if (*q == '.') {
            synack_ip4 v4;
            if (n > 6 || synack_ip4_parse_text(p, &v4) != 0)
                return SYNACK_ERR_INVAL;
            g[n++] = (uint16_t)(v4 >> 16);
            g[n++] = (uint16_t)v4;
            p += strlen(p);
            break;
        }
        uint32_t v = 0;
        int digits = 0;
        int d;
        while ((d = hex_digit(*p)) >= 0) {
            if (++digits > 4)
                return SYNACK_ERR_INVAL;
            v = v << 4 | (uint32_t)d;
            p++;
        }
        if (digits == 0)
            return SYNACK_ERR_INVAL;
        g[n++] = (uint16_t)v;
        if (*p == '\0')
            break;
        if (*p != ':')
            return SYNACK_ERR_INVAL;
        p++;
        if (*p == ':') {
            if (gap >= 0)
                return SYNACK_ERR_INVAL;
            gap = n;
            p++;
        } else if (*p == '\0') {
            return SYNACK_ERR_INVAL; /* a trailing single colon */
        }
    }
    if (gap < 0 ? n != 8 : n > 7)
        return SYNACK_ERR_INVAL;
    /* expand the gap: groups after it move to the end */
    uint16_t full[8] = {0};
    int tail = gap < 0 ? 0 : n - gap;
    for (int i = 0; i < n - tail; i++)
        full[i] = g[i];
    for (int i = 0; i < tail; i++)
        full[8 - tail + i] = g[n - tail + i];
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(full[i] >> 8);
        out[2 * i + 1] = (uint8_t)full[i];
    }
    return 0;
}

int synack_addr_parse(const char *text, synack_addr *out)
{
    if (text == NULL || out == NULL)
        return SYNACK_ERR_INVAL;
    synack_ip4 v4;
    if (synack_ip4_parse_text(text, &v4) == 0) {
        *out = synack_addr_from_ip4(v4);
        return 0;
    }
    synack_addr a;
    memset(&a, 0, sizeof a);
    if (parse_ip6(text, a.b) != 0)
        return SYNACK_ERR_INVAL;
    a.family = SYNACK_AF_IP6;
    *out = a;
    return 0;
}

static int format_ip6(const uint8_t b[16], char *buf)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
    /* RFC 5952 4.2: the longest run of >= 2 zero groups, the first on ties */
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        if (g[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    /* RFC 5952 5: an IPv4-mapped address ends in a dotted quad */
    bool mapped = best == 0 && best_len == 5 && g[5] == 0xffff;
    int n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            buf[n++] = ':';
            buf[n++] = ':';
            i += best_len - 1;
            continue;
        }
        if (mapped && i == 6) {
            buf[n++] = ':';
            synack_ip4 v4 = (synack_ip4)g[6] << 16 | g[7];
            n += synack_ip4_format(v4, buf + n);
            return n;
        }
        if (n > 0 && buf[n - 1] != ':')
            buf[n++] = ':';
        bool lead = true;
        for (int sh = 12; sh >= 0; sh -= 4) {
            unsigned d = (g[i] >> sh) & 0xfu;
            if (d == 0 && lead && sh > 0)
                continue;
            lead = false;
            buf[n++] = hex[d];
        }
    }
    buf[n] = '\0';
    return n;
}

int synack_addr_format(const synack_addr *a, char *buf)
{
    if (a->family == SYNACK_AF_IP4)
        return synack_ip4_format(synack_addr_to_ip4(a), buf);
    if (a->family == SYNACK_AF_IP6)
        return format_ip6(a->b, buf);
    buf[0] = '\0';
    return 0;
}
