#!/usr/bin/env bash
# The offload exchange (core/link/offload.h, synack-bridge --offload) end
# to end through a TAP device in a network namespace made here
# (offload_tap_inner.py). Needs root; skipped (passes) otherwise. The
# namespace is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "test_offload_tap: skipped (needs root and iproute2)"
  exit 0
fi
ns="sbof$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev sbof0 mode tap
ip netns exec "$ns" ip addr add 10.78.0.1/24 dev sbof0
ip netns exec "$ns" ip link set sbof0 up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbof0.disable_ipv6=1 || true
ip netns exec "$ns" timeout -s TERM 150 "$py" "$here/offload_tap_inner.py"
