/*
 * The event loop of synack-bridge. Everything happens on one thread in one
 * poll(): accepting clients, reading and switching their frames, the
 * backend, signals (through a signalfd), and slirp's sockets and timers.
 * Nothing blocks: client sockets are non-blocking, output waits in each
 * client's bounded queue and is dropped (counted) when that is full.
 */
#define _GNU_SOURCE
#include "loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "client.h"
#include "offload.h"
#include "metrics.h"
#include "switch.h"

#define RX_BUF 262144         /* one read per client per turn, at most */
#define TAP_BUDGET 64         /* TAP frames per turn */
#define ACCEPT_BUDGET 16      /* connections accepted per turn */
#define MAC_TABLE_SIZE 4096
#define IDLE_POLL_MS 1000

typedef struct loop {
    const synack_br_options *o;
    synack_br br;
    synack_br_port *ports;
    synack_br_mac_entry *macs;
    synack_br_client *clients; /* by port; [0] unused */
    int *pidx;                 /* poll index of each client this turn */
    int listen_fd, ws_fd, sig_fd, tap_fd; /* listen_fd/ws_fd: -1 when off */
    bool tap_vnet;                        /* --offload: the TAP has IFF_VNET_HDR */
    uint64_t listen_paused_until;
    synack_br_slirp *slirp;
    bool slirp_kick; /* slirp got input: let it run (if_start) without waiting */
    synack_br_pollset ps;
    uint8_t *rx;
    size_t in_cap;
    uint64_t accepted, refused_full;
    uint64_t closed[SYNACK_BR_CLOSE_REASONS];
    synack_br_stats gone;        /* counters of the clients that have left */
    synack_br_addrlimit limits;  /* per client address */
    synack_br_addr_entry *limit_slots;
    uint64_t proxied, limit_exempt;
    synack_br_metrics *metrics;
    bool stop;
    int status;
} loop;

uint64_t synack_br_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int synack_br_pollset_add(synack_br_pollset *ps, int fd, short events)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        struct pollfd *v = realloc(ps->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n].fd = fd;
    ps->v[ps->n].events = events;
    ps->v[ps->n].revents = 0;
    return (int)ps->n++;
}

/* ---- the switch's output ----------------------------------------------- */

static bool emit(void *ctx, int32_t port, const uint8_t *frame, size_t len)
{
    loop *L = ctx;
    if (port == SYNACK_BR_BACKEND_PORT) {
        if (L->tap_fd >= 0)
            return synack_br_tap_write(L->tap_fd, L->tap_vnet, frame, len);
        if (L->slirp != NULL) {
            synack_br_slirp_input(L->slirp, frame, len);
            L->slirp_kick = true;
            return true;
        }
        return false;
    }
    synack_br_client *c = &L->clients[port];
    if (c->fd < 0)
        return false;
    return synack_br_client_queue(c, frame, len);
}

/* A client's super-frame to the backend whole (switch.h emit_gso): to the
   TAP with GSO, or into slirp with its checksum completed. */
static bool emit_gso(void *ctx, const uint8_t *frame, size_t len, uint32_t seg)
{
    loop *L = ctx;
    if (L->slirp != NULL) {
        if (!synack_br_slirp_input_super(L->slirp, frame, len, seg))
            return false;
        L->slirp_kick = true;
        return true;
    }
    return L->tap_fd >= 0 && L->tap_vnet && synack_br_tap_write_gso(L->tap_fd, frame, len, seg);
}

/* Whether client `port` agreed to take super-frames of that family
   (RX_TCP4, RX_TCP6). */
static bool takes_super(void *ctx, int32_t port, bool ip6)
{
    loop *L = ctx;
    const synack_br_client *c = &L->clients[port];
    return c->fd >= 0 &&
           (c->offload & (ip6 ? SYNACK_OFFLOAD_F_RX_TCP6 : SYNACK_OFFLOAD_F_RX_TCP4));
}

/* A backend super-frame (checksums complete) to that client as one SUPER. */
static bool super_out(void *ctx, int32_t port, const uint8_t *frame, size_t len, uint32_t seg)
{
    static uint8_t w[65536];
    loop *L = ctx;
    synack_gso g; /* the kernel's frame: its offsets come from its headers */
    if (synack_offload_gso_of(frame, len, seg, &g) != 0)
        return false;
    int32_t n = synack_offload_wrap(w, sizeof(w), frame, len, &g);
    if (n < 0)
        return false;
    /* Checksums complete: no NEEDS_CSUM for the client to act on. */
    memset(w + 14 + SYNACK_OFFLOAD_HDR_LEN, 0, 1);
    memset(w + 14 + SYNACK_OFFLOAD_HDR_LEN + 6, 0, 4);
    return synack_br_client_queue(&L->clients[port], w, (size_t)n);
}

/* ---- counters ---------------------------------------------------------- */

