#!/usr/bin/env python3
"""Abuse the bridge (meant for an ASan/UBSan build, see test_abuse.sh):
many clients send random bytes, random framing, and valid-looking frames
with mutated headers (ARP, DHCP, TCP, UDP, ICMP, fragments) that get past
the anti-spoofing checks into the switch and slirp; others connect and
vanish mid-frame. A third of them come through the bridge's own
WebSocket endpoint (--listen-ws): the same attacks inside WebSocket
messages, garbage or mangled upgrade requests, and random WebSocket
frame headers. Meanwhile a well-behaved client keeps pinging through
slirp. Seeded (SEED=n) so a failure can be replayed."""
import os
import random
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from wsclient import WSClient  # noqa: E402

seed = int(os.environ.get("SEED", str(int(time.time()) % 100000)))
rounds = int(os.environ.get("ROUNDS", "200"))
rng = random.Random(seed)
print("abuse: seed=%d rounds=%d" % (seed, rounds))
t = Checks("abuse")
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
srv.setblocking(False)
P = srv.getsockname()[1]
WSP = free_port()
b = Bridge("--slirp", "--allow", "10.0.2.2:%d" % P, "--max-clients", "24",
           "--queue-bytes", "70000", "--listen-ws", "127.0.0.1:%d" % WSP)

UPGRADE = ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


def ws_attack():
    """A WebSocket visitor: mangled upgrade requests, or random frame
    headers after a good one. Returns the socket (kept open for a while)."""
    s = socket.create_connection(("127.0.0.1", WSP), timeout=2)
    kind = rng.randrange(4)
    try:
        if kind == 0:      # junk instead of a request
            s.sendall(os.urandom(rng.randrange(1, 5000)))
        elif kind == 1:    # the request, cut or with bytes flipped
            req = bytearray(UPGRADE)
            for _ in range(rng.randrange(0, 4)):
                req[rng.randrange(len(req))] = rng.randrange(256)
            s.sendall(bytes(req[:rng.randrange(1, len(req) + 1)]))
        else:              # a good upgrade, then random frame headers and payloads
            s.sendall(UPGRADE)
            for _ in range(rng.randrange(1, 20)):
                b0 = rng.choice([0x82, 0x02, 0x80, 0x00, 0x81, 0x88, 0x89, 0x8A, 0xC2, rng.randrange(256)])
                n = rng.choice([0, 1, 125, 126, 127, rng.randrange(300)])
                hdr = bytes([b0, rng.choice([0x80, 0x00]) | min(n, 125)])
                if rng.random() < 0.2:
                    hdr = bytes([b0, 0x80 | 127]) + struct.pack(">Q", rng.choice([1 << 63, 1 << 40, 70000]))
                s.sendall(hdr + os.urandom(4) + os.urandom(n))
    except OSError:
        pass
    return s


def templates(m, ip):
    return [
        arp_request(m, ip, GW),
        arp_reply(m, ip, SLIRP_MAC, GW),
        dhcp(m, "discover", xid=rng.randrange(1 << 32)),
        dhcp(m, "request", requested=ip),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=rng.randrange(1024, 65535), dport=P, flags="S", options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b""), ("Timestamp", (1, 0))]),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=rng.randrange(1024, 65535), dport=22, flags="S"),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=40000, dport=P, flags="PA") / (b"d" * rng.randrange(0, 1400)),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / UDP(sport=1, dport=P) / b"u",
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=DNS) / UDP(sport=1, dport=53) / (b"\x12\x34\x01\x00\x00\x01" + os.urandom(20)),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW, flags="MF", frag=0) / ICMP(id=1) / (b"f" * 64),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW, frag=3) / (b"g" * 40),
        Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW, ihl=15) / (b"\x01" * 60),
        Ether(src=m, dst=BCAST) / IP(src=ip, dst="255.255.255.255") / UDP(sport=68, dport=67) / os.urandom(rng.randrange(0, 400)),
        Ether(src=m, dst=mac(1)) / IP(src=ip, dst="10.0.2.15") / ICMP() / b"to the good client",
    ]


