#!/usr/bin/env bash
# Plain-frame TAP receive, synack against smoltcp, in the same run (issue 16).
#   bench/tap_smoltcp.sh BUILD_DIR RAW_DIR [ROUNDS]          (root)
# Linux sends 1 GB over TCP into a user-space stack on a TAP device; the
# stack is either synack (bench_tap_bulk sink, plain frames: no receive
# offload) or smoltcp's own TAP benchmark (its examples/benchmark.rs in
# "writer" mode, unmodified, built outside the tree by
# bench/build-smoltcp.sh). Both run in one network namespace of this script
# with one TAP (tap0, 192.168.69.100/24; the stack is 192.168.69.1, the
# address smoltcp's example has built in), port 1235, and both face the same
# Linux sender: smoltcp's example brings its own client thread, and synack
# gets bench_tap_writer, a copy of that client (connect, write a zeroed
# 1,000,000-byte buffer until 1e9 bytes are taken, timed from the connect to
# the last write's return). Trials are interleaved, ROUNDS (default 3)
# rounds, the order reversed every other round; Gbit/s are the senders'
# figures, and synack's own receive-side figure is kept beside it.
#
# TAPRX_VARIANTS="old=PATH/bench_tap_bulk new=PATH/bench_tap_bulk" compares
# several synack builds with smoltcp in the same run (default: one variant,
# "synack" = BUILD_DIR/bench/bench_tap_bulk); options for a variant's
# bench_tap_bulk follow its path after commas
# ("every2=PATH/bench_tap_bulk,--ack-per-burst,0"). SMOLTCP_BIN names smoltcp's
# binary (default: bench/build-smoltcp.sh builds it once, ~1 min).
# Output: RAW_DIR/tap_smoltcp_trials.jsonl (one line per trial, with the
# frames each way counted on tap0, the frames tap0 dropped because the stack
# had not read its queue (1000 frames) in time, and the CPU seconds of the stack's process
# and the sender together) and RAW_DIR/tap_smoltcp.json (medians, ratio of
# medians and median of per-round ratios against smoltcp).
# Every process it starts is stopped by its own PID; the namespace is removed.
set -uo pipefail
build=$1 raw=$2 rounds=${3:-3}
here="$(cd "$(dirname "$0")" && pwd)"
writer="$build/bench/bench_tap_writer"
variants=${TAPRX_VARIANTS:-"synack=$build/bench/bench_tap_bulk"}
NS="synack-taprx-$$"
K=192.168.69.100 S=192.168.69.1 PORT=1235 BYTES=1000000000
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if ip netns pids "$NS" >/dev/null 2>&1; then
    for pid in $(ip netns pids "$NS"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
  fi
}
trap cleanup EXIT
mkdir -p "$raw"
exec 2>>"$raw/tap_smoltcp.err"
[ -x "$writer" ] || { echo "tap_smoltcp: $writer missing" >&2; exit 1; }
smoltcp=${SMOLTCP_BIN:-$(bash "$here/build-smoltcp.sh")} || { echo "tap_smoltcp: smoltcp build failed" >&2; exit 1; }
[ -x "$smoltcp" ] || { echo "tap_smoltcp: $smoltcp missing" >&2; exit 1; }
for v in $variants; do b=${v#*=} b=${b%%,*}; [ -x "$b" ] || { echo "tap_smoltcp: $b missing" >&2; exit 1; }; done

ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tap0 mode tap || exit 1
ip -n "$NS" addr add "$K/24" dev tap0
ip -n "$NS" link set tap0 up
inns() { ip netns exec "$NS" "$@"; }
# cpu FILE CMD...: run CMD, write the CPU seconds (user + system) of it and
# all its descendants to FILE; exit status of CMD
cpu() {
  local f=$1; shift
  python3 -c 'import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:]).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f" % (u.ru_utime + u.ru_stime))
sys.exit(rc)' "$f" "$@"
}
tapstat() { inns cat "/sys/class/net/tap0/statistics/$1"; }
trials="$raw/tap_smoltcp_trials.jsonl"
: >"$trials"

# one trial: LABEL ROUND; appends a line to $trials
trial() {
  local name=$1 round=$2 out rxp txp txd mbit sink_mbit=null
  # each stack has its own MAC: the kernel must ask again
  inns ip neigh flush dev tap0
  rxp=$(tapstat rx_packets) txp=$(tapstat tx_packets) txd=$(tapstat tx_dropped)
  if [ "$name" = smoltcp ]; then
    # smoltcp's example starts its client thread before its first poll and
    # listens only after it: a SYN that comes in that first poll (the
    # kernel still resolving the address for the last run's unanswered FIN)
    # is refused and the client panics, and its poll loop then runs until
    # the timeout (30 s: 1 GB takes under 10 s even on a busy machine).
    # Such a trial is started again.
    local try
    for try in 1 2 3; do
      inns ip neigh flush dev tap0
      out=$(cpu "$raw/tap_smoltcp.cpu1" ip netns exec "$NS" timeout 30 "$smoltcp" --tap tap0 writer) && break
      echo "tap_smoltcp: smoltcp trial failed (attempt $try)" >&2
      [ "$try" = 3 ] && return 1
      sleep 1
    done
    echo 0 >"$raw/tap_smoltcp.cpu2"
    mbit=$(sed -n 's/^throughput: \([0-9.]*\) Gbps$/\1/p' <<<"$out" | awk '{print $1 * 1000}')
  else
    local spec bin extra=()
    for v in $variants; do [ "${v%%=*}" = "$name" ] && spec=${v#*=}; done
    bin=${spec%%,*}
    [ "$bin" != "$spec" ] && IFS=, read -r -a extra <<<"${spec#*,}"
    : >"$raw/tap_smoltcp_sink.err"
    cpu "$raw/tap_smoltcp.cpu1" ip netns exec "$NS" timeout 60 "$bin" --tap tap0 --ip "$S" --offload 0 "${extra[@]}" sink "$PORT" \
      >"$raw/tap_smoltcp_sink.json" 2>"$raw/tap_smoltcp_sink.err" &
    local sp=$!
    pids+=("$sp")
    for _ in $(seq 100); do grep -q "listening on" "$raw/tap_smoltcp_sink.err" && break; sleep 0.05; done
    out=$(cpu "$raw/tap_smoltcp.cpu2" ip netns exec "$NS" timeout 60 "$writer" "$S" "$PORT" "$BYTES") || { echo "tap_smoltcp: writer failed" >&2; return 1; }
    wait "$sp" || { echo "tap_smoltcp: $name sink failed: $(cat "$raw/tap_smoltcp_sink.err")" >&2; return 1; }
    mbit=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mbit_per_s"])' "$out")
    sink_mbit=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read())["mbit_per_s"])' "$raw/tap_smoltcp_sink.json")
  fi
  [ -n "$mbit" ] || { echo "tap_smoltcp: no figure from $name: $out" >&2; return 1; }
  # tap0's tx = frames the kernel sent to the stack; rx = frames the stack wrote (ACKs)
  # CPU: the stack's process and the sender (smoltcp's sender is a thread of its process)
  local cpu_s
  cpu_s=$(python3 -c 'import sys; print(round(float(sys.argv[1]) + float(sys.argv[2]), 3))' \
    "$(cat "$raw/tap_smoltcp.cpu1")" "$(cat "$raw/tap_smoltcp.cpu2")")
  printf '{"variant":"%s","round":%d,"mbit_per_s":%s,"sink_mbit_per_s":%s,"frames_to_stack":%d,"frames_from_stack":%d,"tap_drops":%d,"cpu_s":%s}\n' \
    "$name" "$round" "$mbit" "$sink_mbit" $(($(tapstat tx_packets) - txp)) $(($(tapstat rx_packets) - rxp)) \
    $(($(tapstat tx_dropped) - txd)) "$cpu_s" >>"$trials"
  echo "tap_smoltcp: round $round $name $mbit Mbit/s" >&2
}