static void print_port(const loop *L, int32_t port, const char *peer)
{
    const synack_br_port *p = &L->ports[port];
    const synack_br_stats *s = &p->stats;
    char mac[18] = "-";
    char ip[16] = "-";
    if (p->has_mac)
        synack_br_mac_format(p->mac, mac);
    if (p->ip_source != SYNACK_BR_IP_NONE)
        synack_ip4_format(p->ip, ip);
    char ip6[SYNACK_BR_IP6_PER_PORT * 46 + 2] = "-";
    size_t at = 0;
    for (int k = 0; k < SYNACK_BR_IP6_PER_PORT; k++) {
        if (!p->ip6[k].used)
            continue;
        char one[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, p->ip6[k].addr, one, sizeof(one));
        at += (size_t)snprintf(ip6 + at, sizeof(ip6) - at, "%s%s", at ? "," : "", one);
    }
    const char *state = p->state == SYNACK_BR_PORT_AUTH ? "auth" : "active";
    fprintf(stderr,
            "synack-bridge: stats port=%d peer=%s state=%s mac=%s ip=%s "
            "ip_from=%s rx_frames=%llu rx_bytes=%llu tx_frames=%llu "
            "tx_bytes=%llu drop_rate=%llu drop_spoof_mac=%llu "
            "drop_spoof_ip=%llu drop_policy=%llu drop_invalid=%llu "
            "drop_queue=%llu drop_unknown=%llu drop_isolated=%llu rst_sent=%llu "
            "rx_super=%llu tx_super=%llu ip6=%s drop_spoof_nd=%llu ip6_evicted=%llu\n",
            port, peer, state, mac, ip,
            p->ip_source == SYNACK_BR_IP_DHCP ? "dhcp"
            : p->ip_source == SYNACK_BR_IP_ARP ? "arp" : "-",
            (unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes,
            (unsigned long long)s->tx_frames, (unsigned long long)s->tx_bytes,
            (unsigned long long)s->drop_rate,
            (unsigned long long)s->drop_spoof_mac,
            (unsigned long long)s->drop_spoof_ip,
            (unsigned long long)s->drop_policy,
            (unsigned long long)s->drop_invalid,
            (unsigned long long)s->drop_queue, (unsigned long long)s->drop_unknown,
            (unsigned long long)s->drop_isolated, (unsigned long long)s->rst_sent,
            (unsigned long long)s->rx_super, (unsigned long long)s->tx_super, ip6,
            (unsigned long long)s->drop_spoof_nd, (unsigned long long)s->ip6_evicted);
}

static void print_all(const loop *L)
{
    const char *backend = L->tap_fd >= 0 ? "tap" : L->slirp ? "slirp" : NULL;
    if (backend != NULL)
        print_port(L, SYNACK_BR_BACKEND_PORT, backend);
    uint32_t active = 0;
    uint64_t super = L->gone.rx_super; /* clients gone, and those here */
    uint64_t tsuper = L->gone.tx_super;
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        if (L->clients[i].fd >= 0) {
            print_port(L, (int32_t)i, L->clients[i].peer);
            active++;
            super += L->ports[i].stats.rx_super;
            tsuper += L->ports[i].stats.tx_super;
        }
    }
    fprintf(stderr, "synack-bridge: totals clients=%u accepted=%llu refused_full=%llu",
            active, (unsigned long long)L->accepted,
            (unsigned long long)L->refused_full);
    for (int r = SYNACK_BR_CLOSED_EOF; r < SYNACK_BR_CLOSE_REASONS; r++)
        fprintf(stderr, " closed_%s=%llu", synack_br_close_reason_name(r),
                (unsigned long long)L->closed[r]);
    fprintf(stderr, " mac_learned=%llu mac_moved=%llu mac_evicted=%llu"
            " refused_per_addr_conns=%llu refused_per_addr_rate=%llu"
            " refused_per_addr_table=%llu proxied=%llu rx_super=%llu tx_gso=%llu"
            " tx_super=%llu\n",
            (unsigned long long)L->br.macs.learned,
            (unsigned long long)L->br.macs.moved,
            (unsigned long long)L->br.macs.evicted,
            (unsigned long long)L->limits.refused_conns,
            (unsigned long long)L->limits.refused_rate,
            (unsigned long long)L->limits.refused_table,
            (unsigned long long)L->proxied, (unsigned long long)super,
            (unsigned long long)L->br.tx_gso, (unsigned long long)tsuper);
    fflush(stderr);
}

static void close_client(loop *L, int32_t port, synack_br_close_reason why);
static void peer_text(const struct sockaddr_storage *ss, socklen_t len,
                      char *buf, size_t cap);

/* ---- metrics ----------------------------------------------------------- */

