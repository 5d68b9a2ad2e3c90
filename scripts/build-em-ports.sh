#!/usr/bin/env bash
# Debian's curl 7.88 (the source package and configure flags of the WASI
# build, scripts/build-wasi-ports.sh), unmodified, built with
# build/js-em/bin/synack-emcc: Emscripten with synack_posix. Four links
# of the same objects:
#   <cache>/em-ports-<key>/curl-em-build/out/node/curl.js (+ curl.wasm)
#       for Node, with the real file system (-sNODERAWFS=1):
#       SYNACK_LINK=ws://... node --experimental-websocket curl.js -o FILE URL
#   <cache>/em-ports-<key>/curl-em-build/out/node-worker/curl.js (+ curl.wasm)
#       the same blocking in a worker thread (SYNACK_EM_BLOCKING=worker)
#   <cache>/em-ports-<key>/curl-em-build/out/web/curl.js (+ curl.wasm)
#       for a page: Module.synackLink, Module.arguments, files in MEMFS
#       (Module.FS exported, so the page can read what curl wrote).
#   <cache>/em-ports-<key>/curl-em-build/out/web-worker/curl.js (+ curl.wasm)
#       for a page that runs it in a Web Worker (SYNACK_EM_BLOCKING=worker;
#       posix/em/ring.js's SynackRing.run, cross-origin isolation).
# The source comes from ~/.cache/synack/src (apt-get source, shared with
# the WASI build); the build is kept outside the tree (SYNACK_CACHE moves
# it). The key is a hash of this script (the configure flags) and emcc's
# version: what the compiled objects depend on (the wrapper only adds to
# the link). The link is done again (seconds) whenever libsynack_posix.a,
# the wrapper (and so the wrap list), posix/em/ or the bundled
# build/js-em/posix/em/ws_link.js is newer.
#
#   scripts/build-em-ports.sh          build if needed; prints the out/ folder
#   scripts/build-em-ports.sh --check  exit 1 when the source is missing
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SYNACK_CACHE:-$HOME/.cache/synack}"
src_parent="$cache/src"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # Debian's emcc needs it
key="$( (cat "$root/scripts/build-em-ports.sh" "$root/scripts/curl-flags.sh"; emcc --version | head -1) | sha256sum | cut -c1-12)"
bld="$cache/em-ports-$key/curl-em-build"
CURL_DIR=curl-7.88.1
. "$root/scripts/curl-flags.sh"

. "$(dirname "$0")/debsrc.sh"

if [ "${1:-}" = --check ]; then
  [ -f "$src_parent/$CURL_DIR/configure" ] || { echo "missing: $CURL_DIR source"; exit 1; }
  exit 0
fi
if [ ! -f "$src_parent/$CURL_DIR/configure" ]; then
  debsrc_fetch build-em-ports curl "$src_parent"
fi

# The wrapper and the library (build/js-em, as tests/support/build.sh's
# build_js configures it).
js="${SYNACK_JS_BUILD:-$root/build/js-em}"
if [ ! -f "$js/build.ninja" ]; then
  emcmake cmake -S "$root" -B "$js" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSYNACK_NO_TESTS=ON >/dev/null || { echo "build-em-ports: configuring $js failed" >&2; exit 1; }
fi
cmake --build "$js" --target synack_posix -j2 >/dev/null \
  || { echo "build-em-ports: building synack_posix in $js failed" >&2; exit 1; }
cc="$js/bin/synack-emcc"
lib="$js/posix/libsynack_posix.a"

out="$bld/out"
newest_input() { # newer than $1?
  [ "$lib" -nt "$1" ] && return 0
  [ "$cc" -nt "$1" ] && return 0
  for f in "$root"/posix/em/* "$js"/posix/em/*; do [ "$f" -nt "$1" ] && return 0; done
  return 1
}
if [ -f "$out/node/curl.js" ] && [ -f "$out/node-worker/curl.js" ] && [ -f "$out/web/curl.js" ] \
   && [ -f "$out/web-worker/curl.js" ] && ! newest_input "$out/web-worker/curl.js"; then
  echo "$out"
  exit 0
fi

mkdir -p "$bld"
if [ ! -f "$bld/Makefile" ]; then
  echo "build-em-ports: configuring curl for Emscripten (the first time takes minutes)" >&2
  # The flags of the WASI build, for the wasm32-emscripten host.
  (cd "$bld" && CC="$cc" AR=emar RANLIB=emranlib CFLAGS=-O2 \
    "$src_parent/$CURL_DIR/configure" --host=wasm32-unknown-emscripten \
    "${CURL_PORT_FLAGS[@]}" >"$bld/configure.log" 2>&1) \
    || { echo "build-em-ports: curl configure failed ($bld/configure.log)" >&2; exit 1; }
fi
echo "build-em-ports: building curl with synack-emcc" >&2
# Node: the real file system. Page: MEMFS, FS exported for the page.
link() { # FLAVOUR LDFLAGS [BLOCKING]
  rm -f "$bld/src/curl" "$bld/src/curl.wasm"
  SYNACK_EM_BLOCKING="${3:-asyncify}" make -C "$bld" -j2 CC="$cc" LDFLAGS="$2" \
    >"$bld/make-$1.log" 2>&1 \
    || { echo "build-em-ports: curl build failed ($bld/make-$1.log)" >&2; exit 1; }
  mkdir -p "$out/$1"
  cp "$bld/src/curl" "$out/$1/curl.js"
  cp "$bld/src/curl.wasm" "$out/$1/curl.wasm"
}
link node "-sNODERAWFS=1"
link node-worker "-sNODERAWFS=1" worker
link web "-sENVIRONMENT=web,worker -sEXPORTED_RUNTIME_METHODS=FS"
link web-worker "-sENVIRONMENT=worker" worker
echo "$out"
