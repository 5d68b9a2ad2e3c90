#!/usr/bin/env python3
"""--metrics (issue 21): curl scrapes the Prometheus text; the figures move
with traffic (client frames and bytes both ways, slirp's, drops by reason,
rate-limit hits, auth failures, connections); bad and huge requests get a
4xx and cannot hurt the bridge; connections that hog every metrics slot
neither stall switching nor stop later scrapes; SIGUSR1 still prints."""
import re
import socket
import subprocess
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

t = Checks("metrics")


def scrape(port, path="/metrics"):
    """curl the endpoint; returns (HTTP status, {series: value})."""
    p = subprocess.run(["curl", "-s", "-m", "5", "-o", "-", "-w", "\n%{http_code}",
                        "http://127.0.0.1:%d%s" % (port, path)],
                       capture_output=True, text=True, timeout=10)
    body, _, code = p.stdout.rpartition("\n")
    vals = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            k, _, v = line.rpartition(" ")
            vals[k] = float(v)
    return int(code or 0), vals, body


def raw_request(port, data, timeout=3):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


b = Bridge("--slirp", "--metrics", "127.0.0.1:0", "--token", "sesame", "--rate-fps", "100",
           "--burst-ms", "100")
hogs = []
try:
    m = re.search(r"metrics on 127\.0\.0\.1:(\d+)", b.text())
    t.check("metrics port announced on stderr", m is not None, b.text()[:300])
    MP = int(m.group(1))
    code, v0, body = scrape(MP)
    t.check("GET /metrics: 200", code == 200, str(code))
    t.check("text format: HELP and TYPE lines", "# TYPE synack_bridge_clients gauge" in body
            and "# HELP synack_bridge_client_frames_total" in body)
    t.check("no clients yet", v0.get("synack_bridge_clients") == 0)

    c = Client(b.port, token=b"sesame")
    bad = Client(b.port, token=b"wrong")
    t.check("a wrong token is refused", bad.is_closed(3))
    b.wait_active(1)
    ip, _ = lease(c, mac(1))
    for i in range(5):
        c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=9, seq=i) / (b"p" * 100))
        c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].seq == i)
    c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src="10.0.2.99", dst=GW) / ICMP(id=9))  # spoofed source
    for i in range(300):  # over 100 frames/s with a 10-frame burst
        c.send(Ether(src=mac(1), dst=SLIRP_MAC) / IP(src=ip, dst=GW) / UDP(sport=1, dport=9))
    time.sleep(0.3)
    code, v1, _ = scrape(MP)
    d = lambda k: v1.get(k, 0) - v0.get(k, 0)  # noqa: E731
    t.check("one client connected", v1.get("synack_bridge_clients") == 1)
    t.check("frames in from clients moved (>= 7)", d('synack_bridge_client_frames_total{direction="in"}') >= 7)
    t.check("frames out to clients moved (>= 7)", d('synack_bridge_client_frames_total{direction="out"}') >= 7)
    t.check("bytes in moved (>= 5 pings of 100+)", d('synack_bridge_client_bytes_total{direction="in"}') >= 5 * 142)
    t.check("bytes out moved", d('synack_bridge_client_bytes_total{direction="out"}') >= 5 * 142)
    t.check("slirp's frames in and out moved",
            d('synack_bridge_backend_frames_total{backend="slirp",direction="in"}') >= 5
            and d('synack_bridge_backend_frames_total{backend="slirp",direction="out"}') >= 5)
    t.check("spoofed source: drops{reason=spoof_ip} = 1", d('synack_bridge_client_drops_total{reason="spoof_ip"}') == 1)
    hits = d('synack_bridge_rate_limit_hits_total{limit="client_frames"}')
    t.check("rate-limit hits counted (and equal to drops{reason=rate})",
            hits > 100 and hits == d('synack_bridge_client_drops_total{reason="rate"}'), str(hits))
    t.check("auth failure counted", d('synack_bridge_auth_failures_total{reason="bad_token"}') == 1)
    t.check("connections accepted: 2", d("synack_bridge_connections_accepted_total") == 2)
    t.check("closed{reason=bad_token}: 1", d('synack_bridge_connections_closed_total{reason="bad_token"}') == 1)
    t.check("our earlier scrape counted", v1.get('synack_bridge_metrics_requests_total{result="ok"}') == 1)
    c.close()
    time.sleep(0.3)
    code, v2, _ = scrape(MP)
    t.check("totals survive the client leaving",
            v2.get('synack_bridge_client_frames_total{direction="in"}', 0)
            >= v1.get('synack_bridge_client_frames_total{direction="in"}', 0)
            and v2.get("synack_bridge_clients") == 0)

    # Hostile requests.
    r = raw_request(MP, b"POST /metrics HTTP/1.1\r\n\r\n")
    t.check("POST: 405", r.startswith(b"HTTP/1.1 405"), r[:40])
    r = raw_request(MP, b"GET /etc/passwd HTTP/1.1\r\n\r\n")
    t.check("other path: 404", r.startswith(b"HTTP/1.1 404"), r[:40])
    r = raw_request(MP, b"GET /metrics\0 HTTP/1.1\r\n\r\n")
    t.check("NUL in the request: 400", r.startswith(b"HTTP/1.1 400"), r[:40])
    r = raw_request(MP, b"GET /metrics HTTP/1.1\r\nX: " + b"a" * (1 << 20))
    t.check("1 MiB request head: 431, connection closed", r.startswith(b"HTTP/1.1 431"), r[:40])
    r = raw_request(MP, os.urandom(5000))
    t.check("random bytes: answered 4xx or closed, nothing else", r == b"" or r[:10] in (b"HTTP/1.1 4",), r[:40])
    code, _, _ = scrape(MP)
    t.check("a scrape after the abuse works", code == 200)

    # Hog every slot with idle connections: switching goes on, scrapes
    # are refused (counted) until the hogs' deadline, then work again.
    for i in range(12):
        hogs.append(socket.create_connection(("127.0.0.1", MP), timeout=3))
        hogs[-1].sendall(b"GET /metr")
    c2 = Client(b.port, token=b"sesame")
    b.wait_active(1)
    ip2, _ = lease(c2, mac(2))
    c2.send(arp_request(mac(2), ip2, GW))  # as a stack does; slirp relearns the reused address
    c2.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2)
    ok = 0
    for i in range(3):
        c2.send(Ether(src=mac(2), dst=SLIRP_MAC) / IP(src=ip2, dst=GW) / ICMP(id=10, seq=i))
        if c2.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].seq == i, 2):
            ok += 1
    t.check("pings answered while metrics slots are hogged", ok == 3, str(ok))
    deadline = time.time() + 10
    code = 0
    while time.time() < deadline:
        code, v3, _ = scrape(MP)
        if code == 200:
            break
        time.sleep(0.5)
    t.check("after the hogs' deadline scrapes work again", code == 200)
    t.check("hogs beyond the slots refused, idle ones timed out (counted)",
            v3.get('synack_bridge_metrics_requests_total{result="refused"}', 0) >= 4
            and v3.get('synack_bridge_metrics_requests_total{result="timeout"}', 0) >= 1, str(
                {k: x for k, x in v3.items() if "metrics_requests" in k}))
    n_ok = sum(1 for _ in range(20) if scrape(MP)[0] == 200)
    t.check("20 scrapes in a row", n_ok == 20, str(n_ok))
    ports, tot = b.stats()
    t.check("SIGUSR1 still prints the counters", tot.get("clients") == "1" and "refused_per_addr_conns" in tot, str(tot))
    t.check("bridge alive", b.alive())
finally:
    for h in hogs:
        h.close()
    b.cleanup()
t.done()
