/*
 * libFuzzer target (e): the bridge's PROXY protocol parser
 * (host/bridge/proxy.c), which reads what a trusted proxy sends before
 * anything else. Each call gets a heap copy of exactly the bytes it may
 * read, so ASan catches an over-read. Properties: a complete header is
 * never longer than the input or SYNACK_BR_PROXY_MAX; "need more" only
 * below that bound; and the result does not depend on how the bytes
 * arrive: every proper prefix of a complete header asks for more, and the
 * header alone parses to the same length and address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proxy.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "proxy: %s (line %d)\n", #cond, __LINE__);         \
            abort();                                                           \
        }                                                                      \
    } while (0)

static synack_br_proxy_status parse_copy(const uint8_t *data, size_t n,
                                         synack_br_proxy_addr *a, size_t *hl)
{
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, data, n);
    synack_br_proxy_status st = synack_br_proxy_parse(b, n, a, hl);
    free(b);
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    synack_br_proxy_addr a;
    size_t hl = 0;
    synack_br_proxy_status st = parse_copy(data, size, &a, &hl);
    CHECK(st == SYNACK_BR_PROXY_MORE || st == SYNACK_BR_PROXY_DONE ||
          st == SYNACK_BR_PROXY_BAD);
    if (st == SYNACK_BR_PROXY_MORE)
        CHECK(size < SYNACK_BR_PROXY_MAX);
    if (st != SYNACK_BR_PROXY_DONE)
        return 0;
    CHECK(hl > 0 && hl <= size && hl <= SYNACK_BR_PROXY_MAX);
    CHECK(a.family == 0 || a.family == AF_INET || a.family == AF_INET6);
    synack_br_proxy_addr a2;
    size_t hl2 = 0;
    CHECK(parse_copy(data, hl, &a2, &hl2) == SYNACK_BR_PROXY_DONE);
    CHECK(hl2 == hl && a2.family == a.family && a2.port == a.port &&
          memcmp(a2.addr, a.addr, sizeof(a.addr)) == 0);
    for (size_t k = 0; k < hl; k++)
        CHECK(parse_copy(data, k, &a2, &hl2) == SYNACK_BR_PROXY_MORE);
    return 0;
}
