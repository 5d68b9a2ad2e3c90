#!/usr/bin/env python3
"""Run by test_offload_tap.sh inside its namespace: TAP sbof0 (10.78.0.1
on the Linux side). The offload exchange end to end: `synack --offload`
sends to and receives from Linux through `synack-bridge --offload --tap`
(SHA-256 equal, the bridge agreed, super-frames were cut), next to an old
QEMU-framed client that must never see an offload frame (the bridge
cuts Linux's TSO super-frames for it and for plain tools); the same tool
against a bridge without --offload (HELLO dropped as by an old bridge)
and a plain tool against the offloading bridge work unchanged."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from offload_tap_lib import SIZE, OffloadTap, check_metrics, drain, offload_bridge, offload_frames  # noqa: E402

LINUX, OLD = "10.78.0.1", "10.78.0.2"
t = Checks("offload_tap")
if synack_tool() is None:
    t.check("synack tool built", False)
    t.done()
v4 = OffloadTap(t, LINUX, lambda b, ip, extra: ["--connect", "127.0.0.1:%d" % b.port, "--ip", ip + "/24"] + extra)

b, MP = offload_bridge("sbof0")
try:
    old = Client(b.port)  # QEMU -netdev stream framing, never says HELLO
    b.wait_active(1)
    old.send(arp_request(mac(1), OLD, LINUX))
    t.check("the old client reaches Linux",
            old.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)

    err = v4.send_to_linux(b, ["--offload"], "10.78.0.4", "synack --offload")
    t.check("the bridge agreed (the tool says so)", "offload: the bridge takes super-frames" in err, err[-300:])
    ports, totals = b.stats()
    nsuper = int(totals["rx_super"])
    # 8 MB in super-frames of up to ~45 pieces: at least 8e6/65000 of them.
    t.check("the bridge took super-frames (%d) and cut them" % nsuper, nsuper >= SIZE // 65000, str(totals))
    t.check("the TAP was handed every piece (%s)" % ports[0]["tx_frames"],
            int(ports[0]["tx_frames"]) >= SIZE // 1460, str(ports[0]))
    t.check("super-frames went to the TAP whole with GSO (%s of %d)" % (totals["tx_gso"], nsuper),
            int(totals["tx_gso"]) >= nsuper // 2, str(totals))
    v4.receive_from_linux(b, ["--offload"], "10.78.0.5", "synack --offload")
    ports, totals = b.stats()
    tsup = int(totals["tx_super"])
    # Linux's TSO super-frames reached it whole (2 MB: dozens at least).
    t.check("Linux's super-frames passed whole to the agreeing client (%d)" % tsup, tsup >= 10, str(totals))
    v4.send_to_linux(b, [], "10.78.0.6", "plain synack --connect")
    v4.receive_from_linux(b, [], "10.78.0.8", "plain synack --connect (Linux's super-frames cut for it)")
    t.check("no super-frame to the plain client", int(b.stats()[1]["tx_super"]) == tsup)

    seen = drain(old)
    bad = offload_frames(seen)
    t.check("the old client never saw an offload frame (%d frames seen)" % len(seen), not bad)
    old.send(arp_request(mac(1), OLD, LINUX))
    t.check("the old client still works after the others",
            old.recv_match(lambda e: e.haslayer(ARP) and e[ARP].op == 2) is not None)
    t.check("the plain tool sent no super-frame", int(b.stats()[1]["rx_super"]) == nsuper)
    check_metrics(t, b, MP)
finally:
    b.cleanup()

b = Bridge("--tap", "sbof0", "--rate-fps", "0", "--rate-bps", "0")  # no --offload: as an old bridge
try:
    err = v4.send_to_linux(b, ["--offload"], "10.78.0.7", "synack --offload to a bridge without it")
    t.check("no agreement: the tool cut its super-frames itself", "takes super-frames" not in err, err[-300:])
    ports, totals = b.stats()
    t.check("no super-frame reached the bridge", int(totals["rx_super"]) == 0 and int(totals["tx_gso"]) == 0, str(totals))
finally:
    b.cleanup()
t.done()
