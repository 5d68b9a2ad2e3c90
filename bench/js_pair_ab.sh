#!/usr/bin/env bash
# Compare builds of synack.mjs with bench/js_pair.mjs, interleaved: each
# round runs every variant once, one after the other (a new node process
# each), so a slow moment of a shared machine touches all of them; prints
# every trial and then the median per variant and its ratio to the first.
#   bench/js_pair_ab.sh ROUNDS label=SYNACK_MJS[,js_pair args...] ...
#   bench/js_pair_ab.sh 5 before=old/synack.mjs after=build/js-em/wasm/synack.mjs \
#       after-byob=build/js-em/wasm/synack.mjs,--reader,byob
# A variant "c-node=SYNACK_BENCH_JS" (a path ending in synack_bench.js) runs
# the C loop under node instead: synack_bench throughput --mtu 1500 --seconds 1.
# Environment: JS_PAIR_BYTES (default 200000000).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds=$1
shift
bytes="${JS_PAIR_BYTES:-200000000}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
  for v in "$@"; do
    label=${v%%=*}
    IFS=, read -r -a spec <<<"${v#*=}"
    if [[ "${spec[0]}" == *synack_bench.js ]]; then
      line=$(timeout 120 node "${spec[0]}" throughput --mtu 1500 --seconds 1)
    else
      line=$(timeout 120 node "$here/js_pair.mjs" "${spec[0]}" --bytes "$bytes" "${spec[@]:1}")
    fi
    echo "round $r $label $line"
    echo "$label $line" >>"$out"
  done
done
# Medians, and the median of the per-round ratios to the first variant
# (trials taken one right after the other: the ratio least moved by the
# machine's other load).
python3 - "$out" <<'PY'
import json, statistics, sys
runs, cpu = {}, {}
for line in open(sys.argv[1]):
    label, js = line.split(" ", 1)
    o = json.loads(js)
    runs.setdefault(label, []).append(o["gbit_per_s"])
    if "cpu_s" in o:
        cpu.setdefault(label, []).append(o["cpu_s"])
ref = next(iter(runs))
for label, v in runs.items():
    m = statistics.median(v)
    paired = statistics.median(a / b for a, b in zip(v, runs[ref]))
    print(f"{label}: median {m:.2f} Gbit/s over {len(v)} (min {min(v):.2f}, max {max(v):.2f});"
          f" {m / statistics.median(runs[ref]):.2f} x {ref} (medians), {paired:.2f} x (paired rounds)"
          + (f"; CPU {statistics.median(cpu[label]):.3f} s (median)" if label in cpu else ""))
PY
