/*
 * The bridge's backends: a Linux TAP device, and libslirp's user-mode NAT.
 * Both hand received frames to the switch as port 0 and take frames from
 * it; the event loop polls their descriptors.
 */
#ifndef SYNACK_BR_BACKEND_H
#define SYNACK_BR_BACKEND_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "switch.h"

/* A growable poll set (grows only when slirp has more sockets than ever). */
typedef struct synack_br_pollset {
    struct pollfd *v;
    size_t n, cap;
} synack_br_pollset;

/* Append a descriptor; returns its index, or -1 when out of memory. */
int synack_br_pollset_add(synack_br_pollset *ps, int fd, short events);

/* Milliseconds on the monotonic clock. */
uint64_t synack_br_now_ms(void);

/* ---- TAP --------------------------------------------------------------- */

/*
 * Attach to the existing TAP device `name` (IFF_TAP | IFF_NO_PI),
 * non-blocking; with `vnet`, also IFF_VNET_HDR (a 10-byte virtio_net_hdr
 * before every frame each way, host/native/vnet.h) so that super-frames
 * can be written whole with GSO; with `tso` also TUN_F_CSUM | TUN_F_TSO4 |
 * TUN_F_TSO6, so Linux hands over TCP/IPv4 and TCP/IPv6 super-frames (up to 64 KB, cut here for clients
 * that do not take them). Returns the descriptor, or -1 with a message on
 * stderr.
 */
int synack_br_tap_open(const char *name, bool vnet, bool tso);

/* Close it, dropping the device's offloads first when `vnet`. */
void synack_br_tap_close(int fd, bool vnet);

/* Read up to `budget` frames from the device into the switch. Returns the
 * number read, -1 when the device failed. */
int synack_br_tap_read(int fd, bool vnet, synack_br *br, uint8_t *buf, size_t buflen,
                       int budget);

/* Write one frame; false when the device would block or refused it. */
bool synack_br_tap_write(int fd, bool vnet, const uint8_t *frame, size_t len);

/* Write a TCP/IPv4 or TCP/IPv6 super-frame with GSO (a vnet TAP; the TCP checksum
 * field holds the pseudo-header sum); false when refused. */
bool synack_br_tap_write_gso(int fd, const uint8_t *frame, size_t len, uint32_t seg);

/* ---- slirp ------------------------------------------------------------- */

typedef struct synack_br_slirp synack_br_slirp;

/*
 * Start libslirp on the network of `net` with the forwards of `o`; frames
 * slirp sends go into `br` as port 0. Returns NULL (message on stderr)
 * on failure, or when built without libslirp.
 */
synack_br_slirp *synack_br_slirp_open(const synack_br_options *o,
                                      const synack_br_slirp_net *net,
                                      synack_br *br, bool verbose);
void synack_br_slirp_close(synack_br_slirp *s);

/* A frame from a client into slirp. */
void synack_br_slirp_input(synack_br_slirp *s, const uint8_t *frame, size_t len);

/*
 * A client's TCP/IPv4 super-frame (switch.h emit_gso: checksum field
 * holding the pseudo-header sum, pieces of `seg` bytes) into slirp whole,
 * with its checksum completed. libslirp's input takes any IPv4 length
 * (slirp_input grows its mbuf; ip_input checks only the header and the
 * length against the data) and its TCP takes a segment above the MSS it
 * offered, so slirp acknowledges the whole run at once. Returns false
 * (nothing given to slirp; the caller cuts it) when the frame is not one,
 * and for TCP/IPv6: libslirp 4.7's ip6_input answers any packet longer
 * than if_mtu with Packet Too Big, so IPv6 super-frames are cut.
 */
bool synack_br_slirp_input_super(synack_br_slirp *s, const uint8_t *frame, size_t len,
                                 uint32_t seg);

/*
 * Before poll(): add slirp's sockets to `ps` and lower *timeout_ms (-1 =
 * infinite) to its next timer. Returns -1 when out of memory.
 */
int synack_br_slirp_fill(synack_br_slirp *s, synack_br_pollset *ps,
                         int *timeout_ms);

/* After poll(): let slirp handle its sockets and expired timers. */
void synack_br_slirp_poll(synack_br_slirp *s, synack_br_pollset *ps,
                          bool poll_failed);

#endif
