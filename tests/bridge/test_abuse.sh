#!/usr/bin/env bash
# The abuse test (abuse.py) against a bridge built with AddressSanitizer
# and UBSan: $SYNACK_BRIDGE_ASAN if set, else the asan preset's
# build/asan/host/bridge/synack-bridge, built here (tests/support/build.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../support/build.sh"
py="${PYTHON:-/usr/bin/python3}"

bin="${SYNACK_BRIDGE_ASAN:-}"
if [ -z "$bin" ]; then
  bin="$(build_preset asan synack-bridge)/host/bridge/synack-bridge"
fi
if ! (nm -an "$bin" 2>/dev/null || true) | grep -q __asan_init; then
  echo "test_abuse: $bin is not an ASan build" >&2
  exit 1
fi
echo "test_abuse: $bin"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
SYNACK_BRIDGE="$bin" exec timeout -s TERM 240 "$py" "$here/abuse.py"
