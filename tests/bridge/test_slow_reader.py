#!/usr/bin/env python3
"""A client that never reads: frames for it pile up in its bounded queue
and are then dropped (counted); the bridge never blocks, so another
client's pings through slirp and a third client's traffic keep flowing."""
import socket
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("slow-reader")
b = Bridge("--slirp", "--shared-segment", "--rate-fps", "0", "--rate-bps", "0", "--queue-bytes", "65540")
try:
    # The sleeper: a tiny receive buffer, announces itself once, never reads.
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", b.port))
    sleeper_frame = bytes(arp_request(mac(5), "10.0.2.55", "10.0.2.2"))
    s.sendall(struct.pack(">I", len(sleeper_frame)) + sleeper_frame)
    b.wait_active(1)
    sender = Client(b.port)
    b.wait_active(2)
    sender.send(arp_request(mac(6), "10.0.2.56", "10.0.2.55"))
    pinger = Client(b.port)
    ip, _ = lease(pinger, mac(1))
    time.sleep(0.2)

    N = 6000
    big = bytes(Ether(src=mac(6), dst=mac(5)) / IP(src="10.0.2.56", dst="10.0.2.55") / UDP(sport=1, dport=2) / (b"z" * 1400))
    chunk = (struct.pack(">I", len(big)) + big) * 100
    t0 = time.time()
    for i in range(N // 100):
        sender.send_raw(chunk)
    send_time = time.time() - t0
    replies = 0
    for i in range(5):
        pinger.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=4, seq=i))
        if pinger.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].seq == i, 2) is not None:
            replies += 1
    t.check("8 MB towards the sleeper sent without stalling (%.2fs)" % send_time, send_time < 10)
    t.check("5/5 pings answered", replies == 5, str(replies))
    time.sleep(0.3)
    ports, _ = b.stats()
    sl, se = ports[1], ports[2]
    t.check("the bridge read every frame of the sender", int(se["rx_frames"]) == N + 1, str(se))
    t.check("frames for the sleeper dropped and counted", int(sl["drop_queue"]) > N // 2, str(sl))
    # N frames from the sender plus a few broadcasts (ARP, DHCP) and the ARP reply
    t.check("delivered + dropped = what was sent to it",
            N <= int(sl["tx_frames"]) + int(sl["drop_queue"]) <= N + 8, str(sl))
    t.check("the pinger lost nothing", ports[3]["drop_queue"] == "0", str(ports[3]))
    t.check("the sleeper is still connected", ports[1]["state"] == "active")
    s.close()
finally:
    b.cleanup()
t.done()
