/*
 * Network helpers shared by the commands: error lines that name what
 * happened (DESIGN.md: refused, reset, timed out, unreachable), name
 * resolution through the core's DNS stub resolver (RFC 1035), and the
 * opening and orderly closing of TCP connections (RFC 9293 section 3.6).
 */
#include <stdio.h>
#include <string.h>

#include "cli_run.h"

int synack_cli_fail(synack_cli *c, const char *what, int err)
{
    const char *name;
    switch (err) {
    case SYNACK_ERR_REFUSED:
        name = "connection refused";
        break;
    case SYNACK_ERR_RESET:
        name = "connection reset";
        break;
    case SYNACK_ERR_TIMEOUT:
        name = "timed out";
        break;
    case SYNACK_ERR_UNREACHABLE:
        name = "unreachable";
        break;
    default:
        name = synack_strerror(err);
        break;
    }
    synack_cli_msg(c, "%s: %s", what, name);
    return 1;
}

void synack_cli_announce(synack_cli *c, const char *proto, uint16_t port)
{
    synack_ip4 addr;
    char text[16];
    synack_get_ipv4(c->stack, &addr, NULL, NULL);
    synack_ip4_format(addr, text);
    synack_cli_msg(c, "listening on %s port %u (%s)", text, (unsigned)port, proto);
    /* and on each IPv6 address (one listener takes both families) */
    synack_ip6_addr_info a6[8];
    size_t n = synack_get_ipv6(c->stack, a6, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        char t6[SYNACK_ADDR_STRLEN];
        synack_addr_format(&a6[i].addr, t6);
        synack_cli_msg(c, "listening on %s port %u (%s)", t6, (unsigned)port, proto);
    }
}

/* How long a command waits for IPv6 autoconfiguration (router
 * solicitation delay, DAD of the link-local and of the SLAAC address,
 * the router's answer: a few seconds) to give it a source address or a
 * resolver, before it fails as it would without. */
#define SYNACK_CLI_AUTOCONF_WAIT_MS 8000u

/* Whether the stack has a usable IPv6 address of dst's scope. */
static bool has_source6(synack_cli *c, const synack_addr *dst)
{
    bool ll = dst->b[0] == 0xfe && (dst->b[1] & 0xc0) == 0x80;
    synack_ip6_addr_info a[8];
    size_t n = synack_get_ipv6(c->stack, a, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        bool a_ll = a[i].addr.b[0] == 0xfe && (a[i].addr.b[1] & 0xc0) == 0x80;
        if ((a[i].state == SYNACK_IP6_PREFERRED || a[i].state == SYNACK_IP6_DEPRECATED) &&
            a_ll == ll)
            return true;
    }
    return false;
}

/* An IPv6 destination and no address to reach it from yet: SLAAC (or a
 * static address's DAD) may still be under way; wait for it, bounded. */
static void wait_source6(synack_cli *c, const synack_addr *dst)
{
    if (dst->family != SYNACK_AF_IP6 || c->o->ip6_off || (dst->b[0] == 0xff))
        return;
    uint64_t until = synack_cli_now(c) + SYNACK_CLI_AUTOCONF_WAIT_MS;
    while (!has_source6(c, dst) && synack_cli_now(c) < until)
        if (synack_cli_step(c, until, false) < 0)
            return;
}

/* Whether an IPv6 address is still in duplicate address detection. */
static bool dad_running(synack_cli *c)
{
    synack_ip6_addr_info a[8];
    size_t n = synack_get_ipv6(c->stack, a, 8);
    for (size_t i = 0; i < n && i < 8; i++)
        if (a[i].state == SYNACK_IP6_TENTATIVE)
            return true;
    return false;
}

/* Start a query for one family; a resolver that is not there yet (an
 * RDNSS to come) is waited for until `until`. Returns the handle, a
 * negative error, or LINK_GONE when the link went away. */
#define LINK_GONE (-1000)
static int start_query(synack_cli *c, const char *host, uint8_t family, uint64_t until)
{
    int q;
    while ((q = synack_dns_query_family(c->stack, synack_cli_now(c), host, NULL, family)) ==
               SYNACK_ERR_UNREACHABLE &&
           synack_cli_now(c) < until) {
        if (synack_cli_step(c, until, false) < 0)
            return LINK_GONE;
    }
    return q;
}

