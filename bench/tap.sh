#!/usr/bin/env bash
# Item 3 of bench/run.sh: synack against the Linux kernel over a TAP device
# in a network namespace of our own, MTU 1500, both directions, and the raw
# TAP frame ceiling (bench_tap_ceiling) on the same TAP in the same run.
#   bench/tap.sh BUILD_DIR RAW_DIR SECONDS      (root)
# Writes RAW_DIR/tap_ceiling.json; tap_send.json and tap_sink.json (the
# stack alone: bench_tap_bulk, a fixed pattern); tap_cli_send.json and
# tap_cli_sink.json (the `synack` tool's send/sink, which also generate a
# seeded stream and hash it with SHA-256). Every process it starts is
# stopped by its own PID; the namespace is removed.
# SYNACK_TAP_OFFLOAD=1 (the default, as in the synack tool) asks for TAP
# receive offload in bench_tap_bulk and the tool (64 KB TCP super-frames,
# host/native/tap.c; plain frames where the kernel refuses it); 0 uses plain
# frames. bench_tap_bulk's JSON says which it got.
# socat moves 128 KB per read/write (-b; its default is 8 KB): with 8 KB
# writes the Linux sender, not synack, was the limit of the receive
# direction (~1.7 instead of ~3.7 Gbit/s with plain frames). SOCAT_B=8192
# gives the old setting. The sender reads /dev/zero (readbytes=N): a new
# sparse file, as before, cost the sender a page-cache fill per run and
# held the receive direction to ~2.5 Gbit/s even with offload.
set -uo pipefail
build=$1 raw=$2 secs=$3
offload=${SYNACK_TAP_OFFLOAD:-1}
export SYNACK_TAP_OFFLOAD=$offload
# SYNACK_TAP_GSO=N (default 65535, as in the synack tool; 0 = off):
# bench_tap_bulk sends new TCP data as GSO packets of up to N bytes that
# the kernel cuts into MSS-sized segments (needs the offload above).
gso=${SYNACK_TAP_GSO:-65535}
export SYNACK_TAP_GSO=$gso # the tool: 0 off, anything else on
SOCAT_B=${SOCAT_B:-131072}
synack="$build/host/native/synack"
ceiling="$build/bench/bench_tap_ceiling"
bulk="$build/bench/bench_tap_bulk"
NS="synack-bench-$$"
K=10.78.0.1 S=10.78.0.2
work=$(mktemp -d /tmp/synack-bench.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if ip netns pids "$NS" >/dev/null 2>&1; then
    for pid in $(ip netns pids "$NS"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
exec 2>>"$raw/tap.err"
for b in "$synack" "$ceiling" "$bulk"; do [ -x "$b" ] || { echo "tap: $b missing" >&2; exit 1; }; done

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap || exit 1
ip -n "$NS" addr add "$K/24" dev tap0
ip -n "$NS" link set tap0 up
inns() { ip netns exec "$NS" "$@"; }

# the ceiling: frames written as fast as one process can
inns timeout 60 "$ceiling" --tap tap0 --src "$S" --dst "$K" --seconds "$secs" >"$raw/tap_ceiling.json" || exit 1

# Linux sink and sender (socat) for one transfer each way:
#   transfer LABEL BYTES SEND-COMMAND... -- SINK-COMMAND...
sink_linux() { # LABEL PORT CMD...: CMD sends to the kernel's sink on PORT
  local label=$1 port=$2; shift 2
  inns timeout 120 socat -b "$SOCAT_B" -u "TCP-LISTEN:$port,bind=$K,reuseaddr" /dev/null &
  local sp=$!
  pids+=("$sp")
  for _ in $(seq 100); do inns ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.05; done
  inns timeout 120 "$@" >"$raw/$label.json" || return 1
  wait "$sp" 2>/dev/null
  return 0
}
source_linux() { # LABEL PORT BYTES CMD...: CMD sinks what the kernel sends to PORT
  local label=$1 port=$2 n=$3; shift 3
  : >"$work/sink.err"
  inns timeout 120 "$@" >"$raw/$label.json" 2>"$work/sink.err" &
  local sinkpid=$!
  pids+=("$sinkpid")
  for _ in $(seq 100); do grep -q "listening on" "$work/sink.err" 2>/dev/null && break; sleep 0.05; done
  inns timeout 120 socat -b "$SOCAT_B" -u "OPEN:/dev/zero,readbytes=$n" "TCP:$S:$port" || return 1
  for _ in $(seq 600); do kill -0 "$sinkpid" 2>/dev/null || break; sleep 0.1; done
  wait "$sinkpid" || return 1
}

# the stack alone (about `secs` seconds at 16 Gbit/s; send offload goes
# faster, so a run is never shorter than a fraction of a second)
big=$(python3 -c "print(int(float('$secs') * 2e9))")
sink_linux tap_send 5002 "$bulk" --tap tap0 --ip "$S" --offload "$offload" --gso "$gso" send "$K" 5002 --bytes "$big" || exit 1
source_linux tap_sink 5001 "$big" "$bulk" --tap tap0 --ip "$S" --offload "$offload" sink 5001 || exit 1

# the synack tool (seeded stream + SHA-256 in the loop)
small=$(python3 -c "print(int(float('$secs') * 1e8))")
addr=(--tap tap0 --ip "$S/24")
sink_linux tap_cli_send 5004 "$synack" "${addr[@]}" send "$K" 5004 --bytes "$small" || exit 1
source_linux tap_cli_sink 5003 "$small" "$synack" "${addr[@]}" sink 5003 --count 1 || exit 1
for f in tap_cli_send tap_cli_sink; do
  python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read().strip().splitlines()[-1]); o["bench"]=sys.argv[2]; print(json.dumps(o))' \
    "$raw/$f.json" "$f" >"$work/x" && mv "$work/x" "$raw/$f.json"
done
