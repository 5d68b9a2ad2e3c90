/*
 * slirp backend: libslirp's user-mode NAT (DHCP, DNS, NAT of TCP/UDP/ICMP
 * echo to host sockets) with QEMU's user-networking addresses. libslirp's
 * poll API (slirp_pollfds_fill / slirp_pollfds_poll) shares the bridge's
 * single poll() loop; its timers are deadlines checked after each poll.
 */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef SYNACK_BRIDGE_SLIRP

#include <libslirp.h>

#include "offload.h"
#include "vnet.h"

#define MAX_TIMERS 8

typedef struct slirp_timer {
    bool used, armed;
    bool opaque_api;   /* made by timer_new_opaque: fire via slirp_handle_timer */
    SlirpTimerId id;
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms; /* on clock_get_ns's clock */
} slirp_timer;

struct synack_br_slirp {
    Slirp *slirp;
    synack_br *br;
    bool verbose;
    synack_br_pollset *ps; /* during fill/poll */
    slirp_timer timers[MAX_TIMERS];
    uint64_t guest_errors;
    uint8_t super[14 + 65535]; /* a super-frame whose checksum is completed */
};

static int64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- callbacks --------------------------------------------------------- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    synack_br_slirp *s = opaque;
    synack_br_input(s->br, SYNACK_BR_BACKEND_PORT, synack_br_now_ms(), buf, len);
    return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
    synack_br_slirp *s = opaque;
    s->guest_errors++;
    if (s->verbose)
        fprintf(stderr, "synack-bridge: slirp: guest error: %s\n", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return clock_ns();
}

static slirp_timer *timer_slot(synack_br_slirp *s)
{
    for (int i = 0; i < MAX_TIMERS; i++) {
        if (!s->timers[i].used) {
            memset(&s->timers[i], 0, sizeof(s->timers[i]));
            s->timers[i].used = true;
            return &s->timers[i];
        }
    }
    fprintf(stderr, "synack-bridge: slirp asked for too many timers\n");
    abort(); /* libslirp 4.7 uses one; more is a bug worth stopping for */
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    slirp_timer *t = timer_slot(opaque);
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    return t;
}

static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
    slirp_timer *t = timer_slot(opaque);
    t->opaque_api = true;
    t->id = id;
    t->cb_opaque = cb_opaque;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    slirp_timer *t = timer;
    t->used = false;
    t->armed = false;
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    slirp_timer *t = timer;
    t->armed = true;
    t->expire_ms = expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque; /* descriptors are collected by slirp_pollfds_fill */
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque; /* one thread: the next loop turn polls slirp anyway */
}

static const SlirpCb callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
    .timer_new_opaque = cb_timer_new_opaque,
};

/* ---- poll integration -------------------------------------------------- */

static int cb_add_poll(int fd, int events, void *opaque)
{
    synack_br_slirp *s = opaque;
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    /* -1 (out of memory) leaves the socket unpolled this turn, no more. */
    return synack_br_pollset_add(s->ps, fd, ev);
}

