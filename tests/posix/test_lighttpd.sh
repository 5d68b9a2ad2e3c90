#!/usr/bin/env bash
# Debian's lighttpd 1.4.69, unmodified, built for WASI with synack-wasi-cc
# and its opt-in compatibility layer (scripts/build-wasi-ports.sh
# lighttpd), serves a 10 MB file under wasmtime to Linux curl through
# synack-bridge --tap: SHA-256 equal; a missing file gives 404.
. "$(dirname "$0")/lib.sh"
[ -n "${LIGHTTPD_WASM:-}" ] && [ -f "$LIGHTTPD_WASM" ] || { echo "lighttpd.wasm not built"; exit 1; }
setup_ns
# /dev/null, which lighttpd opens for its stdin, is an empty file here
# (wasmtime preopens directories only).
mkdir "$WORK/www" "$WORK/conf" "$WORK/dev"
: >"$WORK/dev/null"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
cat >"$WORK/conf/lighttpd.conf" <<'CONF'
server.document-root = "/www"
server.port = 8080
# No getrlimit under WASI: without this lighttpd sizes its fd table for 32
# descriptors, and synack_posix numbers sockets from 64 up.
server.max-fds = 800
server.event-handler = "select"
server.network-backend = "writev"
mimetype.assign = (".bin" => "application/octet-stream")
CONF
check "bridge up (tap0)" start_bridge 18001 --tap tap0
bg_posix_bridged 120 18001 lighttpd --dir "$WORK/www::/www" --dir "$WORK/conf::/conf" --dir "$WORK/dev::/dev" \
    --env SYNACK_IP=10.77.0.3/24 --env SYNACK_GW="$KERNEL_IP" "$LIGHTTPD_WASM" -D -f /conf/lighttpd.conf
srv=$BG_PID
ok=1
for _ in $(seq 1 100); do
    in_ns 5 curl -s -o /dev/null "http://10.77.0.3:8080/" && break
    sleep 0.2
done
start=$(date +%s%N)
in_ns 60 curl -sS -o "$WORK/got" "http://10.77.0.3:8080/big.bin"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "Linux curl exits 0" [ "$rc" -eq 0 ]
check "10 MB from lighttpd.wasm, SHA-256 equal" [ "$(sha "$WORK/got")" = "$(sha "$WORK/www/big.bin")" ]
echo "  (lighttpd.wasm to Linux curl, 10 MB over TAP: ${ms} ms)"
code=$(in_ns 30 curl -s -o /dev/null -w '%{http_code}' "http://10.77.0.3:8080/missing")
check "a missing file: 404" [ "$code" = 404 ]
# A server runs until stopped: end wasmtime by its PID.
read -r -a pids <"$WORK/lighttpd.pids"
kill "${pids[0]}" 2>/dev/null
wait_pid "$srv" 30
sed 's/^/    lighttpd: /' "$WORK/lighttpd.err" | head -20
finish
