#!/usr/bin/env bash
# synack.wasm --stdio joined by socat to synack-bridge --tap on the TAP
# device of the test's namespace (Linux is 10.77.0.1 there): fetches 10 MB
# from a Linux http.server (SHA-256 equal), pings Linux, serves UDP echo
# to a Linux client, and as a TCP listener accepts a Linux client and a
# native `synack --connect` client through the same bridge, and serves a
# file from its preopened directory (listen --file).
#
# The echo makes the WASI program write while it reads: joined with
# socat's default 8 KiB buffer that deadlocks (wasmtime's stdout blocks,
# and socat blocks on a full stdin pipe); socat -b 4096 (the README's
# command) must not.
. "$(dirname "$0")/lib.sh"
setup_ns
WASI_IP=10.77.0.3
NATIVE_IP=10.77.0.4
PEER="$WASI_TEST_DIR/peer.py"

mkdir "$WORK/www"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
bg_ns 300 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port "$KERNEL_IP" 8000
check "bridge up (tap0)" start_bridge 18001 --tap tap0

addr=(--ip "$WASI_IP/24" --gw "$KERNEL_IP")
start=$(date +%s%N)
wasi_bridged 120 18001 get "${addr[@]}" get --out /work/got "http://$KERNEL_IP:8000/big.bin"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "get exits 0" [ "$rc" -eq 0 ]
check "10 MB from Linux, SHA-256 equal" [ "$(sha "$WORK/got")" = "$(sha "$WORK/www/big.bin")" ]
echo "  (10 MB over TAP: ${ms} ms)"

wasi_bridged 60 18001 ping "${addr[@]}" --out /work/ping.out ping "$KERNEL_IP" -c 3
rc=$?
check "ping Linux: exit 0, 3 replies" status_and_text "$rc" 0 "3 received" "$WORK/ping.out"

# udp-echo runs until its link goes: stop it by its PID once checked.
bg_wasi_bridged 60 18001 udp "${addr[@]}" udp-echo 7
udp_pid=$BG_PID
check "udp-echo listening" wait_for_text "$WORK/udp.err" "listening on $WASI_IP port 7 (udp)"
check "udp-echo answers a Linux client (5 datagrams)" in_ns 30 python3 "$PEER" udp-echo "$WASI_IP" 7 5
stop_bridged udp "$udp_pid"
check "udp-echo ends when its link closes: exit 1, 'closed by the other end'" \
    status_and_text "$(cat "$WORK/udp.rc" 2>/dev/null)" 1 "link: closed by the other end" "$WORK/udp.err"

# A listener for two connections: one from Linux, one from native synack.
bg_wasi_bridged 120 18001 listen "${addr[@]}" listen 7000 --echo --count 2
lis_pid=$BG_PID
check "listener up" wait_for_text "$WORK/listen.err" "listening on $WASI_IP port 7000 (tcp)"
check "Linux client: 8 MB echoed intact" in_ns 60 python3 "$PEER" tcp-echo "$WASI_IP" 7000 8000000
head -c 1000000 /dev/urandom >"$WORK/native.in"
in_ns 60 "$SYNACK" --connect 127.0.0.1:18001 --ip "$NATIVE_IP/24" connect "$WASI_IP" 7000 \
    <"$WORK/native.in" >"$WORK/native.echo" 2>"$WORK/native.err"
rc=$?
check "native synack --connect client: exit 0" [ "$rc" -eq 0 ]
check "native synack client: 1 MB echoed intact" cmp -s "$WORK/native.in" "$WORK/native.echo"
wait_pid "$lis_pid" 60
check "listener exits 0 after --count 2" [ "$(cat "$WORK/listen.rc" 2>/dev/null)" = 0 ]

bg_wasi_bridged 60 18001 file "${addr[@]}" listen 7001 --file /work/www/big.bin --count 1
file_pid=$BG_PID
check "file server up" wait_for_text "$WORK/file.err" "listening on $WASI_IP port 7001 (tcp)"
in_ns 60 python3 "$PEER" tcp-read "$WASI_IP" 7001 >"$WORK/file.got"
check "listen --file: 10 MB from the preopened dir, SHA-256 equal" \
    [ "$(sha "$WORK/file.got")" = "$(sha "$WORK/www/big.bin")" ]
wait_pid "$file_pid" 30
check "file server exits 0 after --count 1" [ "$(cat "$WORK/file.rc" 2>/dev/null)" = 0 ]
finish
