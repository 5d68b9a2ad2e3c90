#!/usr/bin/env bash
# synack.wasm --accept-fd N: the link is one connection accepted on a
# listening socket that wasmtime preopened (-S tcplisten=ADDR, a feature of
# wasmtime's legacy preview-1 implementation, -S preview2=n; hence the pin
# to wasmtime 46). A WASI `listen --echo` accepts
#  - a native `synack --connect` peer that connects straight to that
#    socket (1 MB echoed, SHA-256 equal), and
#  - a Linux client on the test namespace's TAP, through synack-bridge --tap,
#    with socat joining the preopened socket to the bridge (1 MB echoed).
. "$(dirname "$0")/lib.sh"
setup_ns
PEER="$WASI_TEST_DIR/peer.py"

# The legacy implementation must be there (wasmtime <= 46).
if "$WASMTIME" run -S preview2=n "$SYNACK_WASM" --help 2>&1 | grep -q "no longer supported"; then
    echo "wasi: $WASMTIME has no -S preview2=n, so no tcplisten (scripts/setup.sh pins 46.0.1)" >&2
    exit 1
fi

# wasi_accepting NAME LISTEN-ADDR synack-args...: start synack.wasm in the
# namespace with a listening socket preopened as fd 3 (no --dir, so it is
# the first preopen), in the background (PID in $BG_PID), stderr in NAME.err.
wasi_accepting() {
    local name=$1 addr=$2
    shift 2
    bg_ns 120 "$WASMTIME" run -S preview2=n -S "tcplisten=$addr" "$SYNACK_WASM" \
        --accept-fd 3 "$@" 2>"$WORK/$name.err"
}

# 1. A native synack client connects straight to the preopened socket.
wasi_accepting native 127.0.0.1:19000 --ip 10.9.0.1/24 listen 7000 --echo --count 1
wasi_pid=$BG_PID
check "WASI listener up (tcplisten 127.0.0.1:19000)" wait_for_port 127.0.0.1 19000
head -c 1000000 /dev/urandom >"$WORK/native.in"
in_ns 60 "$SYNACK" --connect 127.0.0.1:19000 --ip 10.9.0.2/24 \
    connect 10.9.0.1 7000 <"$WORK/native.in" >"$WORK/native.back" 2>"$WORK/native-client.err"
rc=$?
check "native client through --accept-fd: exit 0" [ "$rc" -eq 0 ]
check "native client: 1 MB echoed, SHA-256 equal" [ "$(sha "$WORK/native.in")" = "$(sha "$WORK/native.back")" ]
wait_pid "$wasi_pid" 30
check "WASI listener saw the connection ('listening on 10.9.0.1')" \
    grep -q "listening on 10.9.0.1 port 7000" "$WORK/native.err"

# 2. A Linux client on tap0, through the bridge: socat joins the WASI
# program's preopened socket to the bridge.
check "bridge up (tap0)" start_bridge 18003 --tap tap0
wasi_accepting bridged 127.0.0.1:19001 --ip 10.77.0.3/24 --gw "$KERNEL_IP" listen 7001 --echo --count 1
wasi_pid=$BG_PID
check "WASI listener up (tcplisten 127.0.0.1:19001)" wait_for_port 127.0.0.1 19001
bg_ns 120 socat TCP:127.0.0.1:19001 TCP:127.0.0.1:18003 2>"$WORK/join.err"
wait_for_text "$WORK/bridged.err" "listening on 10.77.0.3 port 7001" 20
check "Linux client through bridge + --accept-fd: 1 MB echoed intact" \
    in_ns 60 python3 "$PEER" tcp-echo 10.77.0.3 7001 1000000
wait_pid "$wasi_pid" 30
check "WASI listener exits 0 after --count 1" [ "$?" -eq 0 ]
finish
