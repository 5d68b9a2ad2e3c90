#!/usr/bin/env python3
"""Client isolation with --slirp (issue 21). By default each client reaches
only slirp: another client cannot connect to its listener, ping it, learn
its MAC by ARP, or see any of its traffic (broadcasts included), while both
get leases and reach a TCP server on the host through slirp. With
--shared-segment the same steps between the two clients all succeed, as
they did before isolation existed."""
import socket
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("isolation")
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
srv.settimeout(3)
P = srv.getsockname()[1]
A, B = mac(1), mac(2)
LISTEN = 7000  # "A's listener": A answers a SYN to this port as a stack would


def reach_host(c, m, ip, sport):
    """A TCP connection through slirp to the host's server: SYN-ACK back
    and the server accepts."""
    c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=sport, dport=P, flags="S", seq=100))
    r = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == sport and e[TCP].flags == "SA")
    try:
        srv.accept()[0].close()
        accepted = True
    except socket.timeout:
        accepted = False
    if r is not None:
        c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=sport, dport=P, flags="R", seq=101))
    return r is not None and accepted


def frames_about(frames, m, ip):
    """Frames that carry A's MAC or IP anywhere in their addresses."""
    out = []
    for f in frames:
        e = Ether(f)
        if m in (e.src, e.dst) or (e.haslayer(ARP) and ip in (e[ARP].psrc, e[ARP].pdst)) \
                or (e.haslayer(IP) and ip in (e[IP].src, e[IP].dst)):
            out.append(e.summary())
    return out


def session(*extra):
    """Two clients on one bridge; returns what each step saw."""
    seen = {}
    b = Bridge("--slirp", "--allow", "10.0.2.2:%d" % P, *extra)
    try:
        ca, cb = Client(b.port), Client(b.port)
        b.wait_active(2)
        ip_a, _ = lease(ca, A)
        ip_b, _ = lease(cb, B)
        seen["leases"] = (ip_a, ip_b)
        seen["a_host"] = reach_host(ca, A, ip_a, 41001)
        seen["b_host"] = reach_host(cb, B, ip_b, 41002)
        for c, m, ip in ((ca, A, ip_a), (cb, B, ip_b)):
            c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=5, seq=1))
        seen["ping_gw"] = [c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 5)
                           is not None for c in (ca, cb)]
        ca.drain(0.2)
        cb.drain(0.2)

        # B asks who has A's address (broadcast): does anyone answer?
        cb.send(arp_request(B, ip_b, ip_a))
        seen["a_heard_b_arp"] = ca.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == ip_b, 1) is not None
        if seen["a_heard_b_arp"]:
            ca.send(arp_reply(A, ip_a, B, ip_b))
        seen["b_resolved_a"] = cb.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2 and e[ARP].psrc == ip_a, 1) is not None
        # B pings A at A's MAC (as if it had learned it).
        cb.send(Ether(src=B, dst=A) / IP(src=ip_b, dst=ip_a) / ICMP(id=6, seq=1) / b"hello A")
        e = ca.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].id == 6, 1)
        if e is not None:
            ca.send(Ether(src=A, dst=B) / IP(src=ip_a, dst=ip_b) / ICMP(type=0, id=6, seq=1) / b"hello A")
        seen["b_ping_a"] = cb.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 6, 1) is not None
        # B connects to A's listener: A answers the SYN if it gets it.
        cb.send(Ether(src=B, dst=A) / IP(src=ip_b, dst=ip_a) / TCP(sport=42000, dport=LISTEN, flags="S", seq=5))
        e = ca.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == LISTEN, 1)
        if e is not None:
            ca.send(Ether(src=A, dst=B) / IP(src=ip_a, dst=ip_b) / TCP(sport=LISTEN, dport=42000, flags="SA", seq=900, ack=6))
        seen["b_connect_a"] = cb.recv_match(lambda e: e.haslayer(TCP) and e[TCP].sport == LISTEN and e[TCP].flags == "SA", 1) is not None
        # ... and through slirp's MAC, to A's address: the gateway refuses.
        cb.send(Ether(src=B, dst=SLIRP_MAC) / IP(src=ip_b, dst=ip_a) / TCP(sport=42001, dport=LISTEN, flags="S", seq=5))
        r = cb.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == 42001, 1)
        seen["via_gw"] = r[TCP].flags if r is not None else None
        seen["a_got_via_gw"] = ca.recv_match(lambda e: e.haslayer(TCP) and e[TCP].sport == 42001, 0.5) is not None

        # Capture: A talks to the host and broadcasts; what does B receive?
        cb.drain(0.2)
        ca.send(arp_request(A, ip_a, "10.0.2.77"))
        ca.send(dhcp(A, "request", requested=ip_a))
        for i in range(3):
            ca.send(Ether(src=A, dst=SLIRP_MAC) / IP(src=ip_a, dst=GW) / ICMP(id=8, seq=i))
        seen["a_pings_after"] = sum(1 for _ in range(3)
                                    if ca.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == 8, 2))
        got = []
        while True:
            f = cb.recv(0.5)
            if f is None:
                break
            got.append(f)
        seen["b_saw_of_a"] = frames_about(got, A, ip_a)
        ports, _ = b.stats()
        seen["b_drop_isolated"] = int(ports[2]["drop_isolated"])
        seen["b_drop_policy"] = int(ports[2]["drop_policy"])
        seen["alive"] = b.alive()
    finally:
        b.cleanup()
    return seen


iso = session()
t.check("isolated: both clients leased", iso["leases"] == ("10.0.2.15", "10.0.2.16"), str(iso["leases"]))
t.check("isolated: both reach the host's TCP server through slirp", iso["a_host"] and iso["b_host"])
t.check("isolated: both ping the gateway", iso["ping_gw"] == [True, True])
t.check("isolated: A never hears B's ARP broadcast", not iso["a_heard_b_arp"])
t.check("isolated: B cannot resolve A's address", not iso["b_resolved_a"])
t.check("isolated: B cannot ping A", not iso["b_ping_a"])
t.check("isolated: B cannot connect to A's listener", not iso["b_connect_a"])
t.check("isolated: through the gateway, A's address is refused (no SYN-ACK, A sees nothing)",
        iso["via_gw"] in (None, "RA") and not iso["a_got_via_gw"], str(iso["via_gw"]))
t.check("isolated: A's own traffic still flows", iso["a_pings_after"] == 3)
t.check("isolated: B captured nothing of A's (broadcasts, DHCP, pings)", iso["b_saw_of_a"] == [], str(iso["b_saw_of_a"][:5]))
t.check("isolated: the bridge counted the unicast it refused (drop_isolated)", iso["b_drop_isolated"] >= 2,
        str(iso["b_drop_isolated"]))
t.check("isolated: the gateway path was a policy drop", iso["b_drop_policy"] >= 1, str(iso["b_drop_policy"]))
t.check("isolated: bridge alive", iso["alive"])

sh = session("--shared-segment")
t.check("shared: both clients leased and reach the host", sh["a_host"] and sh["b_host"] and sh["ping_gw"] == [True, True])
t.check("shared: A hears B's ARP and B resolves A", sh["a_heard_b_arp"] and sh["b_resolved_a"])
t.check("shared: B pings A", sh["b_ping_a"])
t.check("shared: B connects to A's listener", sh["b_connect_a"])
t.check("shared: B sees A's broadcasts", any("ARP" in s for s in sh["b_saw_of_a"]), str(sh["b_saw_of_a"][:5]))
t.check("shared: nothing counted as drop_isolated", sh["b_drop_isolated"] == 0)
srv.close()
t.done()
