#!/usr/bin/env bash
# Run every synack-bridge test: the C unit tests (through ctest) and each
# tests/bridge/test_*.py / test_*.sh, each bounded by a timeout. Prints
# "N passed, M failed" and exits non-zero when anything failed.
#
#   tests/bridge/run-all.sh            build in build/native (+ build/asan) and run
#   SYNACK_BRIDGE=path run-all.sh      test that binary (no build)
#   ONLY=slirp run-all.sh              run only tests whose name contains "slirp"
#   SYNACK_JS=path run-all.sh          use that synack.mjs (else build/js-em is built)
# The builds use the CMake presets (tests/support/build.sh): the native one
# for the bridge, the tool and the unit tests, asan for test_abuse.sh.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../support/build.sh"
export PYTHON="${PYTHON:-/usr/bin/python3}"
per_test_timeout="${TEST_TIMEOUT:-300}"
build=""

if [ -z "${SYNACK_BRIDGE:-}" ]; then
  echo "run-all: building synack-bridge, synack and the bridge unit tests (native preset)"
  build=$(build_preset native synack-bridge synack \
    $(cd "$here/unit" && ls test_bridge_*.c 2>/dev/null | sed 's/\.c$//')) || {
      echo "run-all: build failed"; echo "0 passed, 1 failed"; exit 1; }
  export SYNACK_BRIDGE="$build/host/bridge/synack-bridge"
  export SYNACK_TOOL="${SYNACK_TOOL:-$build/host/native/synack}"
fi
# test_ws_tap.sh runs the JavaScript WebSocketLink from Node: synack.mjs
# (tests/support/build.sh build_js; the node step reuses the same build).
build_js || { echo "run-all: building synack.mjs failed"; echo "0 passed, 1 failed"; exit 1; }
# Nothing may skip quietly: the programs the tests need must be there (test_tap needs root).
need_program websockify "test_websockify runs real websockify" || { echo "0 passed, 1 failed"; exit 1; }
for prog in "haproxy:test_balancer runs real HAProxy" "openssl:test_balancer makes a test CA" \
            "curl:test_metrics scrapes with curl" "systemd-analyze:test_systemd verifies the units"; do
  need_program "${prog%%:*}" "${prog#*:}" || { echo "0 passed, 1 failed"; exit 1; }
done

passed=0
failed=0
failed_names=()
run() { # name, command...
  local name="$1"; shift
  if [ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]]; then return; fi
  echo "=== $name"
  local start=$SECONDS
  if timeout -s TERM -k 10 "$per_test_timeout" "$@"; then
    passed=$((passed + 1))
    # each test's time, so that step times can be compared test by test
    echo "=== $name: passed ($((SECONDS - start))s)"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "=== $name FAILED ($((SECONDS - start))s)"
  fi
}

if [ -n "$build" ] && [ -f "$build/CTestTestfile.cmake" ]; then
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
