#!/usr/bin/env python3
"""Run by test_offload_tap.sh inside its namespace: TAP sbof0 (10.78.0.1
on the Linux side). The offload exchange end to end: `synack --offload`
sends to and receives from Linux through `synack-bridge --offload --tap`
(SHA-256 equal, the bridge agreed, super-frames were cut), next to an old
QEMU-framed client that must never see an offload frame (the bridge
cuts Linux's TSO super-frames for it and for plain tools); the same tool
against a bridge without --offload (HELLO dropped as by an old bridge)
and a plain tool against the offloading bridge work unchanged."""
import hashlib
import json
import os
import re
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403

LINUX, OLD = "10.78.0.1", "10.78.0.2"
SIZE = 8 * 1000 * 1000
t = Checks("offload_tap")
if synack_tool() is None:
    t.check("synack tool built", False)
    t.done()


def linux_sink():
    """A Linux TCP server that hashes one connection: (port, result dict)."""
    s = socket.socket()
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


def send_to_linux(b, extra, ip, label):
    port, res, th = linux_sink()
    rc, out, err = run_tool(["--connect", "127.0.0.1:%d" % b.port, "--ip", ip + "/24"] + extra +
                            ["send", LINUX, str(port), "--bytes", str(SIZE)], timeout=60)
    th.join(35)
    try:
        sent = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        sent = {}
    t.check("%s: %d bytes to Linux, sha256 equal" % (label, SIZE),
            rc == 0 and res.get("n") == SIZE and sent.get("sha256") == res.get("sha"),
            "rc=%s sent=%s got=%s %s" % (rc, sent, res, err[-300:]))
    return err


def receive_from_linux(b, extra, ip, label):
    lp = free_port()
    body = os.urandom(2 * 1000 * 1000)
    import subprocess as sp
    p = sp.Popen([synack_tool(), "--connect", "127.0.0.1:%d" % b.port, "--ip", ip + "/24"] + extra +
                 ["sink", str(lp), "--count", "1"], stdout=sp.PIPE, stderr=sp.PIPE)
    try:
        s = None
        for _ in range(100):
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
    try:
        got = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        got = {}
    t.check("%s: 2 MB from Linux, sha256 equal" % label,
            got.get("sha256") == hashlib.sha256(body).hexdigest(), "%s %s" % (got, err[-300:]))


MP = free_port()
b = Bridge("--tap", "sbof0", "--offload", "--rate-fps", "0", "--rate-bps", "0",
           "--metrics", "127.0.0.1:%d" % MP)
try:
    old = Client(b.port)  # QEMU -netdev stream framing, never says HELLO
    b.wait_active(1)
    old.send(arp_request(mac(1), OLD, LINUX))
    t.check("the old client reaches Linux",
            old.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)

    err = send_to_linux(b, ["--offload"], "10.78.0.4", "synack --offload")
    t.check("the bridge agreed (the tool says so)", "offload: the bridge takes super-frames" in err, err[-300:])
    ports, totals = b.stats()
    nsuper = int(totals["rx_super"])
    # 8 MB in super-frames of up to ~45 pieces: at least 8e6/65000 of them.
    t.check("the bridge took super-frames (%d) and cut them" % nsuper, nsuper >= SIZE // 65000, str(totals))
    t.check("the TAP was handed every piece (%s)" % ports[0]["tx_frames"],
            int(ports[0]["tx_frames"]) >= SIZE // 1460, str(ports[0]))
    t.check("super-frames went to the TAP whole with GSO (%s of %d)" % (totals["tx_gso"], nsuper),
            int(totals["tx_gso"]) >= nsuper // 2, str(totals))
    receive_from_linux(b, ["--offload"], "10.78.0.5", "synack --offload")
    ports, totals = b.stats()
    tsup = int(totals["tx_super"])
    # Linux's TSO super-frames reached it whole (2 MB: dozens at least).
    t.check("Linux's super-frames passed whole to the agreeing client (%d)" % tsup, tsup >= 10, str(totals))
    send_to_linux(b, [], "10.78.0.6", "plain synack --connect")
    receive_from_linux(b, [], "10.78.0.8", "plain synack --connect (Linux's super-frames cut for it)")
    t.check("no super-frame to the plain client", int(b.stats()[1]["tx_super"]) == tsup)

    seen = []
    while True:
        f = old.recv(0.3)
        if f is None:
            break
        seen.append(f)
    bad = [f for f in seen if len(f) >= 14 and f[12:14] == b"\x88\xb5"]
    t.check("the old client never saw an offload frame (%d frames seen)" % len(seen), not bad)
    old.send(arp_request(mac(1), OLD, LINUX))
    t.check("the old client still works after the others",
            old.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)
    t.check("the plain tool sent no super-frame", int(b.stats()[1]["rx_super"]) == nsuper)
    import urllib.request
    text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % MP, timeout=5).read().decode()
    got = {k: int(v) for k, v in re.findall(r'synack_bridge_offload_superframes_total\{dir="(\w+)"\} (\d+)', text)}
    _, tot = b.stats()
    t.check("--metrics exports the super-frame counters %s" % got,
            got == {"in": int(tot["rx_super"]), "tap_gso": int(tot["tx_gso"]), "out": int(tot["tx_super"])},
            str(tot))
finally:
    b.cleanup()

b = Bridge("--tap", "sbof0", "--rate-fps", "0", "--rate-bps", "0")  # no --offload: as an old bridge
try:
    err = send_to_linux(b, ["--offload"], "10.78.0.7", "synack --offload to a bridge without it")
    t.check("no agreement: the tool cut its super-frames itself", "takes super-frames" not in err, err[-300:])
    ports, totals = b.stats()
    t.check("no super-frame reached the bridge", int(totals["rx_super"]) == 0 and int(totals["tx_gso"]) == 0, str(totals))
finally:
    b.cleanup()
t.done()