static void add_stats(synack_br_stats *sum, const synack_br_stats *s)
{
    sum->rx_frames += s->rx_frames;
    sum->rx_bytes += s->rx_bytes;
    sum->tx_frames += s->tx_frames;
    sum->tx_bytes += s->tx_bytes;
    sum->drop_rate += s->drop_rate;
    sum->drop_spoof_mac += s->drop_spoof_mac;
    sum->drop_spoof_ip += s->drop_spoof_ip;
    sum->drop_policy += s->drop_policy;
    sum->drop_invalid += s->drop_invalid;
    sum->drop_queue += s->drop_queue;
    sum->drop_unknown += s->drop_unknown;
    sum->drop_isolated += s->drop_isolated;
    sum->rst_sent += s->rst_sent;
    sum->rx_super += s->rx_super;
    sum->tx_super += s->tx_super;
    sum->drop_spoof_nd += s->drop_spoof_nd;
    sum->ip6_evicted += s->ip6_evicted;
}

static void metric(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP synack_bridge_%s %s\n# TYPE synack_bridge_%s %s\n", name,
            help, name, type);
}

static void drops(FILE *f, const char *name, const char *labels,
                  const synack_br_stats *s)
{
    static const char *const why[] = {"rate", "spoof_mac", "spoof_ip", "spoof_nd", "policy",
                                      "invalid", "queue", "unknown", "isolated"};
    const uint64_t v[] = {s->drop_rate, s->drop_spoof_mac, s->drop_spoof_ip,
                          s->drop_spoof_nd, s->drop_policy, s->drop_invalid,
                          s->drop_queue, s->drop_unknown, s->drop_isolated};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        fprintf(f, "synack_bridge_%s{%sreason=\"%s\"} %llu\n", name, labels,
                why[i], (unsigned long long)v[i]);
}

