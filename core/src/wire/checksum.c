/*
 * The Internet checksum: RFC 1071 (computation), RFC 1624 (properties),
 * RFC 9293 section 3.1 and RFC 768 (the IPv4 pseudo-header).
 *
 * RFC 1071 section 2(B): the one's-complement sum does not depend on byte
 * order, so we add 32-bit words in the machine's own order into a 64-bit
 * accumulator (carries pile up in the high half and are folded back at the
 * end) and swap bytes once, after folding, on little-endian machines. The
 * accumulator is therefore in machine order: only ever combine it with other
 * values from synack_csum_add / synack_csum_pseudo (plain + is fine).
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

uint64_t synack_csum_add(uint64_t sum, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data;

    /*
     * Four 32-bit loads per iteration. Each addition is below 2^32, so the
     * 64-bit accumulator cannot overflow for any buffer under 2^34 bytes.
     */
    while (len >= 16) {
        uint32_t w0, w1, w2, w3;
        memcpy(&w0, p, 4);
        memcpy(&w1, p + 4, 4);
        memcpy(&w2, p + 8, 4);
        memcpy(&w3, p + 12, 4);
        sum += (uint64_t)w0 + w1 + w2 + w3;
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        sum += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t h;
        memcpy(&h, p, 2);
        sum += h;
        p += 2;
        len -= 2;
    }
    if (len == 1) {
        /* RFC 1071 section 4.1: pad the odd byte with a zero byte after it. */
        const uint8_t pad[2] = {p[0], 0};
        uint16_t h;
        memcpy(&h, pad, 2);
        sum += h;
    }
    return sum;
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
    /*
     * RFC 9293 section 3.1: source, destination, zero, protocol, length.
     * The length is 16 bits on the wire; the upper half (always zero for
     * IPv4) is added as one more word so the sum stays exact.
     */
    uint8_t ph[16];
    synack_wr_be32(ph, src);
    synack_wr_be32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    synack_wr_be16(ph + 10, (uint16_t)len);
    synack_wr_be16(ph + 12, (uint16_t)(len >> 16));
    ph[14] = 0;
    ph[15] = 0;
    return synack_csum_add(0, ph, sizeof ph);
}
