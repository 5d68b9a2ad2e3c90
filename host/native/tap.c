/*
 * TAP link: an existing TAP device (made beforehand, e.g. `ip tuntap add
 * dev tap0 mode tap`) attached by name with TUNSETIFF, IFF_TAP |
 * IFF_NO_PI: each read(2) is one Ethernet frame, each write(2) sends one
 * (Linux Documentation/networking/tuntap.rst).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "native.h"

int synack_native_tap_open(const char *name, char *err, size_t errcap)
{
    if (strlen(name) >= IFNAMSIZ) {
        snprintf(err, errcap, "TAP device name too long: %s", name);
        return -1;
    }
    /* Attach only: TUNSETIFF would otherwise create a new device. */
    if (if_nametoindex(name) == 0) {
        snprintf(err, errcap, "no such TAP device: %s", name);
        return -1;
    }
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errcap, "cannot open /dev/net/tun: %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        snprintf(err, errcap, "cannot attach to %s: %s%s", name, strerror(errno),
                 errno == EINVAL ? " (is it a TAP device, not TUN?)" : "");
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        snprintf(err, errcap, "fcntl: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}
