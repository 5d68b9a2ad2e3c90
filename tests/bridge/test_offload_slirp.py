#!/usr/bin/env python3
"""--offload with --slirp: a client's TCP super-frames go into libslirp whole
(its checksum completed in the bridge), not cut into MSS-sized frames.
  - `synack --offload send` through `synack-bridge --slirp --offload` to a
    server on this host's loopback: every byte arrives (sha256 equal), and
    the bridge handed super-frames to slirp whole (tx_gso > 0, each one
    also counted as taken: rx_super >= tx_gso);
  - the plain tool on the same bridge: the same bytes, no super-frames;
  - `synack --offload send` over IPv6 (SLAAC from slirp's RA) to a server on
    ::1 through [fd00:5ac::2]: sha256 equal, IPv6 super-frames taken
    (rx_super grows) but cut in the bridge, none given to slirp whole
    (tx_gso unchanged: libslirp 4.7's ip6_input refuses packets above its
    MTU with Packet Too Big);
  - Linux -> `synack --offload sink` through slirp's --forward: the other
    direction is unchanged (sha256 equal).
Skipped until the tool is built (SYNACK_TOOL)."""
import hashlib
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402

if synack_tool() is None:
    print("test_offload_slirp: skipped (synack not built; set SYNACK_TOOL)")
    sys.exit(0)
t = Checks("offload_slirp")
N = 8000000


def send_through(b, offload, ip6=False):
    """The tool sends N bytes to a new hashing server at 10.0.2.2 (this
    host's loopback), or with ip6 at fd00:5ac::2 (this host's ::1)."""
    srvport, res, th = hash_server("::1" if ip6 else "127.0.0.1")
    args = ["--connect", "127.0.0.1:%d" % b.port, "--ip", "10.0.2.15/24"]
    if offload:
        args.append("--offload")
    dst = "fd00:5ac::2" if ip6 else "10.0.2.2"
    rc, out, err = run_tool(args + ["send", dst, str(srvport), "--bytes", str(N), "--seed", "5"])
    th.join(30)
    got = {"sha256": res.get("sha"), "bytes": res.get("n")}
    try:
        js = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        js = {}
    return rc, js, got, err


# any port of this host: the server's port is chosen by the kernel
b = Bridge("--slirp", "--offload", "--allow", "10.0.2.2:*", "--allow", "[::1]:*",
           "--rate-fps", "0", "--rate-bps", "0")
try:
    rc, js, got, err = send_through(b, True)
    t.check("offload send through slirp: exit 0", rc == 0, "rc=%s %s" % (rc, err[-400:]))
    t.check("the tool saw the agreement", "takes super-frames" in err, err[-300:])
    t.check("all %d bytes arrived, sha256 equal" % N,
            got.get("bytes") == N and got.get("sha256") == js.get("sha256"), "%s %s" % (got, js))
    _, totals = b.stats()
    gso, sup = int(totals.get("tx_gso", 0)), int(totals.get("rx_super", 0))
    t.check("super-frames went into slirp whole (tx_gso %d > 0)" % gso, gso > 0, str(totals))
    t.check("each one was a checked super-frame (rx_super %d >= tx_gso)" % sup, sup >= gso, str(totals))

    rc, js, got, err = send_through(b, False)
    t.check("plain send on the same bridge: exit 0", rc == 0, "rc=%s %s" % (rc, err[-400:]))
    t.check("plain: all bytes, sha256 equal",
            got.get("bytes") == N and got.get("sha256") == js.get("sha256"), "%s %s" % (got, js))
    _, totals2 = b.stats()
    t.check("plain: no new super-frames", int(totals2.get("tx_gso", 0)) == gso, str(totals2))

    rc, js, got, err = send_through(b, True, ip6=True)
    t.check("offload send over IPv6 through slirp: exit 0", rc == 0, "rc=%s %s" % (rc, err[-400:]))
    t.check("IPv6: the tool saw the agreement", "(IPv6: takes" in err, err[-300:])
    t.check("IPv6: all %d bytes arrived at ::1, sha256 equal" % N,
            got.get("bytes") == N and got.get("sha256") == js.get("sha256"), "%s %s" % (got, js))
    _, totals3 = b.stats()
    sup3 = int(totals3.get("rx_super", 0))
    t.check("IPv6: super-frames taken (%d new)" % (sup3 - int(totals2.get("rx_super", 0))),
            sup3 - int(totals2.get("rx_super", 0)) >= 10, str(totals3))
    t.check("IPv6: cut for slirp, none given whole", int(totals3.get("tx_gso", 0)) == gso, str(totals3))
finally:
    b.cleanup()

# the other direction: Linux -> the tool through --forward (slirp sends MSS-sized frames)
fwd = free_port()
b = Bridge("--slirp", "--offload", "--forward", "tcp:127.0.0.1:%d:10.0.2.15:7000" % fwd,
           "--rate-fps", "0", "--rate-bps", "0")
try:
    sink = subprocess.Popen([synack_tool(), "--connect", "127.0.0.1:%d" % b.port, "--ip", "10.0.2.15/24",
                             "--offload", "sink", "7000", "--count", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
    body = os.urandom(3000000)
    sent = False
    deadline = time.time() + 10
    while time.time() < deadline and not sent:
        try:
            with socket.create_connection(("127.0.0.1", fwd), timeout=5) as s:
                s.sendall(body)
            sent = True
        except OSError:
            time.sleep(0.2)
    try:
        sout, serr = sink.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        sink.kill()
        sout, serr = sink.communicate()
    t.check("Linux -> tool through slirp: sent", sent)
    try:
        jr = json.loads(sout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        jr = {}
    t.check("Linux -> tool: sink exit 0, sha256 equal",
            sink.returncode == 0 and jr.get("sha256") == hashlib.sha256(body).hexdigest(),
            "rc=%s %s %s" % (sink.returncode, jr, serr.decode(errors="replace")[-300:]))
finally:
    b.cleanup()
t.done()
