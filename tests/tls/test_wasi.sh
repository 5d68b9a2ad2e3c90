#!/usr/bin/env bash
# synack.wasm under wasmtime (--stdio joined by socat to synack-bridge
# --tap in the test's namespace, as tests/wasi/ does): `get https://`
# against Python's ssl http.server with a test CA made now (10 MB,
# SHA-256 equal; the CA file read from the preopened directory), 10 MB
# from openssl s_server -WWW through synack-bridge --slirp (the whole
# server flight in one segment: this case caught the tool waiting with
# the client's second flight unsent; a static 10.0.2.x address, since a DHCP
# lease would replace --dns by slirp's resolver; the name from dnsmasq
# through slirp's NAT; dnsmasq and the server allowed by --allow), and the
# rejections with their exit status 3: a CA nobody gave, the wrong name,
# a TLS 1.3-only server; --insecure with its warning.
. "$(dirname "$0")/../wasi/lib.sh"
. "$(dirname "$0")/lib.sh"
setup_ns
check "test CA and certificates" make_certs
mkdir "$WORK/www"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
check "dnsmasq up" start_dns
check "https server (Python ssl http.server) up" start_https 4443
check "s_server, TLS 1.3 only, up" start_s_server 4437 -www -tls1_3
check "bridge up (tap0)" start_bridge 18001 --tap tap0
addr=(--ip 10.77.0.3/24 --gw "$KERNEL_IP" --dns "$KERNEL_IP")

start=$(date +%s%N)
wasi_bridged 180 18001 big "${addr[@]}" --out /work/got get https://server.test:4443/big.bin --cacert /work/pki/ca.pem
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "wasm get https: exit 0" [ "$rc" -eq 0 ]
check "wasm get https: 10 MB, SHA-256 equal" [ "$(sha "$WORK/got")" = "$(sha "$WORK/www/big.bin")" ]
echo "  (10 MB over TLS under wasmtime: ${ms} ms)"

cd "$WORK/www" || exit 1
check "openssl s_server -WWW up" start_s_server 4433 -WWW
cd "$WORK" || exit 1
check "bridge up (slirp)" start_bridge 18002 --slirp --allow "$KERNEL_IP:4433" --allow "$KERNEL_IP:53"
start=$(date +%s%N)
wasi_bridged 60 18002 slirp --ip 10.0.2.15/24 --gw 10.0.2.2 --dns "$KERNEL_IP" --out /work/got-slirp get https://server.test:4433/big.bin --cacert /work/pki/ca.pem
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "wasm get https through --slirp: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$WORK/slirp.err" "$WORK/bridge-18002.err" "$WORK/s_server.4433.log" >&2
check "through --slirp: 10 MB, SHA-256 equal" [ "$(sha "$WORK/got-slirp")" = "$(sha "$WORK/www/big.bin")" ]
echo "  (10 MB over TLS under wasmtime through --slirp: ${ms} ms)"

wasi_bridged 60 18001 untrusted "${addr[@]}" --out /work/u.out get https://server.test:4443/ --cacert /work/pki/other-ca.pem
check "wasm untrusted CA: exit 3, 'TLS untrusted'" status_text $? 3 "TLS untrusted" "$WORK/untrusted.err"
check "untrusted CA: no connection left" no_established 4443
wasi_bridged 60 18001 name "${addr[@]}" --out /work/n.out get https://wrong.test:4443/ --cacert /work/pki/ca.pem
check "wasm wrong name: exit 3, 'TLS name'" status_text $? 3 "TLS name" "$WORK/name.err"
wasi_bridged 60 18001 tls13 "${addr[@]}" --out /work/v.out get https://server.test:4437/ --cacert /work/pki/ca.pem
check "wasm TLS 1.3-only server: exit 3, 'TLS version'" status_text $? 3 "TLS version" "$WORK/tls13.err"
check "TLS 1.3-only server: no connection left" no_established 4437
wasi_bridged 60 18001 insecure "${addr[@]}" --out /work/i.out get https://wrong.test:4443/ --insecure
check "wasm --insecure: exit 0 with the warning" status_text $? 0 "WARNING: --insecure" "$WORK/insecure.err"
finish
