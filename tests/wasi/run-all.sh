#!/usr/bin/env bash
# The synack.wasm tests under the real wasmtime CLI (tests/wasi/test_*.sh;
# as root: each makes its own network namespace and removes it on exit).
# Builds what they need first unless given: synack.wasm (preset wasi, in
# build/wasi), the native synack and synack-bridge (preset native, in
# build/native). Prints each test's checks, then "N passed, M failed".
# Exit status: 0 all passed, 1 any failed, 77 none could run (not root).
#
# Environment: SYNACK_WASM, SYNACK, SYNACK_BRIDGE (skip the build),
# WASMTIME, ONLY=substring to select tests, KEEP_TMP=1.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

. "$DIR/../support/build.sh"
. "$DIR/../support/suite.sh"
if [ -z "${SYNACK_WASM:-}" ]; then
    out=$(build_preset wasi synack) || { echo "0 passed, 1 failed"; exit 1; }
    export SYNACK_WASM="$out/wasi/synack.wasm"
fi
if [ -z "${SYNACK:-}" ]; then
    out=$(build_preset native synack synack-bridge) || { echo "0 passed, 1 failed"; exit 1; }
    export SYNACK="$out/host/native/synack"
fi

run_suite "$DIR" 600
exit $?
