#!/usr/bin/env python3
"""Throughput under abuse: two `synack --connect` clients move 20 MB
through the bridge (send/sink, SHA-256 and byte counts equal), first
alone, then while a third client floods broadcasts as fast as it can and
a fourth connects and never reads. The bridge's per-client limits and
bounded queues must keep the honest pair's throughput: at least a quarter
of what it was alone (a wide margin: the machine is shared), and the
flooder must have been rate-limited."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from bridgelib import _die_with_parent  # noqa: E402

if synack_tool() is None:
    print("test_fairness: needs the synack tool (set SYNACK_TOOL)")
    sys.exit(1)
BYTES = 20_000_000
t = Checks("fairness")


def transfer(bridge, label):
    """20 MB from one synack client to another; returns Mbit/s or None."""
    sink = subprocess.Popen([synack_tool(), "--connect", bridge, "--ip", "10.0.2.60/24",
                             "--mac", "02:00:00:00:06:60", "sink", "7000", "--count", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_die_with_parent)
    try:
        time.sleep(0.5)
        rc, out, err = run_tool(["--connect", bridge, "--ip", "10.0.2.61/24", "--mac",
                                 "02:00:00:00:06:61", "send", "10.0.2.60", "7000",
                                 "--bytes", str(BYTES), "--seed", "3"], timeout=120)
        sout, serr = sink.communicate(timeout=60)
    finally:
        if sink.poll() is None:
            sink.kill()
            sink.communicate()
    t.check("%s: send and sink exit 0" % label, rc == 0 and sink.returncode == 0,
            "send rc=%s %s / sink rc=%s %s" % (rc, err[-200:], sink.returncode, serr[-200:]))
    try:
        js = json.loads(out.decode().strip().splitlines()[-1])
        jr = json.loads(sout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        t.check("%s: send/sink printed JSON" % label, False, "%s: %r %r" % (e, out[-200:], sout[-200:]))
        return None
    t.check("%s: %d bytes, SHA-256 equal" % (label, BYTES),
            js["bytes"] == BYTES == jr["bytes"] and js["sha256"] == jr["sha256"], "%s %s" % (js, jr))
    print("  %s: %.1f Mbit/s" % (label, js["mbit_per_s"]))
    return js["mbit_per_s"]


b = Bridge()
flood = None
try:
    bridge = "127.0.0.1:%d" % b.port
    alone = transfer(bridge, "alone")

    flooder = Client(b.port)
    sleeper = Client(b.port)  # never reads
    flood = Flooder(flooder, 120)
    flood.start()
    time.sleep(0.5)
    loaded = transfer(bridge, "during flood")
    flood.stop()
    if alone and loaded:
        t.check("throughput during the flood at least 1/4 of alone (%.1f vs %.1f Mbit/s)"
                % (loaded, alone), loaded >= alone / 4)
    ports, _ = b.stats()
    limited = [p for p in ports.values() if int(p.get("drop_rate", 0)) > 0]
    t.check("the flooder was rate-limited", len(limited) >= 1, str(ports))
    t.check("bridge alive", b.alive())
finally:
    if flood is not None:
        flood.stop()
    b.cleanup()
t.done()
