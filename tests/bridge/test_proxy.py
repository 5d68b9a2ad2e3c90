#!/usr/bin/env python3
"""PROXY protocol from a --trusted-proxy and the per-address limits
(issue 21), with hand-made headers over loopback: the address a v1 or v2
header reports is the client's (logged, and limited: --max-conn-per-addr
and --conn-rate-per-addr, each refusal counted); other addresses are not
affected; a malformed header, or none in time, closes that connection; a
LOCAL v2 header (a health check) is fine; a connection from an address
that is not trusted is switched as usual, its first bytes taken as
framing."""
import re
import socket
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("proxy")
SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(src, sport=40000):
    return ("PROXY TCP4 %s 127.0.0.1 %d 8001\r\n" % (src, sport)).encode()


def v2(src, sport=40000, local=False):
    if local:
        return SIG + bytes([0x20, 0x00, 0, 0])
    body = socket.inet_aton(src) + socket.inet_aton("127.0.0.1") + struct.pack(">HH", sport, 8001)
    body += b"\x04\x00\x03abc"  # a TLV to skip
    return SIG + bytes([0x21, 0x11]) + struct.pack(">H", len(body)) + body


def proxied(port, header, m, ip, split=False):
    """A client behind the 'proxy': header then a broadcast ARP, one write
    (or the header cut in two writes)."""
    c = Client(port)
    frame = bytes(arp_request(m, ip, GW))
    data = header + struct.pack(">I", len(frame)) + frame
    if split:
        c.send_raw(data[:7])
        time.sleep(0.05)
        c.send_raw(data[7:])
    else:
        c.send_raw(data)
    return c


b = Bridge("--slirp", "--trusted-proxy", "127.0.0.1", "--max-conn-per-addr", "2",
           "--conn-rate-per-addr", "2", "--auth-timeout", "600", "-v")
try:
    a1 = proxied(b.port, v1("192.0.2.1", 40001), mac(1), "10.0.2.31")
    r = a1.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2)
    t.check("v1 header: the frame after it in the same write is switched (ARP answered)", r is not None)
    a2 = proxied(b.port, v2("192.0.2.1", 40002), mac(2), "10.0.2.32", split=True)
    r = a2.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2)
    t.check("v2 header cut across writes, with a TLV: switched", r is not None)
    log = b.text()
    t.check("the reported address is the peer in the log",
            "peer=192.0.2.1:40001 via proxy 127.0.0.1:" in log and "peer=192.0.2.1:40002" in log)
    a3 = proxied(b.port, v1("192.0.2.1", 40003), mac(3), "10.0.2.33")
    t.check("a third connection from 192.0.2.1 is refused (--max-conn-per-addr 2)", a3.is_closed(3))
    other = proxied(b.port, v1("198.51.100.7", 40004), mac(4), "10.0.2.34")
    t.check("another address is not affected",
            other.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)
    a1.close()
    a2.close()
    _, tot = b.stats()
    t.check("refusal counted by reason", tot["refused_per_addr_conns"] == "1"
            and tot["refused_per_addr_rate"] == "0", str(tot))
    reasons = [r for _, r in b.closed_reasons()]
    t.check("closed with reason per_addr_limit", reasons.count("per_addr_limit") == 1, str(reasons))

    bad = Client(b.port)
    bad.send_raw(b"PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n")
    t.check("malformed v1 header: closed", bad.is_closed(3))
    bad = Client(b.port)
    bad.send_raw(SIG + bytes([0x21, 0x11, 0xff, 0xff]))
    t.check("v2 header longer than the bound: closed", bad.is_closed(3))
    bad = Client(b.port)
    bad.send_raw(b"\x00\x00\x00\x3c" + b"\x00" * 60)
    t.check("framing without a header from the trusted proxy: closed", bad.is_closed(3))
    slow = Client(b.port)
    slow.send_raw(b"PROXY TCP4 ")
    t.check("no complete header in time (--auth-timeout 600): closed", slow.is_closed(3))
    hc = proxied(b.port, v2(None, local=True), mac(7), "10.0.2.37")
    t.check("v2 LOCAL (health check): switched with the proxy's own address",
            hc.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)
    reasons = [r for _, r in b.closed_reasons()]
    t.check("bad_proxy_header x3 and proxy_timeout x1 logged",
            reasons.count("bad_proxy_header") == 3 and reasons.count("proxy_timeout") == 1, str(reasons))
    t.check("bridge alive", b.alive())
finally:
    b.cleanup()

# The rate: 203.0.113.9 opens 6 connections at once; the bucket (2 per
# second, 2 deep) lets the first 2 through and refuses the rest.
b = Bridge("--slirp", "--trusted-proxy", "127.0.0.1", "--max-conn-per-addr", "0",
           "--conn-rate-per-addr", "2")
try:
    cs = [proxied(b.port, v1("203.0.113.9", 41000 + i), mac(20 + i), "10.0.2.%d" % (40 + i)) for i in range(6)]
    time.sleep(0.3)
    outcome = [c.is_closed(0.2) for c in cs]
    t.check("over --conn-rate-per-addr: the first 2 pass, the other 4 refused", outcome == [False] * 2 + [True] * 4,
            str(outcome))
    _, tot = b.stats()
    t.check("refusals counted as refused_per_addr_rate", tot["refused_per_addr_rate"] == "4", str(tot))
finally:
    b.cleanup()

# An untrusted peer: no header expected, and loopback is not limited.
b = Bridge("--slirp", "--trusted-proxy", "192.0.2.254", "--max-conn-per-addr", "1")
try:
    cs = [Client(b.port) for _ in range(3)]
    b.wait_active(3)
    cs[2].send(arp_request(mac(9), "10.0.2.39", GW))
    t.check("untrusted peer: plain framing, and 3 loopback clients over a limit of 1",
            cs[2].recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)
    c = Client(b.port)
    c.send_raw(v1("203.0.113.1"))
    t.check("a PROXY header from an untrusted peer is just bad framing", c.is_closed(3))
    t.check("... closed as framing", "framing" in [r for _, r in b.closed_reasons()])
finally:
    b.cleanup()
t.done()