/* The Prometheus text exposition (format 0.0.4) of every counter. */
static void render_metrics(void *ctx, FILE *f)
{
    const loop *L = ctx;
    synack_br_stats sum = L->gone;
    uint32_t active = 0;
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        if (L->clients[i].fd >= 0) {
            add_stats(&sum, &L->ports[i].stats);
            active++;
        }
    }
    metric(f, "clients", "gauge", "Clients connected now.");
    fprintf(f, "synack_bridge_clients %u\n", active);
    metric(f, "clients_max", "gauge", "--max-clients.");
    fprintf(f, "synack_bridge_clients_max %u\n", L->o->max_clients);
    metric(f, "connections_accepted_total", "counter", "Client connections accepted.");
    fprintf(f, "synack_bridge_connections_accepted_total %llu\n",
            (unsigned long long)L->accepted);
    metric(f, "connections_refused_total", "counter",
           "Client connections refused, by reason (full: --max-clients; per_addr_*: "
           "the per-address limits).");
    fprintf(f, "synack_bridge_connections_refused_total{reason=\"full\"} %llu\n"
               "synack_bridge_connections_refused_total{reason=\"per_addr_conns\"} %llu\n"
               "synack_bridge_connections_refused_total{reason=\"per_addr_rate\"} %llu\n"
               "synack_bridge_connections_refused_total{reason=\"per_addr_table\"} %llu\n",
            (unsigned long long)L->refused_full,
            (unsigned long long)L->limits.refused_conns,
            (unsigned long long)L->limits.refused_rate,
            (unsigned long long)L->limits.refused_table);
    metric(f, "connections_closed_total", "counter", "Client connections closed, by reason.");
    for (int r = SYNACK_BR_CLOSED_EOF; r < SYNACK_BR_CLOSE_REASONS; r++)
        fprintf(f, "synack_bridge_connections_closed_total{reason=\"%s\"} %llu\n",
                synack_br_close_reason_name(r), (unsigned long long)L->closed[r]);
    metric(f, "auth_failures_total", "counter", "Clients closed for a wrong or missing token.");
    fprintf(f, "synack_bridge_auth_failures_total{reason=\"bad_token\"} %llu\n"
               "synack_bridge_auth_failures_total{reason=\"token_timeout\"} %llu\n",
            (unsigned long long)L->closed[SYNACK_BR_CLOSED_AUTH],
            (unsigned long long)L->closed[SYNACK_BR_CLOSED_AUTH_TIMEOUT]);
    metric(f, "rate_limit_hits_total", "counter",
           "Frames over a client's --rate-fps/--rate-bps, and connections over the "
           "per-address limits.");
    fprintf(f, "synack_bridge_rate_limit_hits_total{limit=\"client_frames\"} %llu\n"
               "synack_bridge_rate_limit_hits_total{limit=\"per_addr_conns\"} %llu\n"
               "synack_bridge_rate_limit_hits_total{limit=\"per_addr_rate\"} %llu\n",
            (unsigned long long)sum.drop_rate,
            (unsigned long long)L->limits.refused_conns,
            (unsigned long long)L->limits.refused_rate);
    metric(f, "proxy_headers_total", "counter",
           "PROXY protocol headers from --trusted-proxy addresses, by result.");
    fprintf(f, "synack_bridge_proxy_headers_total{result=\"ok\"} %llu\n"
               "synack_bridge_proxy_headers_total{result=\"bad\"} %llu\n"
               "synack_bridge_proxy_headers_total{result=\"timeout\"} %llu\n",
            (unsigned long long)L->proxied,
            (unsigned long long)L->closed[SYNACK_BR_CLOSED_PROXY],
            (unsigned long long)L->closed[SYNACK_BR_CLOSED_PROXY_TIMEOUT]);
    metric(f, "offload_superframes_total", "counter",
           "--offload: TCP super-frames taken from clients (in), written to the TAP "
           "or given to slirp whole (tap_gso), and sent to clients whole (out).");
    fprintf(f, "synack_bridge_offload_superframes_total{dir=\"in\"} %llu\n"
               "synack_bridge_offload_superframes_total{dir=\"tap_gso\"} %llu\n"
               "synack_bridge_offload_superframes_total{dir=\"out\"} %llu\n",
            (unsigned long long)sum.rx_super, (unsigned long long)L->br.tx_gso,
            (unsigned long long)sum.tx_super);
    metric(f, "client_frames_total", "counter",
           "Frames accepted from clients (in) and handed to clients (out).");
    fprintf(f, "synack_bridge_client_frames_total{direction=\"in\"} %llu\n"
               "synack_bridge_client_frames_total{direction=\"out\"} %llu\n",
            (unsigned long long)sum.rx_frames, (unsigned long long)sum.tx_frames);
    metric(f, "client_bytes_total", "counter", "Bytes of those frames.");
    fprintf(f, "synack_bridge_client_bytes_total{direction=\"in\"} %llu\n"
               "synack_bridge_client_bytes_total{direction=\"out\"} %llu\n",
            (unsigned long long)sum.rx_bytes, (unsigned long long)sum.tx_bytes);
    metric(f, "client_drops_total", "counter",
           "Frames dropped, by reason (queue: counted on the client whose output "
           "queue was full; the others on the client that sent it).");
    drops(f, "client_drops_total", "", &sum);
    metric(f, "client_resets_total", "counter", "TCP resets answered for denied connections.");
    fprintf(f, "synack_bridge_client_resets_total %llu\n", (unsigned long long)sum.rst_sent);
    const char *be = L->tap_fd >= 0 ? "tap" : L->slirp ? "slirp" : NULL;
    if (be != NULL) {
        const synack_br_stats *b = &L->ports[SYNACK_BR_BACKEND_PORT].stats;
        char lab[32];
        snprintf(lab, sizeof(lab), "backend=\"%s\",", be);
        metric(f, "backend_frames_total", "counter",
               "Frames from the backend (in) and written to it (out).");
        fprintf(f, "synack_bridge_backend_frames_total{%sdirection=\"in\"} %llu\n"
                   "synack_bridge_backend_frames_total{%sdirection=\"out\"} %llu\n",
                lab, (unsigned long long)b->rx_frames, lab,
                (unsigned long long)b->tx_frames);
        metric(f, "backend_bytes_total", "counter", "Bytes of those frames.");
        fprintf(f, "synack_bridge_backend_bytes_total{%sdirection=\"in\"} %llu\n"
                   "synack_bridge_backend_bytes_total{%sdirection=\"out\"} %llu\n",
                lab, (unsigned long long)b->rx_bytes, lab,
                (unsigned long long)b->tx_bytes);
        metric(f, "backend_drops_total", "counter", "Frames from or to the backend dropped.");
        drops(f, "backend_drops_total", lab, b);
    }
    metric(f, "mac_table_total", "counter", "MAC table events.");
    fprintf(f, "synack_bridge_mac_table_total{event=\"learned\"} %llu\n"
               "synack_bridge_mac_table_total{event=\"moved\"} %llu\n"
               "synack_bridge_mac_table_total{event=\"evicted\"} %llu\n",
            (unsigned long long)L->br.macs.learned,
            (unsigned long long)L->br.macs.moved,
            (unsigned long long)L->br.macs.evicted);
    const synack_br_metrics_counters *m = synack_br_metrics_counts(L->metrics);
    metric(f, "metrics_requests_total", "counter",
           "Requests to this endpoint, by result (this one not yet counted).");
    fprintf(f, "synack_bridge_metrics_requests_total{result=\"ok\"} %llu\n"
               "synack_bridge_metrics_requests_total{result=\"bad\"} %llu\n"
               "synack_bridge_metrics_requests_total{result=\"refused\"} %llu\n"
               "synack_bridge_metrics_requests_total{result=\"timeout\"} %llu\n",
            (unsigned long long)m->ok, (unsigned long long)m->bad,
            (unsigned long long)m->refused, (unsigned long long)m->timeout);
}

/* ---- clients ----------------------------------------------------------- */

