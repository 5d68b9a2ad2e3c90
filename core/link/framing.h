/*
 * Stream framing (DESIGN.md, CONTRACT: stream framing): each frame on a byte
 * stream is a 4-byte big-endian length followed by that many bytes. This is
 * the framing of QEMU's -netdev stream / -netdev socket.
 *
 * The reader reassembles frames split across reads into one fixed buffer
 * (4 + 65535 bytes, no allocation). A length of 0 or above 65535 is a
 * protocol error: the reader stops for good and the caller closes the
 * stream.
 */
#ifndef SYNACK_FRAMING_H
#define SYNACK_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNACK_FRAME_HDR_LEN 4u
#define SYNACK_FRAME_MAX 65535u

/* What synack_framer_feed() reports. */
typedef enum synack_framer_status {
    SYNACK_FRAMER_MORE = 0,   /* all input consumed; no complete frame yet */
    SYNACK_FRAMER_FRAME = 1,  /* a complete frame: synack_framer_frame() */
    SYNACK_FRAMER_ERROR = -1, /* length 0 or > 65535: close the stream */
} synack_framer_status;

/* Reader state. Plain value; no allocation; about 64 KiB. */
typedef struct synack_framer {
    uint8_t buf[SYNACK_FRAME_HDR_LEN + SYNACK_FRAME_MAX];
    uint32_t have;  /* bytes of header + frame gathered in buf */
    uint32_t need;  /* frame length once the header is complete, else 0 */
    bool ready;     /* a complete frame is in buf */
    bool error;     /* sticky protocol error */
} synack_framer;

/* Reset the reader to "expecting a header". */
void synack_framer_init(synack_framer *f);

/*
 * Feed `len` bytes of stream. Stops at the end of the first complete frame:
 * *consumed says how many input bytes were taken; feed the rest again after
 * taking the frame. A frame stays available until the next feed call.
 * Returns SYNACK_FRAMER_FRAME, SYNACK_FRAMER_MORE (everything consumed), or
 * SYNACK_FRAMER_ERROR (sticky; *consumed says where the bad header ended).
 */
synack_framer_status synack_framer_feed(synack_framer *f, const uint8_t *data,
                                        size_t len, size_t *consumed);

/*
 * The complete frame after SYNACK_FRAMER_FRAME: its bytes and *len. NULL
 * (and *len 0) when no frame is ready.
 */
const uint8_t *synack_framer_frame(const synack_framer *f, size_t *len);

/* Whether the reader holds part of a frame (an EOF now would truncate it). */
bool synack_framer_partial(const synack_framer *f);

/*
 * Write the 4-byte big-endian length of a `len`-byte frame to out.
 * Returns 0, or -1 when len is 0 or above 65535 (nothing written).
 */
int synack_frame_header(uint8_t out[4], size_t len);

/*
 * Encode header and frame into out (cap bytes). Returns the bytes written
 * (len + 4), or -1 when len is 0 or above 65535 or cap is too small.
 */
int32_t synack_frame_encode(uint8_t *out, size_t cap, const uint8_t *frame,
                            size_t len);

#endif
