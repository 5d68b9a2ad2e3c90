/*
 * Item 3 without the command-line tool's extras: the stack alone on a TAP
 * device, moving a fixed pattern (no SHA-256, no generated stream), so the
 * number is the stack's and the TAP's, comparable with bench_tap_ceiling.
 *   bench_tap_bulk --tap NAME --ip A.B.C.D [--prefix 24] send PEER PORT --bytes N
 *   bench_tap_bulk --tap NAME --ip A.B.C.D [--prefix 24] sink PORT
 * --offload 1 asks the TAP for receive offload (host/native/tap.c: TCP
 * super-frames up to 64 KB with a virtio_net_hdr); plain frames when the
 * kernel refuses it. --offload 0 (the default) keeps plain frames.
 * --gso N (with offload) lets new TCP data leave as GSO packets of up to N
 * bytes that the kernel cuts into MSS-sized segments (send offload).
 * --ack-per-burst 0 sends the ACK for every second full-sized segment from
 * inside synack_input instead of once per burst of reads (the default, 1;
 * synack_link.ack_per_burst).
 * send: connect, send N bytes, close; timed from connected until all data
 * and the FIN are acknowledged. sink: accept one connection, read to EOF;
 * timed from accept to EOF. Prints one JSON line
 * {"bench":"tap_bulk_send"|"tap_bulk_sink","bytes":N,"seconds":S,"mbit_per_s":R,
 *  "offload":0|1,"gso":N,"reads":N,"writes":N,"ack_per_burst":0|1} (gso:
 *  the send offload in use, 0 for none; reads: frames read from the TAP;
 *  writes: frames or GSO packets written to it).
 * Every wait is bounded (--timeout seconds, default 60). Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "native.h"
#include "synack_libc.h"
#include "vnet.h"

typedef struct tap_link {
    int fd;
    bool vnet; /* frames carry a virtio_net_hdr (offload granted) */
    unsigned long long writes; /* frames (or GSO packets) written */
} tap_link;

static int tap_write(void *ctx, const uint8_t *frame, size_t len)
{
    tap_link *t = ctx;
    t->writes++;
    return synack_native_tap_write(t->fd, t->vnet, frame, len);
}

static int tap_write_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    tap_link *t = ctx;
    t->writes++;
    return synack_native_tap_write_gso(t->fd, frame, len, g);
}

static int parse_ip(const char *text, synack_ip4 *out)
{
    return text != NULL ? synack_ip4_parse_text(text, out) : -1;
}

