#!/usr/bin/env bash
# The JavaScript WebSocketLink from Node against the bridge's own
# WebSocket endpoint (--listen-ws), end to end through a TAP device in a
# network namespace made here (ws_tap.mjs: an echo through Linux, SHA-256
# checked), then again with --offload and a link that asks for it, and
# both over IPv6 (TCP/IPv6 super-frames both ways with --offload). Needs
# root and SYNACK_JS (run-all.sh builds it); skipped
# (passes) without root, like test_tap.sh. Everything started is stopped
# by its PID; the namespace is removed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
  echo "test_ws_tap: skipped (needs root and iproute2)"
  exit 0
fi
: "${SYNACK_JS:?SYNACK_JS must name the built synack.mjs (run-all.sh sets it)}"
: "${SYNACK_BRIDGE:?SYNACK_BRIDGE must name synack-bridge}"
ns="sbwstap$$"
log=$(mktemp /tmp/sbwstap.XXXXXX)
bpid=""
cleanup() {
  [ -n "$bpid" ] && { kill "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null; }
  ip netns del "$ns" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev sbws0 mode tap
ip netns exec "$ns" ip addr add 10.79.0.1/24 dev sbws0
ip netns exec "$ns" ip link set sbws0 up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbws0.disable_ipv6=1 || true
run_case() { # WS_OFFLOAD, bridge options... (WS_IP6 from the environment)
  local off="$1"; shift
  : >"$log"
  ip netns exec "$ns" "$SYNACK_BRIDGE" --listen-ws 127.0.0.1:0 --tap sbws0 "$@" 2>"$log" &
  bpid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*websockets at [^ ]*:\([0-9]*\) .*/\1/p' "$log" | head -n1)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "test_ws_tap: bridge did not start"; cat "$log"; exit 1; }
  ip netns exec "$ns" env WS_OFFLOAD="$off" WS_IP6="${WS_IP6:-0}" timeout -s TERM 60 node --experimental-websocket \
    --no-warnings "$here/ws_tap.mjs" "ws://127.0.0.1:$port/"
  grep -q "reason=framing" "$log" || { echo "test_ws_tap: FAIL the bridge did not log the framing close"; cat "$log"; exit 1; }
  echo "  ok   the bridge logged reason=framing"
  kill "$bpid"; wait "$bpid" 2>/dev/null || true
  bpid=""
}
run_case 0
# Offload across the link (synack-bridge --offload, core/link/offload.h).
run_case 1 --offload --rate-fps 0 --rate-bps 0
# Over IPv6: Linux gets fd00:79::1 (no DAD wait), the stack fd00:79::2.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.sbws0.disable_ipv6=0
ip netns exec "$ns" ip -6 addr add fd00:79::1/64 dev sbws0 nodad
WS_IP6=1 run_case 0
WS_IP6=1 run_case 1 --offload --rate-fps 0 --rate-bps 0
echo "test_ws_tap: passed"
