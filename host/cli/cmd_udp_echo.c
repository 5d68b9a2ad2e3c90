/*
 * udp-echo PORT: a UDP echo server (the service of RFC 862 on any port):
 * every datagram goes back to where it came from. Runs until killed or
 * until the link goes away.
 */
#include <stdlib.h>

#include "cli_run.h"

#define UDP_MAX 65535u

int synack_cli_cmd_udp_echo(synack_cli *c)
{
    int h = synack_udp_open(c->stack, c->o->port);
    if (h < 0) {
        synack_cli_msg(c, "udp-echo %u: %s", (unsigned)c->o->port,
                       synack_strerror(h));
        return 1;
    }
    synack_cli_announce(c, "udp", c->o->port);
    uint8_t *buf = malloc(UDP_MAX);
    if (buf == NULL) {
        synack_udp_close(c->stack, h);
        return 1;
    }
    for (;;) {
        for (int i = 0; i < 256; i++) {
            synack_addr src;
            uint16_t sport;
            int n = synack_udp_recvfrom(c->stack, h, buf, UDP_MAX, &src, &sport);
            if (n == SYNACK_ERR_AGAIN)
                break;
            if (n < 0)
                continue; /* an ICMP error about an earlier reply */
            size_t len = (size_t)n < UDP_MAX ? (size_t)n : UDP_MAX;
            synack_udp_sendto(c->stack, synack_cli_now(c), h, &src, sport, buf, len);
        }
        if (synack_cli_step(c, UINT64_MAX, false) < 0)
            break;
    }
    free(buf);
    synack_udp_close(c->stack, h);
    return 1;
}
