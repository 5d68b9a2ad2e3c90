/*
 * libFuzzer target (d): DHCP and DNS responses as the clients in the stack
 * see them (record format in fuzz_records.h). The stack runs its DHCP
 * client and has a DNS query open; each FD_DNS record is a reply from the
 * resolver to that query's port, each FD_DHCP record a message from the
 * server to port 68. So that the fuzzer gets past the cheap checks, the DNS
 * ID and the DHCP xid and chaddr are patched to the expected values unless
 * the record's length has bit 15 set.
 *
 * Oracles: ASan/UBSan, a leak check when the stack is freed, and that a
 * DNS result, once there, is one of the documented codes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_records.h"
#include "tcp_harness.h"
#include "wire/wire_app.h"

#define FD_MAX_RECORDS 64

static const synack_mac peer_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const synack_mac local_mac = {{0x02, 0, 0, 0, 0, 0x01}};

typedef struct fd_state {
    uint16_t dns_port, dns_id;
    bool have_dns;
    uint32_t xid;
    bool have_xid;
} fd_state;

/* Look through what the stack sent for its DNS query and DHCP message. */
static void learn(tcp_harness *th, fd_state *st)
{
    for (size_t i = 0; i < th->count; i++) {
        const th_frame *f = &th->frames[(th->head + i) % TH_MAX_FRAMES];
        synack_ip4_repr ip;
        synack_udp_repr udp;
        if (f->len <= SYNACK_ETH_HDR_LEN ||
            synack_ld_be16(f->data + 12) != SYNACK_ETHERTYPE_IPV4 ||
            synack_ip4_parse(f->data + 14, f->len - 14, false, &ip) < 0 ||
            ip.proto != SYNACK_IPPROTO_UDP ||
            synack_udp_parse(f->data + 14 + ip.hdr_len, ip.total_len - ip.hdr_len, synack_ip4_pseudo_sum(ip.src, ip.dst, SYNACK_IPPROTO_UDP), false, &udp) < 0)
            continue;
        if (udp.dport == SYNACK_DNS_PORT && udp.payload_len >= 2) {
            st->dns_port = udp.sport;
            st->dns_id = synack_ld_be16(udp.payload);
            st->have_dns = true;
        } else if (udp.dport == 67 && udp.payload_len >= 8) {
            st->xid = synack_ld_be32(udp.payload + 4);
            st->have_xid = true;
        }
    }
    th_flush(th);
}

