#!/usr/bin/env bash
# Builds BearSSL (the TLS library of tls/, docs/tls.md) from Debian's source
# package as three static libraries, once, outside the tree so every
# worktree and CI run shares them (like wasmtime in ~/.cargo):
#
#   ~/.cache/synack/bearssl-<version>/{native,emscripten,wasi}/lib/libbearssl.a
#   ~/.cache/synack/bearssl-<version>/include/*.h
#
# CMake finds them through SYNACK_BEARSSL_ROOT (default: that directory).
#
#   scripts/build-bearssl.sh          does nothing when all three are built
#   scripts/build-bearssl.sh --check  exit 1 when one is missing (no network)
#   FORCE=1 scripts/build-bearssl.sh  rebuilds them
#
# Fetching the source needs a deb-src entry for bookworm; this adds
# /etc/apt/sources.list.d/synack-deb-src.sources (as build-cmocka.sh does)
# when none exists (root or sudo).
set -euo pipefail
VERSION=0.6
cache="${SYNACK_CACHE:-$HOME/.cache/synack}"
prefix="$cache/bearssl-$VERSION"
src_parent="$cache/src"
flavours=(native emscripten wasi)

built() {
  local f
  for f in "${flavours[@]}"; do
    [ -f "$prefix/$f/lib/libbearssl.a" ] || return 1
  done
  [ -f "$prefix/include/bearssl.h" ]
}
if [ "${1:-}" = "--check" ]; then built; exit $?; fi
if [ "${FORCE:-0}" != 1 ] && built; then exit 0; fi

find_src() {
  find "$src_parent" -mindepth 1 -maxdepth 1 -type d -name "bearssl-$VERSION*" 2>/dev/null | sort | tail -n 1
}
mkdir -p "$src_parent"
src="$(find_src)"
. "$(dirname "$0")/debsrc.sh"
if [ -z "$src" ] || [ ! -f "$src/inc/bearssl.h" ]; then
  debsrc_fetch build-bearssl bearssl "$src_parent"
  src="$(find_src)"
  [ -n "$src" ] && [ -f "$src/inc/bearssl.h" ] || {
    echo "build-bearssl: no bearssl source tree under $src_parent" >&2; exit 1; }
fi

# One flavour: compile every src/**/*.c with CC and FLAGS, two at a time.
build_one() { # NAME CC AR FLAGS...
  local name=$1 cc=$2 ar=$3
  shift 3
  local obj="$prefix/$name/obj" lib="$prefix/$name/lib"
  rm -rf "$obj" "$lib"
  mkdir -p "$obj" "$lib"
  echo "build-bearssl: $(basename "$src") for $name ($cc $*)"
  (cd "$src/src" && find . -name '*.c' | sort) | \
    CC="$cc" OBJ="$obj" SRC="$src" xargs -P 2 -I{} sh -c \
      'f={}; o="$OBJ/$(echo "$f" | sed "s|^\./||; s|/|_|g; s|\.c$|.o|")"; '"$cc $* "'-I"$SRC/inc" -I"$SRC/src" -c "$SRC/src/$f" -o "$o"'
  "$ar" rcs "$lib/libbearssl.a" "$obj"/*.o
  rm -rf "$obj"
}

mkdir -p "$prefix/include"
cp "$src"/inc/*.h "$prefix/include/"
# -O2 rather than upstream's -Os: bulk throughput matters more than the
# library's size in the native tool; the JS module's size is reported
# (docs/tls.md). BR_RDRAND=0, BR_USE_URANDOM=0, BR_USE_GETENTROPY=0, BR_USE_UNIX_TIME=0:
# entropy and time always come from the caller (the sans-IO layer), so the
# library has no path of its own to the system.
common="-O2 -DBR_RDRAND=0 -DBR_USE_URANDOM=0 -DBR_USE_GETENTROPY=0 -DBR_USE_UNIX_TIME=0 -DBR_USE_WIN32_RAND=0 -DBR_USE_WIN32_TIME=0"
build_one native gcc ar -fPIC $common
build_one emscripten emcc emar $common
build_one wasi clang-14 llvm-ar-14 --target=wasm32-wasi --sysroot=/usr $common
built || { echo "build-bearssl: a library is missing after the build" >&2; exit 1; }
echo "build-bearssl: done ($prefix)"
