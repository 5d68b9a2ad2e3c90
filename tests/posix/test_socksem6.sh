#!/usr/bin/env bash
# socksem over IPv6: the same program and assertions as test_socksem.sh
# with an IPv6 peer (every socket AF_INET6, every address sockaddr_in6),
# against peer.py on fd00:77::1 in one namespace: Linux's sockets,
# synack_posix on tap0 (native) and under wasmtime through synack-bridge
# --tap, each with a static address (SYNACK_IP6, no DHCP). SYN retries
# lowered on both sides; nft drops SYNs to 7003 (table inet: both
# families).
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

check "bridge up (tap0)" start_bridge 18001 --tap tap0
posix_bridged 120 18001 wasi --dir "$WORK::." --env SYNACK_IP6=fd00:77::3/64 \
    --env SYNACK_SYN_RETRIES=1 "$SOCKSEM_WASM" "$PEER6"
rc=$?
sed 's/^/    wasi: /' "$WORK/wasi.err"
check "synack_posix (WASI, wasmtime, bridge) over IPv6: all pass" [ "$rc" -eq 0 ]
finish
