#!/usr/bin/env bash
# Configures, builds and tests one CMake preset (CMakePresets.json):
#   scripts/test-preset.sh native|asan|emscripten|wasi [ctest args...]
# The binary directory is build/<preset>. Extra arguments go to ctest, e.g.
#   scripts/test-preset.sh wasi -R test_wire
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ $# -ge 1 ] || { echo "usage: $0 PRESET [ctest args...]" >&2; exit 2; }
preset="$1"
shift

export PATH="$HOME/.cargo/bin:$PATH"        # wasmtime
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # Debian's emcc needs it

case "$preset" in
  emscripten) "$root/scripts/build-cmocka.sh" ;;
  wasi)
    command -v wasmtime >/dev/null || {
      echo "test-preset: wasmtime not found (run scripts/setup.sh)" >&2; exit 1; } ;;
esac

echo "== $preset: configure"
cmake --preset "$preset" >/dev/null
echo "== $preset: build"
# -k 0: report every file that fails to compile, not only the first.
cmake --build --preset "$preset" -- -k 0
echo "== $preset: test"
ctest --preset "$preset" "$@"
