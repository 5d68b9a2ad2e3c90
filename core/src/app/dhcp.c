/*
 * DHCP client, RFC 2131: the states of figure 5 without INIT-REBOOT and
 * DECLINE. SELECTING (DISCOVER broadcast) -> REQUESTING (REQUEST broadcast
 * naming the chosen server, section 4.4.1) -> BOUND (address, mask, router
 * and resolver applied) -> RENEWING at T1 (REQUEST unicast to the server,
 * section 4.4.5) -> REBINDING at T2 (REQUEST broadcast) -> lease expiry:
 * the address is removed and the client starts over. A DHCPNAK restarts
 * the client as well (section 3.1 step 5), after a growing delay.
 *
 * Retransmission (section 4.1): 4 s, 8 s, 16 s, 32 s, then 64 s, each
 * randomized by -1..+1 s; REQUESTING gives up after REQUEST_TRIES and
 * returns to INIT. In RENEWING/REBINDING the client waits half the time
 * left until T2 / expiry, at least 60 s (section 4.4.5).
 *
 * The first DISCOVER goes out at once, without the 1-10 s start-up delay
 * of section 4.4.1: a single host on a virtual link does not synchronize
 * with anyone. Messages are sent through the IP layer, which allows
 * 0.0.0.0 -> 255.255.255.255 before an address exists; replies reach us
 * through the stack's UDP port-68 hook, which sees them before any socket.
 */
#include <string.h>

#include "app/dhcp.h"
#include "app/dns.h"
#include "net/stack.h"
#include "ipv4/ipv4.h"
#include "wire/wire_app.h"

#define BACKOFF_FIRST_MS 4000u
#define BACKOFF_MAX_MS 64000u
#define JITTER_MS 1000u
#define REQUEST_TRIES 4u
#define RENEW_MIN_WAIT_MS 60000u
#define NAK_DELAY_MIN_MS 1000u

static const uint8_t param_list[] = {
    SYNACK_DHCPOPT_SUBNET_MASK, SYNACK_DHCPOPT_ROUTER, SYNACK_DHCPOPT_DNS,
    SYNACK_DHCPOPT_LEASE_TIME,  SYNACK_DHCPOPT_SERVER_ID,
    SYNACK_DHCPOPT_T1,          SYNACK_DHCPOPT_T2,
};

static bool dhcp_input(synack_stack *s, void *ctx, uint64_t now,
                       const synack_ip_rx *ip, const synack_udp_repr *u);

/* Section 4.1: exponential backoff from 4 s to 64 s, +-1 s at random. */
static uint64_t backoff(synack_stack *s, uint64_t now, uint32_t tries)
{
    uint32_t base = BACKOFF_FIRST_MS;
    for (uint32_t i = 1; i < tries && base < BACKOFF_MAX_MS; i++)
        base *= 2;
    if (base > BACKOFF_MAX_MS)
        base = BACKOFF_MAX_MS;
    return now + base - JITTER_MS + synack_rng_below(&s->rng, 2 * JITTER_MS + 1);
}

/* Section 4.4.5: half of what is left until `until`, at least 60 s. */
static uint64_t renew_wait(uint64_t now, uint64_t until)
{
    if (until <= now)
        return until;
    uint64_t half = (until - now) / 2;
    uint64_t at = now + (half > RENEW_MIN_WAIT_MS ? half : RENEW_MIN_WAIT_MS);
    return at < until ? at : until;
}

static uint32_t new_xid(synack_stack *s)
{
    return (uint32_t)synack_rng_next(&s->rng);
}

/*
 * Send one client message (BOOTREQUEST) of `type` to `dst`. `ciaddr` is
 * our address in RENEWING/REBINDING; REQUESTING names the offered address
 * and the chosen server in options 50 and 54 (section 4.3.2).
 */
