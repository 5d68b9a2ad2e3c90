#!/usr/bin/env bash
# Run every synack-bridge test: the C unit tests (through ctest) and each
# tests/bridge/test_*.py / test_*.sh, each bounded by a timeout. Prints
# "N passed, M failed" and exits non-zero when anything failed.
#
#   tests/bridge/run-all.sh            build build/bridge (+ build/bridge-asan) and run
#   SYNACK_BRIDGE=path run-all.sh      test that binary (no build)
#   ONLY=slirp run-all.sh              run only tests whose name contains "slirp"
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PYTHON="${PYTHON:-/usr/bin/python3}"
build="${BRIDGE_BUILD_DIR:-$root/build/bridge}"
per_test_timeout="${TEST_TIMEOUT:-300}"

if [ -z "${SYNACK_BRIDGE:-}" ]; then
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null || exit 1
  fi
  echo "run-all: building $build"
  cmake --build "$build" -j2 --target synack-bridge \
    $(cd "$root/tests/bridge/unit" && ls test_bridge_*.c 2>/dev/null | sed 's/\.c$//') >/dev/null || {
      echo "run-all: build failed"; echo "0 passed, 1 failed"; exit 1; }
  export SYNACK_BRIDGE="$build/host/bridge/synack-bridge"
  # the synack tool too, when its sources build (tests that need it skip otherwise)
  if [ -z "${SYNACK_TOOL:-}" ] && cmake --build "$build" -j2 --target synack >/dev/null 2>&1; then
    for p in "$build/host/native/synack" "$build/host/cli/synack" "$build/host/synack"; do
      if [ -x "$p" ]; then export SYNACK_TOOL="$p"; break; fi
    done
  fi
fi

passed=0
failed=0
failed_names=()
run() { # name, command...
  local name="$1"; shift
  if [ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]]; then return; fi
  echo "=== $name"
  if timeout -s TERM -k 10 "$per_test_timeout" "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "=== $name FAILED"
  fi
}

if [ -d "$build" ] && [ -f "$build/CTestTestfile.cmake" ]; then
  run unit ctest --test-dir "$build" -R '^test_bridge_' --output-on-failure
fi
for t in "$here"/test_*.py; do
  [ -e "$t" ] || continue
  run "$(basename "$t" .py)" "$PYTHON" "$t"
done
for t in "$here"/test_*.sh; do
  [ -e "$t" ] || continue
  run "$(basename "$t" .sh)" bash "$t"
done

if [ "$failed" -gt 0 ]; then
  echo "failed: ${failed_names[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
