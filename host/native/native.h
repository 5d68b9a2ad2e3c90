/*
 * The Linux side of the `synack` tool: the platform interface of
 * host/cli/cli_platform.h over file descriptors, poll(2) and
 * clock_gettime(2), and the link drivers that open a descriptor: an
 * existing TAP device, a TCP connection to a bridge, stdin/stdout.
 */
#ifndef SYNACK_NATIVE_H
#define SYNACK_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_fdlink.h"
#include "cli_platform.h"

typedef struct synack_native {
    synack_cli_fdlink link; /* first: the shared link members use it */
    bool stdio_nonblock; /* --stdio made fds 0 and 1 non-blocking */
    int stdio_flags[2];  /* their file status flags before that */
    bool tap_vnet;       /* the TAP granted receive offload (tap.c) */
    /* the shared link_read/link_write, for every link but an offloading TAP */
    int32_t (*fd_read)(void *ctx, uint8_t *buf, size_t cap);
    int32_t (*fd_write)(void *ctx, const uint8_t *data, size_t len);
} synack_native;

/* Fill *p with the Linux implementation; ctx is `n`. */
void synack_native_platform(synack_cli_platform *p, synack_native *n);

/*
 * Attach to the existing TAP device `name` (TUNSETIFF, IFF_TAP |
 * IFF_NO_PI). Returns a non-blocking descriptor, or -1 with a reason.
 */
int synack_native_tap_open(const char *name, char *err, size_t errcap);

/*
 * Like synack_native_tap_open; with `offload`, also ask for receive
 * offload (IFF_VNET_HDR, TUN_F_CSUM | TUN_F_TSO4: TCP super-frames up to
 * 64 KB). *vnet says whether the kernel granted it; when it did not, the
 * descriptor carries plain frames. Frames then go through
 * synack_native_tap_read/_write, and the descriptor is closed with
 * synack_native_tap_close. Returns the descriptor or -1 with a reason.
 */
int synack_native_tap_attach(const char *name, bool offload, bool *vnet, char *err,
                             size_t errcap);

#define SYNACK_NATIVE_TAP_AGAIN (-2)

/*
 * Read one frame into buf (cap >= 14 + 65535 with vnet: the header is
 * read apart); *frame points at its Ethernet header, which is buf.
 * Returns its length, SYNACK_NATIVE_TAP_AGAIN when none is waiting, or
 * -1 on an error (errno set).
 */
int32_t synack_native_tap_read(int fd, bool vnet, uint8_t *buf, size_t cap,
                               uint8_t **frame);

/* Send one frame (with a zeroed virtio_net_hdr when vnet): 0 or -1. */
int synack_native_tap_write(int fd, bool vnet, const uint8_t *frame, size_t len);
/* Write a TCP segment larger than the MTU as one GSO packet (a descriptor
 * with the virtio_net_hdr made from g; synack_link.send_gso, vnet.h).
 * 0 or -1. */
int synack_native_tap_write_gso(int fd, const uint8_t *frame, size_t len, const synack_gso *g);

/* Turn the offloads off again (when vnet) and close fd. */
void synack_native_tap_close(int fd, bool vnet);

/*
 * Connect a TCP stream to host:port. Returns a non-blocking descriptor,
 * or -1 with a reason.
 */
int synack_native_stream_connect(const char *host, uint16_t port, char *err,
                                 size_t errcap);

#endif
