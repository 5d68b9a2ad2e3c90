#!/usr/bin/env bash
# The offload exchange with the native tool (issue 16): `synack send`/`sink`
# of N bytes (default 100 MB) <-> synack-bridge --tap <-> Linux socat in a
# network namespace of its own, with and without --offload on both ends,
# two rounds interleaved. Prints the tool's JSON (SHA-256 left out) and the
# bridge's rx_super / tx_gso / tx_super totals. Root; not part of make bench.
#   bench/offload_tool.sh BUILD_DIR
set -uo pipefail
B=${1:?usage: bench/offload_tool.sh BUILD_DIR}; T=$B/host/native/synack; BR=$B/host/bridge/synack-bridge
NS=synack-offl$$; N=${N:-100000000}
tmp=$(mktemp -d /tmp/synack-offl.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill $p 2>/dev/null; wait $p 2>/dev/null; done; ip netns del $NS 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 143' INT TERM
ip netns add $NS; ip -n $NS link set lo up; ip -n $NS tuntap add dev offl0 mode tap
ip -n $NS addr add 10.66.0.1/24 dev offl0; ip -n $NS link set offl0 up
for round in 1 2; do
 for dir in send sink; do
 for v in plain offload; do
  fl=(); [ $v = offload ] && fl=(--offload)
  ip netns exec $NS $BR --listen 127.0.0.1:0 --tap offl0 --rate-fps 0 --rate-bps 0 "${fl[@]}" 2>$tmp/bridge.err & bp=$!; pids+=($bp)
  for _ in $(seq 100); do grep -q "listening on" $tmp/bridge.err && break; sleep 0.05; done
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9]*\) .*/\1/p' $tmp/bridge.err | head -n1)
  if [ $dir = send ]; then
    ip netns exec $NS timeout 60 socat -b 131072 -u TCP-LISTEN:5200,bind=10.66.0.1,reuseaddr /dev/null & sp=$!; pids+=($sp)
    sleep 0.3
    s=$(ip netns exec $NS timeout 60 $T --connect 127.0.0.1:$port --ip 10.66.0.2/24 "${fl[@]}" send 10.66.0.1 5200 --bytes $N 2>/dev/null | tail -1)
    kill $sp 2>/dev/null; wait $sp 2>/dev/null
  else
    ip netns exec $NS timeout 60 $T --connect 127.0.0.1:$port --ip 10.66.0.2/24 "${fl[@]}" sink 5300 --count 1 >$tmp/out 2>/dev/null & tp=$!; pids+=($tp)
    sleep 0.5
    ip netns exec $NS timeout 60 socat -b 131072 -u OPEN:/dev/zero,readbytes=$N TCP:10.66.0.2:5300 2>/dev/null
    wait $tp; s=$(tail -1 $tmp/out)
  fi
  kill -USR1 $bp; sleep 0.2
  tot=$(grep "totals" $tmp/bridge.err | tail -1)
  kill $bp; wait $bp 2>/dev/null
  echo "round=$round $dir $v: $(echo "$s" | sed 's/"sha256":"[0-9a-f]*",//') rx_super=$(echo "$tot" | sed -n 's/.* rx_super=\([0-9]*\).*/\1/p') tx_gso=$(echo "$tot" | sed -n 's/.* tx_gso=\([0-9]*\).*/\1/p') tx_super=$(echo "$tot" | sed -n 's/.* tx_super=\([0-9]*\).*/\1/p')"
 done
 done
done
