#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: Debian packages, npm
# packages from the committed lockfile, and the pinned wasmtime CLI.
# Safe to run again: every step checks first and does nothing when done.
#
#   scripts/setup.sh           install what is missing
#   scripts/setup.sh --check   only check (quick, no network); exit 1 and
#                              name what is missing, 0 when all is there
set -euo pipefail
check_only=0
[ "${1:-}" = "--check" ] && check_only=1
here="$(cd "$(dirname "$0")/.." && pwd)"
WASMTIME_VERSION="${WASMTIME_VERSION:-46.0.1}"

APT_PKGS=(build-essential cmake ninja-build pkg-config git
  emscripten clang-14 lld-14 llvm-14 dpkg-dev wasi-libc libclang-rt-14-dev-wasm32 libclang-rt-14-dev
  libcmocka-dev websockify libslirp-dev chromium iproute2 python3-scapy
  tcpdump socat curl valgrind iputils-ping dnsmasq-base nftables radvd
  xxd haproxy openssl libssl-dev systemd postgresql redis-server ca-certificates)
# npm packages of the lockfile the tests import (package.json devDependencies)
NPM_PKGS=(playwright-core pg redis esbuild readable-stream buffer events ws bufferutil)
npm_missing() {
  local p
  [ -f "$here/package-lock.json" ] || return 1
  for p in "${NPM_PKGS[@]}"; do [ -d "$here/node_modules/$p" ] || return 0; done
  return 1
}

missing=()
# Node.js: keep the one the machine has (a newer nodesource build here); else Debian's
command -v node >/dev/null 2>&1 || APT_PKGS+=(nodejs npm)
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "$check_only" -eq 1 ]; then
  npm_missing && missing+=("node_modules (npm ci: ${NPM_PKGS[*]})")
  wasmtime_bin="$(PATH="$HOME/.cargo/bin:$PATH" command -v wasmtime || true)"
  { [ -n "$wasmtime_bin" ] && "$wasmtime_bin" --version | grep -q "$WASMTIME_VERSION"; } \
    || missing+=("wasmtime-$WASMTIME_VERSION")
  [ -f "$here/build/deps/cmocka-emscripten/lib/libcmocka.a" ] \
    || missing+=("cmocka-emscripten (scripts/build-cmocka.sh)")
  bash "$here/scripts/build-wasi-ports.sh" --check >/dev/null \
    || missing+=("Debian sources of the WASI ports (scripts/build-wasi-ports.sh --fetch)")
  bash "$here/scripts/build-bearssl.sh" --check \
    || missing+=("bearssl (scripts/build-bearssl.sh, ~/.cache/synack)")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: missing: ${missing[*]}"
    exit 1
  fi
  exit 0
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages from the lockfile (no browser download: Debian's chromium is used)
if npm_missing; then
  echo "setup: npm ci"
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# wasmtime CLI, pinned, built once with cargo and then found in ~/.cargo/bin
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v wasmtime >/dev/null 2>&1 || ! wasmtime --version | grep -q "$WASMTIME_VERSION"; then
  if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is needed to build wasmtime (apt-get install cargo, or rustup)" >&2
    exit 1
  fi
  echo "setup: building wasmtime-cli $WASMTIME_VERSION with cargo (once; takes minutes)"
  cargo install --locked "wasmtime-cli@$WASMTIME_VERSION"
fi

# cmocka for Emscripten, cross-built from Debian's source (does nothing when built)
"$here/scripts/build-cmocka.sh"
# Debian sources of the programs tests/posix builds for WASI (curl, lighttpd)
"$here/scripts/build-wasi-ports.sh" --fetch
# BearSSL for tls/ (native, Emscripten, WASI), built once into ~/.cache/synack
"$here/scripts/build-bearssl.sh"
echo "setup: done"
