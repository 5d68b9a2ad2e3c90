#!/usr/bin/env bash
# The benchmark command (`make bench`): builds release trees of its own,
# runs every benchmark of issue 9 once, prints a table and writes the same
# results as JSON to build/bench/results.json and as a markdown table to
# build/bench/results.md (raw outputs in
# build/bench/raw/). Takes a few minutes; no benchmark is a pass/fail test.
#
#   bench/run.sh            everything
#   BENCH_QUICK=1 bench/run.sh   shorter runs (rough numbers)
#   BENCH_SKIP="tap wasi"   skip parts: native node wasi tap smoltcp path size callgrind
#                           (node includes bench/js_pair.mjs, the JavaScript API)
#
# Build trees: build/bench-native (gcc -O3), build/bench-emscripten and
# build/bench-wasi (Release). Item 3 (TAP) needs root; without it the table
# says it was skipped.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
out="$root/build/bench"
raw="$out/raw"
rm -rf "$raw"
mkdir -p "$raw"
quick="${BENCH_QUICK:-0}"
# timed runs: REPEAT trials of SECS each (ROUNDS interleaved rounds for the
# throughputs); the best and the median are kept
secs=1 repeat=3 rounds=5 js_bytes=200000000
[ "$quick" = 1 ] && secs=0.5 repeat=1 rounds=1 js_bytes=50000000
skip=" ${BENCH_SKIP:-} "
want() { [[ "$skip" != *" $1 "* ]]; }
note() { echo "bench: $*" >&2; }
fail_note() { # NAME TEXT: record why a part has no number
  printf '{"bench":"skipped","what":"%s","why":"%s"}\n' "$1" "$2" >"$raw/skip_$1.json"
  note "$1 skipped: $2"
}

