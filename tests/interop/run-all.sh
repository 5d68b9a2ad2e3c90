#!/usr/bin/env bash
# Run every interop test (tests/interop/test_*.sh, as root: each makes its
# own network namespace and TAP device and removes them on exit). Prints
# each test's checks, then "N passed, M failed". Exit status: 0 when all
# ran and passed, 1 when any failed, 77 when none could run (not root).
#
# Environment: SYNACK=/path/to/synack and SYNACK_BRIDGE=/path/to/synack-bridge
# (default: both built here in the native preset's build/native, see
# tests/support/build.sh), ONLY=substring to select.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
. "$DIR/../support/build.sh"
. "$DIR/../support/suite.sh"
if [ "$(id -u)" -ne 0 ]; then
    echo "interop: needs root (network namespaces, TAP devices)" >&2
    exit 77
fi
if [ -z "${SYNACK:-}" ] || [ -z "${SYNACK_BRIDGE:-}" ]; then
    out=$(build_preset native synack synack-bridge) || { echo "0 passed, 1 failed"; exit 1; }
    export SYNACK="${SYNACK:-$out/host/native/synack}"
    export SYNACK_BRIDGE="${SYNACK_BRIDGE:-$out/host/bridge/synack-bridge}"
fi
echo "interop: $SYNACK, $SYNACK_BRIDGE"
run_suite "$DIR" 900
exit $?
