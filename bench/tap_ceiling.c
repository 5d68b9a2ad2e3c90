/*
 * The raw TAP frame ceiling for item 3: how fast one process on this machine
 * can write 1514-byte frames into a TAP device -- the most any userspace
 * stack on that TAP could send. Each frame is an IPv4/UDP datagram from
 * --src to --dst port 9 (discard; the kernel takes it up to UDP and drops
 * it), addressed to the TAP's own MAC.
 *   bench_tap_ceiling --tap NAME --src A.B.C.D --dst A.B.C.D [--seconds S]
 * Prints {"bench":"tap_ceiling","frames":N,"seconds":S,"mbit_per_s":R}.
 * Linux only; needs CAP_NET_ADMIN (or a TAP owned by the caller).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *opt(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *name = opt(argc, argv, "--tap", NULL);
    const char *src = opt(argc, argv, "--src", "10.77.0.2");
    const char *dst = opt(argc, argv, "--dst", "10.77.0.1");
    double secs = atof(opt(argc, argv, "--seconds", "2"));
    if (name == NULL) {
        fprintf(stderr, "usage: bench_tap_ceiling --tap NAME [--src IP] [--dst IP] [--seconds S]\n");
        return 2;
    }
    int fd = open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
        perror("open /dev/net/tun");
        return 1;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        perror("TUNSETIFF");
        return 1;
    }
    /* the TAP's own MAC, so the kernel takes the frames as addressed to it */
    uint8_t mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq hw;
    memset(&hw, 0, sizeof hw);
    strncpy(hw.ifr_name, name, IFNAMSIZ - 1);
    if (s >= 0 && ioctl(s, SIOCGIFHWADDR, &hw) == 0)
        memcpy(mac, hw.ifr_hwaddr.sa_data, 6);
    if (s >= 0)
        close(s);

    uint8_t f[1514];
    memset(f, 0xa5, sizeof f);
    memcpy(f, mac, 6);
    const uint8_t me[6] = {0x02, 0x00, 0x00, 0x77, 0x00, 0x02};
    memcpy(f + 6, me, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    uint16_t total = 1500;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[6] = 0x40; /* DF */
    ip[8] = 64;
    ip[9] = 17;
    struct in_addr a;
    inet_pton(AF_INET, src, &a);
    memcpy(ip + 12, &a, 4);
    inet_pton(AF_INET, dst, &a);
    memcpy(ip + 16, &a, 4);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)ip[i] << 8 | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    udp[0] = 0x9c;
    udp[1] = 0x40; /* 40000 */
    udp[2] = 0;
    udp[3] = 9;
    udp[4] = (uint8_t)((total - 20) >> 8);
    udp[5] = (uint8_t)(total - 20);
    udp[6] = udp[7] = 0; /* no checksum */

    uint64_t frames = 0, errors = 0;
    double t0 = now_s(), t = t0;
    while (t - t0 < secs) {
        for (int i = 0; i < 64; i++) {
            if (write(fd, f, sizeof f) == (ssize_t)sizeof f)
                frames++;
            else
                errors++;
        }
        t = now_s();
    }
    double dt = t - t0;
    printf("{\"bench\":\"tap_ceiling\",\"frames\":%llu,\"errors\":%llu,\"seconds\":%.6g,"
           "\"mbit_per_s\":%.6g}\n",
           (unsigned long long)frames, (unsigned long long)errors, dt,
           dt > 0 ? (double)frames * sizeof f * 8 / dt / 1e6 : 0.0);
    close(fd);
    return frames > 0 ? 0 : 1;
}
