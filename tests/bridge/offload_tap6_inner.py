#!/usr/bin/env python3
"""Run by test_offload_tap6.sh inside its namespace: TAP sbo60
(fd00:78::1 on the Linux side). The offload exchange for TCP/IPv6, the
IPv4 test's twin (offload_tap_inner.py): `synack --offload` sends to and
receives from Linux over IPv6 through `synack-bridge --offload --tap`
(SHA-256 equal; the bridge granted TX_TCP6/RX_TCP6, took IPv6 super-frames,
wrote them to the TAP whole with GSO_TCPV6 and passed Linux's TSO6
super-frames to the tool whole), while a plain tool on the same bridge
gets Linux's IPv6 super-frames cut into MSS-sized frames and an old
QEMU-framed client never sees an offload frame."""
import hashlib
import json
import os
import re
import socket
import subprocess as sp
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

LINUX = "fd00:78::1"
SIZE = 8 * 1000 * 1000
t = Checks("offload_tap6")
if synack_tool() is None:
    t.check("synack tool built", False)
    t.done()


def linux_sink():
    """A Linux TCP server over IPv6 that hashes one connection."""
    s = socket.socket(socket.AF_INET6)
    s.bind((LINUX, 0))
    s.listen(1)
    s.settimeout(30)
    res = {}

    def run():
        try:
            conn, _ = s.accept()
            conn.settimeout(30)
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


def tool_args(b, ip6, extra):
    # IPv4 on too (static, no DHCP): the IPv6 path must be chosen by the
    # destination, not by the absence of IPv4
    return (["--connect", "127.0.0.1:%d" % b.port, "--ip", "10.79.0.%s/24" % ip6.rsplit(":", 1)[1],
             "--ip6", ip6 + "/64"] + extra)


def send_to_linux(b, extra, ip6, label):
    port, res, th = linux_sink()
    rc, out, err = run_tool(tool_args(b, ip6, extra) + ["send", LINUX, str(port), "--bytes", str(SIZE)],
                            timeout=60)
    th.join(35)
    try:
        sent = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        sent = {}
    t.check("%s: %d bytes to Linux over IPv6, sha256 equal" % (label, SIZE),
            rc == 0 and res.get("n") == SIZE and sent.get("sha256") == res.get("sha"),
            "rc=%s sent=%s got=%s %s" % (rc, sent, res, err[-300:]))
    return err


def receive_from_linux(b, extra, ip6, label):
    lp = free_port()
    body = os.urandom(2 * 1000 * 1000)
    p = sp.Popen([synack_tool()] + tool_args(b, ip6, extra) + ["sink", str(lp), "--count", "1"],
                 stdout=sp.PIPE, stderr=sp.PIPE)
    try:
        s = None
        for _ in range(100):
            try:
                s = socket.create_connection((ip6, lp), timeout=1)
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
    try:
        got = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        got = {}
    t.check("%s: 2 MB from Linux over IPv6, sha256 equal" % label,
            got.get("sha256") == hashlib.sha256(body).hexdigest(), "%s %s" % (got, err[-300:]))
    return err.decode(errors="replace")


MP = free_port()
b = Bridge("--tap", "sbo60", "--offload", "--rate-fps", "0", "--rate-bps", "0",
           "--metrics", "127.0.0.1:%d" % MP)
try:
    old = Client(b.port)  # QEMU -netdev stream framing, never says HELLO
    b.wait_active(1)

    err = send_to_linux(b, ["--offload"], "fd00:78::4", "synack --offload")
    t.check("the bridge agreed for IPv6 (the tool says so)",
            "(IPv6: takes, sends)" in err, err[-300:])
    ports, totals = b.stats()
    nsuper = int(totals["rx_super"])
    # 8 MB in IPv6 super-frames of up to ~45 pieces: at least 8e6/65000.
    t.check("the bridge took IPv6 super-frames (%d)" % nsuper, nsuper >= SIZE // 65000, str(totals))
    t.check("the TAP was handed every piece (%s)" % ports[0]["tx_frames"],
            int(ports[0]["tx_frames"]) >= SIZE // 1440, str(ports[0]))
    t.check("IPv6 super-frames went to the TAP whole with GSO (%s of %d)" % (totals["tx_gso"], nsuper),
            int(totals["tx_gso"]) >= nsuper // 2, str(totals))
    receive_from_linux(b, ["--offload"], "fd00:78::5", "synack --offload")
    ports, totals = b.stats()
    tsup = int(totals["tx_super"])
    t.check("Linux's TSO6 super-frames passed whole to the agreeing client (%d)" % tsup,
            tsup >= 10, str(totals))
    receive_from_linux(b, [], "fd00:78::8", "plain synack --connect (Linux's IPv6 super-frames cut for it)")
    _, tot2 = b.stats()
    t.check("no super-frame to the plain client", int(tot2["tx_super"]) == tsup, str(tot2))
    send_to_linux(b, [], "fd00:78::6", "plain synack --connect")
    t.check("the plain tool sent no super-frame", int(b.stats()[1]["rx_super"]) == nsuper)

    seen = []
    while True:
        f = old.recv(0.3)
        if f is None:
            break
        seen.append(f)
    bad = [f for f in seen if len(f) >= 14 and f[12:14] == b"\x88\xb5"]
    big = [f for f in seen if len(f) > 1514]
    t.check("the old client never saw an offload frame nor one above 1514 bytes (%d frames seen)"
            % len(seen), not bad and not big)
    import urllib.request
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % MP, timeout=5).read().decode()
    got = {k: int(v) for k, v in re.findall(r'synack_bridge_offload_superframes_total\{dir="(\w+)"\} (\d+)', text)}
    _, tot = b.stats()
    t.check("--metrics exports the super-frame counters %s" % got,
            got == {"in": int(tot["rx_super"]), "tap_gso": int(tot["tx_gso"]), "out": int(tot["tx_super"])},
            str(tot))
finally:
    b.cleanup()
t.done()
