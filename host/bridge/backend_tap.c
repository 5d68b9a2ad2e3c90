/*
 * TAP backend: an existing Linux TAP device (Documentation/networking/
 * tuntap.rst), opened with IFF_TAP | IFF_NO_PI so each read and write is
 * exactly one Ethernet frame.
 */
#include "backend.h"
#include "client.h"
#include "offload.h"
#include "vnet.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

int synack_br_tap_open(const char *name, bool vnet, bool tso)
{
    /* Only an existing device: TUNSETIFF would create a new one. */
    if (if_nametoindex(name) == 0) {
        fprintf(stderr, "synack-bridge: no TAP device %s\n", name);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "synack-bridge: /dev/net/tun: %s\n", strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet ? IFF_VNET_HDR : 0);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "synack-bridge: TAP %s: %s\n", name, strerror(errno));
        close(fd);
        return -1;
    }
    if (!vnet) {
        /* The offloads are the device's, not the descriptor's: a reader
         * with offloads before us (an offloading bridge killed with
         * SIGKILL) must not leave us super-frames we cannot tell apart. */
        (void)ioctl(fd, TUNSETOFFLOAD, 0ul);
        return fd;
    }
    int hl = (int)SYNACK_VNET_HDR_LEN;
    /* Offloads 0: the kernel completes checksums before handing a frame
     * over (the descriptor's offloads are the device's: reset them). */
    unsigned long off = tso ? (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) : 0ul;
    if (vnet && (ioctl(fd, TUNSETVNETHDRSZ, &hl) < 0 || ioctl(fd, TUNSETOFFLOAD, off) < 0)) {
        fprintf(stderr, "synack-bridge: TAP %s: vnet header: %s\n", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int synack_br_tap_read(int fd, bool vnet, synack_br *br, uint8_t *buf, size_t buflen,
                       int budget)
{
    int n = 0;
    while (n < budget) {
        uint8_t hdr[SYNACK_VNET_HDR_LEN];
        struct iovec iov[2] = {{hdr, sizeof(hdr)}, {buf, buflen}};
        ssize_t r = vnet ? readv(fd, iov, 2) : read(fd, buf, buflen);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            return -1;
        }
        if (r == 0)
            return -1; /* the device went away */
        n++;
        size_t len = (size_t)r;
        if (vnet) {
            /* Without receive offloads the header is plain; should the
             * kernel still say NEEDS_CSUM or GSO, finish or cut here. */
            if (len < sizeof(hdr) || synack_vnet_fix(hdr, buf, len - sizeof(hdr)) < 0)
                continue;
            len -= sizeof(hdr);
            uint16_t seg = (uint16_t)(hdr[4] | hdr[5] << 8);
            if (hdr[1] != 0) {
                /* TSO from Linux: whole to a client that takes it, else cut. */
                synack_br_backend_super(br, synack_br_now_ms(), buf, len, seg);
                continue;
            }
        }
        synack_br_input(br, SYNACK_BR_BACKEND_PORT, synack_br_now_ms(), buf, len);
    }
    return n;
}

bool synack_br_tap_write(int fd, bool vnet, const uint8_t *frame, size_t len)
{
    if (!vnet) {
        ssize_t w = write(fd, frame, len);
        return w == (ssize_t)len;
    }
    uint8_t hdr[SYNACK_VNET_HDR_LEN] = {0};
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)frame, len}};
    ssize_t w = writev(fd, iov, 2);
    return w == (ssize_t)(len + sizeof(hdr));
}

bool synack_br_tap_write_gso(int fd, const uint8_t *frame, size_t len, uint32_t seg)
{
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    synack_gso g; /* a client's frame: its offsets come from its headers */
    if (synack_offload_gso_of(frame, len, seg, &g) != 0)
        return false; /* not TCP over IPv4 or IPv6 after all */
    synack_vnet_tx_gso(hdr, len, &g);
    if (hdr[1] == 0)
        return false;
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)frame, len}};
    ssize_t w = writev(fd, iov, 2);
    return w == (ssize_t)(len + sizeof(hdr));
}

void synack_br_tap_close(int fd, bool vnet)
{
    /* Drop the device's offloads so the next plain reader gets plain frames. */
    if (vnet)
        (void)ioctl(fd, TUNSETOFFLOAD, 0ul);
    close(fd);
}
