/*
 * libFuzzer target (c): the stream-framing reader (core/link/framing.h).
 * The input after its first byte is a byte stream; the first byte seeds how
 * it is cut into reads (1 byte to the whole rest). The frames the reader
 * returns must be exactly those of a simple reference decoder: the same
 * lengths and bytes in the same order, an error exactly at a length of 0
 * or above 65535, and "partial" at the end exactly when a frame was cut.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "framing: %s (line %d)\n", #cond, __LINE__);       \
            abort();                                                           \
        }                                                                      \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t rng = 0x9e3779b9u ^ (uint32_t)data[0] * 0x01000193u;
    const uint8_t *s = data + 1;
    size_t n = size - 1;

    /* Reference: walk the stream once. */
    size_t ref_pos = 0;

    synack_framer *f = malloc(sizeof *f);
    synack_framer_init(f);
    size_t off = 0;
    bool error = false;
    while (off < n && !error) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        size_t chunk = (data[0] & 1) ? n - off : 1 + rng % 64;
        if (chunk > n - off)
            chunk = n - off;
        /* the reader sees exactly this read, so ASan notices over-reads */
        uint8_t *rd = malloc(chunk);
        memcpy(rd, s + off, chunk);
        size_t pos = 0;
        while (pos < chunk) {
            size_t used = 0;
            synack_framer_status st = synack_framer_feed(f, rd + pos, chunk - pos, &used);
            CHECK(used <= chunk - pos);
            pos += used;
            if (st == SYNACK_FRAMER_ERROR) {
                /* the reference must see a bad length header here */
                CHECK(ref_pos + 4 <= n);
                uint32_t len = (uint32_t)s[ref_pos] << 24 | (uint32_t)s[ref_pos + 1] << 16 |
                               (uint32_t)s[ref_pos + 2] << 8 | s[ref_pos + 3];
                CHECK(len == 0 || len > 65535);
                CHECK(off + pos == ref_pos + 4);
                CHECK(!synack_framer_partial(f));
                error = true;
                break;
            }
            if (st == SYNACK_FRAMER_FRAME) {
                size_t flen = 0;
                const uint8_t *fr = synack_framer_frame(f, &flen);
                CHECK(fr != NULL);
                CHECK(ref_pos + 4 <= n);
                uint32_t len = (uint32_t)s[ref_pos] << 24 | (uint32_t)s[ref_pos + 1] << 16 |
                               (uint32_t)s[ref_pos + 2] << 8 | s[ref_pos + 3];
                CHECK(len >= 1 && len <= 65535 && flen == len);
                CHECK(ref_pos + 4 + len <= n && off + pos == ref_pos + 4 + len);
                CHECK(memcmp(fr, s + ref_pos + 4, len) == 0);
                uint8_t hdr[4];
                CHECK(synack_frame_header(hdr, flen) == 0 && memcmp(hdr, s + ref_pos, 4) == 0);
                ref_pos += 4 + len;
                continue;
            }
            CHECK(st == SYNACK_FRAMER_MORE && pos == chunk);
        }
        free(rd);
        off += chunk;
    }
    if (!error) {
        /* every complete frame was returned; what is left is a cut frame
         * or a bad header that was not complete */
        size_t rest = n - ref_pos;
        if (rest >= 4) {
            uint32_t len = (uint32_t)s[ref_pos] << 24 | (uint32_t)s[ref_pos + 1] << 16 |
                           (uint32_t)s[ref_pos + 2] << 8 | s[ref_pos + 3];
            CHECK(len >= 1 && len <= 65535 && rest < 4 + (size_t)len);
        }
        CHECK(synack_framer_partial(f) == (rest > 0));
    }
    CHECK(synack_framer_frame(f, NULL) == NULL || !error);
    free(f);
    return 0;
}
