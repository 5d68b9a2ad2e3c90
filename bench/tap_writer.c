/*
 * The Linux side of bench/tap_smoltcp.sh: a TCP client that does what the
 * client thread of smoltcp's own TAP benchmark (examples/benchmark.rs,
 * "writer" mode) does, so synack and smoltcp face the same sender and are
 * timed by the same rule: connect, write() a zeroed 1,000,000-byte buffer
 * until N bytes are taken, and time from the connect to the return of the
 * last write (the kernel's send buffer may still hold the tail then, as
 * for smoltcp's figure).
 *   bench_tap_writer HOST PORT [BYTES]     (BYTES: 1000000000, smoltcp's)
 * Prints {"bench":"tap_writer","bytes":N,"seconds":S,"mbit_per_s":R}.
 * Connecting retries for up to 5 s (the receiver may still be starting).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_tap_writer HOST PORT [BYTES]\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "tap_writer: bad address %s\n", argv[1]);
        return 2;
    }
    unsigned long long total = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000000ull;
    static char buf[1000000]; /* zeroed, as smoltcp's `vec![0; 1_000_000]` */
    int fd = -1;
    double give_up = seconds() + 5;
    for (;;) {
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            perror("tap_writer: socket");
            return 1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
            break;
        close(fd);
        if (seconds() > give_up) {
            perror("tap_writer: connect");
            return 1;
        }
        usleep(20000);
    }
    /* smoltcp's client starts its clock once connected */
    double t0 = seconds();
    unsigned long long done = 0;
    while (done < total) {
        unsigned long long left = total - done;
        ssize_t n = write(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
        if (n <= 0) {
            perror("tap_writer: write");
            return 1;
        }
        done += (unsigned long long)n;
    }
    double dt = seconds() - t0;
    close(fd);
    printf("{\"bench\":\"tap_writer\",\"bytes\":%llu,\"seconds\":%.6g,\"mbit_per_s\":%.6g}\n", done, dt,
           dt > 0 ? (double)done * 8 / dt / 1e6 : 0.0);
    return 0;
}
