#!/usr/bin/env bash
# Debian's curl 7.88, unmodified, built for WASI with synack-wasi-cc
# (scripts/build-wasi-ports.sh), fetches 10 MB under wasmtime from a
# Linux http.server through synack-bridge --tap and through
# synack-bridge --slirp (address by the bridge's DHCP): SHA-256 equal;
# through --slirp over IPv6 too ([fd00:5ac::2], slirp's host address,
# is the namespace's ::1; a static address in slirp's prefix).
# Also a name through DNS (dnsmasq in the namespace) and a refused
# port's exit status (curl's 7, "Couldn't connect to server").
. "$(dirname "$0")/lib.sh"
[ -n "${CURL_WASM:-}" ] && [ -f "$CURL_WASM" ] || { echo "curl.wasm not built"; exit 1; }
setup_ns
mkdir "$WORK/www" "$WORK/out"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
bg_ns 280 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port "$KERNEL_IP" 8000
bg_ns 280 dnsmasq --no-daemon --no-resolv --no-hosts --port=53 --listen-address="$KERNEL_IP" \
    --bind-interfaces --address=/files.synack.test/"$KERNEL_IP" 2>"$WORK/dnsmasq.err"
check "bridge up (tap0)" start_bridge 18001 --tap tap0
NET=(--env SYNACK_IP=10.77.0.3/24 --env SYNACK_GW="$KERNEL_IP" --env SYNACK_DNS="$KERNEL_IP")

start=$(date +%s%N)
posix_bridged 120 18001 get --dir "$WORK/out::/out" "${NET[@]}" "$CURL_WASM" -sS -o /out/got \
    "http://$KERNEL_IP:8000/big.bin"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "curl exits 0" [ "$rc" -eq 0 ]
check "10 MB through the TAP, SHA-256 equal" [ "$(sha "$WORK/out/got")" = "$(sha "$WORK/www/big.bin")" ]
echo "  (curl.wasm, 10 MB over TAP: ${ms} ms)"

posix_bridged 60 18001 dns --dir "$WORK/out::/out" "${NET[@]}" "$CURL_WASM" -sS -o /out/dns \
    "http://files.synack.test:8000/big.bin"
rc=$?
check "a name through DNS: exit 0, same file" \
    every '[ "$rc" -eq 0 ]' '[ "$(sha "$WORK/out/dns")" = "$(sha "$WORK/www/big.bin")" ]'

bg_ns 280 python3 -m http.server 8002 --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1
check "http.server up on the namespace's loopback" wait_for_port 127.0.0.1 8002
check "bridge up (slirp)" start_bridge 18002 --slirp --allow 10.0.2.2:8002
start=$(date +%s%N)
posix_bridged 120 18002 slirp --dir "$WORK/out::/out" "$CURL_WASM" -sS -o /out/slirp \
    "http://10.0.2.2:8002/big.bin"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "through slirp with DHCP: exit 0, SHA-256 equal" \
    every '[ "$rc" -eq 0 ]' '[ "$(sha "$WORK/out/slirp")" = "$(sha "$WORK/www/big.bin")" ]'
echo "  (curl.wasm, 10 MB over slirp, DHCP included: ${ms} ms)"

bg_ns 280 python3 -m http.server 8003 --bind ::1 --directory "$WORK/www" >/dev/null 2>&1
check "http.server up on ::1" wait_for_port ::1 8003
check "bridge up (slirp, IPv6 allowed)" start_bridge 18003 --slirp --allow '[::1]:8003'
start=$(date +%s%N)
posix_bridged 120 18003 slirp6 --dir "$WORK/out::/out" --env SYNACK_IP6=fd00:5ac::10/64 \
    "$CURL_WASM" -sS -g -o /out/slirp6 "http://[fd00:5ac::2]:8003/big.bin"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "through slirp over IPv6: exit 0, SHA-256 equal" \
    every '[ "$rc" -eq 0 ]' '[ "$(sha "$WORK/out/slirp6")" = "$(sha "$WORK/www/big.bin")" ]'
echo "  (curl.wasm, 10 MB over slirp's IPv6: ${ms} ms)"

posix_bridged 60 18001 refused "${NET[@]}" "$CURL_WASM" -sS "http://$KERNEL_IP:8001/"
rc=$?
check "a closed port: exit 7, 'Couldn't connect'" status_and_text "$rc" 7 "connect" "$WORK/refused.err"
finish
