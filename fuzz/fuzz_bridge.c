/*
 * libFuzzer target: synack-bridge's switching core (host/bridge/switch.c
 * with frame.c, policy.c, dhcpd.c, mactable.c): what every client frame
 * goes through before anything trusts it, IPv4 and IPv6 (extension header
 * chains, NDP options, DAD, the owned-address table, the slirp
 * allow-list, RST replies). The input is a configuration byte (bit 0:
 * isolated slirp clients, bit 1: a TAP backend instead of slirp, bit 2:
 * --offload with the clients' stream framing, client.c) and then
 * records: a port byte (0 the backend, 1..3 clients), a 2-byte big-endian
 * length and that many bytes (each a heap copy of exactly its bytes, so
 * ASan sees any overread). Without offload a record is one frame. With
 * it a client's record is stream bytes for its framing reader (HELLO,
 * TCP/IPv4 and TCP/IPv6 SUPERs and plain frames, split or merged freely),
 * and a backend record on a TAP is a backend super-frame: a 2-byte
 * gso_size, then the frame (Linux's TSO/TSO6 path). Properties, after
 * every record:
 *   - no IPv4 or IPv6 address is owned by two clients;
 *   - no client owns an unspecified, loopback or multicast IPv6 address;
 *   - every frame the switch emits is at least an Ethernet header and at
 *     most the largest frame it accepts; a super-frame written whole to
 *     the backend or a client is TCP/IPv4 or TCP/IPv6 of at most 64 KB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "offload.h"
#include "switch.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "bridge: %s (line %d)\n", #cond, __LINE__);        \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define CLIENTS 3
#define MAX_FRAME 1518

static bool emit(void *ctx, int32_t port, const uint8_t *frame, size_t len)
{
    (void)ctx;
    CHECK(port >= 0 && port <= CLIENTS);
    CHECK(len >= 14 && len <= MAX_FRAME);
    volatile uint8_t x = frame[0] ^ frame[len - 1]; /* ASan: the whole frame is readable */
    (void)x;
    return true;
}

/* A super-frame to the backend whole: readable, TCP, within 64 KB. The
 * answer varies with the frame so the fallback (pieces) runs too. */
static bool emit_gso(void *ctx, const uint8_t *frame, size_t len, uint32_t seg)
{
    (void)ctx;
    CHECK(len >= 14 + 40 && len <= SYNACK_OFFLOAD_INNER_MAX && seg >= SYNACK_OFFLOAD_SEG_MIN);
    CHECK((frame[12] == 0x08 && frame[13] == 0x00) || (frame[12] == 0x86 && frame[13] == 0xdd));
    volatile uint8_t x = frame[0] ^ frame[len - 1];
    (void)x;
    return (len & 1) == 0;
}

static bool takes_super(void *ctx, int32_t port, bool ip6)
{
    (void)ctx;
    return port == 1 || (port == 2 && !ip6);
}

static bool super_out(void *ctx, int32_t port, const uint8_t *frame, size_t len, uint32_t seg)
{
    (void)ctx;
    (void)seg;
    CHECK(port >= 1 && port <= CLIENTS && len >= 14 && len <= 14 + 65535);
    volatile uint8_t x = frame[0] ^ frame[len - 1];
    (void)x;
    return (len & 2) == 0;
}

