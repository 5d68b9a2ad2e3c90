#!/usr/bin/env python3
"""Two synack-bridge processes behind HAProxy (issue 21), with
deploy/haproxy/synack-bridge.cfg as it is (ports and paths from the
environment). TLS ends at HAProxy with a certificate from a CA made here
with openssl; clients check it. Browsers' path: wss:// -> HAProxy ->
websockify -> bridge; native path: TLS -> HAProxy -> bridge with a PROXY
v2 header (the bridge logs the client's own address). Clients land on both
bridges and move data to a TCP server on the host through slirp; then one
bridge is killed: exactly its clients lose their connection, the others
keep working, and new clients go to the surviving bridge."""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402
from wsclient import WSClient  # noqa: E402

t = Checks("balancer")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
CFG = os.path.join(ROOT, "deploy", "haproxy", "synack-bridge.cfg")
if not os.path.exists(HAPROXY):
    print("test_balancer: haproxy missing (scripts/setup.sh installs it)")
    sys.exit(1)


class TLSClient(Client):
    """The bridge's stream framing over TLS (the native path)."""

    def __init__(self, port, ctx):
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.local_port = raw.getsockname()[1]
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        self.buf = b""
        self.me = None

    def _fill(self, timeout):
        if not self.sock.pending():
            r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
            if not r:
                return True
        try:
            d = self.sock.recv(65536)
        except OSError:
            return False
        if not d:
            return False
        self.buf += d
        return True

    def is_closed(self, timeout=3.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self._fill(0.1):
                return True
        return False


def make_pki(d):
    """A test CA and a server certificate for localhost signed by it."""
    def ossl(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, timeout=60)
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=synack test CA",
         "-keyout", d + "/ca.key", "-out", d + "/ca.pem")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-keyout", d + "/srv.key", "-out", d + "/srv.csr")
    with open(d + "/ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", d + "/srv.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca.key",
         "-CAcreateserial", "-days", "1", "-extfile", d + "/ext", "-out", d + "/srv.pem")
    with open(d + "/haproxy.pem", "w") as out:
        for n in ("srv.pem", "srv.key"):
            out.write(open(d + "/" + n).read())
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    return ctx


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def metrics(port):
    try:
        body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=3).read().decode()
    except OSError:
        return None
    return {k: float(v) for k, _, v in (l.rpartition(" ") for l in body.splitlines() if l and l[0] != "#")}


srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(32)
srv.settimeout(3)
P = srv.getsockname()[1]


def hello(c, m, ip, sport, data):
    """A TCP connection through slirp to the host's server carrying `data`
    (SYN, SYN-ACK, ACK + data); returns what the server received."""
    c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=sport, dport=P, flags="S", seq=1000))
    sa = c.recv_match(lambda e: e.haslayer(TCP) and e[TCP].dport == sport and e[TCP].flags == "SA", 5)
    if sa is None:
        return None
    c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) /
           TCP(sport=sport, dport=P, flags="PA", seq=1001, ack=sa[TCP].seq + 1) / data)
    try:
        conn, _ = srv.accept()
        conn.settimeout(3)
        got = conn.recv(4096)
        conn.close()
    except socket.timeout:
        return None
    c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / TCP(sport=sport, dport=P, flags="R", seq=1001 + len(data)))
    return got


def ping(c, m, ip, ident):
    c.send(Ether(src=m, dst=SLIRP_MAC) / IP(src=ip, dst=GW) / ICMP(id=ident, seq=1) / (b"x" * 1000))
    r = c.recv_match(lambda e: e.haslayer(ICMP) and e[ICMP].type == 0 and e[ICMP].id == ident, 3)
    return r is not None and len(r[ICMP].payload) == 1000


