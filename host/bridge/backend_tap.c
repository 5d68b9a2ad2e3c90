/*
 * TAP backend: an existing Linux TAP device (Documentation/networking/
 * tuntap.rst), opened with IFF_TAP | IFF_NO_PI so each read and write is
 * exactly one Ethernet frame.
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int synack_br_tap_open(const char *name)
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
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, "synack-bridge: TAP %s: %s\n", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int synack_br_tap_read(int fd, synack_br *br, uint8_t *buf, size_t buflen,
                       int budget)
{
    int n = 0;
    while (n < budget) {
        ssize_t r = read(fd, buf, buflen);
        if (r < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            return -1;
        }
        if (r == 0)
            return -1; /* the device went away */
        synack_br_input(br, SYNACK_BR_BACKEND_PORT, synack_br_now_ms(), buf,
                        (size_t)r);
        n++;
    }
    return n;
}

bool synack_br_tap_write(int fd, const uint8_t *frame, size_t len)
{
    ssize_t w = write(fd, frame, len);
    return w == (ssize_t)len;
}
