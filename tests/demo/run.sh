#!/usr/bin/env bash
# Chromium tests of the demo page (web/): playwright-core driving Debian's
# /usr/bin/chromium, headless. Builds the page first (synack_web in
# $SYNACK_JS_BUILD, default build/js-em, an Emscripten Release build) and
# synack-bridge in build/native for the network-mode test ($SYNACK_BRIDGE
# names another one). Screenshots go to build/demo-screenshots/
# ($DEMO_SHOTS). Arguments are passed to node --test (e.g.
# --test-name-pattern=refused). demo.test.mjs drives the controls,
# lessons.test.mjs the Learn panel's lessons; page.mjs is what they share.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

build="${SYNACK_JS_BUILD:-$root/build/js-em}"
if [ ! -f "$build/build.ninja" ]; then
  emcmake cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSYNACK_NO_TESTS=ON >/dev/null
fi
cmake --build "$build" --target synack_web -j2 >/dev/null
export DEMO_WEB="$build/web"

if [ -z "${SYNACK_BRIDGE:-}" ]; then
  [ -f "$root/build/native/build.ninja" ] || (cd "$root" && cmake --preset native >/dev/null)
  cmake --build "$root/build/native" --target synack-bridge -j2 >/dev/null
  export SYNACK_BRIDGE="$root/build/native/host/bridge/synack-bridge"
fi
export DEMO_SHOTS="${DEMO_SHOTS:-$root/build/demo-screenshots}"

cd "$here"
exec node --test --test-reporter=spec "$@" demo.test.mjs lessons.test.mjs ipv6.test.mjs tlsrecords.test.mjs ndp.test.mjs
