"""Helpers for the synack-bridge tests: start the bridge, talk to it as a
stream-framed client (4-byte big-endian length + Ethernet frame), build
frames with scapy, read its counters.

Run with a Python that has scapy (Debian's /usr/bin/python3 with
python3-scapy). Every wait is bounded; processes are killed by PID.
"""
import ctypes
import hashlib
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

from scapy.all import (ARP, BOOTP, DHCP, ICMP, IP, TCP, UDP, Ether, Raw,
                       conf)
from scapy.layers.inet6 import (IPv6, ICMPv6EchoReply, ICMPv6EchoRequest,  # noqa: F401
                                ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_RS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptPrefixInfo,
                                ICMPv6NDOptRDNSS, ICMPv6NDOptSrcLLAddr, in6_getnsma,
                                in6_getnsmac, inet_pton as _pton6)

conf.verb = 0


def _on_term(signum, frame):
    # run-all.sh's timeout sends SIGTERM: unwind so `finally` stops the bridge
    raise SystemExit("killed by signal %d" % signum)


signal.signal(signal.SIGTERM, _on_term)


def _die_with_parent():
    """In the child: get SIGTERM when the test process dies (prctl)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BCAST = "ff:ff:ff:ff:ff:ff"
SLIRP_MAC = "52:55:0a:00:02:02"
GW = "10.0.2.2"
DNS = "10.0.2.3"


def bridge_binary():
    """The bridge to test: $SYNACK_BRIDGE, else the first build found."""
    env = os.environ.get("SYNACK_BRIDGE")
    if env:
        return env
    for d in ("build/bridge", "build/native", "build/debug", "build"):
        p = os.path.join(ROOT, d, "host", "bridge", "synack-bridge")
        if os.path.exists(p):
            return p
    raise SystemExit("synack-bridge not built (set SYNACK_BRIDGE)")


SANITIZER_REPORTS = []  # bridge logs with ASan/UBSan output: fail the test


def synack_tool():
    """The `synack` tool: $SYNACK_TOOL, else the first build found; None if
    it is not built (tests that need it are skipped)."""
    env = os.environ.get("SYNACK_TOOL")
    if env:
        return env
    for d in ("build/bridge", "build/native", "build/debug", "build/host", "build"):
        for sub in ("host/native", "host/cli", "host"):
            p = os.path.join(ROOT, d, sub, "synack")
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return p
    return None


def run_tool(args, timeout=60, stdin=None):
    """Run synack with args; returns (exit status, stdout bytes, stderr text)."""
    p = subprocess.Popen([synack_tool()] + args, stdin=stdin or subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=_die_with_parent)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out, err.decode(errors="replace") + "\n[timed out]"
    return p.returncode, out, err.decode(errors="replace")


class Bridge:
    """A running synack-bridge; its stderr goes to a file we parse."""

    def __init__(self, *args, binary=None, env=None):
        self.binary = binary or bridge_binary()
        self.log = tempfile.NamedTemporaryFile(prefix="bridge-", suffix=".log",
                                               delete=False)
        cmd = [self.binary, "--listen", "127.0.0.1:0"] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                                     stderr=self.log, env=env,
                                     preexec_fn=_die_with_parent)
        self.port = None
        deadline = time.time() + 10
        while time.time() < deadline:
            m = re.search(r"listening on [^ ]*:(\d+)", self.text())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("bridge did not start:\n" + self.text())

    def text(self):
        with open(self.log.name, "r", errors="replace") as f:
            return f.read()

    def stats(self, timeout=5):
        """SIGUSR1, then the newest stats block: {port: {key: value}}, totals."""
        before = self.text().count("synack-bridge: totals")
        self.proc.send_signal(signal.SIGUSR1)
        deadline = time.time() + timeout
        while time.time() < deadline:
            t = self.text()
            # the totals line is written in several pieces (stderr is
            # unbuffered): wait for its end, not only its start
            if t.count("synack-bridge: totals") > before and \
                    "\n" in t[t.rindex("synack-bridge: totals"):]:
                break
            time.sleep(0.02)
        else:
            raise RuntimeError("no stats after SIGUSR1")
        lines = t.splitlines()
        # the block: stats lines just before the last totals line
        idx = max(i for i, l in enumerate(lines) if "synack-bridge: totals" in l)
        ports = {}
        i = idx - 1
        while i >= 0 and "synack-bridge: stats " in lines[i]:
            kv = parse_kv(lines[i])
            ports.setdefault(int(kv["port"]), kv)
            i -= 1
        return ports, parse_kv(lines[idx])

    def wait_active(self, n, timeout=5):
        """Wait until n clients are attached and past the token (ports 1..)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            ports, _ = self.stats()
            if sum(1 for p, kv in ports.items() if p > 0 and kv["state"] == "active") >= n:
                return True
            time.sleep(0.05)
        raise RuntimeError("%d active clients expected" % n)

    def closed_reasons(self):
        return re.findall(r"closed port=(\d+) peer=\S+ reason=(\S+)", self.text())

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, wait, SIGKILL if needed. Returns the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def cleanup(self):
        self.stop()
        bad = [l for l in self.text().splitlines() if "Sanitizer" in l or "runtime error" in l]
        if bad:
            SANITIZER_REPORTS.append(bad)
            print(self.text()[-6000:])
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