def mutate(frame, m):
    f = bytearray(frame)
    how = rng.randrange(5)
    if how == 0 and len(f) > 15:      # truncate somewhere after the MAC header
        del f[rng.randrange(14, len(f)):]
    elif how == 1:                    # flip bytes past the source MAC
        for _ in range(rng.randrange(1, 8)):
            if len(f) > 12:
                f[rng.randrange(12, len(f))] = rng.randrange(256)
    elif how == 2:                    # flip bytes of the L4 header only
        for _ in range(rng.randrange(1, 6)):
            if len(f) > 34:
                f[rng.randrange(34, len(f))] = rng.randrange(256)
    elif how == 3:                    # append junk (up to the frame limit)
        f += os.urandom(rng.randrange(0, max(1, 1518 - len(f))))
    # how == 4: unchanged
    f[6:12] = bytes.fromhex(m.replace(":", ""))
    return bytes(f)


def attack(c, n, k):
    m = mac(0x100 + n)
    ip = "10.0.2.%d" % (100 + n % 100)
    kind = rng.randrange(10)
    try:
        if kind == 0:
            c.send_raw(os.urandom(rng.randrange(1, 3000)))
        elif kind == 1:
            ln = rng.choice([0, 1, 13, 14, 59, 60, 1518, 1519, 9000, 65535, 65536, rng.randrange(1 << 32)])
            c.send_raw(struct.pack(">I", ln) + os.urandom(min(ln, rng.randrange(0, 2000))))
        elif kind == 2:
            c.send_raw(struct.pack(">I", 100)[:rng.randrange(1, 4)])  # half a header
        else:
            c.send(arp_request(m, ip, GW))
            for _ in range(k):
                c.send(mutate(bytes(rng.choice(templates(m, ip))), m))
    except OSError:
        pass


try:
    good = Client(b.port)
    gip, _ = lease(good, mac(1))
    pongs = 0
    pings = 0
    live = []
    for n in range(rounds):
        if len(live) > 12 or (live and rng.random() < 0.3):
            live.pop(rng.randrange(len(live))).close()
        way = rng.random()
        try:
            if way < 0.15:
                live.append(ws_attack())
                c = None
            elif way < 0.33:
                c = WSClient(WSP, split_seed=rng.randrange(1 << 30))
            else:
                c = Client(b.port)
        except OSError:
            continue
        if c is not None:
            live.append(c)
            attack(c, n, rng.randrange(1, 30))
            if rng.random() < 0.2:
                c.drain(0.01, 50)
        good.discard_pending()  # the good client reads (the attackers write to it too)
        try:
            while True:
                srv.accept()[0].close()
        except OSError:
            pass
        if n % 20 == 0:
            pings += 1
            good.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=gip, dst=GW) / ICMP(id=9, seq=n))
            if good.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].seq == n, 2) is not None:
                pongs += 1
            elif os.environ.get("DEBUG"):
                print("abuse: ping %d lost" % n)
    for c in live:
        c.close()
    t.check("bridge survived %d abusive clients" % rounds, b.alive())
    ports, totals = b.stats()
    t.check("the good client's pings kept working (%d/%d)" % (pongs, pings), pongs == pings, str(ports.get(1)) + str(ports.get(0)))
    ports, totals = b.stats()
    t.check("closes counted", int(totals["closed_framing"]) + int(totals["closed_malformed"]) > rounds // 10, str(totals))
    t.check("WebSocket visitors were refused or closed too",
            int(totals["closed_bad_ws_handshake"]) + int(totals["closed_ws_protocol"]) > 0, str(totals))
    status = b.stop()
    log = b.text()
    t.check("exit status 0", status == 0, str(status))
    bad = [l for l in log.splitlines() if "Sanitizer" in l or "runtime error" in l]
    t.check("no sanitizer reports", not bad, "\n".join(bad[:20]))
    if bad:
        print(log[-8000:])
finally:
    b.cleanup()
t.done()
