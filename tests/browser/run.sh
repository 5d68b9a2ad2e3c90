#!/usr/bin/env bash
# Chromium tests of the JavaScript API and the demo page (playwright-core,
# /usr/bin/chromium). Builds synack.mjs and synack-bridge first like
# tests/node/run.sh (or give SYNACK_JS / SYNACK_BRIDGE). Chromium,
# playwright-core and websockify must be installed: nothing is skipped.
# Screenshots go to $SYNACK_SHOTS (default: screenshots/ next to synack.mjs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../support/build.sh"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

need_program websockify "the bridge test runs real websockify"
need_program "${CHROMIUM:-/usr/bin/chromium}" "the browser under test"
[ -f "$here/../../node_modules/playwright-core/index.mjs" ] || {
  echo "missing: node_modules/playwright-core (npm ci; scripts/setup.sh does it)" >&2; exit 1; }
build_js
build_bridge

cd "$here"
if [ "$#" -eq 0 ]; then
  set -- *.test.mjs
fi
exec node --test --test-reporter=spec "$@"
