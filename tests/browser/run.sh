#!/usr/bin/env bash
# Chromium tests of the JavaScript API and the demo page (playwright-core,
# /usr/bin/chromium). Builds synack.mjs first like tests/node/run.sh
# ($SYNACK_JS_BUILD, default build/js-em; or give SYNACK_JS). Screenshots
# go to $SYNACK_SHOTS (default: screenshots/ next to synack.mjs).
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
exec node --test --test-reporter=spec "$@"
