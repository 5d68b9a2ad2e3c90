#!/usr/bin/env python3
"""Run by test_tap6.sh inside its namespace: the bridge on TAP sbtap6
(fd77::1 on the Linux side), clients at fd77::2 and fd77::3."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

LINUX, ME, OTHER = "fd77::1", "fd77::2", "fd77::3"
with open("/sys/class/net/sbtap6/address") as f:
    TAPMAC = f.read().strip()
t = Checks("tap6")
us = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
us.bind((LINUX, 0))
us.settimeout(1)
U = us.getsockname()[1]
b = Bridge("--tap", "sbtap6")
try:
    c, c2 = Client(b.port), Client(b.port)
    b.wait_active(2)
    c.me6 = (mac(1), [ME])
    c2.me6 = (mac(2), [OTHER])
    c.send(dad_ns(mac(1), ME))
    c2.send(dad_ns(mac(2), OTHER))

    c.send(Ether(src=mac(1), dst=TAPMAC) / IPv6(src=ME, dst=LINUX) / ICMPv6EchoRequest(id=5, seq=1, data=b"tap6"))
    r = c.recv_match(lambda e: e.haslayer(ICMPv6EchoReply) and e[ICMPv6EchoReply].id == 5, 5)
    t.check("Linux answers ping6 through the TAP (after its NS, answered by the client)",
            r is not None and r[IPv6].src == LINUX and r[Ether].src == TAPMAC, r and r.summary())

    p = subprocess.Popen(["ping", "-6", "-c", "1", "-W", "3", OTHER], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    try:
        q = c2.recv_match(lambda e: e.haslayer(ICMPv6EchoRequest), 5)
        if q is not None:
            c2.send(Ether(src=mac(2), dst=q[Ether].src) / IPv6(src=OTHER, dst=q[IPv6].src) /
                    ICMPv6EchoReply(id=q[ICMPv6EchoRequest].id, seq=q[ICMPv6EchoRequest].seq,
                                    data=q[ICMPv6EchoRequest].data))
        out = p.communicate(timeout=10)[0]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    t.check("Linux's ping -6 of a client gets its reply", p.returncode == 0, out.decode(errors="replace")[-300:])

    c.send(Ether(src=mac(1), dst=TAPMAC) / IPv6(src=OTHER, dst=LINUX) / UDP(sport=7, dport=U) / b"spoofed")
    c.send(Ether(src=mac(1), dst=TAPMAC) / IPv6(src=ME, dst=LINUX) / UDP(sport=7, dport=U) / b"genuine")
    got = []
    try:
        while True:
            got.append(us.recvfrom(100))
    except socket.timeout:
        pass
    t.check("only the genuine datagram reached Linux", [d for d, _ in got] == [b"genuine"], str(got))
    ports, _ = b.stats()
    t.check("the spoof is counted on the client", ports[1]["drop_spoof_ip"] == "1", str(ports[1]))
    t.check("each client owns its address", ports[1]["ip6"] == ME and ports[2]["ip6"] == OTHER,
            "%s %s" % (ports[1]["ip6"], ports[2]["ip6"]))
finally:
    b.cleanup()
t.done()
