#!/usr/bin/env bash
# The offload exchange through slirp with the native tool (issue 16):
# `synack [--offload] send` of N bytes (default 100 MB) -> synack-bridge
# --slirp [--offload] -> socat on this host's loopback (10.0.2.2), for one
# or more bridge builds, ROUNDS rounds (default 3) interleaved, the order
# reversed every other round. Prints one line per trial (the tool's JSON
# without its SHA-256, the bridge's rx_super / tx_gso totals: tx_gso counts
# super-frames given to slirp whole) and the median Mbit/s of each variant.
# No root needed; not part of make bench.
#   bench/offload_slirp.sh BUILD_DIR [ROUNDS]
#   BRIDGES="old=PATH new=PATH"   bridges to compare (default: BUILD_DIR's)
#   N=BYTES                       bytes per transfer
# Every variant runs with --offload; "plain" (BUILD_DIR's bridge, neither
# end asking) runs beside them.
set -uo pipefail
B=${1:?usage: bench/offload_slirp.sh BUILD_DIR [ROUNDS]}; rounds=${2:-3}
T=$B/host/native/synack N=${N:-100000000}
bridges=${BRIDGES:-"cur=$B/host/bridge/synack-bridge"}
tmp=$(mktemp -d /tmp/synack-offslirp.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

trial() { # NAME BRIDGE OFFLOAD(0|1)
  local name=$1 br=$2 fl=()
  [ "$3" = 1 ] && fl=(--offload)
  : >"$tmp/bridge.err"
  "$br" --listen 127.0.0.1:0 --slirp --allow '10.0.2.2:*' --rate-fps 0 --rate-bps 0 "${fl[@]}" 2>"$tmp/bridge.err" &
  local bp=$!
  pids+=("$bp")
  for _ in $(seq 100); do grep -q "listening on" "$tmp/bridge.err" && break; sleep 0.05; done
  local port sport
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$tmp/bridge.err" | head -n1)
  sport=$(free_port)
  timeout 120 socat -b 131072 -u "TCP-LISTEN:$sport,bind=127.0.0.1,reuseaddr" /dev/null &
  local sp=$!
  pids+=("$sp")
  for _ in $(seq 100); do ss -Hltn "sport = :$sport" | grep -q . && break; sleep 0.05; done
  local s
  s=$(timeout 120 "$T" --connect "127.0.0.1:$port" --ip 10.0.2.15/24 "${fl[@]}" send 10.0.2.2 "$sport" --bytes "$N" 2>/dev/null | tail -n 1)
  wait "$sp" 2>/dev/null
  kill -USR1 "$bp"
  for _ in $(seq 50); do grep -q "totals" "$tmp/bridge.err" && break; sleep 0.05; done
  local tot
  tot=$(grep "totals" "$tmp/bridge.err" | tail -n 1)
  kill "$bp"; wait "$bp" 2>/dev/null
  echo "$name $(echo "$s" | sed 's/"sha256":"[0-9a-f]*",//') rx_super=$(echo "$tot" | sed -n 's/.* rx_super=\([0-9]*\).*/\1/p') tx_gso=$(echo "$tot" | sed -n 's/.* tx_gso=\([0-9]*\).*/\1/p')" | tee -a "$tmp/all"
}

names=()
for b in $bridges; do names+=("$b"); done
for r in $(seq "$rounds"); do
  order=("${names[@]}")
  if [ $((r % 2)) = 0 ]; then
    order=()
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+=("${names[i]}"); done
  fi
  for b in "${order[@]}"; do trial "${b%%=*}" "${b#*=}" 1; done
  trial plain "$B/host/bridge/synack-bridge" 0
done
python3 - "$tmp/all" <<'PY'
import json, statistics, sys
by = {}
for line in open(sys.argv[1]):
    name, rest = line.split(" ", 1)
    o = json.loads(rest[:rest.index("}") + 1])
    by.setdefault(name, []).append(o["mbit_per_s"])
for name, v in by.items():
    print(f"median {name}: {statistics.median(v):.0f} Mbit/s ({', '.join(f'{x:.0f}' for x in v)})")
PY
