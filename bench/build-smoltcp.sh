#!/usr/bin/env bash
# Builds smoltcp's own TAP benchmark (its unmodified `examples/benchmark.rs`)
# once, outside the tree, as a measurement peer for bench/tap_vs_smoltcp.sh.
# It is never part of synack: nothing links it, nothing ships it.
#
#   ~/.cache/synack/smoltcp-<version>/benchmark      the example's binary
#
#   bench/build-smoltcp.sh          prints the binary's path; builds it first
#                                   when it is missing (cargo, network once)
#   bench/build-smoltcp.sh --check  exit 1 when it is not built (no network)
#   FORCE=1 bench/build-smoltcp.sh  rebuilds it
#
# The source is the released crate from crates.io, fetched with cargo itself
# (a throw-away manifest that depends on smoltcp =VERSION; `cargo fetch`
# unpacks it into cargo's registry), copied to the cache and built there with
# the crate's own Cargo.lock (`--locked`). The published crate carries the
# examples; its benchmark.rs is the same file as on smoltcp's main branch
# (5393f88, 2026-08-07) when this was written.
set -euo pipefail
VERSION=0.13.1
cache="${SYNACK_CACHE:-$HOME/.cache/synack}"
prefix="$cache/smoltcp-$VERSION"
bin="$prefix/benchmark"
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${1:-}" = "--check" ]; then [ -x "$bin" ]; exit $?; fi
if [ "${FORCE:-0}" != 1 ] && [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v cargo >/dev/null || { echo "build-smoltcp: cargo missing (scripts/setup.sh installs it)" >&2; exit 1; }

mkdir -p "$prefix"
src="$prefix/src"
if [ ! -f "$src/examples/benchmark.rs" ]; then
  shim="$prefix/fetch"
  mkdir -p "$shim/src"
  printf '[package]\nname = "synack-smoltcp-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\nsmoltcp = "=%s"\n' \
    "$VERSION" >"$shim/Cargo.toml"
  echo 'fn main() {}' >"$shim/src/main.rs"
  echo "build-smoltcp: fetching smoltcp $VERSION from crates.io" >&2
  (cd "$shim" && cargo fetch --quiet) >&2
  home="${CARGO_HOME:-$HOME/.cargo}"
  crate=$(find "$home/registry/src" -mindepth 2 -maxdepth 2 -type d -name "smoltcp-$VERSION" | head -n 1)
  [ -n "$crate" ] && [ -f "$crate/examples/benchmark.rs" ] || {
    echo "build-smoltcp: smoltcp-$VERSION not found in $home/registry/src" >&2; exit 1; }
  rm -rf "$src"
  cp -r "$crate" "$src"
fi
echo "build-smoltcp: building smoltcp $VERSION's benchmark example (release, once; about 1-2 min)" >&2
(cd "$src" && CARGO_TARGET_DIR="$prefix/target" cargo build --quiet --release --locked -j 2 --example benchmark) >&2
cp "$prefix/target/release/examples/benchmark" "$bin.tmp"
mv "$bin.tmp" "$bin"
echo "$bin"
