#!/usr/bin/env bash
# The offload exchange for TCP/IPv6 (core/link/offload.h GSO_TCPV6,
# synack-bridge --offload with TUN_F_TSO6) end to end through a TAP device
# in a network namespace made here (offload_tap6_inner.py). Needs root;
# skipped (passes) otherwise. The namespace is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "test_offload_tap6: skipped (needs root and iproute2)"
  exit 0
fi
ns="sbo6$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev sbo60 mode tap
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbo60.accept_dad=0
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbo60.accept_ra=0
ip netns exec "$ns" ip addr add fd00:78::1/64 dev sbo60 nodad
ip netns exec "$ns" ip link set sbo60 up
ip netns exec "$ns" timeout -s TERM 150 "$py" "$here/offload_tap6_inner.py"