static int dhcp_send(synack_stack *s, uint64_t now, uint8_t type,
                     synack_ip4 dst, synack_ip4 ciaddr)
{
    synack_dhcp *d = &s->dhcp;
    synack_dhcp_repr r;
    memset(&r, 0, sizeof r);
    r.op = SYNACK_BOOTREQUEST;
    r.htype = 1; /* Ethernet (RFC 1700 hardware types) */
    r.hlen = 6;
    r.xid = d->xid;
    uint64_t secs = now > d->started ? (now - d->started) / 1000 : 0;
    r.secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
    r.ciaddr = ciaddr;
    memcpy(r.chaddr, s->cfg.mac.b, 6);
    r.msg_type = type;
    if (d->state == SYNACK_DHCP_REQUESTING) {
        r.has_requested_ip = true;
        r.requested_ip = d->offered;
        r.has_server_id = true;
        r.server_id = d->server;
    }
    r.param_count = (uint8_t)sizeof param_list;
    memcpy(r.params, param_list, sizeof param_list);

    synack_ip4 src;
    if (synack_ipv4_route(s, dst, &src, NULL) != 0) {
        synack_count_drop(s, SYNACK_DROP_IPV4_NO_ROUTE);
        return SYNACK_ERR_UNREACHABLE;
    }
    size_t cap;
    uint8_t *buf = synack_ipv4_tx_buf(s, &cap);
    size_t n = synack_dhcp_emit(&r, buf + SYNACK_UDP_HDR_LEN,
                                cap - SYNACK_UDP_HDR_LEN);
    if (n == 0)
        return SYNACK_ERR_MSGSIZE;
    synack_udp_repr u;
    memset(&u, 0, sizeof u);
    u.sport = SYNACK_DHCP_CLIENT_PORT;
    u.dport = SYNACK_DHCP_SERVER_PORT;
    size_t l4 = synack_udp_emit(&u, buf, n,
                                synack_ip4_pseudo_sum(src, dst, SYNACK_IPPROTO_UDP));
    return synack_ipv4_send(s, now, dst, SYNACK_IPPROTO_UDP, l4, NULL);
}

/* Transmit (or retransmit) what the current state sends, and arm the timer. */
static void transmit(synack_stack *s, uint64_t now)
{
    synack_dhcp *d = &s->dhcp;
    d->tries++;
    switch (d->state) {
    case SYNACK_DHCP_SELECTING:
        dhcp_send(s, now, SYNACK_DHCPDISCOVER, 0xffffffffu, 0);
        d->next_tx = backoff(s, now, d->tries);
        break;
    case SYNACK_DHCP_REQUESTING:
        dhcp_send(s, now, SYNACK_DHCPREQUEST, 0xffffffffu, 0);
        d->next_tx = backoff(s, now, d->tries);
        break;
    case SYNACK_DHCP_RENEWING:
        dhcp_send(s, now, SYNACK_DHCPREQUEST, d->server, s->addr);
        d->next_tx = renew_wait(now, d->t2_at);
        break;
    case SYNACK_DHCP_REBINDING:
        dhcp_send(s, now, SYNACK_DHCPREQUEST, 0xffffffffu, s->addr);
        d->next_tx = renew_wait(now, d->expire_at);
        break;
    default:
        d->next_tx = UINT64_MAX;
        break;
    }
}

/* Enter a state that starts a new exchange (new xid, no tries yet). */
static void enter(synack_stack *s, uint64_t now, synack_dhcp_state st)
{
    synack_dhcp *d = &s->dhcp;
    d->state = st;
    d->xid = new_xid(s);
    d->tries = 0;
    d->started = now;
    d->request_at = now;
    transmit(s, now);
}

/* Remove what the lease configured. */
static void unconfigure(synack_stack *s, uint64_t now)
{
    synack_dhcp *d = &s->dhcp;
    if (s->has_addr && s->addr == d->lease.addr)
        synack_set_ipv4(s, now, 0, 0, 0);
    synack_dns_offer(s, SYNACK_DNS_FROM_DHCP, NULL);
    memset(&d->lease, 0, sizeof d->lease);
    d->t1_at = d->t2_at = d->expire_at = UINT64_MAX;
}

/* Back to INIT: forget the lease and DISCOVER again. */
static void restart(synack_stack *s, uint64_t now)
{
    unconfigure(s, now);
    s->dhcp.offered = 0;
    s->dhcp.server = 0;
    enter(s, now, SYNACK_DHCP_SELECTING);
}

int synack_dhcp_start(synack_stack *s, uint64_t now)
{
    if (s->dhcp.state != SYNACK_DHCP_STOPPED)
        return SYNACK_ERR_ISCONN;
    if (now > s->now)
        s->now = now;
    memset(&s->dhcp, 0, sizeof s->dhcp);
    s->dhcp.t1_at = s->dhcp.t2_at = s->dhcp.expire_at = UINT64_MAX;
    s->dhcp_hook = dhcp_input;
    s->dhcp_hook_ctx = NULL;
    enter(s, now, SYNACK_DHCP_SELECTING);
    return SYNACK_OK;
}

void synack_dhcp_stop(synack_stack *s, uint64_t now)
{
    (void)now;
    s->dhcp.state = SYNACK_DHCP_STOPPED;
    s->dhcp.next_tx = UINT64_MAX;
    if (s->dhcp_hook == dhcp_input) {
        s->dhcp_hook = NULL;
        s->dhcp_hook_ctx = NULL;
    }
}

synack_dhcp_state synack_dhcp_get_state(const synack_stack *s)
{
    return s->dhcp.state;
}

