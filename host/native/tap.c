/*
 * TAP link: an existing TAP device (made beforehand, e.g. `ip tuntap add
 * dev tap0 mode tap`) attached by name with TUNSETIFF, IFF_TAP |
 * IFF_NO_PI: each read(2) is one Ethernet frame, each write(2) sends one
 * (Linux Documentation/networking/tuntap.rst).
 *
 * Receive offload (optional): with IFF_VNET_HDR, TUNSETVNETHDRSZ and
 * TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) the kernel may hand
 * us one TCP super-frame of up to 64 KB, over IPv4 or IPv6 (its TSO
 * output, not cut into MSS pieces) with the checksum left for us to
 * complete (vnet.c; the core takes such segments above the MTU and
 * checks them like any other); every frame in both
 * directions then carries a 10-byte virtio_net_hdr (vnet.c). One read(2)
 * then moves ~40 frames' worth of data, and the stack ACKs once per read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "native.h"
#include "vnet.h"

/* Open /dev/net/tun and attach to `name` with `flags`; -1 and errno. */
static int attach(const char *name, short flags)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = flags;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* Ask for the header and the offloads; false (fd unusable for plain
 * frames, close it) when the kernel refuses any of it. */
static bool want_offload(int fd)
{
    int sz = (int)SYNACK_VNET_HDR_LEN;
    return ioctl(fd, TUNSETVNETHDRSZ, &sz) == 0 &&
           ioctl(fd, TUNSETOFFLOAD,
                 (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0;
}

int synack_native_tap_attach(const char *name, bool offload, bool *vnet, char *err,
                             size_t errcap)
{
    *vnet = false;
    if (strlen(name) >= IFNAMSIZ) {
        snprintf(err, errcap, "TAP device name too long: %s", name);
        return -1;
    }
    /* Attach only: TUNSETIFF would otherwise create a new device. */
    if (if_nametoindex(name) == 0) {
        snprintf(err, errcap, "no such TAP device: %s", name);
        return -1;
    }
    int fd = -1;
    if (offload) {
        fd = attach(name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
        if (fd >= 0 && want_offload(fd)) {
            *vnet = true;
        } else if (fd >= 0) {
            close(fd); /* an old kernel: plain frames below */
            fd = -1;
        }
    }
    if (fd < 0)
        fd = attach(name, IFF_TAP | IFF_NO_PI);
    if (fd < 0) {
        snprintf(err, errcap, "cannot %s %s: %s%s",
                 errno == ENOENT || errno == ENODEV ? "open /dev/net/tun for" : "attach to",
                 name, strerror(errno),
                 errno == EINVAL ? " (is it a TAP device, not TUN?)" : "");
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errcap, "fcntl: %s", strerror(errno));
        synack_native_tap_close(fd, *vnet);
        *vnet = false;
        return -1;
    }
    return fd;
}

int synack_native_tap_open(const char *name, char *err, size_t errcap)
{
    bool vnet;
    return synack_native_tap_attach(name, false, &vnet, err, errcap);
}

int32_t synack_native_tap_read(int fd, bool vnet, uint8_t *buf, size_t cap,
                               uint8_t **frame)
{
    *frame = buf;
    for (;;) {
        /* The header into its own bytes, so the frame starts at buf. */
        uint8_t hdr[SYNACK_VNET_HDR_LEN];
        struct iovec iov[2] = {{hdr, sizeof hdr}, {buf, cap}};
        ssize_t n = vnet ? readv(fd, iov, 2) : read(fd, buf, cap);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? SYNACK_NATIVE_TAP_AGAIN : -1;
        if (!vnet)
            return (int32_t)n;
        if (n == 0)
            return 0;
        if (n >= (ssize_t)sizeof hdr) {
            int32_t len = synack_vnet_fix(hdr, buf, (size_t)n - sizeof hdr);
            if (len >= 0)
                return len;
        }
        /* a malformed header: drop that frame, try the next */
    }
}

/* One frame behind its virtio_net_hdr, in one writev: 0 or -1. */
static int write_with_hdr(int fd, const uint8_t hdr[SYNACK_VNET_HDR_LEN],
                          const uint8_t *frame, size_t len)
{
    struct iovec iov[2] = {{(void *)hdr, SYNACK_VNET_HDR_LEN}, {(void *)frame, len}};
    return writev(fd, iov, 2) == (ssize_t)(SYNACK_VNET_HDR_LEN + len) ? 0 : -1;
}

int synack_native_tap_write(int fd, bool vnet, const uint8_t *frame, size_t len)
{
    if (!vnet)
        return write(fd, frame, len) == (ssize_t)len ? 0 : -1;
    /* GSO_NONE, no flags: our checksums are complete, frames <= MTU */
    static const uint8_t hdr[SYNACK_VNET_HDR_LEN];
    return write_with_hdr(fd, hdr, frame, len);
}

int synack_native_tap_write_gso(int fd, const uint8_t *frame, size_t len, const synack_gso *g)
{
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    synack_vnet_tx_gso(hdr, len, g); /* the stack's offsets, not re-parsed */
    return write_with_hdr(fd, hdr, frame, len);
}

void synack_native_tap_close(int fd, bool vnet)
{
    /* The offloads are the device's, not the descriptor's: drop them so
     * the next plain reader of this TAP gets no super-frames. */
    if (vnet)
        (void)ioctl(fd, TUNSETOFFLOAD, 0UL);
    close(fd);
}
