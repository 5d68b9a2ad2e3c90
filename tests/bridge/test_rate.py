#!/usr/bin/env python3
"""Per-client rate limit: one client floods broadcasts as fast as it can;
the excess is dropped and counted, and another client's DHCP, ARP and
pings through slirp keep working meanwhile."""
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

RATE = 200  # frames/s per client
t = Checks("rate")
b = Bridge("--slirp", "--rate-fps", str(RATE), "--burst-ms", "100")
flood = None
try:
    flooder = Client(b.port)
    pinger = Client(b.port)
    b.wait_active(2)
    flood = Flooder(flooder, 8)
    flood.start()
    time.sleep(0.3)
    start = time.time()
    ip, _ = lease(pinger, mac(1))
    pinger.send(arp_request(mac(1), ip, GW))
    arp_ok = pinger.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2 and e[ARP].psrc == GW) is not None
    replies = 0
    for i in range(5):
        pinger.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=3, seq=i))
        if pinger.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].seq == i, 2) is not None:
            replies += 1
        time.sleep(0.1)
    elapsed = time.time() - start
    t.check("DHCP lease during the flood", ip == "10.0.2.15")
    t.check("ARP during the flood", arp_ok)
    t.check("5/5 pings answered during the flood", replies == 5, "%d" % replies)
    flood.stop()
    time.sleep(0.5)
    ports, _ = b.stats()
    f = ports[1]
    total = int(f["rx_frames"]) + int(f["drop_rate"])
    t.check("flooder sent far more than its rate", flood.sent > 20 * RATE, str(flood.sent))
    t.check("excess counted as drop_rate", int(f["drop_rate"]) > flood.sent // 2, str(f))
    run = elapsed + 1.5
    t.check("flooder's accepted frames within rate * time + burst",
            int(f["rx_frames"]) <= RATE * (run + 0.5) + RATE // 10 + 1, "%s in %.1fs" % (f["rx_frames"], run))
    t.check("every frame the bridge read was counted", total <= flood.sent, "%d vs %d" % (total, flood.sent))
    t.check("pinger was not rate-limited", ports[2]["drop_rate"] == "0", str(ports[2]))
    t.check("bridge alive", b.alive())
finally:
    if flood is not None:
        flood.stop()
    b.cleanup()
t.done()
