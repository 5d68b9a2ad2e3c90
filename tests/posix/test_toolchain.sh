#!/usr/bin/env bash
# The three ways to build a program with synack_posix for WASI give
# working programs: socksem.c through build/wasi/bin/synack-wasi-cc, a
# CMake project with build/wasi/synack-wasi.cmake, and clang with
# pkg-config's synack-posix flags; each runs a few socksem tests under
# wasmtime through synack-bridge --tap.
. "$(dirname "$0")/lib.sh"
WASI_BUILD=$(cd "$(dirname "$SOCKSEM_WASM")/.." && pwd)
SRC=$(cd "$(dirname "$0")" && pwd)/socksem.c
setup_ns
bg_ns 280 python3 "$(dirname "$0")/peer.py" "$KERNEL_IP" >"$WORK/peer.out" 2>&1
check "peer up" wait_for_text "$WORK/peer.out" "peer ready"
check "bridge up (tap0)" start_bridge 18001 --tap tap0

check "synack-wasi-cc builds socksem.c" \
    "$WASI_BUILD/bin/synack-wasi-cc" -O2 -Wall -Werror -o "$WORK/cc.wasm" "$SRC"

mkdir "$WORK/proj"
cat >"$WORK/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.20)
project(socksem C)
add_executable(socksem $SRC)
CM
check "CMake with the toolchain file builds it" bash -c \
    "cmake -S '$WORK/proj' -B '$WORK/proj/b' -G Ninja -DCMAKE_TOOLCHAIN_FILE='$WASI_BUILD/synack-wasi.cmake' >'$WORK/cmake.log' 2>&1 && cmake --build '$WORK/proj/b' >>'$WORK/cmake.log' 2>&1"

check "pkg-config's flags build it" bash -c \
    "PKG_CONFIG_PATH='$WASI_BUILD/lib/pkgconfig' && clang-14 --target=wasm32-wasi --sysroot=/usr -fuse-ld=\$(command -v wasm-ld-14) -O2 \$(PKG_CONFIG_PATH=\$PKG_CONFIG_PATH pkg-config --cflags synack-posix) -o '$WORK/pc.wasm' '$SRC' \$(PKG_CONFIG_PATH=\$PKG_CONFIG_PATH pkg-config --libs synack-posix)"

ip=10
for w in "$WORK/cc.wasm" "$WORK/proj/b/socksem.wasm" "$WORK/pc.wasm"; do
    ip=$((ip + 1))
    name=$(basename "$w" .wasm)
    posix_bridged 60 18001 "run-$name" --dir "$WORK::." --env SYNACK_IP="10.77.0.$ip/24" \
        "$w" "$KERNEL_IP" nonblocking_connect half_close udp names
    rc=$?
    check "$name: the tests pass" status_and_text "$rc" 0 "^0 failed" "$WORK/run-$name.err"
done
finish
