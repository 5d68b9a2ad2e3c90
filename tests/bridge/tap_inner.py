#!/usr/bin/env python3
"""Run by test_tap.sh inside its namespace: the bridge on TAP sbtap0
(10.77.0.1 on the Linux side), clients at 10.77.0.2 and 10.77.0.3."""
import os
import shutil
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402

LINUX, ME, OTHER = "10.77.0.1", "10.77.0.2", "10.77.0.3"
with open("/sys/class/net/sbtap0/address") as f:
    TAPMAC = f.read().strip()
t = Checks("tap")
srv = socket.socket()
srv.bind((LINUX, 0))
srv.listen(2)
srv.settimeout(3)
P = srv.getsockname()[1]
us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
us.bind((LINUX, 0))
us.settimeout(1)
U = us.getsockname()[1]
b = Bridge("--tap", "sbtap0")
try:
    c, c2 = Client(b.port), Client(b.port)
    b.wait_active(2)
    c.me = (mac(1), ME)
    c2.me = (mac(2), OTHER)
    c.send(arp_request(mac(1), ME, LINUX))
    r = c.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2 and e[ARP].psrc == LINUX)
    t.check("Linux answers ARP through the TAP", r is not None and r[ARP].hwsrc == TAPMAC, r and r.summary())
    t.check("the other client saw the broadcast", c2.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == ME) is not None)

    c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / ICMP(id=5, seq=1) / b"tap")
    r = c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 5)
    t.check("Linux answers ping", r is not None)

    c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / TCP(sport=41000, dport=P, flags="S", seq=100))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 41000)
    ok = r is not None and r[TCP].flags == "SA"
    t.check("TCP SYN-ACK from a Linux server", ok, r and r.summary())
    if ok:
        ack = r[TCP].seq + 1
        c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / TCP(sport=41000, dport=P, flags="A", seq=101, ack=ack))
        c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / TCP(sport=41000, dport=P, flags="PA", seq=101, ack=ack) / b"hello tap")
        try:
            conn, peer = srv.accept()
            conn.settimeout(3)
            t.check("the Linux server accepted %s and read the data" % (peer,),
                    peer[0] == ME and conn.recv(100) == b"hello tap")
            conn.close()
        except socket.timeout:
            t.check("the Linux server accepted and read the data", False)
        c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / TCP(sport=41000, dport=P, flags="R", seq=110))

    c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src="10.77.0.9", dst=LINUX) / UDP(sport=7, dport=U) / b"spoofed")
    c.send(Ether(src=mac(1), dst=TAPMAC) / IP(src=ME, dst=LINUX) / UDP(sport=7, dport=U) / b"genuine")
    got = []
    try:
        while True:
            got.append(us.recvfrom(100))
    except socket.timeout:
        pass
    t.check("only the genuine datagram reached Linux", [d for d, _ in got] == [b"genuine"], str(got))

    us.sendto(b"to the client", (OTHER, 9999))
    r = c2.recv_match(lambda e: e.haslayer(UDP) and e[UDP].dport == 9999)
    t.check("Linux reaches a client (ARP answered, then UDP)", r is not None and bytes(r[UDP].payload) == b"to the client")

    if synack_tool() is not None:
        # The real stack through the bridge to a Linux HTTP server on the TAP side.
        import hashlib
        import tempfile
        www = tempfile.mkdtemp(prefix="bridge-tap-www-")
        body = os.urandom(300000)
        with open(os.path.join(www, "f"), "wb") as fh:
            fh.write(body)
        hp = free_port()
        httpd = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", LINUX,
                                  "--directory", www, str(hp)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 preexec_fn=_die_with_parent)
        try:
            for _ in range(50):
                try:
                    socket.create_connection((LINUX, hp), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            rc, out, err = run_tool(["--connect", "127.0.0.1:%d" % b.port, "--ip", "10.77.0.4/24",
                                     "get", "http://%s:%d/f" % (LINUX, hp)])
            t.check("synack get from a Linux server over the TAP: sha256 equal",
                    rc == 0 and hashlib.sha256(out).digest() == hashlib.sha256(body).digest(),
                    "rc=%s %s" % (rc, err[-300:]))
        finally:
            httpd.terminate()
            httpd.wait(5)
            shutil.rmtree(www, ignore_errors=True)
    else:
        print("tap: synack not built, tool check skipped")

    ports, _ = b.stats()
    t.check("spoof counted on the client", ports[1]["drop_spoof_ip"] == "1", str(ports[1]))
    t.check("TAP counters", int(ports[0]["rx_frames"]) >= 5 and int(ports[0]["tx_frames"]) >= 6, str(ports[0]))
finally:
    b.cleanup()
t.done()