# ---- machine ---------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
python3 - "$raw/machine.json" "$cpu" <<'PY'
import json, os, platform, subprocess, sys
def ver(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.splitlines()[0].strip()
    except Exception:
        return None
json.dump({"bench": "machine", "cpu": sys.argv[2], "cores": os.cpu_count(),
           "load_avg_at_start": os.getloadavg()[0],
           "kernel": platform.release(), "gcc": ver(["gcc", "--version"]),
           "node": ver(["node", "--version"]), "wasmtime": ver(["wasmtime", "--version"]),
           "emcc": ver(["emcc", "--version"])}, open(sys.argv[1], "w"))
PY

# ---- builds ----------------------------------------------------------------
build() { # DIR TARGETS... (configure args in CFG)
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSYNACK_NO_TESTS=ON $CFG \
      >"$out/$(basename "$dir").configure.log" 2>&1 || return 1
  fi
  cmake --build "$dir" -j2 --target "$@" >"$out/$(basename "$dir").build.log" 2>&1
}
have_native=0 have_em=0 have_wasi=0
note "building build/bench-native"
CFG="-DCMAKE_C_COMPILER=gcc" build build/bench-native synack_bench bench_tap_ceiling bench_tap_bulk bench_tap_writer synack synack-bridge \
  && have_native=1 || note "native build failed (see $out/bench-native.build.log)"
if want node || want size || want path; then
  note "building build/bench-emscripten"
  CFG="-DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake" \
    build build/bench-emscripten synack_bench synack_js && have_em=1 \
    || note "emscripten build failed (see $out/bench-emscripten.build.log)"
fi
if want wasi; then
  note "building build/bench-wasi"
  CFG="-DCMAKE_TOOLCHAIN_FILE=$root/cmake/wasi.cmake" build build/bench-wasi synack_bench && have_wasi=1 \
    || note "wasi build failed (see $out/bench-wasi.build.log)"
fi
nb="$root/build/bench-native/bench/synack_bench"

run() { # LABEL COMMAND...: one JSON line into raw/LABEL.json
  local label=$1; shift
  note "run $label: $*"
  if ! timeout 300 "$@" >"$raw/$label.json" 2>"$raw/$label.err"; then
    note "$label failed: $(tail -n 3 "$raw/$label.err")"
    fail_note "$label" "exit status non-zero"
    rm -f "$raw/$label.json"
  fi
}

# ---- 1, 4, 5, 6: native, in one process -----------------------------------
if [ "$have_native" = 1 ] && want native; then
  run handshake "$nb" handshake --seconds "$secs" --repeat "$rounds"
  conns=100000; [ "$quick" = 1 ] && conns=20000
  run scale "$nb" scale --conns "$conns" --bytes 10240
  run lossy_cubic "$nb" lossy --cc cubic --seconds 30
  run lossy_newreno "$nb" lossy --cc newreno --seconds 30
fi

# ---- 1 and 2: throughput natively, under node and under wasmtime ----------
# Interleaved in rounds (native, native over IPv6, node, wasmtime, ...) so
# that the ratios
# compare trials taken side by side; report.py keeps each one's best round.
for r in $(seq "$rounds"); do
  for mtu in 1500 65535; do
    if [ "$have_native" = 1 ] && want native; then
      run "native_tput_${mtu}_r$r" "$nb" throughput --mtu "$mtu" --seconds "$secs"
      if [ "$mtu" = 1500 ]; then # the same pair over IPv6, right after
        run "native_tput6_${mtu}_r$r" "$nb" throughput --mtu "$mtu" --seconds "$secs" --ip6 1
      fi
    fi
    if [ "$have_em" = 1 ] && want node; then
      run "node_tput_${mtu}_r$r" node build/bench-emscripten/bench/synack_bench.js throughput --mtu "$mtu" --seconds "$secs"
      # The JavaScript API's own overhead (issue 16): the same core and
      # MTU driven through synack.mjs (PairLink, web streams), right after
      # the C loop under node, so the ratio pairs trials side by side.
      if [ "$mtu" = 1500 ]; then
        for rd in default byob; do
          run "js_pair_${rd}_r$r" node bench/js_pair.mjs build/bench-emscripten/wasm/synack.mjs \
            --bytes "$js_bytes" --reader "$rd"
        done
      fi
    fi
    if [ "$have_wasi" = 1 ] && want wasi; then
      run "wasi_tput_${mtu}_r$r" wasmtime run build/bench-wasi/bench/synack_bench.wasm throughput --mtu "$mtu" --seconds "$secs"
    fi
  done
done

# The per-byte part of a segment alone (checksum and memcpy over 1460
# bytes), native then node then wasmtime: it explains item 2's ratios.
if [ "$have_native" = 1 ] && want native; then
  run datapath_native "$nb" datapath --seconds "$secs"
fi
if [ "$have_em" = 1 ] && want node; then
  run datapath_node node build/bench-emscripten/bench/synack_bench.js datapath --seconds "$secs"
fi
if [ "$have_wasi" = 1 ] && want wasi; then
  run datapath_wasi wasmtime run build/bench-wasi/bench/synack_bench.wasm datapath --seconds "$secs"
fi

# ---- TLS (issue 19): the TLS engines alone (no TCP), natively, under node
# and under wasmtime, AES-128-GCM and ChaCha20-Poly1305; beside items 1-2.
for c in aes chacha; do
  if [ "$have_native" = 1 ] && want native; then
    run "tls_${c}_native" "$nb" tls --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
  if [ "$have_em" = 1 ] && want node; then
    run "tls_${c}_node" node build/bench-emscripten/bench/synack_bench.js tls --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
  if [ "$have_wasi" = 1 ] && want wasi; then
    run "tls_${c}_wasi" wasmtime run build/bench-wasi/bench/synack_bench.wasm tls --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
done

# ---- TLS end to end: two stacks in one process with TLS on top, beside the
# same loop without TLS (synack_bench tls_tcp), natively, under node and
# wasmtime; and the JavaScript API's TLS (synack-tls.mjs) over a PairLink
# in Node (bench/tls_e2e.mjs: plain, AES-GCM first, ChaCha20 first).
for c in plain aes chacha; do
  if [ "$have_native" = 1 ] && want native; then
    run "tls_tcp_${c}_native" "$nb" tls_tcp --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
  if [ "$have_em" = 1 ] && want node; then
    run "tls_tcp_${c}_node" node build/bench-emscripten/bench/synack_bench.js tls_tcp --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
  if [ "$have_wasi" = 1 ] && want wasi; then
    run "tls_tcp_${c}_wasi" wasmtime run build/bench-wasi/bench/synack_bench.wasm tls_tcp --cipher "$c" --seconds "$secs" --repeat "$repeat"
  fi
done
if [ "$have_em" = 1 ] && want node; then
  run tls_js_node node bench/tls_e2e.mjs build/bench-emscripten/wasm/synack.mjs --seconds "$secs"
fi

# ---- 3: against Linux over a TAP device in a namespace ---------------------
if want tap; then
  if [ "$(id -u)" -ne 0 ]; then
    fail_note tap "needs root (network namespace and TAP device)"
  elif [ "$have_native" != 1 ]; then
    fail_note tap "native build failed"
  elif ! command -v socat >/dev/null; then
    fail_note tap "socat missing (scripts/setup.sh installs it)"
  else
    bash "$root/bench/tap.sh" "$root/build/bench-native" "$raw" "$secs" \
      || fail_note tap "bench/tap.sh failed (see $raw/tap.err)"
  fi
else
  fail_note tap "left out (BENCH_SKIP)"
fi

# ---- 3b: plain-frame TAP receive against smoltcp's own benchmark ----------
# Linux -> synack (bench_tap_bulk sink, no receive offload) and Linux ->
# smoltcp (its examples/benchmark.rs "writer", unmodified, built once into
# ~/.cache/synack by bench/build-smoltcp.sh), 1 GB each, the same namespace,
# TAP and sender, interleaved rounds (bench/tap_smoltcp.sh).
if want smoltcp; then
  if [ "$(id -u)" -ne 0 ]; then
    fail_note smoltcp "needs root (network namespace and TAP device)"
  elif [ "$have_native" != 1 ]; then
    fail_note smoltcp "native build failed"
  elif ! bash "$root/bench/build-smoltcp.sh" --check && ! PATH="$HOME/.cargo/bin:$PATH" command -v cargo >/dev/null; then
    fail_note smoltcp "cargo missing (to build smoltcp's benchmark once)"
  else
    sr=3; [ "$quick" = 1 ] && sr=1
    timeout 600 bash "$root/bench/tap_smoltcp.sh" "$root/build/bench-native" "$raw" "$sr" >/dev/null \
      || fail_note smoltcp "bench/tap_smoltcp.sh failed (see $raw/tap_smoltcp.err)"
  fi
else
  fail_note smoltcp "left out (BENCH_SKIP)"
fi

# ---- 9: the browser's path: Node -> WebSocket -> bridge -> TAP / slirp ---
if want path; then
  if [ "$(id -u)" -ne 0 ]; then
    fail_note path "needs root (network namespace and TAP device)"
  elif [ "$have_native" != 1 ] || [ "$have_em" != 1 ]; then
    fail_note path "native or emscripten build failed"
  elif ! command -v websockify >/dev/null || ! command -v socat >/dev/null; then
    fail_note path "websockify or socat missing (scripts/setup.sh installs them)"
  else
    # three variants, interleaved: the offload exchange (bridge --offload,
    # clients ask for it: 64 KB super-frames on the stream), the same with
    # Node on the npm package ws instead of its built-in WebSocket (Node
    # rows only), and plain frames
    pb=100000000; [ "$quick" = 1 ] && pb=30000000
    pbr="$root/build/bench-native/host/bridge/synack-bridge"
    pjs="$root/build/bench-emscripten/wasm/synack.mjs"
    # each transfer is bounded by its own timeout; the whole part too
    PATH_BYTES=${PATH_BYTES:-$pb} PATH_VARIANTS=${PATH_VARIANTS:-"offload=$pbr,$pjs,offload offload-ws=$pbr,$pjs,offload,ws plain=$pbr,$pjs"} \
      timeout 1800 bash "$root/bench/path.sh" "$root/build/bench-native" "$pjs" "$raw" \
      || fail_note path "bench/path.sh failed (see $raw/path.err)"
  fi
else
  fail_note path "left out (BENCH_SKIP)"
fi

# ---- 7: size of the JavaScript module --------------------------------------
if want size; then
  if [ "$have_em" = 1 ]; then
    mjs=build/bench-emscripten/wasm/synack.mjs
    wasm=build/bench-emscripten/wasm/synack.wasm
    tmjs=build/bench-emscripten/wasm/synack-tls.mjs
    twasm=build/bench-emscripten/wasm/synack-tls.wasm
    printf '{"bench":"size","mjs_raw":%d,"mjs_gzip":%d,"wasm_raw":%d,"wasm_gzip":%d,"tls_mjs_gzip":%d,"tls_wasm_gzip":%d}\n' \
      "$(stat -c %s "$mjs")" "$(gzip -9c "$mjs" | wc -c)" \
      "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)" \
      "$(gzip -9c "$tmjs" | wc -c)" "$(gzip -9c "$twasm" | wc -c)" >"$raw/size.json"
  else
    fail_note size "emscripten build failed"
  fi
fi

# ---- 8: instructions per full-size segment (callgrind) ---------------------
if [ "$have_native" = 1 ] && want callgrind; then
  if command -v valgrind >/dev/null; then
    segs=20000; [ "$quick" = 1 ] && segs=5000
    cg="$out/callgrind.out"
    note "run callgrind: $nb cycles --segments $segs"
    if valgrind --tool=callgrind --callgrind-out-file="$cg" "$nb" cycles --segments "$segs" \
         >"$raw/cycles.json" 2>"$raw/cycles.err"; then
      callgrind_annotate --inclusive=yes "$cg" >"$out/callgrind.txt" 2>/dev/null
      python3 - "$out/callgrind.txt" >"$raw/callgrind.json" <<'PY'
import json, re, sys
ir = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s*([\d,]+)\s.*:(bench_cg_tx|bench_cg_rx)\b", line)
    if m:
        ir[m.group(2)] = int(m.group(1).replace(",", ""))
print(json.dumps({"bench": "callgrind", "tx_ir": ir.get("bench_cg_tx", 0), "rx_ir": ir.get("bench_cg_rx", 0)}))
PY
    else
      fail_note callgrind "valgrind run failed (see $raw/cycles.err)"
    fi
  else
    fail_note callgrind "valgrind missing (scripts/setup.sh installs it)"
  fi
fi

python3 "$root/bench/report.py" "$raw" "$out/results.json"
