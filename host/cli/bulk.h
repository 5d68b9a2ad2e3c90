/*
 * Pieces of the `send` and `sink` commands that need no network: the
 * seeded pseudo-random byte stream `send` transmits (same seed, same bytes,
 * so a test can predict the SHA-256) and the JSON summary both print:
 * {"bytes":N,"seconds":S,"mbit_per_s":R,"sha256":"...","retransmits":K}
 */
#ifndef SYNACK_CLI_BULK_H
#define SYNACK_CLI_BULK_H

#include <stddef.h>
#include <stdint.h>

/* The stream: byte i is byte (i % 8) little-endian of splitmix64 output
 * number i / 8, so any offset can be produced directly. */
typedef struct synack_cli_stream {
    uint64_t seed;
    uint64_t pos; /* bytes produced so far */
} synack_cli_stream;

/* The seed `send` uses when --seed is not given. */
#define SYNACK_CLI_STREAM_DEFAULT_SEED 1u

/* Start the stream of `seed` at offset 0. */
void synack_cli_stream_init(synack_cli_stream *g, uint64_t seed);

/* Write the next `len` bytes of the stream to buf. */
void synack_cli_stream_fill(synack_cli_stream *g, uint8_t *buf, size_t len);

/*
 * Format the summary line (no newline) into buf. `ms` is the transfer
 * time; seconds print with 3 decimals, mbit_per_s with 2. Returns the
 * length, or -1 when it does not fit.
 */
int synack_cli_summary(char *buf, size_t cap, uint64_t bytes, uint64_t ms,
                       const char sha256_hex[65], uint64_t retransmits);

#endif
