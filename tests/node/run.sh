#!/usr/bin/env bash
# Node tests of the JavaScript API (tests/node/*.test.mjs, node --test).
# Builds synack.mjs first when needed: an Emscripten Release build in
# $SYNACK_JS_BUILD (default build/js-em) configured with -DSYNACK_NO_TESTS=ON,
# of which only the synack_js target is built. Set SYNACK_JS to test an
# already built synack.mjs instead. Arguments select test files.
#   tests/node/run.sh                    # all
#   tests/node/run.sh api.test.mjs       # one file
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

if [ -z "${SYNACK_JS:-}" ]; then
  build="${SYNACK_JS_BUILD:-$root/build/js-em}"
  if [ ! -f "$build/build.ninja" ]; then
    emcmake cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DSYNACK_NO_TESTS=ON >/dev/null
  fi
  cmake --build "$build" --target synack_js -j2 >/dev/null
  export SYNACK_JS="$build/wasm/synack.mjs"
fi
SYNACK_JS="$(realpath "$SYNACK_JS")"
export SYNACK_JS

cd "$here"
if [ "$#" -eq 0 ]; then
  set -- *.test.mjs
fi
# --experimental-websocket: Node 20's global WebSocket (for WebSocketLink).
exec node --experimental-websocket --test --test-reporter=spec "$@"
