#!/usr/bin/env python3
"""Anti-spoofing: a client owns the MAC of its first frame and the IPv4
address of its first ARP (or its DHCP lease, see test_slirp.py); frames
with another source MAC or IP are dropped and counted; a second client
cannot take the first one's addresses."""
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("spoof")
b = Bridge()
try:
    a, bb = Client(b.port), Client(b.port)
    b.wait_active(2)
    a.send(arp_request(mac(1), "10.0.2.50", "10.0.2.51"))
    bb.recv(2)
    bb.send(arp_reply(mac(2), "10.0.2.51", mac(1), "10.0.2.50"))
    a.recv(2)

    def udp(src_mac, src_ip, sport):
        return Ether(src=src_mac, dst=mac(2)) / IP(src=src_ip, dst="10.0.2.51") / UDP(sport=sport, dport=9) / b"x"

    a.send(udp(mac(7), "10.0.2.50", 1))
    a.send(udp(mac(1), "10.0.2.77", 2))
    a.send(udp(mac(1), "10.0.2.51", 3))
    a.send(arp_reply(mac(1), "10.0.2.51", mac(2), "10.0.2.51"))  # claims B's IP
    a.send(Ether(src=mac(1), dst=BCAST) / ARP(op=2, hwsrc=mac(8), psrc="10.0.2.50", pdst="10.0.2.51"))
    a.send(udp(mac(1), "10.0.2.50", 4))  # the one valid frame
    got = []
    while True:
        e = bb.recv_match(lambda e: True, 0.5)
        if e is None:
            break
        got.append(e)
    t.check("B receives only the valid frame", len(got) == 1 and got[0].haslayer(UDP) and got[0][UDP].sport == 4,
            [g.summary() for g in got])

    # A third client whose first frame uses A's MAC, then A's IP.
    c = Client(b.port)
    c.send(udp(mac(1), "10.0.2.50", 5))
    c.send(arp_request(mac(3), "10.0.2.50", "10.0.2.51"))
    c.send(Ether(src=mac(3), dst=mac(2)) / IP(src="10.0.2.60", dst="10.0.2.51") / UDP(sport=6, dport=9))
    t.check("C's stolen MAC / stolen IP / no-IP frames do not reach B", bb.recv(0.5) is None)
    t.check("C's stolen frames do not reach A", a.recv_match(lambda e: e.haslayer(UDP), 0.3) is None)
    c.send(arp_request(mac(3), "10.0.2.52", "10.0.2.51"))
    t.check("C with its own addresses works", bb.recv_match(lambda e: e[ARP].psrc == "10.0.2.52") is not None)

    ports, _ = b.stats()
    p1, p3 = ports[1], ports[3]
    t.check("A: 2 MAC spoofs counted", p1["drop_spoof_mac"] == "2", str(p1))
    t.check("A: 3 IP spoofs counted", p1["drop_spoof_ip"] == "3", str(p1))
    t.check("A owns mac/ip", p1["mac"] == mac(1) and p1["ip"] == "10.0.2.50" and p1["ip_from"] == "arp", str(p1))
    t.check("C: 1 MAC spoof, 2 IP spoofs", p3["drop_spoof_mac"] == "1" and p3["drop_spoof_ip"] == "2", str(p3))
    t.check("C owns its own mac/ip", p3["mac"] == mac(3) and p3["ip"] == "10.0.2.52", str(p3))
    # After A leaves, its addresses are free again.
    a.close()
    time.sleep(0.3)
    d = Client(b.port)
    d.send(arp_request(mac(1), "10.0.2.50", "10.0.2.51"))
    t.check("A's MAC and IP are free once A is gone", bb.recv_match(lambda e: e[ARP].psrc == "10.0.2.50") is not None)
finally:
    b.cleanup()
t.done()