int synack_dhcp_get_lease(const synack_stack *s, synack_dhcp_lease *out)
{
    synack_dhcp_state st = s->dhcp.state;
    if (st != SYNACK_DHCP_BOUND && st != SYNACK_DHCP_RENEWING &&
        st != SYNACK_DHCP_REBINDING)
        return SYNACK_ERR_AGAIN;
    *out = s->dhcp.lease;
    return SYNACK_OK;
}

/* An address a server may hand out to a host. */
static bool usable_addr(synack_ip4 a)
{
    uint8_t top = (uint8_t)(a >> 24);
    return a != 0 && a != 0xffffffffu && top != 0 && top != 127 && top < 224;
}

/* Prefix from option 1, or the RFC 791 class of the address without it. */
static int lease_prefix(const synack_dhcp_repr *r)
{
    if (r->has_subnet_mask) {
        int p = synack_ip4_mask_prefix(r->subnet_mask);
        return p < 1 || p > 30 ? -1 : p;
    }
    uint8_t top = (uint8_t)(r->yiaddr >> 24);
    return top < 128 ? 8 : top < 192 ? 16 : 24;
}

/* An ACK in REQUESTING, RENEWING or REBINDING: take the lease. */
static void bind_lease(synack_stack *s, uint64_t now, const synack_dhcp_repr *r,
                       int prefix)
{
    synack_dhcp *d = &s->dhcp;
    synack_dhcp_lease l;
    memset(&l, 0, sizeof l);
    l.addr = r->yiaddr;
    l.prefix_len = (uint8_t)prefix;
    l.gateway = r->router_count > 0 ? r->router[0] : 0;
    for (uint8_t i = 0; i < r->dns_count && i < 2; i++)
        l.dns[i] = r->dns[i];
    l.server = r->has_server_id ? r->server_id : d->server;
    l.lease_s = r->lease_time;

    /* Section 4.4.1: the lease runs from when the REQUEST was sent; T1
     * and T2 default to 0.5 and 0.875 of it (section 4.4.5). */
    if (l.lease_s == 0xffffffffu) {
        d->t1_at = d->t2_at = d->expire_at = UINT64_MAX;
    } else {
        uint64_t lease_ms = (uint64_t)l.lease_s * 1000;
        uint64_t t1 = r->has_t1 ? (uint64_t)r->t1 * 1000 : lease_ms / 2;
        uint64_t t2 = r->has_t2 ? (uint64_t)r->t2 * 1000 : lease_ms / 8 * 7;
        if (!(t1 < t2 && t2 < lease_ms)) {
            /* Inconsistent T1/T2 from the server: use the defaults. */
            t1 = lease_ms / 2;
            t2 = lease_ms / 8 * 7;
        }
        d->expire_at = d->request_at + lease_ms;
        d->t2_at = d->request_at + t2;
        d->t1_at = d->request_at + t1;
    }

    bool same = s->has_addr && s->addr == l.addr &&
                s->prefix_len == l.prefix_len && s->gateway == l.gateway;
    if (!same)
        synack_set_ipv4(s, now, l.addr, l.prefix_len, l.gateway);
    synack_addr resolver = synack_addr_from_ip4(l.dns[0]);
    synack_dns_offer(s, SYNACK_DNS_FROM_DHCP, &resolver);
    d->lease = l;
    d->server = l.server;
    d->nak_delay_ms = 0;
    d->state = SYNACK_DHCP_BOUND;
    d->next_tx = UINT64_MAX;
    d->tries = 0;
}

/* RFC 2131 section 4.4.1 (SELECTING): take the first usable OFFER. */
static void on_offer(synack_stack *s, uint64_t now, const synack_dhcp_repr *r)
{
    synack_dhcp *d = &s->dhcp;
    if (d->state != SYNACK_DHCP_SELECTING)
        return;
    if (!usable_addr(r->yiaddr) || !r->has_server_id || lease_prefix(r) < 0) {
        synack_count_drop(s, SYNACK_DROP_DHCP_MALFORMED);
        return;
    }
    d->offered = r->yiaddr;
    d->server = r->server_id;
    d->state = SYNACK_DHCP_REQUESTING;
    d->tries = 0;
    d->request_at = now; /* same xid: the REQUEST answers this OFFER */
    transmit(s, now);
}

static void on_ack(synack_stack *s, uint64_t now, const synack_dhcp_repr *r)
{
    synack_dhcp *d = &s->dhcp;
    if (d->state == SYNACK_DHCP_SELECTING || d->state == SYNACK_DHCP_BOUND)
        return;
    if (d->state == SYNACK_DHCP_REQUESTING && r->has_server_id &&
        r->server_id != d->server) {
        synack_count_drop(s, SYNACK_DROP_DHCP_FOREIGN); /* another server's answer */
        return;
    }
    int prefix = lease_prefix(r);
    if (!usable_addr(r->yiaddr) || prefix < 0 || !r->has_lease_time ||
        r->lease_time == 0) {
        synack_count_drop(s, SYNACK_DROP_DHCP_MALFORMED);
        return;
    }
    bind_lease(s, now, r, prefix);
}

