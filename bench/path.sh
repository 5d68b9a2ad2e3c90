#!/usr/bin/env bash
# The browser's real path (issue 16), from Node with the same synack.mjs a
# page loads (bench/path.mjs): WebSocketLink -> websockify (or the bridge's
# own --listen-ws) -> synack-bridge -> TAP -> Linux (socat in a namespace
# of our own), and -> --slirp -> socat on this host's loopback; both
# directions; beside the TAP frame ceiling (bench_tap_ceiling) of the same
# run. Per-client rate limits are lifted (--rate-fps 0 --rate-bps 0).
#   bench/path.sh BUILD_DIR MODULE RAW_DIR      (root for the TAP part)
# Writes RAW_DIR/path_*.json (one line each) and path_ceiling.json.
#   PATH_BYTES=N           bytes per transfer (default 100 MB)
#   PATH_VARIANTS="a=BRIDGE,MODULE b=BRIDGE,MODULE,offload"
#                          compare builds side by side, interleaved in one
#                          run (default: cur=BUILD_DIR's bridge,MODULE);
#                          ",offload": the bridge runs with --offload and
#                          the client asks for it (core/link/offload.h);
#                          ",ws": Node uses the npm package ws (with
#                          bufferutil) instead of its built-in WebSocket
#   PATH_BACKENDS="tap slirp"   PATH_ENDPOINTS="websockify bridge"
#   PATH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR"   extra flags for node
#   PATH_TCP_BUFFER=N      the client stack's TCP buffers (default 256 KiB)
#   PATH_TCP_INFO=1        medians of flight, cwnd, srtt, sndbuf, rcv_wnd
#   PATH_CLIENTS="node chromium"  (chromium: bench/path_chromium.mjs, a page
#                          in headless /usr/bin/chromium via playwright-core;
#                          left out when either is missing)
# Every process it starts is stopped by its own PID; the namespace goes.
set -uo pipefail
build=$1 module=$2 raw=$3
bytes=${PATH_BYTES:-100000000}
variants=${PATH_VARIANTS:-cur=$build/host/bridge/synack-bridge,$module}
backends=${PATH_BACKENDS:-tap slirp}
endpoints=${PATH_ENDPOINTS:-websockify bridge}
clients=${PATH_CLIENTS:-node chromium}
if [[ " $clients " == *" chromium "* ]] && { [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
     [ ! -f "$(dirname "$0")/../node_modules/playwright-core/index.mjs" ]; }; then
  echo "path: chromium or playwright-core missing: Node only" >&2
  clients=${clients//chromium/}
fi
here="$(cd "$(dirname "$0")" && pwd)"
ceiling="$build/bench/bench_tap_ceiling"
NS="synack-path-$$"
K=10.78.0.1 S=10.78.0.2
work=$(mktemp -d /tmp/synack-path.XXXXXX)
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
trap 'exit 143' INT TERM # run cleanup (EXIT) when stopped from outside
exec 2>>"$raw/path.err"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop() { # PID...: stop and reap
  local p
  for p in "$@"; do kill "$p" 2>/dev/null; done
  for p in "$@"; do wait "$p" 2>/dev/null; done
}
wait_listen() { # PREFIX-CMD... PORT: until something listens on PORT
  local port=${*: -1}
  local pre=("${@:1:$#-1}")
  for _ in $(seq 100); do "${pre[@]}" ss -Hltn "sport = :$port" | grep -q . && return 0; sleep 0.05; done
  return 1
}

# one transfer: RUN-PREFIX... -- LABEL DIR HOST PORT IP URL PIDSPEC...
# (LABEL is VARIANT_BACKEND_ENDPOINT_CLIENT_DIR)
transfer() {
  local pre=()
  while [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  local label=$1 dir=$2 host=$3 port=$4 ip=$5 url=$6; shift 6
  local bind=$host
  [ "$host" = 10.0.2.2 ] && bind=127.0.0.1
  if [ "$dir" = send ]; then
    "${pre[@]}" timeout 150 socat -b 131072 -u "TCP-LISTEN:$port,bind=$bind,reuseaddr" /dev/null &
  else
    "${pre[@]}" timeout 150 socat -b 131072 -u "OPEN:/dev/zero,readbytes=$bytes" "TCP-LISTEN:$port,bind=$bind,reuseaddr" &
  fi
  local sp=$!
  pids+=("$sp")
  wait_listen "${pre[@]}" "$port" || { echo "path: socat did not listen" >&2; stop "$sp"; return 1; }
  local pidargs=() p
  for p in "$@"; do pidargs+=(--pid "$p"); done
  local client=${label%_*}
  client=${client##*_}
  local script="$here/path.mjs"
  [ "$client" = chromium ] && script="$here/path_chromium.mjs"
  # shellcheck disable=SC2086
  if "${pre[@]}" timeout 150 node --experimental-websocket --no-warnings ${PATH_NODE_FLAGS:-} "$script" --module "$mod" \
       --url "$url" --ip "$ip" --host "$host" --port "$port" --dir "$dir" --bytes "$bytes" \
       --label "$label" ${offload:+--offload 1} ${nodews:+--ws ws} "${pidargs[@]}" >"$work/one.json"; then
    python3 - "$work/one.json" "$label" <<'PY' >"$raw/path_$label.json"
import json, sys
o = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
v, be, ep, cl, d = sys.argv[2].split("_")
o.update(variant=v, backend=be, endpoint=ep)
print(json.dumps(o))
PY
  else
    echo "path: $label failed" >&2
  fi
  stop "$sp"
}

# start_chain RUN-PREFIX... -- BACKEND-ARGS...: bridge (+ websockify);
# sets bport, wsport, bwsport, bpid, wspid
start_chain() {
  local pre=()
  while [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  : >"$work/bridge.err"
  local extra=()
  bwsport=""
  if "$bridge" --help 2>&1 | grep -q -- --listen-ws; then
    bwsport=$(free_port)
    extra=(--listen-ws "127.0.0.1:$bwsport")
  fi
  [ -n "$offload" ] && extra+=(--offload)
  "${pre[@]}" "$bridge" --listen 127.0.0.1:0 "${extra[@]}" --rate-fps 0 --rate-bps 0 "$@" 2>"$work/bridge.err" &
  bpid=$!
  pids+=("$bpid")
  for _ in $(seq 100); do grep -q "listening on" "$work/bridge.err" && break; sleep 0.05; done
  bport=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' "$work/bridge.err" | head -n1)
  [ -n "$bport" ] || { echo "path: bridge did not start: $(cat "$work/bridge.err")" >&2; return 1; }
  wsport=$(free_port)
  "${pre[@]}" websockify "127.0.0.1:$wsport" "127.0.0.1:$bport" >/dev/null 2>&1 &
  wspid=$!
  pids+=("$wspid")
  wait_listen "${pre[@]}" "$wsport" || { echo "path: websockify did not listen" >&2; return 1; }
  if [ -n "$bwsport" ]; then wait_listen "${pre[@]}" "$bwsport" || return 1; fi
}

run_backend() { # BACKEND VARIANT
  local be=$1 v=$2 pre=() ip host port=5100 bargs
  if [ "$be" = tap ]; then
    pre=(ip netns exec "$NS")
    bargs=(--tap tap0)
    ip=$S/24 host=$K
  else
    port=$(free_port)
    bargs=(--slirp --allow '10.0.2.2:*')
    ip=dhcp host=10.0.2.2
  fi
  start_chain "${pre[@]}" -- "${bargs[@]}" || { stop "$bpid" "${wspid:-}"; return 1; }
  local ep dir url spec
  for ep in $endpoints; do
    if [ "$ep" = websockify ]; then
      url="ws://127.0.0.1:$wsport/"
      spec=("bridge=$bpid" "websockify=$wspid")
    else
      [ -n "$bwsport" ] || continue
      url="ws://127.0.0.1:$bwsport/"
      spec=("bridge=$bpid")
    fi
    for cl in $clients; do
      # ",ws" changes only Node's WebSocket: a page has the browser's own
      [ "$cl" = chromium ] && [ -n "$nodews" ] && continue
      for dir in send recv; do
        transfer "${pre[@]}" -- "${v}_${be}_${ep}_${cl}_${dir}" "$dir" "$host" "$port" "$ip" "$url" "${spec[@]}"
        port=$((port + 1))
      done
    done
  done
  stop "$bpid" "$wspid"
}

if [[ " $backends " == *" tap "* ]]; then
  ip netns add "$NS" || exit 1
  ip -n "$NS" link set lo up
  ip -n "$NS" tuntap add dev tap0 mode tap || exit 1
  ip -n "$NS" addr add "$K/24" dev tap0
  ip -n "$NS" link set tap0 up
  if [ -x "$ceiling" ]; then
    ip netns exec "$NS" timeout 60 "$ceiling" --tap tap0 --src "$S" --dst "$K" --seconds 1 >"$raw/path_ceiling.json"
  fi
fi
for be in $backends; do
  for vs in $variants; do
    v=${vs%%=*} rest=${vs#*=}
    bridge=${rest%%,*} mod=${rest#*,} offload="" nodews=""
    while [[ "$mod" == *,offload || "$mod" == *,ws ]]; do
      case "$mod" in
        *,offload) mod=${mod%,offload} offload=1 ;;
        *,ws) mod=${mod%,ws} nodews=1 ;;
      esac
    done
    run_backend "$be" "$v"
  done
done
exit 0