def parse_kv(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


class Client:
    """A stream-framed client of the bridge."""

    def __init__(self, port, host="127.0.0.1", token=None):
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.me = None  # (mac, ip) to answer ARP requests for, like a stack
        self.me6 = None  # (mac, [IPv6 addresses]) to answer neighbor solicitations for
        if token is not None:
            self.send(token)

    def send(self, frame):
        if not isinstance(frame, (bytes, bytearray)):
            frame = bytes(frame)
        self.send_raw(struct.pack(">I", len(frame)) + frame)

    def send_raw(self, data):
        self.sock.sendall(data)

    def _read(self):
        """Bytes of the stream that have arrived; b"" at EOF."""
        try:
            return self.sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return b""

    def _fill(self, timeout):
        r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        if not r:
            return True
        d = self._read()
        if not d:
            return False
        self.buf += d
        return True

    def recv(self, timeout=2.0):
        """The next frame (bytes), or None on timeout or EOF."""
        deadline = time.time() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack(">I", self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f = self.buf[4:4 + n]
                    self.buf = self.buf[4 + n:]
                    self._answer_arp(f)
                    return f
            left = deadline - time.time()
            if left <= 0 or not self._fill(min(left, 0.2)):
                return None

    def _answer_arp(self, f):
        if f[12:14] == b"\x86\xdd":
            self._answer_ns(f)
            return
        # slirp's ARP table is small: it asks again when it forgot us
        if self.me is None or len(f) < 42 or f[12:14] != b"\x08\x06":
            return
        a = Ether(f)[ARP]
        if a.op == 1 and a.pdst == self.me[1]:
            self.send(arp_reply(self.me[0], self.me[1], a.hwsrc, a.psrc))

    def _answer_ns(self, f):
        # slirp asks for our MAC (RFC 4861 7.2.4) before it sends to us
        if self.me6 is None:
            return
        e = Ether(f)
        if not e.haslayer(ICMPv6ND_NS) or e[ICMPv6ND_NS].tgt not in self.me6[1]:
            return
        tgt = e[ICMPv6ND_NS].tgt
        self.send(Ether(src=self.me6[0], dst=e.src) / IPv6(src=tgt, dst=e[IPv6].src, hlim=255) /
                  ICMPv6ND_NA(tgt=tgt, R=0, S=1, O=1) / ICMPv6NDOptDstLLAddr(lladdr=self.me6[0]))

    def recv_match(self, pred, timeout=3.0):
        """The first frame for which pred(Ether) is true, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            f = self.recv(deadline - time.time())
            if f is None:
                continue
            e = Ether(f)
            try:
                if pred(e):
                    return e
            except (AttributeError, IndexError):
                pass
        return None

    def drain(self, quiet=0.2, limit=100000):
        """Read frames until none arrives for `quiet` s; return the count."""
        n = 0
        while n < limit and self.recv(quiet) is not None:
            n += 1
        return n

    def discard_pending(self, limit=64):
        """Read and drop whatever has arrived, without waiting."""
        for _ in range(limit):
            r, _, _ = select.select([self.sock], [], [], 0)
            if not r or not self._fill(0):
                break
        while len(self.buf) >= 4:
            n = struct.unpack(">I", self.buf[:4])[0]
            if len(self.buf) < 4 + n:
                break
            self._answer_arp(self.buf[4:4 + n])
            self.buf = self.buf[4 + n:]

    def is_closed(self, timeout=3.0):
        """Whether the bridge closes the connection within timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            r, _, _ = select.select([self.sock], [], [], 0.1)
            if r:
                try:
                    d = self.sock.recv(65536)
                except (ConnectionResetError, BrokenPipeError):
                    return True
                if not d:
                    return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Flooder:
    """A thread that sends `client` bursts of 64 broadcast ARP requests
    (stream framed, 60-byte frames) as fast as the socket takes them,
    until stop() or `seconds` have passed; `sent` counts frames sent."""

    def __init__(self, client, seconds):
        self.client = client
        self.seconds = seconds
        self.sent = 0
        self._stop = threading.Event()
        self._thread = None

    def _run(self):
        frame = struct.pack(">I", 60) + bytes(
            arp_request(mac(9), "10.0.2.99", "10.0.2.98") / Raw(b"\0" * 18))
        burst = frame * 64
        deadline = time.time() + self.seconds
        while not self._stop.is_set() and time.time() < deadline:
            try:
                self.client.send_raw(burst)
            except OSError:
                return
            self.sent += 64

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self):
        """Stop the thread (waiting up to 5 s); safe to call twice."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


def mac(n):
    """A locally administered unicast MAC for test station n."""
    return "02:00:00:00:%02x:%02x" % ((n >> 8) & 0xff, n & 0xff)


def mcast_mac6(group):
    """The Ethernet address of an IPv6 multicast group (RFC 2464 section 7)."""
    b = _pton6(socket.AF_INET6, group)
    return "33:33:" + ":".join("%02x" % x for x in b[12:])


def dad_ns(src_mac, target):
    """A DAD neighbor solicitation (RFC 4862 5.4.2): source ::, to the
    target's solicited-node group, no source link-layer option."""
    group = in6_getnsma(_pton6(socket.AF_INET6, target))
    g = socket.inet_ntop(socket.AF_INET6, group)
    return Ether(src=src_mac, dst=mcast_mac6(g)) / IPv6(src="::", dst=g, hlim=255) / ICMPv6ND_NS(tgt=target)


def router_solicit(src_mac, src):
    return (Ether(src=src_mac, dst="33:33:00:00:00:02") / IPv6(src=src, dst="ff02::2", hlim=255) /
            ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=src_mac))


