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
ROOT=$(cd "$DIR/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

# build PRESET TARGET...: configure build/PRESET once, then build targets.
build() {
    local preset=$1
    shift
    (
        cd "$ROOT" || exit 1
        if [ ! -f "build/$preset/CMakeCache.txt" ]; then
            cmake --preset "$preset" >/dev/null || exit 1
        fi
        cmake --build "build/$preset" --target "$@" -- -j2 >/dev/null
    ) || { echo "wasi: building $* ($preset) failed" >&2; exit 1; }
}
if [ -z "${SYNACK_WASM:-}" ]; then
    build wasi synack
    export SYNACK_WASM="$ROOT/build/wasi/wasi/synack.wasm"
fi
if [ -z "${SYNACK:-}" ]; then
    build native synack synack-bridge
    export SYNACK="$ROOT/build/native/host/native/synack"
fi

passed=0
failed=0
skipped=0
failed_names=()
for t in "$DIR"/test_*.sh; do
    name=$(basename "$t" .sh)
    if [ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]]; then
        continue
    fi
    echo "== $name"
    start=$(date +%s)
    timeout 600 bash "$t"
    rc=$?
    took=$(($(date +%s) - start))
    case $rc in
    0)
        passed=$((passed + 1))
        echo "== $name: passed (${took}s)"
        ;;
    77)
        skipped=$((skipped + 1))
        echo "== $name: skipped"
        ;;
    *)
        failed=$((failed + 1))
        failed_names+=("$name")
        echo "== $name: FAILED (exit $rc, ${took}s)"
        ;;
    esac
done
echo "$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
    echo "($skipped skipped)"
fi
if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
    exit 1
fi
if [ "$passed" -eq 0 ]; then
    exit 77
fi
exit 0