static void addr_of(const struct sockaddr_storage *ss, synack_br_addr *a)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        synack_br_addr_from4(a, (const uint8_t *)&in->sin_addr);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        synack_br_addr_from6(a, in6->sin6_addr.s6_addr);
    } else {
        memset(a, 0, sizeof(*a));
    }
}

static bool is_trusted(const synack_br_options *o, const synack_br_addr *a)
{
    for (size_t i = 0; i < o->trusted_count; i++) {
        if (memcmp(o->trusted[i].b, a->b, 16) == 0)
            return true;
    }
    return false;
}

/* Per-address admission; loopback addresses are exempt (a local websockify
 * or proxy that sends no PROXY header makes every client 127.0.0.1). */
static bool admit(loop *L, synack_br_client *c, uint64_t now, const char *peer)
{
    if (synack_br_addr_is_loopback(&c->addr)) {
        L->limit_exempt++;
        return true;
    }
    synack_br_addr_verdict v = synack_br_addrlimit_admit(&L->limits, &c->addr, now);
    if (v == SYNACK_BR_ADDR_OK) {
        c->counted = true;
        return true;
    }
    if (L->o->verbose)
        fprintf(stderr, "synack-bridge: refused %s: %s\n", peer,
                v == SYNACK_BR_ADDR_TOO_MANY ? "--max-conn-per-addr reached"
                : v == SYNACK_BR_ADDR_TOO_FAST ? "--conn-rate-per-addr exceeded"
                : "address table full");
    return false;
}

/* The PROXY header of client `port` is complete: take the address it
 * reports, apply the limits, then switch what followed the header. */
static void proxy_complete(loop *L, int32_t port, uint64_t now)
{
    synack_br_client *c = &L->clients[port];
    const synack_br_proxy_addr *pa = &c->paddr;
    L->proxied++;
    if (pa->family != 0) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof(ss));
        socklen_t sl;
        if (pa->family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            in->sin_family = AF_INET;
            memcpy(&in->sin_addr, pa->addr, 4);
            in->sin_port = htons(pa->port);
            sl = sizeof(*in);
        } else {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            in6->sin6_family = AF_INET6;
            memcpy(&in6->sin6_addr, pa->addr, 16);
            in6->sin6_port = htons(pa->port);
            sl = sizeof(*in6);
        }
        char via[64];
        snprintf(via, sizeof(via), "%s", c->peer);
        peer_text(&ss, sl, c->peer, sizeof(c->peer));
        addr_of(&ss, &c->addr);
        if (L->o->verbose)
            fprintf(stderr, "synack-bridge: port=%d peer=%s via proxy %s\n", port,
                    c->peer, via);
        if (!admit(L, c, now, c->peer)) {
            close_client(L, port, SYNACK_BR_CLOSED_LIMIT);
            return;
        }
    }
    synack_br_close_reason why = synack_br_client_proxy_done(c, &L->br, now);
    if (why != SYNACK_BR_OPEN)
        close_client(L, port, why);
}

static void close_client(loop *L, int32_t port, synack_br_close_reason why)
{
    synack_br_client *c = &L->clients[port];
    fprintf(stderr, "synack-bridge: closed port=%d peer=%s reason=%s\n", port,
            c->peer, synack_br_close_reason_name(why));
    print_port(L, port, c->peer);
    synack_br_client_ws_goodbye(c, why);
    L->closed[why]++;
    add_stats(&L->gone, &L->ports[port].stats);
    if (c->counted)
        synack_br_addrlimit_release(&L->limits, &c->addr);
    synack_br_detach(&L->br, port);
    synack_br_client_close(c);
}

static void peer_text(const struct sockaddr_storage *ss, socklen_t len,
                      char *buf, size_t cap)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(buf, cap, "?");
        return;
    }
    snprintf(buf, cap, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, serv);
}

/* Accept from --listen (ws false) or --listen-ws (ws true): the same
 * limits, token and PROXY handling for both. */
static void accept_clients(loop *L, uint64_t now, int lfd, bool ws)
{
    for (int i = 0; i < ACCEPT_BUDGET; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                fprintf(stderr, "synack-bridge: accept: %s\n", strerror(errno));
                L->listen_paused_until = now + 100; /* don't spin on it */
            }
            return;
        }
        char peer[64];
        peer_text(&ss, sl, peer, sizeof(peer));
        synack_br_client probe;
        addr_of(&ss, &probe.addr);
        probe.counted = false;
        bool proxied = is_trusted(L->o, &probe.addr);
        if (!proxied && !admit(L, &probe, now, peer)) {
            close(fd);
            continue;
        }
        int32_t port = synack_br_attach(&L->br, now);
        if (port < 0) {
            L->refused_full++;
            if (L->o->verbose)
                fprintf(stderr, "synack-bridge: refused %s: --max-clients reached\n", peer);
            if (probe.counted)
                synack_br_addrlimit_release(&L->limits, &probe.addr);
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        synack_br_client *c = &L->clients[port];
        if (synack_br_client_open(c, fd, port, peer, L->in_cap,
                                  L->o->queue_bytes) < 0 ||
            (proxied && synack_br_client_expect_proxy(c) < 0) ||
            (ws && synack_br_client_expect_ws(c, L->o->ws_origins,
                                              L->o->ws_origin_count) < 0)) {
            fprintf(stderr, "synack-bridge: out of memory for client %s\n", peer);
            if (c->fd >= 0) {
                c->fd = -1; /* closed below, once */
                synack_br_client_close(c);
            }
            if (probe.counted)
                synack_br_addrlimit_release(&L->limits, &probe.addr);
            synack_br_detach(&L->br, port);
            close(fd);
            continue;
        }
        c->addr = probe.addr;
        c->counted = probe.counted;
        c->since = now;
        L->pidx[port] = -1;
        L->accepted++;
        if (L->o->verbose)
            fprintf(stderr, "synack-bridge: client port=%d peer=%s%s\n", port, peer,
                    ws ? " (websocket)" : "");
    }
}