def arp_request(src_mac, src_ip, dst_ip):
    return Ether(src=src_mac, dst=BCAST) / ARP(op=1, hwsrc=src_mac, psrc=src_ip,
                                               pdst=dst_ip)


def arp_reply(src_mac, src_ip, dst_mac, dst_ip):
    return Ether(src=src_mac, dst=dst_mac) / ARP(op=2, hwsrc=src_mac, psrc=src_ip,
                                                 hwdst=dst_mac, pdst=dst_ip)


def dhcp(src_mac, msg_type, xid=0x1234, requested=None):
    opts = [("message-type", msg_type)]
    if requested:
        opts += [("requested_addr", requested), ("server_id", GW)]
    opts += ["end"]
    chaddr = bytes.fromhex(src_mac.replace(":", "")) + b"\0" * 10
    return (Ether(src=src_mac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) / BOOTP(chaddr=chaddr, xid=xid, flags=0x8000) /
            DHCP(options=opts))


def dhcp_type(e):
    if not e.haslayer(DHCP):
        return None
    for o in e[DHCP].options:
        if isinstance(o, tuple) and o[0] == "message-type":
            return o[1]
    return None


def lease(c, src_mac, timeout=5):
    """DHCP DISCOVER/REQUEST through the bridge; returns (ip, gateway MAC)."""
    c.send(dhcp(src_mac, "discover"))
    offer = c.recv_match(lambda e: dhcp_type(e) == 2, timeout)
    if offer is None:
        raise AssertionError("no DHCPOFFER")
    ip = offer[BOOTP].yiaddr
    c.send(dhcp(src_mac, "request", requested=ip))
    ack = c.recv_match(lambda e: dhcp_type(e) == 5, timeout)
    if ack is None:
        raise AssertionError("no DHCPACK")
    c.me = (src_mac, ip)
    return ip, ack[Ether].src


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def hash_server(host, timeout=30):
    """A Linux TCP server on host (IPv4 or IPv6, told by the address) that
    hashes one connection in a thread: (port, result dict with "sha" and "n"
    or "err", thread). The listening socket closes after that connection."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.bind((host, 0))
    s.listen(1)
    s.settimeout(timeout)
    res = {}

    def run():
        try:
            conn, _ = s.accept()
            conn.settimeout(timeout)
            h, n = hashlib.sha256(), 0
            while True:
                d = conn.recv(1 << 16)
                if not d:
                    break
                h.update(d)
                n += len(d)
            res["sha"], res["n"] = h.hexdigest(), n
            conn.close()
        except OSError as e:
            res["err"] = str(e)
        finally:
            s.close()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return s.getsockname()[1], res, th


def last_json(out):
    """The JSON object on the last line of a tool's stdout; {} if none."""
    try:
        return json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}


class Checks:
    """Collects named checks; prints them and exits 1 if any failed."""

    def __init__(self, name):
        self.name = name
        self.failed = 0
        self.passed = 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("  ok   %s" % what)
        else:
            self.failed += 1
            print("  FAIL %s %s" % (what, detail))
        sys.stdout.flush()
        return ok

    def done(self):
        if SANITIZER_REPORTS:
            self.check("no sanitizer reports in the bridge's log", False, str(SANITIZER_REPORTS[0][:5]))
        print("%s: %d checks passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed or not self.passed else 0)
