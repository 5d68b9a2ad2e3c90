/* Bulk transfers between the two fixture stacks; see tcp_sim.h. */
#include "tcp_sim.h"

#include <string.h>

#include "net_frames.h"
#include "test_addr.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint8_t tcp_sim_stream_byte(uint64_t seed, uint64_t i)
{
    return (uint8_t)(mix(seed ^ (i >> 3) * 0x100000001b3ULL) >> (8 * (i & 7)));
}

static void fill(uint64_t seed, uint64_t pos, uint8_t *buf, size_t n)
{
    size_t k = 0;
    while (k < n) {
        uint64_t i = pos + k;
        uint64_t w = mix(seed ^ (i >> 3) * 0x100000001b3ULL);
        for (unsigned b = (unsigned)(i & 7); b < 8 && k < n; b++, k++)
            buf[k] = (uint8_t)(w >> (8 * b));
    }
}

static uint64_t count_bad(uint64_t seed, uint64_t pos, const uint8_t *buf, size_t n)
{
    uint8_t want[4096];
    uint64_t bad = 0;
    for (size_t off = 0; off < n; off += sizeof want) {
        size_t m = n - off < sizeof want ? n - off : sizeof want;
        fill(seed, pos + off, want, m);
        if (memcmp(want, buf + off, m) != 0)
            for (size_t j = 0; j < m; j++)
                bad += want[j] != buf[off + j];
    }
    return bad;
}

/* Both stacks' IPv6 addresses usable (DAD over, on Ethernet). */
static bool ip6_ready(net_fixture *f, void *ctx)
{
    (void)ctx;
    for (int side = 0; side < 2; side++) {
        synack_ip6_addr_info info[8];
        size_t n = synack_get_ipv6(net_stack(f, side), info, 8);
        for (size_t i = 0; i < n && i < 8; i++)
            if (info[i].state == SYNACK_IP6_TENTATIVE)
                return false;
    }
    return true;
}

int tcp_sim_start(tcp_sim *sim, net_fixture *f, uint64_t a_to_b, uint64_t b_to_a,
                  uint64_t seed)
{
    if (f->opts.ipv6 && !net_run_until(f, ip6_ready, NULL, 10000))
        return -1;
    memset(sim, 0, sizeof *sim);
    sim->f = f;
    sim->port = 5001;
    sim->chunk = 65536;
    sim->seed[0] = mix(seed * 2 + 1);
    sim->seed[1] = mix(seed * 2 + 2);
    sim->end[0].to_send = a_to_b;
    sim->end[1].to_send = b_to_a;
    sim->listener = synack_tcp_open(f->b);
    if (sim->listener < 0 || synack_tcp_bind(f->b, sim->listener, sim->port) != 0 ||
        synack_tcp_listen(f->b, sim->listener, 4) != 0)
        return -1;
    sim->end[0].h = synack_tcp_open(f->a);
    sim->end[1].h = -1;
    if (sim->end[0].h < 0)
        return -1;
    /* with IPv6 addresses the transfer goes over IPv6 */
    synack_addr dst = f->opts.ipv6 ? net_ip6(1) : synack_addr_from_ip4(net_ip(1));
    return synack_tcp_connect(f->a, f->now, sim->end[0].h, &dst, sim->port);
}

static void pump_end(tcp_sim *sim, int side)
{
    net_fixture *f = sim->f;
    synack_stack *s = side == 0 ? f->a : f->b;
    tcp_sim_end *e = &sim->end[side];
    uint8_t *buf = sim->buf;
    if (e->h < 0) {
        e->h = synack_tcp_accept(s, f->now, sim->listener, NULL, NULL);
        if (e->h < 0) {
            e->h = -1;
            return;
        }
    }
    if (e->closed)
        return;
    uint32_t ev = synack_tcp_events(s, e->h);
    if (!(ev & SYNACK_EV_CONNECTED) && !(ev & SYNACK_EV_ERROR))
        return;
    for (int round = 0; round < 1024 && e->sent < e->to_send; round++) {
        /* A full send buffer takes nothing (the send would return AGAIN
         * and change nothing): generating a chunk for it anyway cost 95 %
         * of the matrix's time, regenerated at every step of a lossy run
         * (2.7 GB generated for the 20 MB of loss5). */
        if (!(synack_tcp_events(s, e->h) & SYNACK_EV_WRITABLE))
            break; /* (an error makes it writable: the send reports it) */
        uint64_t left = e->to_send - e->sent;
        size_t n = left < sim->chunk ? (size_t)left : sim->chunk;
        fill(sim->seed[side], e->sent, buf, n);
        int rc = synack_tcp_send(s, f->now, e->h, buf, n);
        if (rc <= 0) {
            if (rc < 0 && rc != SYNACK_ERR_AGAIN && !e->err)
                e->err = rc;
            break;
        }
        if (sim->tap)
            sim->tap(sim->tap_ctx, side, true, buf, (size_t)rc);
        e->sent += (uint64_t)rc;
    }
    if (e->sent == e->to_send && !e->shut) {
        int rc = synack_tcp_shutdown(s, f->now, e->h);
        if (rc < 0 && !e->err)
            e->err = rc;
        e->shut = true;
    }
    for (int round = 0; round < 1024 && !e->eof; round++) {
        int rc = synack_tcp_recv(s, f->now, e->h, buf, sim->chunk);
        if (rc > 0) {
            e->bad_bytes += count_bad(sim->seed[1 - side], e->received, buf, (size_t)rc);
            if (sim->tap)
                sim->tap(sim->tap_ctx, side, false, buf, (size_t)rc);
            e->received += (uint64_t)rc;
        } else if (rc == 0) {
            e->eof = true;
        } else {
            if (rc != SYNACK_ERR_AGAIN && !e->err)
                e->err = rc;
            break;
        }
    }
    if (e->eof && e->shut && !e->closed) {
        synack_tcp_close(s, f->now, e->h);
        e->closed = true;
    }
}

void tcp_sim_pump(tcp_sim *sim)
{
    pump_end(sim, 0);
    pump_end(sim, 1);
}

bool tcp_sim_done(const tcp_sim *sim)
{
    for (int i = 0; i < 2; i++) {
        const tcp_sim_end *e = &sim->end[i];
        if (!e->eof || e->sent != e->to_send || e->received != sim->end[1 - i].to_send)
            return false;
    }
    return true;
}

static bool cond(net_fixture *f, void *ctx)
{
    tcp_sim *sim = ctx;
    /* let the application and the wire make progress at this instant (the
       fixture does not count frames the application just sent as due) */
    for (int i = 0; i < 1000000; i++) {
        tcp_sim_pump(sim);
        if (synack_pair_pending(f->pair) == 0)
            break;
        net_settle(f);
    }
    if (sim->end[0].err || sim->end[1].err)
        return true;
    return tcp_sim_done(sim) && sim->end[0].closed && sim->end[1].closed;
}

bool tcp_sim_run(tcp_sim *sim, uint64_t max_ms)
{
    net_run_until(sim->f, cond, sim, max_ms);
    return tcp_sim_done(sim) && !sim->end[0].err && !sim->end[1].err;
}
