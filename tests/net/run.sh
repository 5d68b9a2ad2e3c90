#!/usr/bin/env bash
# The `net` step: synack/net (wasm/net/) and the npm package.
#   conformance.test.mjs  one set of assertions against node:net and synack/net
#   synack.test.mjs       what only synack/net has (window, stack errors, default stack)
#   clients.test.mjs      pg, redis and http.request through websockify and
#                         synack-bridge --slirp to PostgreSQL, redis-server and a
#                         Node HTTP server on loopback (started and stopped here)
#   tls.test.mjs         synack/tls: pg (bundled, net and tls mapped to synack's)
#                         with ssl to PostgreSQL with ssl = on; tls.connect() to
#                         openssl s_server
#   npm.test.mjs          the tarball installed in a scratch project, the README's
#                         example, an esbuild bundle in Chromium running a pg query
# Builds synack_npm in an Emscripten Release tree ($SYNACK_JS_BUILD, default
# build/js-em) and the native synack-bridge. Arguments select files.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../support/build.sh"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

need_program websockify "the client tests run real websockify"
need_program python3 "the SYN-dropping port helper"
build_js
jsdir="$(dirname "$SYNACK_JS")"
cmake --build "$jsdir/.." --target synack_npm -j2 >/dev/null || {
  echo "build: building synack_npm failed" >&2; exit 1; }
export SYNACK_NPM_DIR="$jsdir/../npm/package"
export SYNACK_NPM_TGZ
SYNACK_NPM_TGZ="$(ls "$jsdir/../npm"/synack-*.tgz | head -1)"
build_bridge
[ -d "$root/node_modules/pg" ] || { echo "missing: node_modules (npm ci; scripts/setup.sh)" >&2; exit 1; }

cd "$here"
if [ "$#" -eq 0 ]; then
  set -- *.test.mjs
fi
exec node --experimental-websocket --test --test-reporter=spec "$@"
