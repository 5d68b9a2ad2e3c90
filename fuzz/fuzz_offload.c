/*
 * libFuzzer target: the offload messages a client sends synack-bridge
 * --offload (core/link/offload.c), what the bridge parses before it
 * trusts anything. The input is one frame, as the stream framing hands
 * it over. Properties:
 *   - parse reads only the frame (a heap copy of exactly its bytes: ASan);
 *   - a HELLO/AGREE rebuilt with offload_ctrl parses to the same fields;
 *   - a SUPER that passes offload_check (TCP/IPv4 or TCP/IPv6) is cut
 *     (never -1) into pieces of at most the piece limit, whose payloads
 *     are the inner payload in order, with consecutive sequence numbers,
 *     lengths that match (IPv4 total length, IPv6 payload length) and
 *     complete, verifying IPv4 header and TCP checksums (the IPv6
 *     pseudo-header for IPv6), FIN/PSH only on the last;
 *   - cutting the raw input with a gso_size from its last bytes either
 *     refuses or keeps the same properties;
 *   - cutting it with offload values taken from its last bytes (as a
 *     stack's send_gso gives them, unchecked against the headers) reads
 *     and writes only inside the frame and the scratch buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "offload.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "offload: %s (line %d)\n", #cond, __LINE__);       \
            abort();                                                           \
        }                                                                      \
    } while (0)

static uint32_t sum(uint32_t a, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        a += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        a += (uint32_t)p[n - 1] << 8;
    while (a >> 16)
        a = (a & 0xffff) + (a >> 16);
    return a;
}

typedef struct expect {
    const uint8_t *payload; /* the original's payload */
    size_t plen, off, max_piece, pieces;
    uint32_t seq;
    uint8_t flags;
    bool done;
} expect;

static int piece(void *ctx, const uint8_t *f, size_t n)
{
    expect *e = ctx;
    CHECK(!e->done);
    CHECK(n <= e->max_piece && n >= 14 + 40);
    const uint8_t *ip = f + 14;
    bool v6 = f[12] == 0x86 && f[13] == 0xdd;
    size_t ihl = v6 ? 40 : (size_t)(ip[0] & 15) * 4;
    CHECK(n >= 14 + ihl + 20);
    uint32_t ps;
    if (v6) {
        CHECK((ip[0] >> 4) == 6 && ip[6] == 6);
        CHECK((size_t)(ip[4] << 8 | ip[5]) == n - 14 - 40);
        ps = sum(0, ip + 8, 32);
    } else {
        CHECK((size_t)(ip[2] << 8 | ip[3]) == n - 14);
        CHECK(sum(0, ip, ihl) == 0xffff);
        ps = sum(0, ip + 12, 8);
    }
    const uint8_t *tcp = ip + ihl;
    size_t thl = (size_t)(tcp[12] >> 4) * 4, seg = n - 14 - ihl;
    uint8_t ph[4] = {0, 6, (uint8_t)(seg >> 8), (uint8_t)seg};
    CHECK(sum(sum(ps, ph, 4), tcp, seg) == 0xffff);
    uint32_t seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 | (uint32_t)tcp[6] << 8 | tcp[7];
    CHECK(seq == e->seq + (uint32_t)e->off);
    size_t len = seg - thl;
    CHECK(e->off + len <= e->plen);
    CHECK(memcmp(tcp + thl, e->payload + e->off, len) == 0);
    e->off += len;
    e->done = e->off == e->plen;
    if (!e->done)
        CHECK((tcp[13] & 0x09) == 0);
    else
        CHECK((tcp[13] & 0x09) == (e->flags & 0x09));
    e->pieces++;
    return 0;
}

static int cut_and_check(const uint8_t *f, size_t n, uint32_t seg, size_t max_piece,
                         bool must)
{
    static uint8_t scratch[65536 + 128];
    expect e;
    memset(&e, 0, sizeof(e));
    e.max_piece = max_piece;
    int r = -1;
    if (n >= 14 + 40) {
        bool v6 = f[12] == 0x86 && f[13] == 0xdd;
        size_t ihl = v6 ? 40 : (size_t)(f[14] & 15) * 4;
        if (14 + ihl + 20 <= n) {
            const uint8_t *tcp = f + 14 + ihl;
            size_t hlen = 14 + ihl + (size_t)(tcp[12] >> 4) * 4;
            if (hlen <= n) {
                e.payload = f + hlen;
                e.plen = n - hlen;
                e.seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
                        (uint32_t)tcp[6] << 8 | tcp[7];
                e.flags = tcp[13];
                e.done = false;
                if (hlen + seg > max_piece)
                    e.max_piece = hlen + seg; /* raw cut: the limit is the caller's */
            }
        }
    }
    synack_gso g; /* as the bridge gets them: from the headers */
    memset(&g, 0, sizeof(g));
    (void)synack_offload_gso_of(f, n, seg, &g);
    r = synack_offload_cut(f, n, &g, scratch, sizeof(scratch), piece, &e);
    if (must)
        CHECK(r >= 1);
    if (r >= 0) {
        CHECK((size_t)r == e.pieces && e.off == e.plen);
    }
    return r;
}

typedef struct sink {
    size_t max;
} sink;

static int sink_piece(void *ctx, const uint8_t *f, size_t n)
{
    (void)f;
    CHECK(n <= ((sink *)ctx)->max);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *f = malloc(size ? size : 1);
    memcpy(f, data, size);
    synack_offload_msg m;
    int r = synack_offload_parse(f, size, &m);
    CHECK(r >= -1 && r <= 1);
    if (r == 1 && (m.type == SYNACK_OFFLOAD_HELLO || m.type == SYNACK_OFFLOAD_AGREE)) {
        uint8_t c[SYNACK_OFFLOAD_CTRL_LEN];
        synack_offload_ctrl(c, m.type, m.mac, m.flags, m.max);
        synack_offload_msg m2;
        CHECK(synack_offload_parse(c, sizeof(c), &m2) == 1);
        CHECK(m2.type == m.type && m2.flags == m.flags && m2.max == m.max &&
              memcmp(m2.mac, m.mac, 6) == 0);
    }
    if (r == 1 && m.type == SYNACK_OFFLOAD_SUPER) {
        CHECK(m.inner + m.inner_len == f + size && m.inner_len <= SYNACK_OFFLOAD_INNER_MAX);
        size_t limit = (size & 1) ? 9018 : 1518;
        if (synack_offload_check(&m, limit) == 0)
            cut_and_check(m.inner, m.inner_len, m.gso_size, limit, true);
    }
    if (size >= 2) {
        uint32_t seg = (uint32_t)(data[size - 2] << 8 | data[size - 1]);
        cut_and_check(f, size, seg, 65536, false);
    }
    if (size >= 8) {
        const uint8_t *t = data + size - 8;
        synack_gso g = {(uint32_t)(t[6] << 8 | t[7]), (uint16_t)(t[0] << 8 | t[1]),
                        (uint16_t)(t[2] << 8 | t[3]), t[4],
                        (t[5] & 1) ? SYNACK_AF_IP6 : SYNACK_AF_IP4};
        static uint8_t scratch[65536 + 128];
        sink k = {(size_t)g.hdr_len + g.seg};
        (void)synack_offload_cut(f, size, &g, scratch, sizeof(scratch), sink_piece, &k);
    }
    free(f);
    return 0;
}
