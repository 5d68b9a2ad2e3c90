# Sourced by the suite runners (tests/*/run*.sh): builds what a suite needs,
# idempotently, with -j2, and says which binary it built. Nothing is wiped or
# reconfigured when a build directory already exists.
#
#   build_preset PRESET TARGET...  configure build/PRESET from CMakePresets.json
#                                  if it has no build.ninja yet, then build the
#                                  targets; prints the binary directory
#   build_js                       set SYNACK_JS (unless given) to synack.mjs of
#                                  an Emscripten Release build in $SYNACK_JS_BUILD
#                                  (default build/js-em), built first
#   build_js4                      set SYNACK_JS4 (unless given) to synack.mjs of
#                                  the IPv4-only build (-DSYNACK_IPV6=OFF) in
#                                  $SYNACK_JS4_BUILD (default build/js-em4)
#   build_bridge                   set SYNACK_BRIDGE (unless given) to the native
#                                  preset's synack-bridge, built first
#   need_program NAME WHY          fail with a clear line when NAME is missing

_support_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

build_preset() { # PRESET TARGET...
  local preset="$1" dir
  shift
  dir="$_support_root/build/$preset"
  if [ ! -f "$dir/build.ninja" ]; then
    (cd "$_support_root" && cmake --preset "$preset" >/dev/null) || {
      echo "build: configuring the $preset preset failed" >&2; return 1; }
  fi
  cmake --build "$dir" -j2 --target "$@" >/dev/null || {
    echo "build: building $* in $dir failed" >&2; return 1; }
  echo "$dir"
}

build_js() {
  if [ -z "${SYNACK_JS:-}" ]; then
    local dir="${SYNACK_JS_BUILD:-$_support_root/build/js-em}"
    export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"   # Debian's emcc needs it
    if [ ! -f "$dir/build.ninja" ]; then
      emcmake cmake -S "$_support_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DSYNACK_NO_TESTS=ON >/dev/null || { echo "build: configuring $dir failed" >&2; return 1; }
    fi
    cmake --build "$dir" --target synack_js -j2 >/dev/null || {
      echo "build: building synack_js in $dir failed" >&2; return 1; }
    SYNACK_JS="$dir/wasm/synack.mjs"
  fi
  SYNACK_JS="$(realpath "$SYNACK_JS")"
  export SYNACK_JS
}

build_js4() {
  if [ -z "${SYNACK_JS4:-}" ]; then
    local dir="${SYNACK_JS4_BUILD:-$_support_root/build/js-em4}"
    export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
    if [ ! -f "$dir/build.ninja" ]; then
      emcmake cmake -S "$_support_root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DSYNACK_NO_TESTS=ON -DSYNACK_IPV6=OFF >/dev/null || {
        echo "build: configuring $dir failed" >&2; return 1; }
    fi
    cmake --build "$dir" --target synack_js -j2 >/dev/null || {
      echo "build: building synack_js in $dir failed" >&2; return 1; }
    SYNACK_JS4="$dir/wasm/synack.mjs"
  fi
  SYNACK_JS4="$(realpath "$SYNACK_JS4")"
  export SYNACK_JS4
}

build_bridge() {
  if [ -z "${SYNACK_BRIDGE:-}" ]; then
    SYNACK_BRIDGE="$(build_preset native synack-bridge)/host/bridge/synack-bridge" || return 1
  fi
  export SYNACK_BRIDGE
}

need_program() { # NAME WHY
  command -v "$1" >/dev/null 2>&1 || {
    echo "missing: $1 ($2; scripts/setup.sh installs it)" >&2; return 1; }
}
