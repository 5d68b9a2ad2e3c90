#!/usr/bin/env bash
# socksem three times against peer.py in one namespace: Linux's sockets,
# synack_posix on tap0 (native; again with ASan+UBSan when
# SOCKSEM_SYNACK_ASAN names that build), synack_posix under wasmtime
# through synack-bridge --tap. SYN retries are lowered on both sides (sysctl,
# SYNACK_SYN_RETRIES) so "timed out" takes 3 s; nft drops SYNs to 7003.
. "$(dirname "$0")/lib.sh"
setup_ns
in_ns 10 sysctl -qw net.ipv4.tcp_syn_retries=1
in_ns 10 nft -f - <<'NFT'
table inet socksem {
  chain input { type filter hook input priority 0; tcp dport 7003 drop; }
}
NFT
bg_ns 280 python3 "$(dirname "$0")/peer.py" "$KERNEL_IP" >"$WORK/peer.out" 2>&1
check "peer up" wait_for_text "$WORK/peer.out" "peer ready"

cd "$WORK" || exit 1
in_ns 60 "$SOCKSEM_LINUX" "$KERNEL_IP" >"$WORK/linux.out" 2>&1
rc=$?
sed 's/^/    linux: /' "$WORK/linux.out"
check "Linux sockets: all pass" [ "$rc" -eq 0 ]

in_ns 60 env SYNACK_LINK=tap:tap0 SYNACK_IP=10.77.0.2/24 SYNACK_GW="$KERNEL_IP" \
    SYNACK_SYN_RETRIES=1 "$SOCKSEM_SYNACK" "$KERNEL_IP" >"$WORK/synack.out" 2>&1
rc=$?
sed 's/^/    synack: /' "$WORK/synack.out"
check "synack_posix (native, TAP): all pass" [ "$rc" -eq 0 ]

if [ -n "${SOCKSEM_SYNACK_ASAN:-}" ]; then
    # The same with AddressSanitizer and UBSan (and leak checking at exit).
    in_ns 60 env SYNACK_LINK=tap:tap0 SYNACK_IP=10.77.0.2/24 SYNACK_GW="$KERNEL_IP" \
        SYNACK_SYN_RETRIES=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$SOCKSEM_SYNACK_ASAN" "$KERNEL_IP" >"$WORK/asan.out" 2>&1
    rc=$?
    grep -E "FAIL|Sanitizer|runtime error" "$WORK/asan.out" | sed 's/^/    asan: /'
    check "synack_posix under ASan+UBSan: all pass, no report" \
        every '[ "$rc" -eq 0 ]' '! grep -qE "Sanitizer|runtime error" "$WORK/asan.out"'
fi

check "bridge up (tap0)" start_bridge 18001 --tap tap0
posix_bridged 120 18001 wasi --dir "$WORK::." --env SYNACK_IP=10.77.0.3/24 \
    --env SYNACK_GW="$KERNEL_IP" --env SYNACK_SYN_RETRIES=1 "$SOCKSEM_WASM" "$KERNEL_IP"
rc=$?
sed 's/^/    wasi: /' "$WORK/wasi.err"
check "synack_posix (WASI, wasmtime, bridge): all pass" [ "$rc" -eq 0 ]
finish
