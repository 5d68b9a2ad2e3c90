# Shared set-up for the synack.wasm tests (sourced, not run). Builds on
# tests/interop/lib.sh: one network namespace per test (NS, with tap0 =
# 10.77.0.1/24 after setup_ns), the EXIT trap that stops every process we
# started and removes the namespace, and check/finish. Everything a test
# starts runs inside its namespace, so ports never clash with the host.
#
# Environment: WASMTIME (default: wasmtime on PATH, then ~/.cargo/bin),
# SYNACK_WASM (default build/wasi/wasi/synack.wasm), SYNACK (native tool,
# default build/native/host/native/synack), SYNACK_BRIDGE (default the
# synack-bridge next to SYNACK).

WASI_TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WASI_ROOT=$(cd "$WASI_TEST_DIR/../.." && pwd)
: "${SYNACK:=$WASI_ROOT/build/native/host/native/synack}"
export SYNACK
. "$WASI_TEST_DIR/../interop/lib.sh"
# A test stopped by `timeout` (TERM) or ^C still runs the EXIT cleanup.
trap 'exit 143' TERM
trap 'exit 130' INT

if [ -z "${WASMTIME:-}" ]; then
    WASMTIME=$(command -v wasmtime || echo "$HOME/.cargo/bin/wasmtime")
fi
: "${SYNACK_WASM:=$WASI_ROOT/build/wasi/wasi/synack.wasm}"
BRIDGE=${SYNACK_BRIDGE:-$(dirname "$SYNACK")/../bridge/synack-bridge}
for need in "$WASMTIME" "$BRIDGE"; do
    if [ ! -x "$need" ]; then
        echo "wasi: $need not found or not executable" >&2
        exit 2
    fi
done
if [ ! -f "$SYNACK_WASM" ]; then
    echo "wasi: $SYNACK_WASM not found (build the wasi preset)" >&2
    exit 2
fi
command -v socat >/dev/null || { echo "wasi: socat not found" >&2; exit 2; }

# The tool under wasmtime, with $WORK preopened as /work (for --out and
# listen --file): "${WASI_CMD[@]}" ARGS...
WASI_CMD=("$WASMTIME" run --dir "$WORK::/work" "$SYNACK_WASM")

# Run synack.wasm --stdio in the namespace, its stdin and stdout joined to
# the bridge listening on 127.0.0.1:PORT (in the namespace) by socat, the
# way the README shows (two FIFOs instead of a shell pipe, so that both
# PIDs are known: they are written to $WORK/NAME.pids, wasmtime's first).
# stderr goes to $WORK/NAME.err. Returns the exit status of the WASI
# program.
#   wasi_bridged SECONDS PORT NAME synack-args...
wasi_bridged() {
    local t=$1 port=$2 name=$3
    shift 3
    local in="$WORK/$name.to-wasi" out="$WORK/$name.from-wasi"
    rm -f "$in" "$out"
    mkfifo "$in" "$out"
    # `ip netns exec` execs `timeout`: $! is that process, and killing it
    # stops what it runs.
    ip netns exec "$NS" timeout "$t" "${WASI_CMD[@]}" --stdio "$@" \
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

# The same in the background; its exit status lands in $WORK/NAME.rc and
# the PID of the subshell (recorded for cleanup) in $BG_PID.
#   bg_wasi_bridged SECONDS PORT NAME synack-args...
bg_wasi_bridged() {
    local name=$3
    rm -f "$WORK/$name.pids"
    (
        wasi_bridged "$@"
        echo $? >"$WORK/$name.rc"
    ) &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# End a background wasi_bridged by closing its link (its socat, by PID):
# the WASI program sees end of stream and exits. stop_bridged NAME PID
stop_bridged() {
    local name=$1 pid=$2 pids
    read -r -a pids <"$WORK/$name.pids" || return 1
    kill "${pids[1]}" 2>/dev/null
    wait_pid "$pid" 30
}

# Start synack-bridge in the namespace on 127.0.0.1:PORT with the given
# backend options and wait until it listens: start_bridge PORT opts...
start_bridge() {
    local port=$1
    shift
    bg_ns 300 "$BRIDGE" --listen "127.0.0.1:$port" "$@" 2>"$WORK/bridge-$port.err"
    wait_for_port 127.0.0.1 "$port"
}

# The SHA-256 of a file (hex only): sha FILE
sha() {
    sha256sum <"$1" | cut -d' ' -f1
}

# A status and a line of output both as expected (one check, so that
# `check` sees both): status_and_text STATUS WANT TEXT FILE
status_and_text() {
    [ "$1" = "$2" ] && grep -q -- "$3" "$4"
}