tmp = tempfile.mkdtemp(prefix="synack-lb-")
bridges, procs = [], []
try:
    ctx = make_pki(tmp)
    env = dict(os.environ)
    wss_port, tls_port = free_port(), free_port()
    env.update(SYNACK_WSS_BIND="127.0.0.1:%d" % wss_port, SYNACK_TLS_BIND="127.0.0.1:%d" % tls_port,
               SYNACK_TLS_PEM=tmp + "/haproxy.pem", SYNACK_MAX_CONN_PER_ADDR="10")
    mports = []
    for i in (1, 2):
        b = Bridge("--slirp", "--allow", "10.0.2.2:%d" % P, "--metrics", "127.0.0.1:0",
                   "--trusted-proxy", "127.0.0.2", "-v")
        bridges.append(b)
        mp = int(re.search(r"metrics on 127\.0\.0\.1:(\d+)", b.text()).group(1))
        mports.append(mp)
        wsp = free_port()
        procs.append(subprocess.Popen(["websockify", "127.0.0.1:%d" % wsp, "127.0.0.1:%d" % b.port],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      preexec_fn=_die_with_parent))
        wait_port(wsp)
        env["SYNACK_BRIDGE%d_WS" % i] = "127.0.0.1:%d" % wsp
        env["SYNACK_BRIDGE%d_TCP" % i] = "127.0.0.1:%d" % b.port
        env["SYNACK_BRIDGE%d_METRICS_PORT" % i] = str(mp)
    hlog = open(tmp + "/haproxy.log", "w")
    hp = subprocess.Popen([HAPROXY, "-db", "-f", CFG], env=env, stdout=hlog, stderr=hlog,
                          preexec_fn=_die_with_parent)
    procs.append(hp)
    up = wait_port(wss_port, 5) and wait_port(tls_port, 5) and hp.poll() is None
    if not t.check("haproxy started with the repository's config", up, open(tmp + "/haproxy.log").read()[-2000:]):
        raise SystemExit(1)
    time.sleep(2.5)  # two health checks (rise 2, inter 1s) for both bridges

    # Four browsers over wss:// and two native clients over TLS.
    ws = [WSClient(wss_port, ssl_context=ctx) for _ in range(4)]
    nat = [TLSClient(tls_port, ctx) for _ in range(2)]
    clients = ws + nat
    macs = [mac(10 + i) for i in range(len(clients))]
    ips = []
    for i, (c, m) in enumerate(zip(clients, macs)):
        try:
            ips.append(lease(c, m)[0])
        except AssertionError:
            print("client %d: no lease" % i)
            print(bridges[0].text()[-1500:], bridges[1].text()[-1500:], open(tmp + "/haproxy.log").read()[-1500:])
            raise
    where = {}
    for bi, b in enumerate(bridges):
        ports, _ = b.stats()
        for p, kv in ports.items():
            if p > 0 and kv.get("mac") in macs:
                where[macs.index(kv["mac"])] = bi
    t.check("every client landed on a bridge", len(where) == len(clients), str(where))
    on = [[i for i in where if where[i] == bi] for bi in (0, 1)]
    t.check("both bridges have clients (leastconn)", len(on[0]) >= 2 and len(on[1]) >= 2, str(on))
    t.check("both bridges have a wss client and a native one",
            all(any(i < 4 for i in on[bi]) and any(i >= 4 for i in on[bi]) for bi in (0, 1)), str(on))
    got = [hello(c, m, ip, 43000 + i, b"hello from client %d" % i) for i, (c, m, ip) in enumerate(zip(clients, macs, ips))]
    t.check("every client moved data to the host through its bridge",
            all(g == b"hello from client %d" % i for i, g in enumerate(got)), str(got))
    t.check("every client's 1000-byte ping echoed", all(ping(c, m, ip, 200 + i)
                                                       for i, (c, m, ip) in enumerate(zip(clients, macs, ips))))
    logs = [b.text() for b in bridges]
    t.check("native clients: the bridge logged their own address from the PROXY v2 header",
            all(re.search(r"peer=127\.0\.0\.1:%d via proxy 127\.0\.0\.2:" % n.local_port, logs[where[4 + k]])
                for k, n in enumerate(nat)), str([n.local_port for n in nat]))
    m0 = [metrics(mp) for mp in mports]
    t.check("metrics: each bridge counts its own clients",
            [m["synack_bridge_clients"] for m in m0] == [float(len(on[0])), float(len(on[1]))], str(m0 and [m["synack_bridge_clients"] for m in m0]))

    # Bridge 1 dies.
    bridges[0].proc.kill()
    bridges[0].proc.wait(5)
    dead = [clients[i].is_closed(5) for i in on[0]]
    t.check("the dead bridge's clients lost their connection", all(dead), str(dead))
    alive = [not clients[i].is_closed(0.5) for i in on[1]]
    t.check("the other bridge's clients are still connected", all(alive), str(alive))
    got = [hello(clients[i], macs[i], ips[i], 44000 + i, b"still here %d" % i) for i in on[1]]
    t.check("... and still move data", all(g == b"still here %d" % i for i, g in zip(on[1], got)), str(got))
    time.sleep(1.5)  # the health check marks bridge 1 down (fall 1)
    late = [WSClient(wss_port, ssl_context=ctx), TLSClient(tls_port, ctx)]
    late_ok = []
    for k, c in enumerate(late):
        try:
            ip, _ = lease(c, mac(30 + k))
            late_ok.append(hello(c, mac(30 + k), ip, 45000 + k, b"late") == b"late")
        except AssertionError:
            late_ok.append(False)
    t.check("new clients go to the surviving bridge and work", late_ok == [True, True], str(late_ok))
    m1 = metrics(mports[1])
    t.check("the survivor's metrics count them", m1 is not None and m1["synack_bridge_clients"] == len(on[1]) + 2,
            str(m1 and m1["synack_bridge_clients"]))
    # HAProxy's per-address limit on the wss:// path (SYNACK_MAX_CONN_PER_ADDR
    # = 10 here): 127.0.0.1 holds 3 WebSockets; of 12 more connections some are
    # cut at once, and no more than 10 in all stay open.
    extra, cut = [], 0
    for _ in range(12):
        try:
            extra.append(socket.create_connection(("127.0.0.1", wss_port), timeout=3))
        except OSError:  # reset before connect() returned
            cut += 1
    time.sleep(0.5)
    for s_ in extra:
        s_.setblocking(False)
        try:
            cut += s_.recv(1) == b""
        except BlockingIOError:
            pass
        except OSError:
            cut += 1
        s_.close()
    t.check("HAProxy refuses connections over its per-address limit", 5 <= cut <= 12 and 3 + 12 - cut <= 10,
            "%d of 12 cut" % cut)
    t.check("the surviving bridge is alive", bridges[1].alive())
finally:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
    for b in bridges:
        b.cleanup()
    srv.close()
    shutil.rmtree(tmp, ignore_errors=True)
t.done()