/* ---- signals ----------------------------------------------------------- */

static int signals_open(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void signals_read(loop *L)
{
    for (int i = 0; i < 16; i++) {
        struct signalfd_siginfo si;
        ssize_t r = read(L->sig_fd, &si, sizeof(si));
        if (r != (ssize_t)sizeof(si))
            return;
        if (si.ssi_signo == SIGUSR1)
            print_all(L);
        else
            L->stop = true;
    }
}

/* ---- set-up ------------------------------------------------------------ */

int synack_br_tcp_listen(const char *opt, const char *host, const char *port,
                         int backlog)
{
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "synack-bridge: %s %s: %s\n", opt, host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, backlog) < 0) {
            fprintf(stderr, "synack-bridge: %s %s:%s: %s\n", opt, host, port,
                    strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

/* Open --listen (ws false) or --listen-ws and say where at start. */
static int listen_open(const synack_br_options *o, bool ws)
{
    int fd = ws ? synack_br_tcp_listen("--listen-ws", o->ws_host, o->ws_port, 128)
                : synack_br_tcp_listen("--listen", o->listen_host, o->listen_port, 128);
    if (fd >= 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        char where[96];
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        peer_text(&ss, sl, where, sizeof(where));
        const char *be = o->backend == SYNACK_BR_BACKEND_TAP ? "tap"
                       : o->backend == SYNACK_BR_BACKEND_SLIRP ? "slirp" : "none";
        fprintf(stderr, "synack-bridge: %s %s backend=%s\n",
                ws ? "websockets at" : "listening on", where, be);
        fflush(stderr);
    }
    return fd;
}

/* Room for max_clients sockets plus slirp's: raise the soft limit. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int setup(loop *L, const synack_br_options *o, const uint8_t *token,
                 size_t token_len)
{
    memset(L, 0, sizeof(*L));
    L->o = o;
    L->listen_fd = L->ws_fd = L->sig_fd = L->tap_fd = -1;
    uint32_t n = o->max_clients + 1;
    L->ports = calloc(n, sizeof(*L->ports));
    L->clients = calloc(n, sizeof(*L->clients));
    L->pidx = calloc(n, sizeof(*L->pidx));
    L->macs = calloc(MAC_TABLE_SIZE, sizeof(*L->macs));
    L->rx = malloc(RX_BUF);
    if (!L->ports || !L->clients || !L->pidx || !L->macs || !L->rx) {
        fprintf(stderr, "synack-bridge: out of memory\n");
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        L->clients[i].fd = -1;
    /* More slots than clients, so an address with no open connection can
     * keep its rate history for a while. */
    uint32_t nslots = 2 * o->max_clients + 64;
    L->limit_slots = calloc(nslots, sizeof(*L->limit_slots));
    if (L->limit_slots == NULL) {
        fprintf(stderr, "synack-bridge: out of memory\n");
        return -1;
    }
    synack_br_addrlimit_init(&L->limits, L->limit_slots, nslots, o->max_conn_per_addr,
                             o->conn_rate_per_addr, o->conn_rate_per_addr);
    L->in_cap = o->max_frame > token_len ? o->max_frame : token_len;

    uint64_t now = synack_br_now_ms();
    synack_br_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.backend = o->backend;
    cfg.max_clients = o->max_clients;
    cfg.max_frame = o->max_frame;
    cfg.rate_fps = o->rate_fps;
    cfg.burst_frames = o->rate_fps * o->burst_ms / 1000;
    if (cfg.burst_frames < 1)
        cfg.burst_frames = 1;
    cfg.rate_bps = o->rate_bps;
    cfg.burst_bytes = o->rate_bps * o->burst_ms / 1000;
    if (cfg.burst_bytes < o->max_frame)
        cfg.burst_bytes = o->max_frame;
    cfg.token = token;
    cfg.token_len = token_len;
    cfg.mac_age_ms = (uint64_t)o->mac_age_s * 1000u;
    cfg.allow.allow_all = o->allow_all;
    cfg.allow.entries = o->allow;
    cfg.allow.count = o->allow_count;
    cfg.net = o->backend == SYNACK_BR_BACKEND_SLIRP ? o->net : synack_br_default_net;
    cfg.dhcp_server = o->backend == SYNACK_BR_BACKEND_SLIRP && !o->slirp_dhcp;
    cfg.isolate = o->backend == SYNACK_BR_BACKEND_SLIRP && !o->shared_segment;
    cfg.offload = o->offload;
    if (synack_br_init(&L->br, &cfg, L->ports, L->macs, MAC_TABLE_SIZE, emit, L,
                       now) < 0) {
        fprintf(stderr, "synack-bridge: bad configuration\n");
        return -1;
    }

    raise_fd_limit();
    L->sig_fd = signals_open();
    if (L->sig_fd < 0) {
        fprintf(stderr, "synack-bridge: signalfd: %s\n", strerror(errno));
        return -1;
    }
    if (o->backend == SYNACK_BR_BACKEND_TAP) {
        L->tap_vnet = o->offload;
        L->tap_fd = synack_br_tap_open(o->tap_name, L->tap_vnet, L->tap_vnet);
        if (L->tap_fd < 0)
            return -1;
        if (L->tap_vnet) {
            L->br.emit_gso = emit_gso;
            L->br.takes_super = takes_super;
            L->br.super_out = super_out;
            L->br.cfg.offload_rx = true;
        }
    } else if (o->backend == SYNACK_BR_BACKEND_SLIRP) {
        L->slirp = synack_br_slirp_open(o, &cfg.net, &L->br, o->verbose);
        if (L->slirp == NULL)
            return -1;
        /* --offload: a client's super-frames go into slirp whole */
        if (o->offload)
            L->br.emit_gso = emit_gso;
    }
    if (o->metrics_port != NULL) {
        L->metrics = synack_br_metrics_open(o->metrics_host, o->metrics_port);
        if (L->metrics == NULL)
            return -1;
    }
    if (o->listen_port != NULL) {
        L->listen_fd = listen_open(o, false);
        if (L->listen_fd < 0)
            return -1;
    }
    if (o->ws_port != NULL) {
        L->ws_fd = listen_open(o, true);
        if (L->ws_fd < 0)
            return -1;
    }
    return 0;
}

static void teardown(loop *L)
{
    if (L->clients != NULL) {
        for (uint32_t i = 1; i <= L->o->max_clients; i++) {
            if (L->clients[i].fd >= 0)
                synack_br_client_close(&L->clients[i]);
        }
    }
    synack_br_slirp_close(L->slirp);
    synack_br_metrics_close(L->metrics);
    free(L->limit_slots);
    if (L->tap_fd >= 0)
        synack_br_tap_close(L->tap_fd, L->tap_vnet);
    if (L->listen_fd >= 0)
        close(L->listen_fd);
    if (L->ws_fd >= 0)
        close(L->ws_fd);
    if (L->sig_fd >= 0)
        close(L->sig_fd);
    free(L->ps.v);
    free(L->ports);
    free(L->clients);
    free(L->pidx);
    free(L->macs);
    free(L->rx);
}

/* ---- one turn ---------------------------------------------------------- */

/* Milliseconds until the next token deadline (or IDLE_POLL_MS). */
static int auth_timeout_left(const loop *L, uint64_t now)
{
    uint64_t left = IDLE_POLL_MS;
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        const synack_br_port *p = &L->ports[i];
        if (p->state != SYNACK_BR_PORT_AUTH)
            continue;
        uint64_t due = p->since + L->o->auth_timeout_ms;
        uint64_t l = due > now ? due - now : 0;
        if (l < left)
            left = l;
    }
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        const synack_br_client *c = &L->clients[i];
        if (c->fd < 0 || (c->proxy != SYNACK_BR_PROXY_WAIT && !synack_br_client_ws_waiting(c)))
            continue;
        uint64_t due = c->since + L->o->auth_timeout_ms;
        uint64_t l = due > now ? due - now : 0;
        if (l < left)
            left = l;
    }
    return (int)left;
}

