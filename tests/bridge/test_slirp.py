#!/usr/bin/env python3
"""The slirp backend: DHCP (lease snooped by the bridge), ARP and ping of
the gateway, the --allow list (an allowed TCP port on the host's loopback
connects; another gets a RST and no connection reaches the host; UDP the
same), and --forward of a host port to a guest."""
import socket
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("slirp")
tcp_ok, tcp_no = socket.socket(), socket.socket()
for s in (tcp_ok, tcp_no):
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    s.settimeout(2)
udp_ok, udp_no = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for s in (udp_ok, udp_no):
    s.bind(("127.0.0.1", 0))
    s.settimeout(1)
P_OK, P_NO = tcp_ok.getsockname()[1], tcp_no.getsockname()[1]
U_OK, U_NO = udp_ok.getsockname()[1], udp_no.getsockname()[1]
FWD = free_port()

b = Bridge("--slirp", "--allow", "10.0.2.2:%d" % P_OK, "--allow", "localhost:%d" % U_OK,
           "--forward", "%d:10.0.2.15:80" % FWD)
try:
    c = Client(b.port)
    ip, gwmac = lease(c, mac(1))
    t.check("DHCP gives 10.0.2.15 from slirp's MAC", ip == "10.0.2.15" and gwmac == SLIRP_MAC, "%s %s" % (ip, gwmac))
    ports, _ = b.stats()
    t.check("the bridge saw the lease", ports[1]["ip"] == "10.0.2.15" and ports[1]["ip_from"] == "dhcp", str(ports[1]))

    c.send(arp_request(mac(1), ip, GW))
    r = c.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2 and e[ARP].psrc == GW)
    t.check("ARP for the gateway answered", r is not None and r[ARP].hwsrc == SLIRP_MAC)

    c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=7, seq=1) / b"ping!")
    r = c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 7)
    t.check("ping 10.0.2.2 answered", r is not None and bytes(r[ICMP].payload).startswith(b"ping!"))
    c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst="192.0.2.1") / ICMP(id=8, seq=1))
    t.check("ping elsewhere not allowed", c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].id == 8, 1) is None)

    def syn(port, sport):
        return Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=sport, dport=port, flags="S", seq=1000, window=65535)

    c.send(syn(P_OK, 40001))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 40001)
    t.check("allowed port: SYN-ACK from slirp", r is not None and r[TCP].flags == "SA" and r[TCP].ack == 1001, r and r.summary())
    try:
        conn, _ = tcp_ok.accept()
        conn.close()
        t.check("allowed port: the host server got the connection", True)
    except socket.timeout:
        t.check("allowed port: the host server got the connection", False)
    if r is not None:  # finish politely: reset our half
        c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=40001, dport=P_OK, flags="R", seq=1001))

    c.send(syn(P_NO, 40002))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 40002)
    t.check("other port: RST+ACK from the gateway", r is not None and r[TCP].flags == "RA" and r[TCP].ack == 1001
            and r[IP].src == GW and r[Ether].src == SLIRP_MAC, r and r.summary())
    try:
        tcp_no.accept()
        t.check("other port: no connection reached the host", False)
    except socket.timeout:
        t.check("other port: no connection reached the host", True)

    c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / UDP(sport=5000, dport=U_OK) / b"allowed")
    c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / UDP(sport=5001, dport=U_NO) / b"denied")
    try:
        t.check("allowed UDP reaches the host", udp_ok.recvfrom(100)[0] == b"allowed")
    except socket.timeout:
        t.check("allowed UDP reaches the host", False)
    try:
        udp_no.recvfrom(100)
        t.check("other UDP does not", False)
    except socket.timeout:
        t.check("other UDP does not", True)

    # --forward: a host connection to 127.0.0.1:FWD becomes a SYN to 10.0.2.15:80.
    h = socket.socket()
    h.setblocking(False)
    h.connect_ex(("127.0.0.1", FWD))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 80 and e[TCP].flags == "S", 3)
    t.check("--forward: guest sees SYN to :80", r is not None and r[IP].dst == ip)
    h.close()

    # Leases end with their connection: 20 clients in turn, 20 leases (slirp's
    # own DHCP server would stop after 16 MACs).
    got = []
    for i in range(20):
        x = Client(b.port)
        try:
            got.append(lease(x, mac(0x200 + i), timeout=2)[0])
        except AssertionError:
            got.append(None)
        x.close()
        time.sleep(0.05)
    t.check("20 clients in turn all get a lease", None not in got, str(got))
    t.check("a leaving client's address is given again", len(set(got)) <= 2, str(sorted(set(map(str, got)))))

    ports, _ = b.stats()
    p = ports[1]
    t.check("counters: 1 RST sent, policy drops counted", p["rst_sent"] == "1" and int(p["drop_policy"]) == 3, str(p))
    t.check("backend counters", int(ports[0]["rx_frames"]) >= 4 and int(ports[0]["tx_frames"]) == 5, str(ports[0]))
    t.check("exit status 0 on SIGTERM", b.stop() == 0)
    t.check("counters printed at exit", b.text().rstrip().endswith("synack-bridge: stopped") and b.text().count("totals") >= 3)
finally:
    b.cleanup()

# --slirp-dhcp: slirp's own server answers; the bridge learns from its ACK.
b = Bridge("--slirp", "--slirp-dhcp")
try:
    c = Client(b.port)
    ip, gwmac = lease(c, mac(1))
    ports, _ = b.stats()
    t.check("--slirp-dhcp: lease from slirp, snooped", ip == "10.0.2.15" and ports[1]["ip_from"] == "dhcp"
            and int(ports[0]["tx_frames"]) == 2, str(ports))
finally:
    b.cleanup()
t.done()