/* Whether dst has an IPv6 route (the Happy Eyeballs order's test). */
static bool route6(synack_cli *c, const synack_addr *dst)
{
    return synack_route_source(c->stack, dst, NULL) == 0;
}

int synack_cli_resolve(synack_cli *c, const char *host, uint8_t family, synack_addr *out)
{
    if (synack_addr_parse(host, out) == 0) {
        wait_source6(c, out);
        return 0;
    }
    char what[300];
    size_t hl = strlen(host);
    if (hl > 255)
        hl = 255;
    memcpy(what, "resolve ", 8);
    memcpy(what + 8, host, hl);
    what[8 + hl] = '\0';
    /* AAAA and A together unless a family was asked for (or IPv6 is off) */
    bool want6 = !c->o->ip6_off && family != SYNACK_AF_IP4;
    bool want4 = family != SYNACK_AF_IP6;
    /* An address still in DAD is no source yet: the route test below
     * would fail and IPv4 win where IPv6 could (as dial_name waits). */
    uint64_t until = synack_cli_now(c) + (c->o->ip6_off ? 0 : SYNACK_CLI_AUTOCONF_WAIT_MS);
    while (want6 && dad_running(c) && synack_cli_now(c) < until)
        if (synack_cli_step(c, until, false) < 0)
            return 1;
    /* No resolver (the query says so with UNREACHABLE) may mean a router's
     * advertisement (RDNSS, RFC 8106) has not come yet: wait for it,
     * bounded, unless IPv6 is off */
    int q = start_query(c, host, want6 ? SYNACK_AF_IP6 : SYNACK_AF_IP4, until);
    if (q == LINK_GONE)
        return 1;
    if (q == SYNACK_ERR_UNREACHABLE && synack_get_resolver(c->stack, NULL) != 0) {
        synack_cli_msg(c, "%s: no DNS server (give --dns, use DHCP or a router's RDNSS)", what);
        return 1;
    }
    if (q < 0)
        return synack_cli_fail(c, what, q);
    int q6 = want6 ? q : -1, q4 = want6 ? -1 : q;
    if (want6 && want4) {
        q4 = synack_dns_query_family(c->stack, synack_cli_now(c), host, NULL, SYNACK_AF_IP4);
        if (q4 < 0) {
            synack_dns_close(c->stack, q6);
            return synack_cli_fail(c, what, q4);
        }
    }
    /* Both answers as they come, decided as synack_connect_name starts
     * its attempts (RFC 8305 section 3): a positive AAAA with an IPv6
     * route at once; an A answer waits the Resolution Delay for the AAAA;
     * an AAAA without a route waits for the A. Bounded by the resolver's
     * own retransmission schedule. */
    synack_addr a6, a4;
    int r6 = q6 >= 0 ? SYNACK_ERR_AGAIN : SYNACK_ERR_NOTFOUND;
    int r4 = q4 >= 0 ? SYNACK_ERR_AGAIN : SYNACK_ERR_NOTFOUND;
    uint64_t a_at = 0;
    bool gone = false;
    for (;;) {
        if (r6 == SYNACK_ERR_AGAIN)
            r6 = synack_dns_result(c->stack, q6, &a6);
        if (r4 == SYNACK_ERR_AGAIN)
            r4 = synack_dns_result(c->stack, q4, &a4);
        uint64_t now = synack_cli_now(c);
        if (r4 == 0 && a_at == 0)
            a_at = now;
        if (r6 != SYNACK_ERR_AGAIN && r4 != SYNACK_ERR_AGAIN)
            break;
        if (r6 == 0 && route6(c, &a6))
            break;
        if (r6 == SYNACK_ERR_AGAIN && r4 == 0 && now >= a_at + SYNACK_HE_RESOLUTION_DELAY_MS)
            break;
        uint64_t wake = r4 == 0 ? a_at + SYNACK_HE_RESOLUTION_DELAY_MS : UINT64_MAX;
        if (synack_cli_step(c, wake, false) < 0) {
            gone = true;
            break;
        }
    }
    if (q6 >= 0)
        synack_dns_close(c->stack, q6);
    if (q4 >= 0)
        synack_dns_close(c->stack, q4);
    if (gone)
        return 1;
    bool use6 = r6 == 0 && (r4 != 0 || route6(c, &a6));
    if (!use6 && r4 != 0) {
        /* neither: the A query's error, unless it only says "no A record" */
        int err = want4 && !(r4 == SYNACK_ERR_NOTFOUND && want6) ? r4 : r6;
        return synack_cli_fail(c, what, err);
    }
    *out = use6 ? a6 : a4;
    char t[SYNACK_ADDR_STRLEN], other[SYNACK_ADDR_STRLEN];
    synack_addr_format(out, t);
    if (use6 ? r4 == 0 : r6 == 0) {
        synack_addr_format(use6 ? &a4 : &a6, other);
        synack_cli_msg(c, "%s: %s (%s; also %s, not used)", what, t, use6 ? "IPv6" : "IPv4",
                       other);
    } else {
        synack_cli_msg(c, "%s: %s (%s)", what, t, use6 ? "IPv6" : "IPv4");
    }
    wait_source6(c, out);
    return 0;
}

