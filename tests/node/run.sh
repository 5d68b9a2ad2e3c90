#!/usr/bin/env bash
# Node tests of the JavaScript API (tests/node/*.test.mjs, node --test).
# Builds what they use first (tests/support/build.sh): synack.mjs (an
# Emscripten Release build in $SYNACK_JS_BUILD, default build/js-em; or give
# SYNACK_JS), its IPv4-only variant (-DSYNACK_IPV6=OFF in build/js-em4, or
# give SYNACK_JS4: size.test.mjs and ipv4only.test.mjs) and synack-bridge (the native preset; or give SYNACK_BRIDGE).
# websockify must be installed: nothing is skipped. Arguments select files.
#   tests/node/run.sh                    # all
#   tests/node/run.sh api.test.mjs       # one file
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../support/build.sh"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

need_program websockify "the bridge test runs real websockify"
build_js
build_js4
build_bridge

cd "$here"
if [ "$#" -eq 0 ]; then
  set -- *.test.mjs
fi
# --experimental-websocket: Node 20's global WebSocket (for WebSocketLink).
exec node --experimental-websocket --test --test-reporter=spec "$@"
