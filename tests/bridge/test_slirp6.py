#!/usr/bin/env python3
"""IPv6 through the slirp backend, with raw frames: a router solicitation
is answered by slirp's router advertisement (the prefix fd00:5ac::/64 and
slirp's DNS in RDNSS; with --ip6-prefix another prefix); ping of slirp's
host address; a TCP handshake and an HTTP GET to a server on this host's
::1 through [fd00:5ac::2] (allowed with --allow [::1]:PORT); a SYN to a
port, host or prefix address outside the allow-list gets a RST and never
reaches the host; UDP the same; with --no-ip6 no router answers."""
import socket
import sys
import threading

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("slirp6")
BODY = b"hello over IPv6 through slirp\n"


class Server6:
    """A one-answer-per-connection HTTP server on [::1], in a thread."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("::1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.stop_ev = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop_ev.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.settimeout(3)
            try:
                req = b""
                while b"\r\n\r\n" not in req:
                    d = conn.recv(1000)
                    if not d:
                        break
                    req += d
                if req.startswith(b"GET / "):
                    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY) + BODY)
            except OSError:
                pass
            conn.close()

    def stop(self):
        self.stop_ev.set()
        self.sock.close()
        self.thread.join(3)


def tcp_get(c, me, gw, src, dst, dport, sport):
    """A raw TCP client: handshake, GET, read to FIN. Returns (first
    answer to the SYN, bytes received)."""
    base = Ether(src=me, dst=gw) / IPv6(src=src, dst=dst)
    c.send(base / TCP(sport=sport, dport=dport, flags="S", seq=1000, window=65535))
    sa = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == sport, 5)
    if sa is None or (int(sa[TCP].flags) & 0x12) != 0x12:
        return sa, b""
    seq, ack = 1001, sa[TCP].seq + 1
    req = b"GET / HTTP/1.0\r\n\r\n"
    c.send(base / TCP(sport=sport, dport=dport, flags="A", seq=seq, ack=ack, window=65535))
    c.send(base / TCP(sport=sport, dport=dport, flags="PA", seq=seq, ack=ack, window=65535) / req)
    seq += len(req)
    data = b""
    deadline = time.time() + 10
    while time.time() < deadline:
        e = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == sport, 3)
        if e is None:
            break
        tc = e[TCP]
        pl = bytes(tc.payload)
        if tc.seq == ack:
            data += pl
            ack += len(pl)
            if int(tc.flags) & 0x01:
                ack += 1
        c.send(base / TCP(sport=sport, dport=dport, flags="A", seq=seq, ack=ack, window=65535))
        if int(tc.flags) & 0x01:
            c.send(base / TCP(sport=sport, dport=dport, flags="FA", seq=seq, ack=ack, window=65535))
            break
    return sa, data


srv = Server6()
denied = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
denied.bind(("::1", 0))
denied.listen(4)
denied.settimeout(0.5)
P_NO = denied.getsockname()[1]
udp_ok = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
udp_ok.bind(("::1", 0))
udp_ok.settimeout(1)
udp_no = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
udp_no.bind(("::1", 0))
udp_no.settimeout(1)
U_OK, U_NO = udp_ok.getsockname()[1], udp_no.getsockname()[1]

FWD = free_port()
b = Bridge("--slirp", "--allow", "[::1]:%d" % srv.port, "--allow", "localhost:%d" % U_OK,
           "--forward", "tcp:[::1]:%d:[fd00:5ac::a1]:80" % FWD)
try:
    me, ll, glob = mac(1), "fe80::a1", "fd00:5ac::a1"
    c = Client(b.port)
    c.me6 = (me, [ll, glob])
    c.send(dad_ns(me, ll))
    c.send(router_solicit(me, ll))
    ra = c.recv_match(lambda e: e.haslayer(ICMPv6ND_RA), 5)
    t.check("slirp answers the RS with an RA", ra is not None)
    pi = ra[ICMPv6NDOptPrefixInfo] if ra is not None and ra.haslayer(ICMPv6NDOptPrefixInfo) else None
    t.check("the RA carries fd00:5ac::/64 for SLAAC", pi is not None and pi.prefix == "fd00:5ac::"
            and pi.prefixlen == 64 and pi.A == 1, pi and pi.summary())
    rd = ra[ICMPv6NDOptRDNSS] if ra is not None and ra.haslayer(ICMPv6NDOptRDNSS) else None
    # libslirp announces its DNS proxy only when the host has an IPv6 resolver
    host_dns6 = any(l.split()[:1] == ["nameserver"] and ":" in l.split()[1]
                    for l in open("/etc/resolv.conf") if len(l.split()) > 1)
    if host_dns6:
        t.check("the RA names slirp's DNS fd00:5ac::3 (RDNSS)", rd is not None and "fd00:5ac::3" in rd.dns,
                rd and rd.summary())
    else:
        t.check("no IPv6 resolver on this host: the RA has no RDNSS", rd is None, rd and rd.summary())
    gw = ra[Ether].src if ra is not None else "52:56:00:00:00:02"
    t.check("the RA comes from fe80::2 and slirp's MAC", ra is not None and ra[IPv6].src == "fe80::2"
            and gw == "52:56:00:00:00:02", ra and ra.summary())

    c.send(dad_ns(me, glob))
    c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst="fd00:5ac::2") / ICMPv6EchoRequest(id=7, seq=1, data=b"ping6"))
    r = c.recv_match(lambda e: e.haslayer(ICMPv6EchoReply) and e[ICMPv6EchoReply].id == 7, 5)
    t.check("ping fd00:5ac::2 answered by slirp", r is not None and r[IPv6].dst == glob)
    c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst="2001:db8::1") / ICMPv6EchoRequest(id=8, seq=1))
    t.check("ping elsewhere not allowed", c.recv_match(lambda e: e.haslayer(ICMPv6EchoReply) and e[ICMPv6EchoReply].id == 8, 1) is None)

    sa, data = tcp_get(c, me, gw, glob, "fd00:5ac::2", srv.port, 40001)
    t.check("allowed [::1] port: SYN-ACK from slirp's host address", sa is not None and
            int(sa[TCP].flags) & 0x12 == 0x12 and sa[IPv6].src == "fd00:5ac::2", sa and sa.summary())
    t.check("GET through slirp reaches the server on ::1", data.startswith(b"HTTP/1.0 200") and data.endswith(BODY), data[:80])

    def syn(dst, port, sport):
        c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst=dst) / TCP(sport=sport, dport=port, flags="S", seq=5000))
        return c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == sport, 3)

    before = srv.accepted
    r = syn("fd00:5ac::2", P_NO, 40002)
    t.check("other port: RST+ACK from fd00:5ac::2", r is not None and r[TCP].flags == "RA" and r[TCP].ack == 5001
            and r[IPv6].src == "fd00:5ac::2" and r[Ether].src == gw, r and r.summary())
    try:
        denied.accept()
        t.check("other port: no connection reached the host", False)
    except socket.timeout:
        t.check("other port: no connection reached the host", True)
    r = syn("fd00:5ac::99", srv.port, 40003)
    t.check("another address of the prefix (slirp maps it to ::1): RST", r is not None and r[TCP].flags == "RA",
            r and r.summary())
    r = syn("2001:db8::1", 80, 40004)
    t.check("a host outside the allow-list: RST", r is not None and r[TCP].flags == "RA", r and r.summary())
    time.sleep(0.3)
    t.check("none of the denied SYNs reached the allowed server", srv.accepted == before, str(srv.accepted - before))

    c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst="fd00:5ac::2") / UDP(sport=5000, dport=U_OK) / b"allowed6")
    c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst="fd00:5ac::2") / UDP(sport=5001, dport=U_NO) / b"denied6")
    try:
        t.check("allowed UDP (localhost = both families) reaches ::1", udp_ok.recvfrom(100)[0] == b"allowed6")
    except socket.timeout:
        t.check("allowed UDP (localhost = both families) reaches ::1", False)
    try:
        udp_no.recvfrom(100)
        t.check("other UDP does not", False)
    except socket.timeout:
        t.check("other UDP does not", True)

    # --forward from the host's [::1]:FWD to the guest's [fd00:5ac::a1]:80
    hc = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    hc.setblocking(False)
    hc.connect_ex(("::1", FWD))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 80 and e[TCP].flags == "S", 5)
    t.check("--forward [::1]:PORT reaches the guest's [fd00:5ac::a1]:80 (a SYN from slirp)",
            r is not None and r[IPv6].dst == glob, r and r.summary())
    if r is not None:
        c.send(Ether(src=me, dst=gw) / IPv6(src=glob, dst=r[IPv6].src) /
               TCP(sport=80, dport=r[TCP].sport, flags="SA", seq=9000, ack=r[TCP].seq + 1, window=65535))
        a = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].sport == r[TCP].sport and e[TCP].dport == 80
                         and "A" in str(e[TCP].flags) and e[TCP].ack == 9001, 5)
        t.check("the guest's SYN-ACK passes the allow-list (slirp ACKs it)", a is not None, a and a.summary())
    hc.close()

    # Another (isolated) client probes the first one's address: the bridge
    # answers its DAD with the NA the owner would send; nothing is bound.
    c2 = Client(b.port)
    c2.send(dad_ns(mac(5), glob))
    r = c2.recv_match(lambda e: e.haslayer(ICMPv6ND_NA), 3)
    t.check("isolated: a DAD probe for another client's address is answered with an NA (target, to ff02::1)",
            r is not None and r[ICMPv6ND_NA].tgt == glob and r[IPv6].dst == "ff02::1" and r[IPv6].hlim == 255
            and r[ICMPv6ND_NA].O == 1 and r[ICMPv6ND_NA].S == 0, r and r.summary())
    t.check("the owner never sees the probe", c.recv_match(lambda e: e.haslayer(ICMPv6ND_NS) and e[IPv6].src == "::", 0.5) is None)

    ports, _ = b.stats()
    t.check("the prober owns nothing", ports[2]["ip6"] == "-", str(ports[2]))
    c2.close()
    p1 = ports[1]
    t.check("the bridge counts 3 RSTs and owns both addresses for the client",
            p1["rst_sent"] == "3" and set(p1["ip6"].split(",")) == {ll, glob}, str(p1))
    t.check("nothing of the client's was dropped as spoofed", p1["drop_spoof_ip"] == "0" and p1["drop_spoof_nd"] == "0", str(p1))
    c.close()
finally:
    b.cleanup()

# Another prefix, and IPv6 off.
b = Bridge("--slirp", "--ip6-prefix", "fd12:3456:789a:1::/64")
try:
    c = Client(b.port)
    c.send(router_solicit(mac(2), "fe80::b2"))
    ra = c.recv_match(lambda e: e.haslayer(ICMPv6ND_RA), 5)
    t.check("--ip6-prefix: the RA carries that prefix", ra is not None and ra.haslayer(ICMPv6NDOptPrefixInfo)
            and ra[ICMPv6NDOptPrefixInfo].prefix == "fd12:3456:789a:1::", ra and ra.summary())
    c.close()
finally:
    b.cleanup()
b = Bridge("--slirp", "--no-ip6")
try:
    c = Client(b.port)
    c.send(router_solicit(mac(3), "fe80::c3"))
    t.check("--no-ip6: no RA", c.recv_match(lambda e: e.haslayer(ICMPv6ND_RA), 1.5) is None)
    c.send(Ether(src=mac(3), dst="52:56:00:00:00:02") / IPv6(src="fe80::c3", dst="fd00:5ac::2") / ICMPv6EchoRequest())
    t.check("--no-ip6: no echo reply", c.recv_match(lambda e: e.haslayer(ICMPv6EchoReply), 1) is None)
    ports, _ = b.stats()
    t.check("--no-ip6: slirp has no IPv6 MAC, the ping goes nowhere", ports[1]["drop_unknown"] == "1", str(ports[1]))
    c.close()
finally:
    b.cleanup()
    srv.stop()
t.done()
