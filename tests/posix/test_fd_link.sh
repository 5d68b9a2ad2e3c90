#!/usr/bin/env bash
# SYNACK_LINK=fd:N under wasmtime: the link is one connection accepted on
# a listening socket wasmtime preopened (-S preview2=n -S tcplisten=ADDR,
# fd 3), joined by socat to synack-bridge --tap, while a directory is
# preopened too (--dir): socksem.wasm passes all its tests against
# peer.py, including poll_mixed, which creates a file in that directory.
# (wasi-libc stops looking for preopened directories at the socket;
# synack_posix looks on, sys_wasi.c.)
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
check "bridge up (tap0)" start_bridge 18001 --tap tap0

cd "$WORK" || exit 1
bg_ns 120 "$WASMTIME" run -S preview2=n -S tcplisten=127.0.0.1:19010 --dir "$WORK::." \
    --env SYNACK_LINK=fd:3 --env SYNACK_IP=10.77.0.5/24 --env SYNACK_GW="$KERNEL_IP" \
    --env SYNACK_SYN_RETRIES=1 "$SOCKSEM_WASM" "$KERNEL_IP" >"$WORK/fd.out" 2>&1
wasi_pid=$BG_PID
check "WASI program listening (tcplisten 127.0.0.1:19010)" wait_for_port 127.0.0.1 19010
bg_ns 120 socat TCP:127.0.0.1:19010 TCP:127.0.0.1:18001 2>"$WORK/join.err"
wait "$wasi_pid"
rc=$?
sed 's/^/    fd:3: /' "$WORK/fd.out"
check "synack_posix (WASI, SYNACK_LINK=fd:3 with a preopened directory): all pass" [ "$rc" -eq 0 ]
check "the file in the preopened directory was made and removed" \
    grep -q "ok   poll_mixed" "$WORK/fd.out"
finish
