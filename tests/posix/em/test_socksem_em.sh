#!/usr/bin/env bash
# socksem.c built with synack-emcc in Node, blocking by Asyncify
# (socksem.js) and in a worker thread (socksem_worker.js), against peer.py in a namespace of its own, with the assertions the
# Linux, native synack_posix and WASI builds pass (tests/posix/
# test_socksem.sh): its link is SYNACK_LINK=ws:// to real websockify in
# front of synack-bridge --tap tap0. SYN retries lowered on both sides so
# "timed out" takes 3 s; nft drops SYNs to 7003. Each model runs twice:
# over IPv4 (DHCP-less static address) and over IPv6 (a second peer on
# fd00:77::1, SYNACK_IP6; the bridge passes IPv6 on the TAP), as
# test_socksem.sh and test_socksem6.sh do for the other builds.
#   SOCKSEM_JS (build/js-em/posix/socksem.js; socksem_worker.js beside it),
#   SYNACK_BRIDGE
. "$(dirname "$0")/../../interop/lib.sh"
trap 'exit 143' TERM
BRIDGE=${SYNACK_BRIDGE:?}
setup_ns
in_ns 10 sysctl -qw net.ipv4.tcp_syn_retries=1
in_ns 10 nft -f - <<'NFT'
table inet socksem {
  chain input { type filter hook input priority 0; tcp dport 7003 drop; }
}
NFT
PEER6=fd00:77::1
ip -n "$NS" addr add "$PEER6/64" dev tap0 nodad
bg_ns 280 python3 "$(dirname "$0")/../peer.py" "$KERNEL_IP" >"$WORK/peer.out" 2>&1
check "peer up" wait_for_text "$WORK/peer.out" "peer ready"
bg_ns 280 python3 "$(dirname "$0")/../peer.py" "$PEER6" >"$WORK/peer6.out" 2>&1
check "peer up ($PEER6)" wait_for_text "$WORK/peer6.out" "peer ready"
bg_ns 280 "$BRIDGE" --listen 127.0.0.1:18001 --tap tap0 2>"$WORK/bridge.err"
check "bridge up (tap0)" wait_for_port 127.0.0.1 18001
bg_ns 280 websockify 127.0.0.1:18080 127.0.0.1:18001 >"$WORK/websockify.out" 2>&1
check "websockify up" wait_for_port 127.0.0.1 18080

cd "$WORK" || exit 1
for model in asyncify worker; do
    js=$SOCKSEM_JS
    [ "$model" = worker ] && js=${SOCKSEM_JS%.js}_worker.js
    in_ns 120 env SYNACK_LINK=ws://127.0.0.1:18080/ SYNACK_IP=10.77.0.4/24 SYNACK_GW="$KERNEL_IP" \
        SYNACK_SYN_RETRIES=1 node --experimental-websocket "$js" "$KERNEL_IP" >"$WORK/$model.out" 2>&1
    rc=$?
    sed "s/^/    $model: /" "$WORK/$model.out" | cut -c1-300
    check "synack_posix (Emscripten, $model, Node, websockify + bridge): all pass" [ "$rc" -eq 0 ]
    # IPv6 only (SYNACK_IP6 alone: no DHCP), every socket AF_INET6; an
    # address of its own per run, so no run meets the neighbour entry
    # (another MAC) the run before it left in Linux's cache.
    ip6=fd00:77::5
    [ "$model" = worker ] && ip6=fd00:77::6
    in_ns 120 env SYNACK_LINK=ws://127.0.0.1:18080/ SYNACK_IP6=$ip6/64 SYNACK_SYN_RETRIES=1 \
        node --experimental-websocket "$js" "$PEER6" >"$WORK/$model-6.out" 2>&1
    rc=$?
    sed "s/^/    $model (IPv6): /" "$WORK/$model-6.out" | cut -c1-300
    check "synack_posix (Emscripten, $model, Node, websockify + bridge) over IPv6: all pass" [ "$rc" -eq 0 ]
done

# A bad link is ENETDOWN at the first socket call, with a reason.
in_ns 30 env SYNACK_LINK=ws://127.0.0.1:1/ node --experimental-websocket "$SOCKSEM_JS" \
    "$KERNEL_IP" names >"$WORK/bad.out" 2>&1
grep -m3 "synack\|FAIL" "$WORK/bad.out" | sed 's/^/    bad link: /' | cut -c1-300
check "an unreachable link: a reason on stderr and failures" \
    grep -q "synack: link: cannot reach the bridge at ws://127.0.0.1:1/" "$WORK/bad.out"
finish
