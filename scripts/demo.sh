#!/usr/bin/env bash
# The command behind `make demo`: builds the native preset and runs the
# two-stack example when the build has one (a CMake target named
# synack_demo_two_stacks). Until it exists this says so and exits 0.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
demo_target="${DEMO_TARGET:-synack_demo_two_stacks}"

cmake --preset native >/dev/null
cmake --build --preset native
if cmake --build build/native --target help | grep -q "^${demo_target}:"; then
  cmake --build build/native --target "$demo_target"
  exe="$(find build/native -type f -perm -u+x -name "$demo_target" | head -n 1)"
  [ -n "$exe" ] || { echo "demo: built $demo_target but cannot find it" >&2; exit 1; }
  echo "demo: running $exe"
  exec "$exe" "$@"
fi
echo "demo: no two-stack example yet (no CMake target '$demo_target');"
echo "demo: the native build is ready in build/native."
