#!/usr/bin/env bash
# `synack get https://...` (the native tool on a TAP device in the test's
# namespace) against real TLS servers with a test CA made now: Python's
# ssl http.server and openssl s_server -WWW each serve 10 MB (SHA-256
# equal); then each rejection has its own message and exit status 3, and
# leaves no connection open: a CA nobody gave, the wrong name, an expired
# certificate, servers that speak only TLS 1.0 or only TLS 1.3, and one
# that offers only a cipher suite synack refuses (CBC). --insecure gets through the first
# three with a loud warning.
. "$(dirname "$0")/../interop/lib.sh"
. "$(dirname "$0")/lib.sh"
setup_ns
check "test CA and certificates" make_certs
mkdir "$WORK/www"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
want=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)
PKI="$WORK/pki"
get() { # NAME URL ARGS...: run synack get, output $WORK/NAME.{out,err}, status $WORK/NAME.rc
    local name=$1 url=$2
    shift 2
    in_ns 120 "$SYNACK" $SYNACK_ADDR --dns "$KERNEL_IP" get "$url" "$@" \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}
rc() { cat "$WORK/$1.rc"; }

check "dnsmasq up (server.test, wrong.test)" start_dns
check "https server (Python ssl http.server) up" start_https 4443
cd "$WORK/www" || exit 1
check "openssl s_server -WWW up" start_s_server 4433 -WWW
check "s_server, expired certificate, up" start_s_server 4434 -www -cert "$PKI/expired.pem" -key "$PKI/server.key"
check "s_server, TLS 1.0 only, up" start_s_server 4435 -www -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
check "s_server, CBC suite only, up" start_s_server 4436 -www -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA
check "s_server, TLS 1.3 only, up" start_s_server 4437 -www -tls1_3
cd "$WORK" || exit 1

get py "https://server.test:4443/big.bin" --cacert "$PKI/ca.pem"
check "http.server: exit 0" [ "$(rc py)" -eq 0 ]
check "http.server: 10 MB, SHA-256 equal" [ "$(sha256sum <"$WORK/py.out" | cut -d' ' -f1)" = "$want" ]
check "http.server: status line" grep -q "^HTTP/1.[01] 200" "$WORK/py.err"

get ss "https://server.test:4433/big.bin" --cacert "$PKI/ca.pem"
check "s_server: exit 0" [ "$(rc ss)" -eq 0 ]
check "s_server: 10 MB, SHA-256 equal" [ "$(sha256sum <"$WORK/ss.out" | cut -d' ' -f1)" = "$want" ]

# What travels is ciphertext: a marker in a served file shows up in the
# tool's own capture (--pcap) over http://, never over https://.
marker="synack-plaintext-marker-$$-$RANDOM"
for i in $(seq 200); do echo "$marker line $i"; done >"$WORK/www/marker.txt"
bg_ns 120 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "plain http.server up" wait_for_port "$KERNEL_IP" 8000
in_ns 60 "$SYNACK" $SYNACK_ADDR --pcap "$WORK/plain.pcap" get "http://$KERNEL_IP:8000/marker.txt" >"$WORK/plain.out" 2>/dev/null
check "control: the marker is in the capture of the http:// fetch" grep -qa "$marker" "$WORK/plain.pcap"
in_ns 60 "$SYNACK" $SYNACK_ADDR --dns "$KERNEL_IP" --pcap "$WORK/tls.pcap" get "https://server.test:4443/marker.txt" --cacert "$PKI/ca.pem" >"$WORK/tls.out" 2>/dev/null
check "https: the marker arrived" cmp -s "$WORK/tls.out" "$WORK/www/marker.txt"
check "https: the capture holds no plaintext of it" bash -c '! grep -qa "$0" "$1" && [ -s "$1" ]' "$marker" "$WORK/tls.pcap"

get untrusted "https://server.test:4443/big.bin" --cacert "$PKI/other-ca.pem"
check "untrusted CA: exit 3, 'TLS untrusted'" status_text "$(rc untrusted)" 3 "TLS untrusted: certificate not trusted" "$WORK/untrusted.err"
check "untrusted CA: no body" [ ! -s "$WORK/untrusted.out" ]
check "untrusted CA: no connection left" no_established 4443

get name "https://wrong.test:4443/big.bin" --cacert "$PKI/ca.pem"
check "wrong name: exit 3, 'TLS name'" status_text "$(rc name)" 3 "TLS name: certificate name mismatch.*'wrong.test'" "$WORK/name.err"
check "wrong name: no connection left" no_established 4443

get expired "https://server.test:4434/" --cacert "$PKI/ca.pem"
check "expired: exit 3, 'TLS expired'" status_text "$(rc expired)" 3 "TLS expired: certificate expired" "$WORK/expired.err"
check "expired: no connection left" no_established 4434

# A TLS 1.0 server finds none of synack's (TLS 1.2-only) suites usable and
# says handshake_failure, not protocol_version: the client cannot tell the
# two apart, so the message names both.
get tls10 "https://server.test:4435/" --cacert "$PKI/ca.pem"
check "TLS 1.0-only server: exit 3, 'TLS handshake' naming TLS 1.2" status_text "$(rc tls10)" 3 "TLS handshake: .*TLS 1.2" "$WORK/tls10.err"
check "TLS 1.0-only server: no connection left" no_established 4435

get tls13 "https://server.test:4437/" --cacert "$PKI/ca.pem"
check "TLS 1.3-only server: exit 3, 'TLS version'" status_text "$(rc tls13)" 3 "TLS version: protocol version" "$WORK/tls13.err"
check "TLS 1.3-only server: no connection left" no_established 4437

get cbc "https://server.test:4436/" --cacert "$PKI/ca.pem"
check "CBC-only server: exit 3, 'TLS handshake' (no common suite)" status_text "$(rc cbc)" 3 "TLS handshake: .*cipher suite" "$WORK/cbc.err"
check "CBC-only server: no connection left" no_established 4436

get insecure "https://wrong.test:4434/" --insecure
check "--insecure: wrong name and expired pass, exit 0" [ "$(rc insecure)" -eq 0 ]
check "--insecure: the warning" grep -q "WARNING: --insecure" "$WORK/insecure.err"
check "--insecure: s_server's page" grep -q "Ciphers supported\|Cipher" "$WORK/insecure.out"

get noca "https://server.test:4443/" --cacert "$WORK/missing.pem"
check "--cacert missing: exit 3, says so" status_text "$(rc noca)" 3 "cannot read it" "$WORK/noca.err"
finish