int main(int argc, char **argv)
{
    const char *tap = bench_opt_str(argc, argv, "--tap", NULL);
    synack_ip4 me, peer = 0;
    uint8_t prefix = (uint8_t)bench_opt(argc, argv, "--prefix", 24);
    uint64_t bytes = (uint64_t)bench_opt(argc, argv, "--bytes", 100e6);
    double limit = bench_opt(argc, argv, "--timeout", 60);
    int mode = -1;
    uint16_t port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "send") == 0 && i + 2 < argc) {
            mode = 0;
            if (parse_ip(argv[i + 1], &peer) < 0)
                mode = -1;
            port = (uint16_t)atoi(argv[i + 2]);
        } else if (strcmp(argv[i], "sink") == 0 && i + 1 < argc) {
            mode = 1;
            port = (uint16_t)atoi(argv[i + 1]);
        }
    }
    if (tap == NULL || mode < 0 || port == 0 ||
        parse_ip(bench_opt_str(argc, argv, "--ip", NULL), &me) < 0) {
        fprintf(stderr, "usage: bench_tap_bulk --tap NAME --ip A.B.C.D [--prefix N] "
                        "send PEER PORT --bytes N | sink PORT\n");
        return 2;
    }
    bool offload = bench_opt(argc, argv, "--offload", 0) != 0;
    char err[256];
    tap_link tl = {0};
    tl.fd = synack_native_tap_attach(tap, offload, &tl.vnet, err, sizeof err);
    if (tl.fd < 0) {
        fprintf(stderr, "tap_bulk: %s\n", err);
        return 1;
    }
    if (offload && !tl.vnet)
        fprintf(stderr, "tap_bulk: no receive offload on %s, plain frames\n", tap);
    int fd = tl.fd;
    bench_mem mem = {0};
    synack_config cfg;
    bench_config(&cfg);
    cfg.alloc = bench_allocator(&mem);
    cfg.link = (synack_link){.send = tap_write, .ctx = &tl, .mtu = 1500, .medium = SYNACK_MEDIUM_ETHERNET};
    /* --gso N: send TCP segments of up to N bytes (IP) for the kernel to
     * cut (needs the virtio_net_hdr, so receive offload too) */
    uint32_t gso = (uint32_t)bench_opt(argc, argv, "--gso", 0);
    if (gso && tl.vnet) {
        cfg.link.gso_max = gso > 65535 ? 65535 : gso;
        cfg.link.send_gso = tap_write_gso;
    }
    /* the loop below feeds every frame one wake-up brings, then polls:
       one ACK per burst (--ack-per-burst 0: every second segment) */
    cfg.link.ack_per_burst = bench_opt(argc, argv, "--ack-per-burst", 1) != 0;
    cfg.mac = (synack_mac){{0x02, 0x00, 0x00, 0x78, 0x00, (uint8_t)(me & 0xff)}};
    cfg.seed = synack_libc_seed();
    synack_stack *s;
    uint64_t now = bench_ms();
    if (synack_stack_new(&s, &cfg, now) < 0 || synack_set_ipv4(s, now, me, prefix, 0) < 0) {
        fprintf(stderr, "tap_bulk: stack set-up failed\n");
        return 1;
    }
    int h = synack_tcp_open(s), lh = -1;
    if (mode == 0) {
        synack_addr pa = synack_addr_from_ip4(peer);
        synack_tcp_connect(s, now, h, &pa, port);
    } else {
        lh = h;
        h = -1;
        synack_tcp_bind(s, lh, port);
        synack_tcp_listen(s, lh, 4);
        fprintf(stderr, "tap_bulk: listening on port %u\n", (unsigned)port);
    }
    static uint8_t rbuf[SYNACK_VNET_FRAME_MAX + 64], sink[BENCH_CHUNK];
    uint64_t reads = 0;
    const uint8_t *pat = bench_pattern();
    uint64_t moved = 0;
    bool started = false, shut = false, done = false;
    double t0 = bench_seconds(), t_start = 0, t_end = 0;
    int rc = 1;
    while (!done && bench_seconds() - t0 < limit) {
        now = bench_ms();
        bool busy = false;
        for (int i = 0; i < 512; i++) {
            uint8_t *frame;
            int32_t n = synack_native_tap_read(fd, tl.vnet, rbuf, sizeof rbuf, &frame);
            if (n <= 0)
                break;
            reads++;
            synack_input(s, now, frame, (size_t)n);
            busy = true;
        }
        if (mode == 1 && h < 0 && (h = synack_tcp_accept(s, now, lh, NULL, NULL)) >= 0) {
            started = true;
            t_start = bench_seconds();
        }
        if (mode == 0 && !started && (synack_tcp_events(s, h) & SYNACK_EV_CONNECTED)) {
            started = true;
            t_start = bench_seconds();
        }
        if (h >= 0 && (synack_tcp_events(s, h) & SYNACK_EV_ERROR)) {
            fprintf(stderr, "tap_bulk: %s\n", synack_strerror(synack_tcp_error(s, h)));
            break;
        }
        if (started && mode == 0) {
            while (moved < bytes) {
                uint64_t left = bytes - moved;
                int k = synack_tcp_send(s, now, h, pat, left < BENCH_CHUNK ? (size_t)left : BENCH_CHUNK);
                if (k <= 0)
                    break;
                moved += (uint64_t)k;
                busy = true;
            }
            if (moved == bytes && !shut) {
                synack_tcp_shutdown(s, now, h);
                shut = true;
            }
            synack_tcp_info info;
            if (shut && synack_tcp_get_info(s, h, &info) == 0 && info.sndbuf_used == 0 &&
                info.snd_una == info.snd_nxt &&
                (info.state == SYNACK_TCP_FIN_WAIT_2 || info.state == SYNACK_TCP_TIME_WAIT ||
                 info.state == SYNACK_TCP_CLOSED)) {
                t_end = bench_seconds();
                done = true;
                rc = 0;
            }
        } else if (started && mode == 1) {
            int k;
            while ((k = synack_tcp_recv(s, now, h, sink, sizeof sink)) > 0) {
                moved += (uint64_t)k;
                busy = true;
            }
            if (k == 0) {
                t_end = bench_seconds();
                synack_tcp_close(s, now, h);
                done = true;
                rc = 0;
            }
        }
        synack_poll(s, now);
        if (!busy) {
            uint64_t at = synack_poll_at(s);
            int wait = at <= now ? 0 : (at - now > 5 ? 5 : (int)(at - now));
            struct pollfd p = {fd, POLLIN, 0};
            poll(&p, 1, wait);
        }
    }
    /* let the last ACK/FIN out before leaving */
    synack_poll(s, bench_ms());
    if (rc == 0) {
        double dt = t_end - t_start;
        printf("{\"bench\":\"%s\",\"bytes\":%llu,\"seconds\":%.6g,\"mbit_per_s\":%.6g,"
               "\"offload\":%d,\"gso\":%u,\"reads\":%llu,\"writes\":%llu,\"ack_per_burst\":%d}\n",
               mode == 0 ? "tap_bulk_send" : "tap_bulk_sink", (unsigned long long)moved, dt,
               dt > 0 ? (double)moved * 8 / dt / 1e6 : 0.0, tl.vnet ? 1 : 0,
               (unsigned)cfg.link.gso_max, (unsigned long long)reads, tl.writes,
               cfg.link.ack_per_burst ? 1 : 0);
    } else {
        fprintf(stderr, "tap_bulk: did not finish (%llu bytes moved)\n", (unsigned long long)moved);
    }
    synack_stack_free(s);
    synack_native_tap_close(fd, tl.vnet);
    return rc;
}