static void send_udp(tcp_harness *th, synack_ip4 dst, uint16_t sport, uint16_t dport,
                     const uint8_t *payload, size_t len)
{
    size_t off = SYNACK_ETH_HDR_LEN + SYNACK_IP4_HDR_LEN;
    uint8_t *buf = malloc(off + SYNACK_UDP_HDR_LEN + len);
    synack_eth_repr e = {.dst = dst == 0xffffffffu ? (synack_mac){{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
                                                   : local_mac,
                         .src = peer_mac, .ethertype = SYNACK_ETHERTYPE_IPV4};
    synack_eth_emit(&e, buf);
    synack_ip4_repr ip = {.ttl = 64, .proto = SYNACK_IPPROTO_UDP, .id = 7,
                          .src = TH_PEER_IP, .dst = dst,
                          .total_len = (uint16_t)(SYNACK_IP4_HDR_LEN + SYNACK_UDP_HDR_LEN + len)};
    synack_ip4_emit(&ip, buf + SYNACK_ETH_HDR_LEN);
    memcpy(buf + off + SYNACK_UDP_HDR_LEN, payload, len);
    synack_udp_repr u = {.sport = sport, .dport = dport};
    synack_udp_emit(&u, buf + off, len, synack_ip4_pseudo_sum(TH_PEER_IP, dst, SYNACK_IPPROTO_UDP));
    synack_input(th->s, th->now, buf, off + SYNACK_UDP_HDR_LEN + len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tcp_harness *th = th_new(&(th_opts){.seed = 11});
    if (!th)
        abort();
    fd_state st = {0};
    synack_set_dns(th->s, TH_PEER_IP);
    int q = synack_dns_query(th->s, th->now, "www.example.com", 0);
    if (q < 0 || synack_dhcp_start(th->s, th->now) != 0)
        abort();
    learn(th, &st);

    size_t off = 0;
    for (int n = 0; n < FD_MAX_RECORDS && off < size; n++) {
        uint8_t op = data[off++];
        switch (op % FD_OP_COUNT) {
        case FD_DNS:
        case FD_DHCP: {
            if (size - off < 2)
                break;
            uint16_t raw = (uint16_t)(data[off] << 8 | data[off + 1]);
            off += 2;
            size_t len = raw & 0x7fff;
            if (len > size - off)
                len = size - off;
            uint8_t *msg = malloc(len ? len : 1);
            memcpy(msg, data + off, len);
            off += len;
            bool patch = !(raw & 0x8000);
            if (op % FD_OP_COUNT == FD_DNS) {
                if (patch && st.have_dns && len >= 2)
                    synack_wr_be16(msg, st.dns_id);
                send_udp(th, TH_LOCAL_IP, SYNACK_DNS_PORT, st.dns_port, msg, len);
            } else {
                if (patch && st.have_xid && len >= 34) {
                    synack_wr_be32(msg + 4, st.xid);
                    memcpy(msg + 28, local_mac.b, 6);
                }
                send_udp(th, (op & 0x80) ? 0xffffffffu : TH_LOCAL_IP, 67, 68, msg, len);
            }
            free(msg);
            learn(th, &st);
            break;
        }
        case FD_TIME:
            if (off < size) {
                uint8_t dt = data[off++];
                th_advance(th, (uint64_t)dt * dt * 16 + 1);
                learn(th, &st);
            }
            break;
        default:
            if (off < size) {
                static const char *names[] = {"www.example.com", "b.example.org.", "x", "10.0.0.9"};
                uint8_t which = data[off++];
                int h = synack_dns_query(th->s, th->now, names[which % 4], 0);
                if (h >= 0) {
                    if (q >= 0)
                        synack_dns_close(th->s, q);
                    q = h;
                }
                learn(th, &st);
            }
            break;
        }
        if (q >= 0) {
            synack_addr addr;
            int rc = synack_dns_result(th->s, q, &addr);
            if (!(rc == 0 || rc == SYNACK_ERR_AGAIN || rc == SYNACK_ERR_TIMEOUT ||
                  rc == SYNACK_ERR_NOTFOUND || rc == SYNACK_ERR_REFUSED ||
                  rc == SYNACK_ERR_MSGSIZE || rc == SYNACK_ERR_UNREACHABLE)) {
                fprintf(stderr, "dns result %d is not a documented code\n", rc);
                abort();
            }
        }
        synack_dhcp_lease lease;
        if (synack_dhcp_get_lease(th->s, &lease) == 0 &&
            (lease.prefix_len > 32 || lease.addr == 0)) {
            fprintf(stderr, "dhcp lease with prefix %u addr %08x\n", lease.prefix_len,
                    (unsigned)lease.addr);
            abort();
        }
    }
    if (getenv("FUZZ_DEBUG")) {
        synack_addr addr = synack_addr_from_ip4(0);
        int rc = q >= 0 ? synack_dns_result(th->s, q, &addr) : q;
        fprintf(stderr, "fuzz_dhcp_dns: dns %d addr %08x, dhcp state %d\n", rc,
                (unsigned)synack_addr_to_ip4(&addr), (int)synack_dhcp_get_state(th->s));
    }
    size_t left = th_free(th);
    if (left != 0) {
        fprintf(stderr, "leak: %zu bytes still allocated\n", left);
        abort();
    }
    return 0;
}
