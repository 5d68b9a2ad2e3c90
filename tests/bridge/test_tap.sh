#!/usr/bin/env bash
# The TAP backend, inside a network namespace made here: a TAP device
# 10.77.0.1/24 on the Linux side, the bridge on it, and tap_inner.py as
# the stream clients (ARP, ping, a TCP handshake and data to a Linux
# server, UDP both ways, a spoofed source that must not arrive). Needs
# root; skipped (passes) otherwise. The namespace is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "test_tap: skipped (needs root and iproute2)"
  exit 0
fi
ns="sbtap$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev sbtap0 mode tap
ip netns exec "$ns" ip addr add 10.77.0.1/24 dev sbtap0
ip netns exec "$ns" ip link set sbtap0 up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbtap0.disable_ipv6=1 || true
ip netns exec "$ns" timeout -s TERM 90 "$py" "$here/tap_inner.py"
