"""What offload_tap_inner.py (IPv4) and offload_tap6_inner.py (IPv6) share:
the offloading bridge on a TAP, the synack tool sending to and receiving
from Linux with SHA-256 checks, draining the old client, the --metrics
check. The family lives in the addresses, the tool's arguments and the
words the check names add (" over IPv6"), all given by the caller, so the
check names stay what each test printed before."""
import hashlib
import os
import re
import socket
import subprocess as sp
import time
import urllib.request

from bridgelib import Bridge, free_port, hash_server, last_json, run_tool, synack_tool

SIZE = 8 * 1000 * 1000  # sent to Linux: enough for 100+ super-frames
BACK = 2 * 1000 * 1000  # sent by Linux: dozens of TSO super-frames
OFFLOAD_ETHERTYPE = b"\x88\xb5"


def offload_bridge(tap):
    """An offloading bridge on tap with no rate limits and --metrics: (bridge, metrics port)."""
    mp = free_port()
    return Bridge("--tap", tap, "--offload", "--rate-fps", "0", "--rate-bps", "0",
                  "--metrics", "127.0.0.1:%d" % mp), mp


class OffloadTap:
    """One family's transfers: t the Checks, linux the Linux address,
    tool_args(bridge, ip, extra) the tool's arguments before its command,
    over what the SHA-256 check names add after "Linux"."""

    def __init__(self, t, linux, tool_args, over=""):
        self.t, self.linux, self.tool_args, self.over = t, linux, tool_args, over

    def send_to_linux(self, b, extra, ip, label):
        """`synack send` of SIZE bytes from ip to a hashing Linux server; checks
        the hashes; returns the tool's stderr (it says what was agreed)."""
        port, res, th = hash_server(self.linux)
        rc, out, err = run_tool(self.tool_args(b, ip, extra) +
                                ["send", self.linux, str(port), "--bytes", str(SIZE)], timeout=60)
        th.join(35)
        sent = last_json(out)
        self.t.check("%s: %d bytes to Linux%s, sha256 equal" % (label, SIZE, self.over),
                     rc == 0 and res.get("n") == SIZE and sent.get("sha256") == res.get("sha"),
                     "rc=%s sent=%s got=%s %s" % (rc, sent, res, err[-300:]))
        return err

    def receive_from_linux(self, b, extra, ip, label):
        """Linux sends BACK random bytes to `synack sink` on ip; checks the
        hash; returns the tool's stderr."""
        lp = free_port()
        body = os.urandom(BACK)
        p = sp.Popen([synack_tool()] + self.tool_args(b, ip, extra) + ["sink", str(lp), "--count", "1"],
                     stdout=sp.PIPE, stderr=sp.PIPE)
        try:
            s = None
            for _ in range(100):  # the tool needs a moment to come up
                try:
                    s = socket.create_connection((ip, lp), timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            if s is not None:
                s.sendall(body)
                s.close()
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        got = last_json(out)
        err = err.decode(errors="replace")
        self.t.check("%s: 2 MB from Linux%s, sha256 equal" % (label, self.over),
                     got.get("sha256") == hashlib.sha256(body).hexdigest(), "%s %s" % (got, err[-300:]))
        return err


def drain(client):
    """Every frame the client has queued, until 0.3 s pass without one."""
    seen = []
    while True:
        f = client.recv(0.3)
        if f is None:
            return seen
        seen.append(f)


def offload_frames(frames):
    """The frames among frames that carry the offload EtherType."""
    return [f for f in frames if len(f) >= 14 and f[12:14] == OFFLOAD_ETHERTYPE]


def check_metrics(t, b, mp):
    """The bridge's /metrics super-frame counters equal its own stats."""
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % mp, timeout=5).read().decode()
    got = {k: int(v) for k, v in re.findall(r'synack_bridge_offload_superframes_total\{dir="(\w+)"\} (\d+)', text)}
    _, tot = b.stats()
    t.check("--metrics exports the super-frame counters %s" % got,
            got == {"in": int(tot["rx_super"]), "tap_gso": int(tot["tx_gso"]), "out": int(tot["tx_super"])},
            str(tot))