static void turn(loop *L)
{
    synack_br_pollset *ps = &L->ps;
    uint64_t now = synack_br_now_ms();
    ps->n = 0;
    int i_sig = synack_br_pollset_add(ps, L->sig_fd, POLLIN);
    int i_listen = -1, i_ws = -1;
    if (now >= L->listen_paused_until) {
        if (L->listen_fd >= 0)
            i_listen = synack_br_pollset_add(ps, L->listen_fd, POLLIN);
        if (L->ws_fd >= 0)
            i_ws = synack_br_pollset_add(ps, L->ws_fd, POLLIN);
    }
    int i_tap = L->tap_fd >= 0 ? synack_br_pollset_add(ps, L->tap_fd, POLLIN) : -1;
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        synack_br_client *c = &L->clients[i];
        L->pidx[i] = -1;
        if (c->fd < 0)
            continue;
        short ev = POLLIN;
        if (synack_br_client_pending(c))
            ev |= POLLOUT;
        L->pidx[i] = synack_br_pollset_add(ps, c->fd, ev);
    }
    int timeout = auth_timeout_left(L, now);
    if (now < L->listen_paused_until && timeout > 100)
        timeout = 100;
    if (L->metrics != NULL)
        synack_br_metrics_fill(L->metrics, ps, now, &timeout);
    if (L->slirp != NULL) {
        synack_br_slirp_fill(L->slirp, ps, &timeout);
        /*
         * slirp sends what it queued (e.g. a reply held until the guest
         * answered its ARP request, dropped after one second) only from
         * slirp_pollfds_poll: after feeding it, come back at once.
         */
        if (L->slirp_kick)
            timeout = 0;
        L->slirp_kick = false;
    }

    int r = poll(ps->v, ps->n, timeout);
    int poll_errno = errno;
    now = synack_br_now_ms();
    if (L->slirp != NULL)
        synack_br_slirp_poll(L->slirp, ps, r < 0);
    if (r < 0) {
        if (poll_errno != EINTR) {
            fprintf(stderr, "synack-bridge: poll: %s\n", strerror(poll_errno));
            L->stop = true;
            L->status = 1;
        }
        return;
    }

    if (i_sig >= 0 && (ps->v[i_sig].revents & POLLIN))
        signals_read(L);
    if (i_tap >= 0 && (ps->v[i_tap].revents & (POLLIN | POLLERR | POLLHUP))) {
        if (synack_br_tap_read(L->tap_fd, L->tap_vnet, &L->br, L->rx, RX_BUF, TAP_BUDGET) < 0) {
            fprintf(stderr, "synack-bridge: TAP device failed: %s\n", strerror(errno));
            L->stop = true;
            L->status = 1;
        }
    }
    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        synack_br_client *c = &L->clients[i];
        int k = L->pidx[i];
        if (c->fd < 0 || k < 0)
            continue;
        if (ps->v[k].revents & (POLLIN | POLLHUP | POLLERR)) {
            synack_br_close_reason why =
                synack_br_client_read(c, &L->br, L->rx, RX_BUF, now);
            if (why != SYNACK_BR_OPEN)
                close_client(L, (int32_t)i, why);
            else if (c->proxy == SYNACK_BR_PROXY_GOT)
                proxy_complete(L, (int32_t)i, now);
        }
    }
    if (L->metrics != NULL)
        synack_br_metrics_handle(L->metrics, ps, now, render_metrics, L);
    if (i_listen >= 0 && (ps->v[i_listen].revents & POLLIN))
        accept_clients(L, now, L->listen_fd, false);
    if (i_ws >= 0 && (ps->v[i_ws].revents & POLLIN))
        accept_clients(L, now, L->ws_fd, true);

    for (uint32_t i = 1; i <= L->o->max_clients; i++) {
        synack_br_client *c = &L->clients[i];
        if (c->fd < 0)
            continue;
        if (L->ports[i].state == SYNACK_BR_PORT_AUTH &&
            now - L->ports[i].since >= L->o->auth_timeout_ms) {
            close_client(L, (int32_t)i, SYNACK_BR_CLOSED_AUTH_TIMEOUT);
            continue;
        }
        if (c->proxy == SYNACK_BR_PROXY_WAIT && now - c->since >= L->o->auth_timeout_ms) {
            close_client(L, (int32_t)i, SYNACK_BR_CLOSED_PROXY_TIMEOUT);
            continue;
        }
        if (synack_br_client_ws_waiting(c) && now - c->since >= L->o->auth_timeout_ms) {
            close_client(L, (int32_t)i, SYNACK_BR_CLOSED_WS_TIMEOUT);
            continue;
        }
        if (synack_br_client_pending(c) && synack_br_client_flush(c) < 0)
            close_client(L, (int32_t)i, SYNACK_BR_CLOSED_ERROR);
    }
}

int synack_br_run(const synack_br_options *o, const uint8_t *token,
                  size_t token_len)
{
    loop *L = calloc(1, sizeof(*L));
    if (L == NULL) {
        fprintf(stderr, "synack-bridge: out of memory\n");
        return 1;
    }
    int status = 1;
    if (setup(L, o, token, token_len) == 0) {
        while (!L->stop)
            turn(L);
        status = L->status;
        for (uint32_t i = 1; i <= o->max_clients; i++) {
            if (L->clients[i].fd >= 0)
                L->closed[SYNACK_BR_CLOSED_SHUTDOWN]++;
        }
        print_all(L);
        fprintf(stderr, "synack-bridge: stopped\n");
    }
    teardown(L);
    free(L);
    return status;
}
