#!/usr/bin/env bash
# The socket-semantics suite (tests/posix/socksem.c, the `posix` step of
# make test): the same program built against Linux's sockets, against
# synack_posix natively on a TAP device, and against synack_posix under
# wasmtime (frames on its stdin/stdout, joined by socat to synack-bridge
# --tap). All three talk to tests/posix/peer.py in a network namespace
# of their own and must pass the same assertions. Then the wrapper and
# toolchain files, and the ported third-party programs: curl (client) and
# lighttpd (server), built from Debian's sources by
# scripts/build-wasi-ports.sh (cached in build/deps).
#
# Environment: ONLY=substring selects test_*.sh scripts, KEEP_TMP=1.
# Exit status: 0 all passed, 1 any failed, 77 not root.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
. "$ROOT/tests/support/build.sh"

native=$(build_preset native socksem_linux socksem_synack synack synack-bridge) || { echo "0 passed, 1 failed"; exit 1; }
wasi=$(build_preset wasi socksem) || { echo "0 passed, 1 failed"; exit 1; }
asan=$(build_preset asan socksem_synack) || { echo "0 passed, 1 failed"; exit 1; }
export SOCKSEM_SYNACK_ASAN="$asan/posix/socksem_synack"
export SOCKSEM_LINUX="$native/posix/socksem_linux"
export SOCKSEM_SYNACK="$native/posix/socksem_synack"
export SOCKSEM_WASM="$wasi/posix/socksem.wasm"
export SYNACK="$native/host/native/synack"
CURL_WASM=$(bash "$ROOT/scripts/build-wasi-ports.sh") || { echo "0 passed, 1 failed"; exit 1; }
export CURL_WASM
LIGHTTPD_WASM=$(bash "$ROOT/scripts/build-wasi-ports.sh" lighttpd) || { echo "0 passed, 1 failed"; exit 1; }
export LIGHTTPD_WASM

. "$ROOT/tests/support/suite.sh"
run_suite "$DIR" 300
exit $?
