/* malloc-backed allocator and entropy for hosted builds. */
#define _DEFAULT_SOURCE
#include "synack_libc.h"

#include <stdlib.h>
#include <unistd.h>

static void *libc_alloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void libc_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

synack_allocator synack_libc_allocator(void)
{
    synack_allocator a = {libc_alloc, libc_free, NULL};
    return a;
}

uint64_t synack_libc_seed(void)
{
    uint64_t v = 0;
    if (getentropy(&v, sizeof v) != 0)
        v = 0x5eed5eed5eed5eedULL;
    return v;
}
