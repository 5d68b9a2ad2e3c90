#!/usr/bin/env bash
# The abuse test (abuse.py) against a bridge built with AddressSanitizer
# and UBSan: $SYNACK_BRIDGE_ASAN if set (for example the asan preset's
# build/asan/host/bridge/synack-bridge), else build/bridge-asan, configured
# here with the asan preset's compiler and flags and rebuilt on every run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="${PYTHON:-/usr/bin/python3}"

bin="${SYNACK_BRIDGE_ASAN:-}"
if [ -z "$bin" ]; then
  asan="$root/build/bridge-asan"
  if [ ! -f "$asan/build.ninja" ]; then
    cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang-14 \
      "-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
      "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined" >/dev/null
  fi
  cmake --build "$asan" -j2 --target synack-bridge >/dev/null || exit 1
  bin="$asan/host/bridge/synack-bridge"
fi
if ! (nm -an "$bin" 2>/dev/null || true) | grep -q __asan_init; then
  echo "test_abuse: $bin is not an ASan build" >&2
  exit 1
fi
echo "test_abuse: $bin"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
SYNACK_BRIDGE="$bin" exec timeout -s TERM 240 "$py" "$here/abuse.py"
