#!/usr/bin/env bash
# The TLS suite (step `tls` of make test): the native tool, synack.wasm
# (under wasmtime, through synack-bridge on a TAP device and --slirp) and
# synack.mjs in Node (through the bridge's --listen-ws and a TAP device,
# captured by tcpdump) against real TLS servers in network namespaces
# (tests/tls/test_*.sh, as root). The rest of the JavaScript API's TLS is
# tests/node/tls.test.mjs (step `node`). Prints
# each test's checks, then "N passed, M failed".
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
. "$DIR/../support/build.sh"
. "$DIR/../support/suite.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "tls: needs root (network namespaces, TAP devices)" >&2
    exit 77
fi
if [ -z "${SYNACK:-}" ] || [ -z "${SYNACK_BRIDGE:-}" ]; then
    out=$(build_preset native synack synack-bridge) || { echo "0 passed, 1 failed"; exit 1; }
    export SYNACK="${SYNACK:-$out/host/native/synack}"
    export SYNACK_BRIDGE="${SYNACK_BRIDGE:-$out/host/bridge/synack-bridge}"
fi
if [ -z "${SYNACK_WASM:-}" ]; then
    out=$(build_preset wasi synack) || { echo "0 passed, 1 failed"; exit 1; }
    export SYNACK_WASM="$out/wasi/synack.wasm"
fi
build_js || { echo "0 passed, 1 failed"; exit 1; }
echo "tls: $SYNACK, $SYNACK_WASM, $SYNACK_JS"
run_suite "$DIR" 600
exit $?
