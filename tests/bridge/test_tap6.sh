#!/usr/bin/env bash
# IPv6 through the TAP backend, inside a network namespace made here: a
# TAP device fd77::1/64 on the Linux side, the bridge on it, and
# tap6_inner.py as two stream clients (DAD, ping both ways with Linux's
# neighbor solicitations answered, UDP to a Linux socket, a source owned
# by the other client that must not arrive). Needs root; skipped (passes)
# otherwise. The namespace is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-/usr/bin/python3}"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "test_tap6: skipped (needs root and iproute2)"
  exit 0
fi
ns="sbtap6$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev sbtap6 mode tap
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbtap6.disable_ipv6=0
ip netns exec "$ns" ip addr add fd77::1/64 dev sbtap6 nodad
ip netns exec "$ns" ip link set sbtap6 up
ip netns exec "$ns" timeout -s TERM 90 "$py" "$here/tap6_inner.py"
