/*
 * Stream framing reader and writer (DESIGN.md, CONTRACT: stream framing):
 * a 4-byte big-endian length, then the frame; 1..65535 bytes per frame.
 * The same framing QEMU uses for -netdev stream.
 */
#include <string.h>

#include "framing.h"

void synack_framer_init(synack_framer *f)
{
    f->have = 0;
    f->need = 0;
    f->ready = false;
    f->error = false;
}

/* Copy up to `want` bytes from data into the buffer; returns bytes taken. */
static size_t gather(synack_framer *f, const uint8_t *data, size_t len,
                     uint32_t want)
{
    size_t n = len < want ? len : want;
    memcpy(f->buf + f->have, data, n);
    f->have += (uint32_t)n;
    return n;
}

synack_framer_status synack_framer_feed(synack_framer *f, const uint8_t *data,
                                        size_t len, size_t *consumed)
{
    size_t used = 0;
    synack_framer_status st = SYNACK_FRAMER_MORE;

    if (f->error) {
        st = SYNACK_FRAMER_ERROR;
        goto out;
    }
    if (f->ready) {
        /* The previous frame was taken: start the next one. */
        f->ready = false;
        f->have = 0;
        f->need = 0;
    }
    while (used < len) {
        if (f->have < SYNACK_FRAME_HDR_LEN) {
            used += gather(f, data + used, len - used,
                           SYNACK_FRAME_HDR_LEN - f->have);
            if (f->have < SYNACK_FRAME_HDR_LEN)
                break;
            uint32_t n = ((uint32_t)f->buf[0] << 24) |
                         ((uint32_t)f->buf[1] << 16) |
                         ((uint32_t)f->buf[2] << 8) | (uint32_t)f->buf[3];
            if (n == 0 || n > SYNACK_FRAME_MAX) {
                f->error = true;
                st = SYNACK_FRAMER_ERROR;
                goto out;
            }
            f->need = n;
            continue;
        }
        used += gather(f, data + used, len - used,
                       SYNACK_FRAME_HDR_LEN + f->need - f->have);
        if (f->have == SYNACK_FRAME_HDR_LEN + f->need) {
            f->ready = true;
            st = SYNACK_FRAMER_FRAME;
            break;
        }
    }
out:
    if (consumed != NULL)
        *consumed = used;
    return st;
}

const uint8_t *synack_framer_frame(const synack_framer *f, size_t *len)
{
    if (!f->ready) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = f->need;
    return f->buf + SYNACK_FRAME_HDR_LEN;
}

bool synack_framer_partial(const synack_framer *f)
{
    return !f->ready && !f->error && f->have > 0;
}

int synack_frame_header(uint8_t out[4], size_t len)
{
    if (len == 0 || len > SYNACK_FRAME_MAX)
        return -1;
    out[0] = 0;
    out[1] = 0;
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    return 0;
}

int32_t synack_frame_encode(uint8_t *out, size_t cap, const uint8_t *frame,
                            size_t len)
{
    if (len == 0 || len > SYNACK_FRAME_MAX || cap < len + SYNACK_FRAME_HDR_LEN)
        return -1;
    synack_frame_header(out, len);
    memcpy(out + SYNACK_FRAME_HDR_LEN, frame, len);
    return (int32_t)(len + SYNACK_FRAME_HDR_LEN);
}
