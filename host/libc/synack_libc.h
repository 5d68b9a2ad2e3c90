/*
 * Glue for hosted C environments (native, Emscripten, WASI): an allocator
 * hook backed by malloc/free and an entropy source. Kept out of core/src so
 * the core itself stays free of libc and I/O.
 */
#ifndef SYNACK_LIBC_H
#define SYNACK_LIBC_H

#include "synack/synack.h"

/* An allocator hook that uses malloc/free. */
synack_allocator synack_libc_allocator(void);

/* A seed from the platform's entropy (getentropy); a fixed one if that fails. */
uint64_t synack_libc_seed(void);

#endif
