#!/usr/bin/env bash
# Node (synack.mjs with its TLS module, SYNACK_JS) on a WebSocketLink to
# synack-bridge --listen-ws --tap tap0 in the test's namespace, to openssl
# s_server -WWW on the Linux side with a test CA made now: 10 MB, SHA-256
# equal. tcpdump on tap0 captures the transfer: the capture must hold the
# ClientHello (a TLS handshake record with the server name in it, so the
# check can fail) and the file's bytes must not be in it: the file carries
# a plaintext marker many times, which must be in the file and nowhere in
# the capture.
. "$(dirname "$0")/../wasi/lib.sh"
. "$(dirname "$0")/lib.sh"
if [ -z "${SYNACK_JS:-}" ] || [ ! -f "$SYNACK_JS" ]; then
    echo "test_node_tap: SYNACK_JS must name the built synack.mjs (run-all.sh builds it)" >&2
    exit 2
fi
command -v tcpdump >/dev/null || { echo "test_node_tap: tcpdump not found" >&2; exit 2; }
setup_ns
check "test CA and certificates" make_certs
mkdir "$WORK/www"
MARKER="synack-plaintext-marker-$$-$RANDOM"
# 10 MB: 100 blocks of 100 000 bytes, each random bytes ending in the marker.
python3 - "$WORK/www/big.bin" "$MARKER" <<'EOF' || exit 1
import os, sys
m = sys.argv[2].encode()
with open(sys.argv[1], "wb") as f:
    for _ in range(100):
        f.write(os.urandom(100000 - len(m)) + m)
EOF
check "the file holds the marker 100 times" [ "$(grep -aoF -- "$MARKER" "$WORK/www/big.bin" | wc -l)" -eq 100 ]
cd "$WORK/www" || exit 1
check "openssl s_server -WWW up" start_s_server 4433 -WWW
cd "$WORK" || exit 1

bg_ns 120 tcpdump -i tap0 -U -n -s 0 -B 32768 -w "$WORK/tap.pcap" tcp port 4433 2>"$WORK/tcpdump.err"
TCPDUMP=$BG_PID
check "tcpdump up" wait_for_text "$WORK/tcpdump.err" "listening on tap0"

bg_ns 120 "$BRIDGE" --listen-ws 127.0.0.1:0 --tap tap0 2>"$WORK/bridge.err"
check "bridge up (--listen-ws, tap0)" wait_for_text "$WORK/bridge.err" "websockets at"
port=$(sed -n 's/.*websockets at [^ ]*:\([0-9]*\) .*/\1/p' "$WORK/bridge.err" | head -n1)

in_ns 90 node --experimental-websocket --no-warnings "$TLS_TEST_DIR/node_tap.mjs" \
    "ws://127.0.0.1:$port/" "$KERNEL_IP" 4433 /big.bin "$WORK/pki/ca.pem" \
    "$(sha "$WORK/www/big.bin")" 10000000 >"$WORK/node.out" 2>&1
rc=$?
cat "$WORK/node.out"
check "Node over TLS through --tap: 10 MB, SHA-256 equal" [ "$rc" -eq 0 ]

# tcpdump writes what it has when it is stopped (-U: packet by packet).
kill "$TCPDUMP"
wait_pid "$TCPDUMP" 10
check "the capture holds the transfer (> 5 MB)" [ "$(stat -c %s "$WORK/tap.pcap")" -gt 5000000 ]
check "the capture holds a ClientHello for server.test" python3 - "$WORK/tap.pcap" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read()
# A handshake record (0x16, version 3.x) whose first message is a ClientHello (1).
m = re.search(rb"\x16\x03[\x01-\x03]..\x01", data, re.S)
sys.exit(0 if m and b"server.test" in data[m.start():m.start() + 600] else 1)
EOF
check "no plaintext marker in the capture" [ "$(grep -acF -- "$MARKER" "$WORK/tap.pcap")" -eq 0 ]
finish
