# Shared set-up of the synack_posix tests (sourced): tests/wasi/lib.sh
# (namespace with tap0 = 10.77.0.1/24, cleanup by PID, check/finish,
# start_bridge) plus a runner for any WASI program on the stdio link.
: "${SYNACK_WASM:=${SOCKSEM_WASM:-}}"
export SYNACK_WASM
. "$(dirname "${BASH_SOURCE[0]}")/../wasi/lib.sh"

# Run a WASI program under wasmtime with SYNACK_LINK=stdio, its stdin
# and stdout joined by socat to the bridge on 127.0.0.1:PORT (in the
# namespace); its stderr (and stdout: synack_posix moves it there) goes
# to $WORK/NAME.err; PIDs to $WORK/NAME.pids. Returns its exit status.
#   posix_bridged SECONDS PORT NAME wasmtime-run-args...
posix_bridged() {
    local t=$1 port=$2 name=$3
    shift 3
    local in="$WORK/$name.to-wasi" out="$WORK/$name.from-wasi"
    rm -f "$in" "$out"
    mkfifo "$in" "$out"
    ip netns exec "$NS" timeout "$t" "$WASMTIME" run --env SYNACK_LINK=stdio "$@" \
        <"$in" >"$out" 2>"$WORK/$name.err" &
    local wpid=$!
    ip netns exec "$NS" timeout "$t" socat -b 4096 -t 1 - "TCP:127.0.0.1:$port" \
        >"$in" <"$out" 2>"$WORK/$name.socat.err" &
    local spid=$!
    echo "$wpid $spid" >"$WORK/$name.pids"
    wait "$wpid"
    local rc=$?
    wait "$spid"
    return "$rc"
}

# The same in the background; status in $WORK/NAME.rc, PID in $BG_PID.
bg_posix_bridged() {
    local name=$3
    rm -f "$WORK/$name.pids"
    (
        posix_bridged "$@"
        echo $? >"$WORK/$name.rc"
    ) &
    BG_PID=$!
    PIDS+=("$BG_PID")
}
