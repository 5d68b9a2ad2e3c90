#!/usr/bin/env bash
# Third-party programs from Debian's source packages, unmodified, built for
# WASI with synack_posix (build/wasi/bin/synack-wasi-cc): curl 7.88 (a
# client) and lighttpd 1.4.69 (a server).
# Sources are unpacked under ~/.cache/synack/src (apt-get source, as
# scripts/build-bearssl.sh does) and the builds are kept outside the tree
# too, in ~/.cache/synack/wasi-ports-<key>/<name>-wasi-build (SYNACK_CACHE
# moves it), so a fresh clone compiles them once per machine. The key is a
# hash of this script, the wrapper and synack_posix's headers: what the
# compiled objects depend on. The library itself is linked in again (a
# relink only) whenever libsynack_posix.a is newer than the program; the
# wrapper of the current tree is passed to make as CC, so a cached build
# never runs a wrapper of a clone that is gone.
#
#   scripts/build-wasi-ports.sh --fetch   only fetch the sources (setup.sh)
#   scripts/build-wasi-ports.sh --check   exit 1 when a source is missing
#   scripts/build-wasi-ports.sh           fetch if needed, build; prints
#                                         the path of curl.wasm
#   scripts/build-wasi-ports.sh lighttpd  the same for lighttpd
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SYNACK_CACHE:-$HOME/.cache/synack}"
src_parent="$cache/src"
key="$(cd "$root" && cat scripts/build-wasi-ports.sh scripts/curl-flags.sh posix/synack-wasi-cc.in posix/synack_posix.wrap \
  $(find posix/include -type f | LC_ALL=C sort) | sha256sum | cut -c1-12)"
deps="$cache/wasi-ports-$key"
CURL_DIR=curl-7.88.1
. "$root/scripts/curl-flags.sh"

. "$(dirname "$0")/debsrc.sh"

fetch() { # PACKAGE DIR
  [ -f "$src_parent/$2/configure" ] && return 0
  debsrc_fetch build-wasi-ports "$1" "$src_parent"
  [ -f "$src_parent/$2/configure" ] || { echo "build-wasi-ports: no $2 under $src_parent" >&2; exit 1; }
}

# lighttpd: select instead of poll (its poll backend asserts Linux's POLL*
# values, which WASI's differ from: ac_cv_func_poll=no), a static build
# with the modules named in the build tree's src/plugin-static.h, and
# synack_posix's compatibility layer for fork & co. (SYNACK_WASI_COMPAT=1).
# Rebuilt only when missing or older than the libraries.
build_lighttpd() {
  fetch lighttpd lighttpd-1.4.69
  local bld="$deps/lighttpd-wasi-build"
  mkdir -p "$bld/src"
  export SYNACK_WASI_COMPAT=1
  if [ ! -f "$bld/Makefile" ]; then
    (cd "$bld" && LIGHTTPD_STATIC=yes CC="$cc" AR=llvm-ar-14 RANLIB=llvm-ranlib-14 CFLAGS=-O2 \
      "$src_parent/lighttpd-1.4.69/configure" --host=wasm32-unknown-wasi --enable-static \
      --disable-shared --disable-dependency-tracking --without-pcre2 --without-pcre \
      --without-zlib --without-bzip2 --without-openssl --without-lua --without-mysql \
      --without-ldap --without-attr --without-valgrind --without-libunwind --without-krb5 \
      --without-pam --without-sasl --without-webdav-props --without-webdav-locks \
      --without-xxhash --without-zstd --without-brotli --without-dbi --without-pgsql \
      --without-maxminddb --disable-ipv6 --disable-mmap ac_cv_func_poll=no \
      >"$bld/configure.log" 2>&1) || { echo "build-wasi-ports: lighttpd configure failed" >&2; exit 1; }
  fi
  printf 'PLUGIN_INIT(mod_staticfile)\nPLUGIN_INIT(mod_indexfile)\n' >"$bld/src/plugin-static.h"
  local out="$bld/src/lighttpd"
  if [ -f "$out" ] && [ "$out" -nt "$lib" ] && [ "$out" -nt "$wasi/posix/libsynack_posix_compat.a" ]; then
    echo "$out"
    return 0
  fi
  rm -f "$out"
  echo "build-wasi-ports: building lighttpd.wasm" >&2
  make -C "$bld" -j2 CC="$cc" >"$bld/make.log" 2>&1 || { echo "build-wasi-ports: lighttpd build failed" >&2; exit 1; }
  echo "$bld/src/lighttpd"
}

case "${1:-}" in
  --check)
    for d in "$CURL_DIR" lighttpd-1.4.69; do
      [ -f "$src_parent/$d/configure" ] || { echo "missing: $d source"; exit 1; }
    done
    exit 0 ;;
  --fetch) fetch curl "$CURL_DIR"; fetch lighttpd lighttpd-1.4.69; exit 0 ;;
esac

fetch curl "$CURL_DIR"
# The wrapper and the library (wasi preset).
. "$root/tests/support/build.sh"
wasi="$(build_preset wasi synack_posix)"
cc="$wasi/bin/synack-wasi-cc"
lib="$wasi/posix/libsynack_posix.a"
if [ "${1:-}" = lighttpd ]; then
  build_preset wasi synack_posix_compat >/dev/null
  build_lighttpd
  exit 0
fi


# curl: HTTP only, no TLS or compression libraries, the
# synchronous resolver (getaddrinfo), IPv6 (synack_posix's AF_INET6), no AF_UNIX
# (wasi-libc's sockaddr_un has no sun_path: ac_cv_header_sys_un_h=no).
bld="$deps/curl-wasi-build"
out="$bld/src/curl"
if [ ! -f "$out" ] || [ "$lib" -nt "$out" ]; then
  mkdir -p "$bld"
  if [ ! -f "$bld/Makefile" ]; then
    echo "build-wasi-ports: configuring curl for WASI" >&2
    (cd "$bld" && CC="$cc" AR=llvm-ar-14 RANLIB=llvm-ranlib-14 CFLAGS=-O2 \
      "$src_parent/$CURL_DIR/configure" --host=wasm32-unknown-wasi \
      "${CURL_PORT_FLAGS[@]}" >"$bld/configure.log" 2>&1) \
      || { echo "build-wasi-ports: curl configure failed ($bld/configure.log)" >&2; exit 1; }
  fi
  rm -f "$out"
  echo "build-wasi-ports: building curl.wasm" >&2
  make -C "$bld" -j2 CC="$cc" >"$bld/make.log" 2>&1 \
    || { echo "build-wasi-ports: curl build failed ($bld/make.log)" >&2; exit 1; }
fi
echo "$out"
