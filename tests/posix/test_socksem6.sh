#!/usr/bin/env bash
# socksem over IPv6: the same program and assertions as test_socksem.sh
# with an IPv6 peer (every socket AF_INET6, every address sockaddr_in6),
# against peer.py on fd00:77::1 in one namespace: Linux's sockets and
# synack_posix on tap0 (native, a static address: SYNACK_IP6, no DHCP;
# Neighbour Discovery both ways). SYN retries lowered on both sides; nft
# drops SYNs to 7003 (table inet: both families). Then synack_posix under
# wasmtime through synack-bridge --tap (which passes IPv6 and binds the
# client's address to its port at first use), as test_socksem.sh does
# over IPv4. (The Emscripten build over IPv6: tests/posix/em/
# test_socksem_em.sh.)
. "$(dirname "$0")/lib.sh"
PEER6=fd00:77::1
setup_ns
ip -n "$NS" addr add "$PEER6/64" dev tap0 nodad
in_ns 10 sysctl -qw net.ipv4.tcp_syn_retries=1
in_ns 10 nft -f - <<'NFT'
table inet socksem {
  chain input { type filter hook input priority 0; tcp dport 7003 drop; }
}
NFT
bg_ns 280 python3 "$(dirname "$0")/peer.py" "$PEER6" >"$WORK/peer.out" 2>&1
check "peer up ($PEER6)" wait_for_text "$WORK/peer.out" "peer ready"

cd "$WORK" || exit 1
in_ns 60 "$SOCKSEM_LINUX" "$PEER6" >"$WORK/linux.out" 2>&1
rc=$?
sed 's/^/    linux: /' "$WORK/linux.out"
check "Linux sockets over IPv6: all pass" [ "$rc" -eq 0 ]

in_ns 60 env SYNACK_LINK=tap:tap0 SYNACK_IP6=fd00:77::2/64 SYNACK_SYN_RETRIES=1 \
    "$SOCKSEM_SYNACK" "$PEER6" >"$WORK/synack.out" 2>&1
rc=$?
sed 's/^/    synack: /' "$WORK/synack.out"
check "synack_posix (native, TAP) over IPv6: all pass" [ "$rc" -eq 0 ]

# getaddrinfo with AAAA and A: dnsmasq answers both for one name, asked
# over IPv6 (SYNACK_DNS), the stack dual-stack (SYNACK_IP too).
bg_ns 120 dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts --port=53 \
    --listen-address="$PEER6" --bind-interfaces \
    --host-record=dual.socksem.test,10.77.0.1,"$PEER6" --local=/test/ 2>"$WORK/dnsmasq.err"
check "dnsmasq up on [$PEER6]:53" wait_for_port "$PEER6" 53
in_ns 60 env SYNACK_LINK=tap:tap0 SYNACK_IP=10.77.0.5/24 SYNACK_IP6=fd00:77::5/64 \
    SYNACK_DNS="$PEER6" SOCKSEM_DUAL_NAME=dual.socksem.test \
    "$SOCKSEM_SYNACK" "$PEER6" dual_name >"$WORK/dual.out" 2>&1
rc=$?
sed 's/^/    synack: /' "$WORK/dual.out"
check "synack_posix getaddrinfo: AAAA and A, IPv6 first" every '[ "$rc" -eq 0 ]' 'grep -q "^ok   dual_name" "$WORK/dual.out"'

if [ -n "${SOCKSEM_SYNACK_ASAN:-}" ]; then
    # The same with AddressSanitizer and UBSan (and leak checking at exit).
    in_ns 60 env SYNACK_LINK=tap:tap0 SYNACK_IP6=fd00:77::4/64 SYNACK_SYN_RETRIES=1 \
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$SOCKSEM_SYNACK_ASAN" "$PEER6" >"$WORK/asan.out" 2>&1
    rc=$?
    grep -E "FAIL|Sanitizer|runtime error" "$WORK/asan.out" | sed 's/^/    asan: /'
    check "synack_posix over IPv6 under ASan+UBSan: all pass, no report" \
        every '[ "$rc" -eq 0 ]' '! grep -qE "Sanitizer|runtime error" "$WORK/asan.out"'
fi

check "bridge up (tap0)" start_bridge 18001 --tap tap0
posix_bridged 120 18001 wasi --dir "$WORK::." --env SYNACK_IP6=fd00:77::3/64 \
    --env SYNACK_SYN_RETRIES=1 "$SOCKSEM_WASM" "$PEER6"
rc=$?
sed 's/^/    wasi: /' "$WORK/wasi.err"
check "synack_posix (WASI, wasmtime, bridge) over IPv6: all pass" [ "$rc" -eq 0 ]
finish
