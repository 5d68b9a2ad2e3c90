#!/usr/bin/env python3
"""IPv6 anti-spoofing on one shared segment (no backend): a client owns
the target of its DAD neighbor solicitation and the addresses it sends
from first, first come first served; packets from another client's
address, neighbor advertisements for it, router advertisements and
redirects from any client, and NDP naming another MAC are dropped and
counted; multicast NDP reaches the other clients; a client's addresses are
freed when it leaves; a client cycling thousands of addresses keeps at
most 8 (the least recently used go) and cannot take anyone else's."""
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from scapy.layers.inet6 import ICMPv6ND_Redirect  # noqa: E402

t = Checks("spoof6")
b = Bridge()
try:
    a, bb = Client(b.port), Client(b.port)
    b.wait_active(2)
    A_LL, A_G, B_LL, B_G = "fe80::a", "2001:db8::a", "fe80::b", "2001:db8::b"
    a.send(dad_ns(mac(1), A_LL))
    r = bb.recv_match(lambda e: e.haslayer(ICMPv6ND_NS), 2)
    t.check("A's DAD NS reaches B (multicast NDP is switched like broadcast)",
            r is not None and r[Ether].dst == "33:33:ff:00:00:0a" and r[ICMPv6ND_NS].tgt == A_LL, r and r.summary())
    a.send(dad_ns(mac(1), A_G))
    bb.send(dad_ns(mac(2), B_LL))
    bb.send(dad_ns(mac(2), B_G))
    a.drain(0.2)
    bb.drain(0.2)

    def echo(src_mac, src, dst, ident, dst_mac=None):
        return (Ether(src=src_mac, dst=dst_mac or mac(2)) / IPv6(src=src, dst=dst) /
                ICMPv6EchoRequest(id=ident, seq=1))

    # B claims A's address by DAD: not bound; its frames from it are dropped.
    bb.send(dad_ns(mac(2), A_G))
    bb.send(echo(mac(2), A_G, A_LL, 1, mac(1)))                    # A's global address
    bb.send(echo(mac(2), "2001:db8::a", "2001:db8::1", 2, mac(1)))  # again, elsewhere
    bb.send(Ether(src=mac(2), dst=mac(1)) / IPv6(src=B_LL, dst=A_LL, hlim=255) /
            ICMPv6ND_NA(tgt=A_G, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=mac(2)))  # NA for A's
    bb.send(Ether(src=mac(2), dst="33:33:00:00:00:01") / IPv6(src=B_LL, dst="ff02::1", hlim=255) /
            ICMPv6ND_RA(routerlifetime=1800) / ICMPv6NDOptSrcLLAddr(lladdr=mac(2)) /
            ICMPv6NDOptPrefixInfo(prefix="2001:db8:bad::", prefixlen=64))   # a rogue router
    bb.send(Ether(src=mac(2), dst=mac(1)) / IPv6(src=B_LL, dst=A_LL, hlim=255) /
            ICMPv6ND_Redirect(tgt=B_LL, dst="2001:db8::1"))                   # a redirect
    bb.send(Ether(src=mac(2), dst=mac(1)) / IPv6(src=B_LL, dst=A_LL, hlim=255) /
            ICMPv6ND_NS(tgt=A_LL) / ICMPv6NDOptSrcLLAddr(lladdr=mac(7)))       # another MAC in NDP
    bb.send(echo(mac(2), B_G, A_G, 3, mac(1)))                                 # the one valid frame
    got = []
    while True:
        e = a.recv_match(lambda e: True, 0.5)
        if e is None:
            break
        got.append(e)
    # B's DAD NS for A's address goes out unbound, for A to defend (RFC 4862 5.4.3)
    t.check("A receives only B's DAD NS for A's address and B's valid frame", len(got) == 2
            and got[0].haslayer(ICMPv6ND_NS) and got[0][IPv6].src == "::" and got[0][ICMPv6ND_NS].tgt == A_G
            and got[1].haslayer(ICMPv6EchoRequest) and got[1][ICMPv6EchoRequest].id == 3, [g.summary() for g in got])
    ports, _ = b.stats()
    p1, p2 = ports[1], ports[2]
    t.check("B: 2 IPv6 source spoofs counted", p2["drop_spoof_ip"] == "2", str(p2))
    t.check("B: forged NA, RA, Redirect and foreign link-layer address counted (4)", p2["drop_spoof_nd"] == "4", str(p2))
    t.check("A owns its link-local and global address", set(p1["ip6"].split(",")) == {A_LL, A_G}, str(p1))
    t.check("B owns only its own", set(p2["ip6"].split(",")) == {B_LL, B_G}, str(p2))

    # A client cycling addresses: bounded, and only its own are evicted.
    c = Client(b.port)
    c.send(dad_ns(mac(3), "fe80::c"))
    N = 3000
    frames = b"".join(struct.pack(">I", len(f)) + f for f in (bytes(
        Ether(src=mac(3), dst="33:33:00:00:00:01") / IPv6(src="2001:db8:c::%x" % (i + 1), dst="ff02::1") /
        UDP(sport=1000, dport=9)) for i in range(N)))
    c.send_raw(frames)
    c.send(echo(mac(3), A_G, "ff02::1", 4, "33:33:00:00:00:01"))  # still cannot take A's
    a.drain(0.5)
    ports, _ = b.stats()
    p3 = ports[3]
    owned = p3["ip6"].split(",")
    t.check("the flooder owns at most 8 addresses: the 8 it used last", len(owned) == 8 and
            "2001:db8:c::%x" % N in owned and "fe80::c" not in owned, p3["ip6"])
    t.check("the flooder's evictions are counted (%d)" % (N + 1 - 8), p3["ip6_evicted"] == str(N + 1 - 8), str(p3))
    t.check("the flooder still cannot use A's address", p3["drop_spoof_ip"] == "1", str(p3))
    t.check("A keeps its addresses", set(ports[1]["ip6"].split(",")) == {A_LL, A_G}, str(ports[1]))
    t.check("the bridge is alive", b.alive())

    # A leaves: its addresses are free for the next client.
    a.close()
    time.sleep(0.3)
    d = Client(b.port)
    d.send(dad_ns(mac(4), A_G))
    d.send(echo(mac(4), A_G, B_G, 5))
    r = bb.recv_match(lambda e: e.haslayer(ICMPv6EchoRequest) and e[ICMPv6EchoRequest].id == 5, 2)
    t.check("after A left, D may use A's former address", r is not None)
    ports, _ = b.stats()
    pd = [kv for p, kv in ports.items() if kv.get("mac") == mac(4)]
    t.check("D owns it", len(pd) == 1 and pd[0]["ip6"] == A_G, str(pd))
finally:
    b.cleanup()
t.done()
