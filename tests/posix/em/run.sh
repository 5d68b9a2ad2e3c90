#!/usr/bin/env bash
# synack_posix under Emscripten (the `posix-em` step of make test):
# programs built with build/js-em/bin/synack-emcc, blocking by Asyncify,
# their link a WebSocket (SYNACK_LINK=ws://, or a page's Module.synackLink)
# through real websockify and synack-bridge.
#  - test_socksem_em.sh (root): socksem.c in Node against peer.py, the
#    assertions of the Linux, native and WASI builds (bridge --tap).
#  - curl.test.mjs: Debian's curl 7.88 (scripts/build-em-ports.sh, cached
#    in ~/.cache/synack/em-ports-<key>; the first build takes minutes)
#    fetches 10 MB in Node and in Chromium through --slirp, SHA-256 equal.
# Exit status: 0 all passed, 1 any failed.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../../.." && pwd)
. "$ROOT/tests/support/build.sh"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

need_program websockify "the tests run real websockify" || fail "posix-em: websockify missing"
build_js || fail "posix-em: synack.mjs did not build"
build_bridge || fail "posix-em: synack-bridge did not build"
js_build="${SYNACK_JS_BUILD:-$ROOT/build/js-em}"
cmake --build "$js_build" --target socksem_em -j2 >/dev/null || fail "posix-em: socksem.js did not build"
export SOCKSEM_JS="$js_build/posix/socksem.js"
export SYNACK_EM_JS="$js_build/posix/em"
native=$(build_preset native synack) || fail "posix-em: synack did not build"
export SYNACK="$native/host/native/synack"
CURL_EM=$(bash "$ROOT/scripts/build-em-ports.sh") || fail "posix-em: curl did not build"
export CURL_EM

passed=0 failed=0
run() { # NAME command...
  local name=$1 start rc
  shift
  echo "== $name"
  start=$(date +%s)
  "$@"
  rc=$?
  case $rc in
  0) passed=$((passed + 1)); echo "== $name: passed ($(($(date +%s) - start))s)" ;;
  77) echo "== $name: skipped" ;;
  *) failed=$((failed + 1)); echo "== $name: FAILED (exit $rc)" ;;
  esac
}
run test_socksem_em timeout 240 bash "$DIR/test_socksem_em.sh"
run curl.test.mjs timeout 300 node --experimental-websocket --test --test-reporter=spec "$DIR/curl.test.mjs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