/*
 * A name: Happy Eyeballs v2 in the core (synack_connect_name) resolves
 * AAAA and A together and races the addresses. Reports the family that
 * won ("connected to ADDR (IPv6, attempt 1 of 1)"); a name with no
 * address fails as "resolve NAME: ...", as the one-address path does.
 */
static int dial_name(synack_cli *c, const char *host, uint16_t port,
                     const char *what, int *h)
{
    /* An address in DAD cannot be a source yet: its attempt would fail
     * at once and IPv4 would win a race IPv6 could have won. */
    uint64_t until = synack_cli_now(c) + (c->o->ip6_off ? 0 : SYNACK_CLI_AUTOCONF_WAIT_MS);
    while (dad_running(c) && synack_cli_now(c) < until)
        if (synack_cli_step(c, until, false) < 0)
            return 1;
    int op;
    while ((op = synack_connect_name(c->stack, synack_cli_now(c), host, port,
                                     c->o->attempt_delay_ms, -1)) ==
               SYNACK_ERR_UNREACHABLE &&
           synack_cli_now(c) < until) {
        /* no resolver yet: a router's RDNSS may still come */
        if (synack_cli_step(c, until, false) < 0)
            return 1;
    }
    char rwhat[300];
    snprintf(rwhat, sizeof rwhat, "resolve %.255s", host);
    if (op == SYNACK_ERR_UNREACHABLE && synack_get_resolver(c->stack, NULL) != 0) {
        synack_cli_msg(c, "%s: no DNS server (give --dns, use DHCP or a router's RDNSS)", rwhat);
        return 1;
    }
    if (op < 0)
        return synack_cli_fail(c, what, op);
    int rc, conn = -1;
    synack_addr peer;
    /* Bounded by DNS retransmissions and each attempt's SYN retries. */
    while ((rc = synack_connect_name_result(c->stack, synack_cli_now(c), op, &conn,
                                            &peer)) == SYNACK_ERR_AGAIN) {
        if (synack_cli_step(c, UINT64_MAX, false) < 0) {
            synack_connect_name_close(c->stack, synack_cli_now(c), op);
            return 1;
        }
    }
    int attempts = synack_connect_name_attempts(c->stack, op);
    synack_connect_name_close(c->stack, synack_cli_now(c), op);
    if (rc != 0)
        return synack_cli_fail(c, attempts == 0 ? rwhat : what, rc);
    char t[SYNACK_ADDR_STRLEN];
    synack_addr_format(&peer, t);
    synack_cli_msg(c, "%s: connected to %s (%s, attempt %d)", what, t,
                   peer.family == SYNACK_AF_IP6 ? "IPv6" : "IPv4", attempts);
    *h = conn;
    return 0;
}

