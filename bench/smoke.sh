#!/usr/bin/env bash
# bench_smoke (CTest): run every in-process benchmark with a tiny size and
# check that each prints one valid JSON object with the expected fields.
# It never judges the numbers (benchmarks are not pass/fail tests).
#   bench/smoke.sh /path/to/synack_bench ["EMULATOR words"]
set -euo pipefail
bin=$1
emu=${2:-}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run() { # NAME FIELDS... -- ARGS...
  local name=$1; shift
  local fields=()
  while [ "$1" != "--" ]; do fields+=("$1"); shift; done
  shift
  # shellcheck disable=SC2086 # the emulator is a word list on purpose
  if ! timeout 120 $emu "$bin" "$name" "$@" >"$out"; then
    echo "bench_smoke: $name exited non-zero" >&2
    return 1
  fi
  python3 - "$out" "$name" "${fields[@]}" <<'PY'
import json, sys
path, name, fields = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = [l for l in open(path) if l.strip()]
assert len(lines) == 1, f"{name}: expected one JSON line, got {len(lines)}"
obj = json.loads(lines[0])
assert obj.get("bench") == name, f"{name}: bench field is {obj.get('bench')!r}"
for f in fields:
    assert f in obj, f"{name}: field {f} missing"
    assert isinstance(obj[f], (int, float)) and obj[f] >= 0, f"{name}: {f}={obj[f]!r}"
print("bench_smoke ok:", lines[0].strip())
PY
}
run throughput gbit_per_s bytes seconds -- --seconds 0.05 --bytes 2000000
run handshake per_s cycles -- --cycles 200 --seconds 5
run scale bytes_per_conn_a bytes_per_conn_b tcb_bytes open_seconds data_bytes mem_per_conn_after_a mem_per_conn_after_b -- --conns 300 --bytes 10240
run lossy goodput_mbit_per_s rexmit_bytes lost_payload_bytes -- --seconds 1
run cycles segments_tx segments_rx -- --segments 500
run datapath csum_gbyte_per_s copy_gbyte_per_s -- --seconds 0.03
run tls mbyte_per_s handshakes_per_s -- --seconds 0.05 --handshakes 5
echo "bench_smoke: all benchmarks printed valid JSON"
