#!/usr/bin/env python3
"""End to end with the `synack` tool (skipped until it is built):
  - slirp: `synack --connect BRIDGE get http://10.0.2.2:PORT/file` (DHCP)
    returns the file byte for byte (sha256);
  - slirp: a host port not in --allow is refused, and no connection
    reaches the host;
  - slirp over IPv6: SLAAC from slirp's router advertisement, then
    `get http://[fd00:5ac::2]:PORT/file` from a server on ::1 (sha256),
    and a port outside --allow refused;
  - two `synack --connect` clients exchange a seeded TCP stream through
    the bridge (send/sink, sha256 and byte counts equal)."""
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402

if synack_tool() is None:
    print("test_tool: skipped (synack not built; set SYNACK_TOOL)")
    sys.exit(0)
print("test_tool: %s" % synack_tool())
t = Checks("tool")

# --- slirp fetch and refusal -------------------------------------------------
www = tempfile.mkdtemp(prefix="bridge-www-")
body = os.urandom(1 << 20)
with open(os.path.join(www, "file"), "wb") as f:
    f.write(body)
HTTP = free_port()
httpd = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                          "--directory", www, str(HTTP)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=_die_with_parent)
closed = socket.socket()
closed.bind(("127.0.0.1", 0))
closed.listen(1)
closed.settimeout(0.5)
CLOSED = closed.getsockname()[1]
b = Bridge("--slirp", "--allow", "10.0.2.2:%d" % HTTP)
try:
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", HTTP), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    bridge = "127.0.0.1:%d" % b.port
    rc, out, err = run_tool(["--connect", bridge, "get", "http://10.0.2.2:%d/file" % HTTP])
    t.check("get through slirp: exit 0", rc == 0, "rc=%s %s" % (rc, err[-500:]))
    t.check("get through slirp: sha256 equal (%d bytes)" % len(out),
            hashlib.sha256(out).hexdigest() == hashlib.sha256(body).hexdigest())

    rc, out, err = run_tool(["--connect", bridge, "get", "http://10.0.2.2:%d/" % CLOSED], timeout=60)
    t.check("port not in --allow: exit 1, refused", rc == 1 and "refused" in err.lower(), "rc=%s %s" % (rc, err[-300:]))
    try:
        closed.accept()
        t.check("no connection reached the host port", False)
    except socket.timeout:
        t.check("no connection reached the host port", True)
    ports, totals = b.stats()
    t.check("the bridge answered with a RST", any(int(p.get("rst_sent", 0)) >= 1 for p in ports.values())
            or "rst_sent=1" in b.text(), str(totals))
finally:
    b.cleanup()
    httpd.terminate()
    httpd.wait(5)
    shutil.rmtree(www, ignore_errors=True)

# --- slirp over IPv6: SLAAC, a fetch from ::1, a refusal ----------------------
www = tempfile.mkdtemp(prefix="bridge-www6-")
body = os.urandom(1 << 20)
with open(os.path.join(www, "file"), "wb") as f:
    f.write(body)
HTTP6 = free_port()
httpd = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "::1",
                          "--directory", www, str(HTTP6)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=_die_with_parent)
# the bridge listens on ::1 only: the tool's --connect takes an IPv6
# literal (getaddrinfo, either family), not just IPv4
b = Bridge("--slirp", "--allow", "[::1]:%d" % HTTP6, "--listen", "[::1]:0")
try:
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("::1", HTTP6), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    t.check("the bridge listens on [::1]", "listening on [::1]:%d" % b.port in b.text(), b.text()[:300])
    bridge = "[::1]:%d" % b.port
    rc, out, err = run_tool(["--connect", bridge, "get", "http://[fd00:5ac::2]:%d/file" % HTTP6])
    t.check("IPv6 get through slirp (SLAAC): exit 0", rc == 0, "rc=%s %s" % (rc, err[-500:]))
    t.check("IPv6 get through slirp: sha256 equal (%d bytes)" % len(out),
            hashlib.sha256(out).hexdigest() == hashlib.sha256(body).hexdigest())
    t.check("the tool got a SLAAC address in fd00:5ac::/64", "fd00:5ac:" in err and "(slaac)" in err, err[-300:])
    rc, out, err = run_tool(["--connect", bridge, "get", "http://[fd00:5ac::2]:%d/" % CLOSED], timeout=60)
    t.check("IPv6 port not in --allow: exit 1, refused", rc == 1 and "refused" in err.lower(),
            "rc=%s %s" % (rc, err[-300:]))
    # each client's counters are printed when it leaves
    gone = [parse_kv(l) for l in b.text().splitlines() if "synack-bridge: stats port=" in l
            and "port=0 " not in l]
    t.check("two clients seen, neither with anti-spoofing drops (honest IPv6 stacks)",
            len(gone) >= 2 and all(p["drop_spoof_ip"] == "0" and p["drop_spoof_nd"] == "0"
                                   and p["drop_spoof_mac"] == "0" for p in gone),
            str(gone))
finally:
    b.cleanup()
    httpd.terminate()
    httpd.wait(5)
    shutil.rmtree(www, ignore_errors=True)

# --- two clients through the bridge -----------------------------------------
b = Bridge()
try:
    bridge = "127.0.0.1:%d" % b.port
    sink = subprocess.Popen([synack_tool(), "--connect", bridge, "--ip", "10.0.2.50/24",
                             "--mac", "02:00:00:00:05:50", "sink", "7000", "--count", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_die_with_parent)
    time.sleep(0.5)
    rc, out, err = run_tool(["--connect", bridge, "--ip", "10.0.2.51/24", "--mac", "02:00:00:00:05:51",
                             "send", "10.0.2.50", "7000", "--bytes", "3000000", "--seed", "7"])
    try:
        sout, serr = sink.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        sink.kill()
        sout, serr = sink.communicate()
    t.check("send: exit 0", rc == 0, "rc=%s %s" % (rc, err[-300:]))
    t.check("sink: exit 0", sink.returncode == 0, "rc=%s %s" % (sink.returncode, serr[-300:]))
    try:
        js, jr = json.loads(out.decode().strip().splitlines()[-1]), json.loads(sout.decode().strip().splitlines()[-1])
        t.check("3000000 bytes both ways counted", js["bytes"] == 3000000 and jr["bytes"] == 3000000, "%s %s" % (js, jr))
        t.check("sha256 equal", js["sha256"] == jr["sha256"], "%s %s" % (js, jr))
    except (ValueError, KeyError, IndexError) as e:
        t.check("send/sink printed JSON", False, "%s: %r %r" % (e, out[-300:], sout[-300:]))
    ports, _ = b.stats()
    t.check("no anti-spoofing drops for honest stacks",
            all(p["drop_spoof_mac"] == "0" and p["drop_spoof_ip"] == "0" for p in ports.values()), str(ports))
finally:
    b.cleanup()
t.done()