names=()
for v in $variants; do names+=("${v%%=*}"); done
names+=(smoltcp)
for r in $(seq "$rounds"); do
  order=("${names[@]}")
  if [ $((r % 2)) = 0 ]; then
    order=()
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+=("${names[i]}"); done
  fi
  for n in "${order[@]}"; do trial "$n" "$r" || exit 1; done
done

python3 - "$trials" "$raw/tap_smoltcp.json" "$smoltcp" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for o in rows:
    by.setdefault(o["variant"], {})[o["round"]] = o
ref = by.get("smoltcp", {})
med = lambda xs: statistics.median(xs) if xs else None
out = {"bench": "tap_smoltcp", "bytes": 1000000000, "rounds": len(ref), "smoltcp_bin": sys.argv[3],
       "smoltcp_mbit": [ref[k]["mbit_per_s"] for k in sorted(ref)],
       "smoltcp_median": med([o["mbit_per_s"] for o in ref.values()]),
       "smoltcp_acks_per_frame": med([o["frames_from_stack"] / max(1, o["frames_to_stack"]) for o in ref.values()]),
       "smoltcp_cpu_s": med([o["cpu_s"] for o in ref.values()]),
       "variants": {}}
for name, t in by.items():
    if name == "smoltcp":
        continue
    m = med([o["mbit_per_s"] for o in t.values()])
    out["variants"][name] = {
        "mbit": [t[k]["mbit_per_s"] for k in sorted(t)],
        "median": m,
        "sink_median": med([o["sink_mbit_per_s"] for o in t.values()]),
        "acks_per_frame": med([o["frames_from_stack"] / max(1, o["frames_to_stack"]) for o in t.values()]),
        "cpu_s": med([o["cpu_s"] for o in t.values()]),
        "ratio_of_medians": round(m / out["smoltcp_median"], 3) if out["smoltcp_median"] else None,
        "paired_ratio": med([t[k]["mbit_per_s"] / ref[k]["mbit_per_s"] for k in t if k in ref]),
    }
json.dump(out, open(sys.argv[2], "w"))
print(json.dumps(out))
PY
