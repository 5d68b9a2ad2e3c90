/*
 * The Internet checksum: RFC 1071 (computation), RFC 1624 (properties),
 * RFC 9293 section 3.1 and RFC 768 (the IPv4 pseudo-header), RFC 8200
 * section 8.1 (the IPv6 one).
 *
 * RFC 1071 section 2(B): the one's-complement sum does not depend on byte
 * order, so we add 64-bit words in the machine's own order (counting the
 * carries out of the top, which are worth 1 each) and swap bytes once,
 * after folding, on little-endian machines. The accumulator is therefore
 * in machine order: only ever combine it with other values from
 * synack_csum_add / synack_csum_pseudo_len (plain + is fine).
 */
#include <string.h>

#include "wire/wire.h"

/* True on little-endian machines; compilers fold this to a constant. */
static bool host_is_little_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 1;
}

/* Fold a 64-bit partial sum to at most 33 bits (keeps it mod 2^16 - 1). */
static uint64_t fold32(uint64_t x)
{
    return (x & 0xffffffffu) + (x >> 32);
}

#if defined(__wasm_simd128__)
/*
 * WebAssembly with SIMD128 (wasm has no add-with-carry, so the 64-bit loop
 * below costs twice what it does natively): four 32-bit lanes, each adding
 * the two 16-bit halves of its word, so a lane gains at most 2 * 65535 per
 * 16 bytes. Blocks of 64 KiB (2048 steps of 32 bytes per accumulator) keep
 * every lane below 2^29, far from overflow; each block is added to the
 * 64-bit sum. Returns the sum of the first (len & ~31) bytes; *done says
 * how many that was.
 */
typedef uint32_t csum_v4 __attribute__((vector_size(16)));

static uint64_t csum_simd(const uint8_t *p, size_t len, size_t *done)
{
    const csum_v4 low = {0xffffu, 0xffffu, 0xffffu, 0xffffu};
    uint64_t r = 0;
    size_t off = 0;
    while (len - off >= 32) {
        size_t blk = len - off < 65536u ? len - off : 65536u;
        blk &= ~(size_t)31;
        csum_v4 a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
        for (size_t k = 0; k < blk; k += 32) {
            csum_v4 x, y;
            memcpy(&x, p + off + k, 16);
            memcpy(&y, p + off + k + 16, 16);
            a += (x & low) + (x >> 16);
            b += (y & low) + (y >> 16);
        }
        a += b;
        r += (uint64_t)a[0] + a[1] + a[2] + a[3];
        off += blk;
    }
    *done = off;
    return r;
}
#endif

uint64_t synack_csum_add(uint64_t sum, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;

#if defined(__wasm_simd128__)
    {
        size_t done;
        uint64_t v = csum_simd(p, len, &done);
        sum = fold32(sum) + fold32(v);
        p += done;
        len -= done;
    }
#endif
    /*
     * 64-bit words into two accumulators, 32 bytes per iteration. A 64-bit
     * addition that wraps loses 2^64, which is 1 modulo 2^16 - 1 (2^16 is
     * 1), so each wrap is counted (ca, cb) and added back as 1: this is the
     * end-around carry of RFC 1071 section 2(C), done once at the end.
     * Two independent chains keep the loop from waiting on one carry.
     */
    uint64_t r = fold32(sum);
    if (len >= 32) {
        uint64_t a = 0, b = 0, ca = 0, cb = 0;
        while (len >= 32) {
            uint64_t w0, w1, w2, w3;
            memcpy(&w0, p, 8);
            memcpy(&w1, p + 8, 8);
            memcpy(&w2, p + 16, 8);
            memcpy(&w3, p + 24, 8);
            a += w0;
            ca += a < w0;
            b += w1;
            cb += b < w1;
            a += w2;
            ca += a < w2;
            b += w3;
            cb += b < w3;
            p += 32;
            len -= 32;
        }
        r += fold32(a) + fold32(b) + ca + cb;
    }
    /* The tail: each addition is below 2^32, r stays far from overflow. */
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        r += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        r += h;
        p += 2;
        len -= 2;
    }
    if (len == 1) {
        /* RFC 1071 section 4.1: pad the odd byte with a zero byte after it. */
        const uint8_t pad[2] = {p[0], 0};
        uint16_t h;
        memcpy(&h, pad, 2);
        r += h;
    }
    return fold32(r);
}

uint16_t synack_csum_finish(uint64_t sum)
{
    /* Fold 64 -> 16 bits; end-around carry. Four rounds always suffice. */
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffffffu) + (sum >> 32);
    sum = (sum & 0xffffu) + (sum >> 16);
    sum = (sum & 0xffffu) + (sum >> 16);
    uint16_t folded = (uint16_t)sum;
    if (host_is_little_endian())
        folded = (uint16_t)((folded >> 8) | (folded << 8));
    return (uint16_t)~folded;
}

uint64_t synack_csum_pseudo(synack_ip4 src, synack_ip4 dst, uint8_t proto,
                            uint32_t len)
{
    return synack_csum_pseudo_len(synack_ip4_pseudo_sum(src, dst, proto), len);
}

uint64_t synack_csum_pseudo_len(uint32_t phsum, uint32_t len)
{
    /*
     * RFC 9293 section 3.1: source, destination, zero, protocol, length as
     * 16-bit big-endian words. Their numeric sum, folded to 16 bits, is the
     * sum in network order; by RFC 1071 section 2(B) swapping its bytes
     * gives the same sum in machine order on a little-endian host, which
     * is what the accumulator holds. The upper half of the length (always
     * zero for IPv4) is added too so the sum stays exact.
     */
    uint64_t n = (uint64_t)phsum + (len & 0xffffu) + (len >> 16);
    n = (n & 0xffffu) + (n >> 16);
    n = (n & 0xffffu) + (n >> 16);
    if (host_is_little_endian())
        n = ((n >> 8) | (n << 8)) & 0xffffu;
    return n;
}