/*
 * Section 3.1 step 5: a NAK restarts the client. The DISCOVER waits 1 s
 * after the first NAK and twice as long after each further one until a
 * lease is bound (up to 64 s), so a server that refuses every REQUEST does
 * not get a storm of them.
 */
static void on_nak(synack_stack *s, uint64_t now, const synack_dhcp_repr *r)
{
    synack_dhcp *d = &s->dhcp;
    if (d->state == SYNACK_DHCP_SELECTING || d->state == SYNACK_DHCP_BOUND)
        return;
    if (d->state == SYNACK_DHCP_REQUESTING && r->has_server_id &&
        r->server_id != d->server)
        return;
    uint32_t delay = d->nak_delay_ms * 2;
    d->nak_delay_ms = delay < NAK_DELAY_MIN_MS   ? NAK_DELAY_MIN_MS
                      : delay > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                 : delay;
    unconfigure(s, now);
    d->offered = 0;
    d->server = 0;
    d->state = SYNACK_DHCP_SELECTING;
    d->xid = new_xid(s);
    d->tries = 0;
    d->started = now + d->nak_delay_ms;
    d->next_tx = now + d->nak_delay_ms;
}

/* The UDP port-68 hook: every datagram to port 68 while the client runs. */
static bool dhcp_input(synack_stack *s, void *ctx, uint64_t now,
                       const synack_ip_rx *ip, const synack_udp_repr *u)
{
    (void)ctx;
    (void)ip;
    synack_dhcp *d = &s->dhcp;
    if (d->state == SYNACK_DHCP_STOPPED)
        return false;
    if (u->sport != SYNACK_DHCP_SERVER_PORT)
        return false;
    if (now > s->now)
        s->now = now;
    synack_dhcp_repr r;
    if (synack_dhcp_parse(u->payload, u->payload_len, &r) < 0 ||
        r.op != SYNACK_BOOTREPLY || r.msg_type == 0) {
        synack_count_drop(s, SYNACK_DROP_DHCP_MALFORMED);
        return true;
    }
    /* Not our transaction or not our hardware address: another client's. */
    if (r.xid != d->xid || r.hlen != 6 || memcmp(r.chaddr, s->cfg.mac.b, 6) != 0) {
        synack_count_drop(s, SYNACK_DROP_DHCP_FOREIGN);
        return true;
    }
    switch (r.msg_type) {
    case SYNACK_DHCPOFFER:
        on_offer(s, now, &r);
        break;
    case SYNACK_DHCPACK:
        on_ack(s, now, &r);
        break;
    case SYNACK_DHCPNAK:
        on_nak(s, now, &r);
        break;
    default:
        break;
    }
    return true;
}

void synack_dhcp_poll(synack_stack *s, uint64_t now)
{
    synack_dhcp *d = &s->dhcp;
    switch (d->state) {
    case SYNACK_DHCP_STOPPED:
        return;
    case SYNACK_DHCP_SELECTING:
        if (now >= d->next_tx)
            transmit(s, now);
        return;
    case SYNACK_DHCP_REQUESTING:
        if (now < d->next_tx)
            return;
        if (d->tries >= REQUEST_TRIES)
            restart(s, now); /* section 4.4.1: back to INIT */
        else
            transmit(s, now);
        return;
    default:
        break;
    }
    /* BOUND, RENEWING, REBINDING (section 4.4.5) */
    if (now >= d->expire_at) {
        restart(s, now);
    } else if (d->state != SYNACK_DHCP_REBINDING && now >= d->t2_at) {
        enter(s, now, SYNACK_DHCP_REBINDING);
    } else if (d->state == SYNACK_DHCP_BOUND && now >= d->t1_at) {
        enter(s, now, SYNACK_DHCP_RENEWING);
    } else if (d->state != SYNACK_DHCP_BOUND && now >= d->next_tx) {
        transmit(s, now);
    }
}

static uint64_t min64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

uint64_t synack_dhcp_poll_at(const synack_stack *s)
{
    const synack_dhcp *d = &s->dhcp;
    switch (d->state) {
    case SYNACK_DHCP_STOPPED:
        return UINT64_MAX;
    case SYNACK_DHCP_SELECTING:
    case SYNACK_DHCP_REQUESTING:
        return d->next_tx;
    case SYNACK_DHCP_BOUND:
        return min64(d->t1_at, min64(d->t2_at, d->expire_at));
    case SYNACK_DHCP_RENEWING:
        return min64(d->next_tx, min64(d->t2_at, d->expire_at));
    case SYNACK_DHCP_REBINDING:
        return min64(d->next_tx, d->expire_at);
    }
    return UINT64_MAX;
}
