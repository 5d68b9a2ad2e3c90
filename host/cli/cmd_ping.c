/*
 * ping HOST [-c N]: ICMP echo (RFC 792) once a second, one line per reply,
 * exit 1 when no reply came. Each request carries its send time, so the
 * round-trip time needs no table.
 */
#include <string.h>

#include "cli_run.h"

#define PING_INTERVAL_MS 1000u
#define PING_WAIT_MS 4000u    /* after the last request: beyond ARP give-up */
#define PING_PAYLOAD 56u

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int synack_cli_cmd_ping(synack_cli *c)
{
    const synack_cli_opts *o = c->o;
    synack_addr dst;
    int rc = synack_cli_resolve(c, o->host, o->family, &dst);
    if (rc != 0)
        return rc;
    char dtext[SYNACK_ADDR_STRLEN];
    synack_addr_format(&dst, dtext);
    char what[300];
    memcpy(what, "ping ", 5);
    memcpy(what + 5, dtext, strlen(dtext) + 1);

    int h = synack_ping_open(c->stack);
    if (h < 0)
        return synack_cli_fail(c, what, h);
    synack_cli_outf(c, "PING %s (%s) %u bytes of data.\n", o->host, dtext,
                    PING_PAYLOAD);

    uint32_t sent = 0, received = 0;
    int last_err = 0;
    uint64_t start = synack_cli_now(c), next = start, end = UINT64_MAX;
    uint8_t payload[PING_PAYLOAD], reply[PING_PAYLOAD];
    memset(payload, 0, sizeof payload);

    /* Bounded: count requests, then PING_WAIT_MS. */
    while (synack_cli_now(c) < end && received < o->count) {
        uint64_t now = synack_cli_now(c);
        if (sent < o->count && now >= next) {
            put_u64(payload, now);
            for (size_t i = 8; i < sizeof payload; i++)
                payload[i] = (uint8_t)i;
            sent++;
            int r = synack_ping_send(c->stack, now, h, &dst, (uint16_t)sent,
                                     payload, sizeof payload);
            if (r < 0)
                last_err = r;
            next += PING_INTERVAL_MS;
            if (sent == o->count)
                end = now + PING_WAIT_MS;
        }
        for (;;) {
            synack_addr src;
            uint16_t seq;
            int n = synack_ping_recv(c->stack, h, &src, &seq, reply, sizeof reply);
            if (n == SYNACK_ERR_AGAIN)
                break;
            if (n < 0) {
                last_err = n;
                continue;
            }
            char stext[SYNACK_ADDR_STRLEN];
            synack_addr_format(&src, stext);
            uint64_t rtt = 0;
            if (n >= 8) {
                uint64_t t = get_u64(reply);
                uint64_t at = synack_cli_now(c);
                rtt = at >= t ? at - t : 0;
            }
            received++;
            synack_cli_outf(c, "%d bytes from %s: icmp_seq=%u time=%llu ms\n",
                            n + 8, stext, (unsigned)seq, (unsigned long long)rtt);
        }
        uint64_t until = sent < o->count ? next : end;
        if (received < o->count && synack_cli_step(c, until, false) < 0) {
            synack_ping_close(c->stack, h);
            return 1;
        }
    }
    synack_ping_close(c->stack, h);
    uint32_t loss = sent > 0 ? (sent - received) * 100u / sent : 0;
    synack_cli_outf(c, "--- %s ping statistics ---\n"
                       "%u packets transmitted, %u received, %u%% packet loss\n",
                    o->host, (unsigned)sent, (unsigned)received, (unsigned)loss);
    if (received > 0)
        return 0;
    return synack_cli_fail(c, what, last_err != 0 ? last_err : SYNACK_ERR_TIMEOUT);
}
