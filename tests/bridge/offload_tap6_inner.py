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
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from offload_tap_lib import SIZE, OffloadTap, check_metrics, drain, offload_bridge, offload_frames  # noqa: E402

LINUX = "fd00:78::1"
t = Checks("offload_tap6")
if synack_tool() is None:
    t.check("synack tool built", False)
    t.done()


def tool_args(b, ip6, extra):
    # IPv4 on too (static, no DHCP): the IPv6 path must be chosen by the
    # destination, not by the absence of IPv4
    return (["--connect", "127.0.0.1:%d" % b.port, "--ip", "10.79.0.%s/24" % ip6.rsplit(":", 1)[1],
             "--ip6", ip6 + "/64"] + extra)


v6 = OffloadTap(t, LINUX, tool_args, over=" over IPv6")

b, MP = offload_bridge("sbo60")
try:
    old = Client(b.port)  # QEMU -netdev stream framing, never says HELLO
    b.wait_active(1)

    err = v6.send_to_linux(b, ["--offload"], "fd00:78::4", "synack --offload")
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
    v6.receive_from_linux(b, ["--offload"], "fd00:78::5", "synack --offload")
    ports, totals = b.stats()
    tsup = int(totals["tx_super"])
    t.check("Linux's TSO6 super-frames passed whole to the agreeing client (%d)" % tsup,
            tsup >= 10, str(totals))
    v6.receive_from_linux(b, [], "fd00:78::8", "plain synack --connect (Linux's IPv6 super-frames cut for it)")
    _, tot2 = b.stats()
    t.check("no super-frame to the plain client", int(tot2["tx_super"]) == tsup, str(tot2))
    v6.send_to_linux(b, [], "fd00:78::6", "plain synack --connect")
    t.check("the plain tool sent no super-frame", int(b.stats()[1]["rx_super"]) == nsuper)

    seen = drain(old)
    bad = offload_frames(seen)
    big = [f for f in seen if len(f) > 1514]
    t.check("the old client never saw an offload frame nor one above 1514 bytes (%d frames seen)"
            % len(seen), not bad and not big)
    check_metrics(t, b, MP)
finally:
    b.cleanup()
t.done()