int synack_cli_tcp_dial(synack_cli *c, const char *verb, const char *host,
                        uint16_t port, char *what, size_t cap, int *h)
{
    synack_addr addr;
    if (synack_addr_parse(host, &addr) != 0) {
        snprintf(what, cap, "%s %s port %u", verb, host, (unsigned)port);
        return dial_name(c, host, port, what, h);
    }
    int rc = synack_cli_resolve(c, host, 0, &addr);
    if (rc != 0)
        return rc;
    snprintf(what, cap, "%s %s port %u", verb, host, (unsigned)port);
    int s = synack_tcp_open(c->stack);
    if (s < 0)
        return synack_cli_fail(c, what, s);
    rc = synack_tcp_connect(c->stack, synack_cli_now(c), s, &addr, port);
    if (rc != 0) {
        synack_tcp_abort(c->stack, synack_cli_now(c), s);
        return synack_cli_fail(c, what, rc);
    }
    /* Bounded by the SYN retransmission limit (RFC 9293 section 3.8.3). */
    for (;;) {
        uint32_t ev = synack_tcp_events(c->stack, s);
        if (ev & SYNACK_EV_CONNECTED)
            break;
        if (ev & (SYNACK_EV_ERROR | SYNACK_EV_CLOSED)) {
            int err = synack_tcp_error(c->stack, s);
            synack_tcp_abort(c->stack, synack_cli_now(c), s);
            return synack_cli_fail(c, what, err != 0 ? err : SYNACK_ERR_CLOSED);
        }
        if (synack_cli_step(c, UINT64_MAX, false) < 0) {
            synack_tcp_abort(c->stack, synack_cli_now(c), s);
            return 1;
        }
    }
    *h = s;
    return 0;
}

bool synack_cli_tcp_delivered(synack_cli *c, int h)
{
    synack_tcp_info info;
    return synack_tcp_get_info(c->stack, h, &info) == 0 && info.sndbuf_used == 0;
}

bool synack_cli_tcp_fin_acked(synack_cli *c, int h)
{
    synack_tcp_info info;
    if (synack_tcp_get_info(c->stack, h, &info) != 0)
        return true;
    switch (info.state) {
    case SYNACK_TCP_FIN_WAIT_2:
    case SYNACK_TCP_TIME_WAIT:
    case SYNACK_TCP_CLOSED:
        return true;
    default:
        return (synack_tcp_events(c->stack, h) &
                (SYNACK_EV_CLOSED | SYNACK_EV_ERROR)) != 0;
    }
}

/* Read and drop what the peer still sends (so close() has no reason to
 * reset: RFC 9293 section 3.6, unread data on close). Returns whether the
 * peer's end of stream (or an error) has been seen. */
static bool drain_unread(synack_cli *c, int h)
{
    uint8_t sink[4096];
    for (int i = 0; i < 64; i++) {
        int n = synack_tcp_recv(c->stack, synack_cli_now(c), h, sink, sizeof sink);
        if (n == 0 || (n < 0 && n != SYNACK_ERR_AGAIN))
            return true;
        if (n < 0)
            return false;
    }
    return false;
}

int synack_cli_tcp_finish(synack_cli *c, int h, uint64_t timeout_ms)
{
    uint64_t until = synack_cli_now(c) + timeout_ms;
    bool eof = false;
    int rc = 0;
    synack_tcp_shutdown(c->stack, synack_cli_now(c), h);
    while (synack_cli_now(c) < until) {
        eof = eof || drain_unread(c, h);
        if (eof && synack_cli_tcp_fin_acked(c, h))
            break;
        if (synack_cli_step(c, until, false) < 0) {
            /* The link went away. If the peer's FIN was in and it had
             * acknowledged all our data, only the FIN handshake was cut
             * short: the conversation itself is complete. */
            rc = eof && synack_cli_tcp_delivered(c, h) ? 0 : -1;
            break;
        }
    }
    synack_tcp_close(c->stack, synack_cli_now(c), h);
    /* Let the close reach the wire (a FIN or RST queued by close). */
    if (rc == 0) {
        uint64_t now = synack_cli_now(c);
        synack_poll(c->stack, now);
    }
    return rc;
}
