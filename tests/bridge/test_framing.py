#!/usr/bin/env python3
"""Stream framing abuse: a bad length prefix (0, > 65535), an oversized
frame and a runt each disconnect only the client that sent them; frames
split across reads and merged into one read are reassembled."""
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("framing")
b = Bridge()
try:
    a, bb = Client(b.port), Client(b.port)
    b.wait_active(2)
    a.send(arp_request(mac(1), "10.0.2.50", "10.0.2.51"))
    t.check("broadcast from A reaches B", bb.recv_match(lambda e: e[ARP].psrc == "10.0.2.50") is not None)
    bb.send(arp_reply(mac(2), "10.0.2.51", mac(1), "10.0.2.50"))
    t.check("unicast reply from B reaches A", a.recv_match(lambda e: e[ARP].op == 2) is not None)

    def ping_ab(n):
        f = Ether(src=mac(1), dst=mac(2)) / IP(src="10.0.2.50", dst="10.0.2.51") / UDP(sport=n, dport=9) / b"x"
        a.send(f)
        return bb.recv_match(lambda e: e.haslayer(UDP) and e[UDP].sport == n) is not None

    bad = [("length 0", struct.pack(">I", 0), "framing"),
           ("length 65536", struct.pack(">I", 65536) + b"\0" * 64, "framing"),
           ("length 0xffffffff", b"\xff\xff\xff\xff", "framing"),
           ("oversized frame (2000 bytes)", struct.pack(">I", 2000) + bytes(Ether(src=mac(9), dst=mac(2)) / Raw(b"\0" * 1986)), "malformed"),
           ("runt frame (10 bytes)", struct.pack(">I", 10) + b"\x02" * 10, "malformed"),
           ("group source MAC", struct.pack(">I", 60) + bytes(Ether(src="01:00:5e:00:00:01", dst=mac(2)) / Raw(b"\0" * 46)), "malformed")]
    for i, (what, data, reason) in enumerate(bad):
        c = Client(b.port)
        c.send_raw(data)
        t.check("%s: that client is closed" % what, c.is_closed(3))
        t.check("%s: A and B still talk" % what, ping_ab(1000 + i))
        c.close()
    reasons = [r for _, r in b.closed_reasons()]
    t.check("close reasons logged", reasons == [r for _, _, r in bad], str(reasons))

    # Split: one frame a byte at a time, with pauses, then three merged.
    f = bytes(Ether(src=mac(1), dst=mac(2)) / IP(src="10.0.2.50", dst="10.0.2.51") / UDP(sport=7, dport=9) / (b"s" * 300))
    data = struct.pack(">I", len(f)) + f
    for i in range(0, len(data), 7):
        a.send_raw(data[i:i + 7])
        time.sleep(0.002)
    got = bb.recv(3)
    t.check("frame split over 7-byte writes arrives whole", got == f)
    a.send_raw(data * 3)
    got = [bb.recv(3) for _ in range(3)]
    t.check("three frames in one write arrive as three", got == [f, f, f])
    # Largest accepted frame (1518) passes, one byte more closes.
    big = bytes(Ether(src=mac(1), dst=mac(2)) / IP(src="10.0.2.50", dst="10.0.2.51") / UDP(sport=8, dport=9) / (b"b" * (1518 - 42)))
    a.send(big)
    t.check("a 1518-byte frame passes", bb.recv(3) == big)
    ports, totals = b.stats()
    t.check("A counted its frames", int(ports[1]["rx_frames"]) >= 7, str(ports.get(1)))
    t.check("bridge alive", b.alive())
    t.check("totals count the closes", totals.get("closed_framing") == "3" and totals.get("closed_malformed") == "3", str(totals))
finally:
    b.cleanup()
t.done()
