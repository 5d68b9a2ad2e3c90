#!/usr/bin/env bash
# Builds cmocka for Emscripten (static library) from Debian's source package,
# because Debian's libcmocka-dev is native only. Installs into
# build/deps/cmocka-emscripten (lib/libcmocka.a, include/cmocka.h), which the
# emscripten preset passes to CMake as CMOCKA_ROOT.
#
#   scripts/build-cmocka.sh          does nothing when the library is there
#   FORCE=1 scripts/build-cmocka.sh  rebuilds it
#
# Fetching the source needs a deb-src entry for bookworm; when none exists
# this adds /etc/apt/sources.list.d/synack-deb-src.sources (root or sudo).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/build/deps"
prefix="$deps/cmocka-emscripten"
src_parent="$deps/src"
bld="$deps/cmocka-emscripten-build"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

if [ "${FORCE:-0}" != 1 ] && [ -f "$prefix/lib/libcmocka.a" ] && [ -f "$prefix/include/cmocka.h" ]; then
  exit 0
fi

. "$(dirname "$0")/debsrc.sh"

# The newest unpacked cmocka source tree, if any.
find_src() {
  find "$src_parent" -mindepth 1 -maxdepth 1 -type d -name 'cmocka-*' 2>/dev/null | sort | tail -n 1
}

mkdir -p "$src_parent"
src="$(find_src)"
if [ -z "$src" ] || [ ! -f "$src/CMakeLists.txt" ]; then
  debsrc_fetch build-cmocka cmocka "$src_parent"
  src="$(find_src)"
  [ -n "$src" ] && [ -f "$src/CMakeLists.txt" ] || {
    echo "build-cmocka: no cmocka source tree under $src_parent" >&2; exit 1; }
fi

echo "build-cmocka: building $(basename "$src") with emcmake into $prefix"
[ "${FORCE:-0}" = 1 ] && rm -rf "$bld"
# cmocka 1.1.5's header defines its own uintptr_t unless _UINTPTR_T_DEFINED
# is set, and its guess (unsigned int) clashes with Emscripten's libc; users
# of the header need the same definition (tests/CMakeLists.txt adds it).
emcmake cmake -S "$src" -B "$bld" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_FLAGS=-D_UINTPTR_T_DEFINED \
  -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DBUILD_SHARED_LIBS=OFF \
  -DWITH_STATIC_LIB=ON \
  -DWITH_EXAMPLES=OFF \
  -DUNIT_TESTING=OFF \
  -DPICKY_DEVELOPER=OFF -Wno-dev >/dev/null
cmake --build "$bld" -j2 >/dev/null
cmake --install "$bld" >/dev/null

# Older cmocka names the static archive libcmocka-static.a.
if [ ! -f "$prefix/lib/libcmocka.a" ] && [ -f "$prefix/lib/libcmocka-static.a" ]; then
  cp "$prefix/lib/libcmocka-static.a" "$prefix/lib/libcmocka.a"
fi
[ -f "$prefix/lib/libcmocka.a" ] && [ -f "$prefix/include/cmocka.h" ] || {
  echo "build-cmocka: install did not produce lib/libcmocka.a and include/cmocka.h" >&2; exit 1; }
echo "build-cmocka: done"