static void check_owners(const synack_br_port *ports)
{
    static const uint8_t zero[16], loop[16] = {[15] = 1};
    for (int i = 1; i <= CLIENTS; i++) {
        const synack_br_port *p = &ports[i];
        for (int k = 0; k < SYNACK_BR_IP6_PER_PORT; k++) {
            if (!p->ip6[k].used)
                continue;
            const uint8_t *a = p->ip6[k].addr;
            CHECK(memcmp(a, zero, 16) != 0 && memcmp(a, loop, 16) != 0 && a[0] != 0xff);
            for (int j = 1; j <= CLIENTS; j++) {
                for (int m = 0; m < SYNACK_BR_IP6_PER_PORT; m++) {
                    if ((j != i || m != k) && ports[j].ip6[m].used)
                        CHECK(memcmp(ports[j].ip6[m].addr, a, 16) != 0);
                }
            }
        }
        for (int j = i + 1; j <= CLIENTS; j++) {
            if (p->ip_source != SYNACK_BR_IP_NONE && ports[j].ip_source != SYNACK_BR_IP_NONE)
                CHECK(p->ip != ports[j].ip);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static synack_br br;
    static synack_br_port ports[CLIENTS + 1];
    static synack_br_mac_entry macs[64];
    static const synack_br_allow allow[] = {
        {.ip = SYNACK_IP4(10, 0, 2, 2), .port = 8000},
        {.ip6 = true, .host6 = true, .port = 8000},
        {.ip6 = true, .addr6 = {0x20, 0x01, 0x0d, 0xb8}, .plen = 32, .port = 0},
    };
    synack_br_config cfg;
    memset(&cfg, 0, sizeof cfg);
    bool tap = data[0] & 2, offload = data[0] & 4;
    static synack_br_client cl[CLIENTS + 1];
    cfg.backend = tap ? SYNACK_BR_BACKEND_TAP : SYNACK_BR_BACKEND_SLIRP;
    cfg.isolate = !tap && (data[0] & 1);
    cfg.dhcp_server = !tap;
    cfg.max_clients = CLIENTS;
    cfg.max_frame = MAX_FRAME;
    cfg.mac_age_ms = 300000;
    cfg.allow.entries = allow;
    cfg.allow.count = sizeof allow / sizeof allow[0];
    cfg.net = (synack_br_slirp_net){
        .net = SYNACK_IP4(10, 0, 2, 0), .mask = SYNACK_IP4(255, 255, 255, 0),
        .host = SYNACK_IP4(10, 0, 2, 2), .dns = SYNACK_IP4(10, 0, 2, 3),
        .dhcp_start = SYNACK_IP4(10, 0, 2, 15), .ip6 = true,
        .prefix6 = {0xfd, 0, 5, 0xac}, .prefix6_len = 64,
        .host6 = {0xfd, 0, 5, 0xac, [15] = 2}, .dns6 = {0xfd, 0, 5, 0xac, [15] = 3}};
    cfg.offload = offload;
    cfg.offload_rx = offload && tap;
    CHECK(synack_br_init(&br, &cfg, ports, macs, 64, emit, NULL, 0) == 0);
    if (offload) {
        br.emit_gso = emit_gso;
        if (tap) {
            br.takes_super = takes_super;
            br.super_out = super_out;
        }
    }
    for (int i = 1; i <= CLIENTS; i++) {
        CHECK(synack_br_attach(&br, 0) == i);
        if (offload)
            CHECK(synack_br_client_open(&cl[i], -1, i, "fuzz", MAX_FRAME, 1 << 17) == 0);
    }

    uint64_t now = 1;
    for (size_t off = 1; off + 3 <= size; now++) {
        int32_t port = data[off] % (CLIENTS + 1);
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (len > size - off)
            len = size - off;
        uint8_t *frame = malloc(len ? len : 1);
        CHECK(frame != NULL);
        memcpy(frame, data + off, len);
        off += len;
        bool closed;
        if (offload && port > 0) {
            closed = synack_br_client_feed(&cl[port], &br, frame, len, now) != SYNACK_BR_OPEN;
        } else if (offload && tap && port == 0 && len >= 2) {
            synack_br_backend_super(&br, now, frame + 2, len - 2,
                                    (uint32_t)(frame[0] << 8 | frame[1]));
            closed = false;
        } else {
            closed = synack_br_input(&br, port, now, frame, len) != SYNACK_BR_KEEP;
        }
        free(frame);
        if (closed && port > 0) { /* closed: a new client takes the port */
            synack_br_detach(&br, port);
            CHECK(synack_br_attach(&br, now) == port);
            if (offload) {
                synack_br_client_close(&cl[port]);
                CHECK(synack_br_client_open(&cl[port], -1, port, "fuzz", MAX_FRAME, 1 << 17) == 0);
            }
        }
        check_owners(ports);
    }
    if (offload)
        for (int i = 1; i <= CLIENTS; i++)
            synack_br_client_close(&cl[i]);
    return 0;
}