static int cb_get_revents(int idx, void *opaque)
{
    synack_br_slirp *s = opaque;
    if (idx < 0 || (size_t)idx >= s->ps->n)
        return 0;
    short re = s->ps->v[idx].revents;
    int ev = 0;
    if (re & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (re & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (re & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (re & (POLLERR | POLLNVAL))
        ev |= SLIRP_POLL_ERR;
    if (re & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

int synack_br_slirp_fill(synack_br_slirp *s, synack_br_pollset *ps,
                         int *timeout_ms)
{
    uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
    s->ps = ps;
    slirp_pollfds_fill(s->slirp, &t, cb_add_poll, s);
    int64_t now = clock_ns() / 1000000;
    for (int i = 0; i < MAX_TIMERS; i++) {
        const slirp_timer *tm = &s->timers[i];
        if (!tm->used || !tm->armed)
            continue;
        int64_t left = tm->expire_ms - now;
        if (left < 0)
            left = 0;
        if ((uint64_t)left < t)
            t = (uint32_t)left;
    }
    *timeout_ms = t == UINT32_MAX ? -1 : (int)(t > 0x7fffffff ? 0x7fffffff : t);
    return 0;
}

void synack_br_slirp_poll(synack_br_slirp *s, synack_br_pollset *ps,
                          bool poll_failed)
{
    s->ps = ps;
    slirp_pollfds_poll(s->slirp, poll_failed ? 1 : 0, cb_get_revents, s);
    int64_t now = clock_ns() / 1000000;
    for (int i = 0; i < MAX_TIMERS; i++) {
        slirp_timer *tm = &s->timers[i];
        if (!tm->used || !tm->armed || tm->expire_ms > now)
            continue;
        tm->armed = false;
        if (tm->opaque_api)
            slirp_handle_timer(s->slirp, tm->id, tm->cb_opaque);
        else
            tm->cb(tm->cb_opaque);
    }
}

void synack_br_slirp_input(synack_br_slirp *s, const uint8_t *frame, size_t len)
{
    slirp_input(s->slirp, frame, (int)len);
}

bool synack_br_slirp_input_super(synack_br_slirp *s, const uint8_t *frame, size_t len,
                                 uint32_t seg)
{
    uint8_t hdr[SYNACK_VNET_HDR_LEN];
    /* IPv4 only: libslirp's ip6_input refuses an IPv6 packet above
       if_mtu (Packet Too Big), so the caller cuts IPv6 super-frames */
    if (len > sizeof(s->super) || len < 14 || frame[12] != 0x08 || frame[13] != 0x00)
        return false;
    /* the same checksum completion as a GSO write to a TAP: the header
       the kernel would get, then what the kernel would do with it */
    synack_gso g; /* a client's frame: its offsets come from its headers */
    if (synack_offload_gso_of(frame, len, seg, &g) != 0)
        return false;
    synack_vnet_tx_gso(hdr, len, &g);
    if (hdr[0] == 0)
        return false;
    memcpy(s->super, frame, len);
    if (synack_vnet_fix(hdr, s->super, len) < 0)
        return false;
    slirp_input(s->slirp, s->super, (int)len);
    return true;
}

static struct in_addr in4(uint32_t host_order)
{
    struct in_addr a;
    a.s_addr = htonl(host_order);
    return a;
}

/* One socket address of a --forward side, IPv4 or IPv6. */
static socklen_t fwd_sockaddr(struct sockaddr_storage *ss, bool is6, uint32_t v4,
                              const uint8_t v6[16], uint16_t port)
{
    memset(ss, 0, sizeof(*ss));
    if (is6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        memcpy(&a->sin6_addr, v6, 16);
        a->sin6_port = htons(port);
        return sizeof(*a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_addr = in4(v4);
    a->sin_port = htons(port);
    return sizeof(*a);
}

/* A host port forwarded to a guest (libslirp's hostxfwd takes both families). */
static int add_forward(Slirp *slirp, const synack_br_forward *f)
{
    struct sockaddr_storage h, g;
    socklen_t hl = fwd_sockaddr(&h, f->host_is6, f->host_addr, f->host6, f->host_port);
    socklen_t gl = fwd_sockaddr(&g, f->guest_is6, f->guest_ip, f->guest6, f->guest_port);
    return slirp_add_hostxfwd(slirp, (struct sockaddr *)&h, hl, (struct sockaddr *)&g, gl,
                              f->udp ? SLIRP_HOSTFWD_UDP : 0);
}

synack_br_slirp *synack_br_slirp_open(const synack_br_options *o,
                                      const synack_br_slirp_net *net,
                                      synack_br *br, bool verbose)
{
    synack_br_slirp *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->br = br;
    s->verbose = verbose;

    SlirpConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version = 4;
    cfg.restricted = 0; /* the allow-list in the switch decides */
    cfg.in_enabled = true;
    cfg.vnetwork = in4(net->net);
    cfg.vnetmask = in4(net->mask);
    cfg.vhost = in4(net->host);
    /* IPv6 (libslirp 4.7): router advertisements of the prefix (SLAAC,
     * with slirp's DNS in an RDNSS option), NAT of TCP and UDP, and the
     * host's ::1 behind every address of the prefix; the allow-list keeps
     * guests to the host address and the allowed destinations. */
    cfg.in6_enabled = net->ip6;
    if (net->ip6) {
        memcpy(&cfg.vprefix_addr6, net->prefix6, 16);
        cfg.vprefix_len = net->prefix6_len;
        memcpy(&cfg.vhost6, net->host6, 16);
        memcpy(&cfg.vnameserver6, net->dns6, 16);
    }
    cfg.vhostname = "synack-bridge";
    cfg.vdhcp_start = in4(net->dhcp_start);
    cfg.vnameserver = in4(net->dns);
    cfg.if_mtu = 1500;
    cfg.if_mru = 1500;
    cfg.disable_host_loopback = false; /* 10.0.2.2 is the host's 127.0.0.1 */
    cfg.enable_emu = false;
    cfg.disable_dhcp = !o->slirp_dhcp; /* the bridge answers DHCP (dhcpd.c) */

    s->slirp = slirp_new(&cfg, &callbacks, s);
    if (s->slirp == NULL) {
        fprintf(stderr, "synack-bridge: slirp_new failed\n");
        free(s);
        return NULL;
    }
    for (size_t i = 0; i < o->forward_count; i++) {
        const synack_br_forward *f = &o->forward[i];
        if (add_forward(s->slirp, f) < 0) {
            fprintf(stderr, "synack-bridge: --forward of host port %u failed "
                            "(in use?)\n", f->host_port);
            synack_br_slirp_close(s);
            return NULL;
        }
    }
    return s;
}

void synack_br_slirp_close(synack_br_slirp *s)
{
    if (s == NULL)
        return;
    slirp_cleanup(s->slirp);
    free(s);
}

#else /* built without libslirp */

struct synack_br_slirp {
    int unused;
};

synack_br_slirp *synack_br_slirp_open(const synack_br_options *o,
                                      const synack_br_slirp_net *net,
                                      synack_br *br, bool verbose)
{
    (void)o;
    (void)net;
    (void)br;
    (void)verbose;
    fprintf(stderr, "synack-bridge: built without libslirp; --slirp unavailable\n");
    return NULL;
}

void synack_br_slirp_close(synack_br_slirp *s)
{
    (void)s;
}

void synack_br_slirp_input(synack_br_slirp *s, const uint8_t *frame, size_t len)
{
    (void)s;
    (void)frame;
    (void)len;
}

bool synack_br_slirp_input_super(synack_br_slirp *s, const uint8_t *frame, size_t len,
                                 uint32_t seg)
{
    (void)s;
    (void)frame;
    (void)len;
    (void)seg;
    return false;
}

int synack_br_slirp_fill(synack_br_slirp *s, synack_br_pollset *ps,
                         int *timeout_ms)
{
    (void)s;
    (void)ps;
    (void)timeout_ms;
    return 0;
}

void synack_br_slirp_poll(synack_br_slirp *s, synack_br_pollset *ps,
                          bool poll_failed)
{
    (void)s;
    (void)ps;
    (void)poll_failed;
}

#endif
