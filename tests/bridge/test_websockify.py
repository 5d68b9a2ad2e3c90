#!/usr/bin/env python3
"""websockify in front of the bridge (DESIGN.md: `websockify PORT
127.0.0.1:BRIDGE`): a WebSocket client whose stream frames are cut at
random places across messages, and merged several to a message, gets a
DHCP lease and pings through slirp, and talks to a plain TCP client."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402
from wsclient import WSClient  # noqa: E402

t = Checks("websockify")
ws_bin = shutil.which("websockify")
if ws_bin is None:
    print("test_websockify: skipped (no websockify)")
    sys.exit(0)
b = Bridge("--slirp", "--shared-segment")
wsport = free_port()
ws = subprocess.Popen([ws_bin, "127.0.0.1:%d" % wsport, "127.0.0.1:%d" % b.port],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                      preexec_fn=_die_with_parent)
try:
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", wsport), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    w = WSClient(wsport, split_seed=1234)
    tcp = Client(b.port)
    b.wait_active(2)
    ip, gw = lease(w, mac(1))
    t.check("DHCP over WebSocket (frames split across messages)", ip == "10.0.2.15" and gw == SLIRP_MAC)
    w.send(arp_request(mac(1), ip, GW))
    got = tcp.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == ip)
    t.check("the TCP client saw the WebSocket client's ARP broadcast", got is not None and got[Ether].src == mac(1))
    w.send_merged([Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=11, seq=i) / (b"m" * (100 * i))
                   for i in range(4)])
    seqs = set()
    for _ in range(4):
        r = w.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 11)
        if r is not None:
            seqs.add(r[ICMP].seq)
    t.check("4 pings merged in one message, 4 replies", seqs == {0, 1, 2, 3}, str(seqs))
    tcp.send(arp_request(mac(2), "10.0.2.40", ip))
    r = w.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == "10.0.2.40")
    t.check("TCP client to WebSocket client", r is not None)
    big = bytes(Ether(src=mac(2), dst=mac(1)) / IP(src="10.0.2.40", dst=ip) / UDP(sport=1, dport=2) / os.urandom(1400))
    tcp.send(big)
    r = w.recv_match(lambda e: e.haslayer(UDP) and e[UDP].dport == 2)
    t.check("a 1442-byte frame arrives intact over WebSocket", r is not None and bytes(r) == big)
    w.send_raw(struct.pack(">I", 0))
    t.check("bad framing over WebSocket closes that client", w.is_closed(3))
    t.check("bridge logged it", any(r == "framing" for _, r in b.closed_reasons()))
finally:
    ws.terminate()
    try:
        ws.wait(5)
    except subprocess.TimeoutExpired:
        ws.kill()
    b.cleanup()
t.done()
