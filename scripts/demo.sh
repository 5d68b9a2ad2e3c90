#!/usr/bin/env bash
# `make demo`: the demo page with everything it needs, on loopback only.
#  - builds the page (synack_web in build/js-em, Emscripten Release) and
#    synack-bridge (build/native);
#  - serves the page with python3's http.server (scripts/demo-http.py: also
#    GET /reset, answered with RST) on 127.0.0.1:$DEMO_HTTP_PORT;
#  - runs synack-bridge --slirp on 127.0.0.1:$DEMO_BRIDGE_PORT, allowed to
#    reach the page's own server (10.0.2.2:$DEMO_HTTP_PORT, so network mode
#    has an HTTP server to talk to) and the ports in $DEMO_ALLOW;
#  - runs websockify 127.0.0.1:$DEMO_WS_PORT -> the bridge (DEMO_WS=bridge:
#    no websockify; the bridge's own WebSocket endpoint, --listen-ws, on
#    that port). The demo's bridge is local: its per-client rate limits are
#    off so they never cap a local run (the public defaults are in
#    host/bridge/README.md, "Running a public bridge");
#  - for network mode's targets: an HTTPS server (the same web server with
#    Python's ssl, a certificate for demo.test from a demo CA made at start
#    with openssl and removed at exit; the plain server serves the CA at
#    /demo-ca.pem for the page), a private PostgreSQL (initdb in a temp
#    folder, on a free loopback port; as `postgres` via runuser when root;
#    skipped, and the page says so, when PostgreSQL is not installed), a
#    closed port and a port that drops SYNs (scripts/demo-ports.py), all
#    allowed on the bridge (as 10.0.2.2:PORT and [::1]:PORT: the page's IPv6
#    switch reaches the host at fd00:5ac::2, slirp's name for ::1; the web
#    servers and PostgreSQL listen on ::1 too) and passed to the page in the URL;
#  - prints the URL to open; Ctrl-C stops the children (by PID).
# Environment: DEMO_HTTP_PORT (8000), DEMO_WS_PORT (8080), DEMO_BRIDGE_PORT
# (8001), DEMO_ALLOW (more host ports the page may reach, e.g. "5432 6379"),
# SYNACK_JS_BUILD (build/js-em), SYNACK_BRIDGE (a built synack-bridge),
# DEMO_WS (websockify, the default, or bridge).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
http_port="${DEMO_HTTP_PORT:-8000}"
ws_port="${DEMO_WS_PORT:-8080}"
bridge_port="${DEMO_BRIDGE_PORT:-8001}"
js_build="${SYNACK_JS_BUILD:-$root/build/js-em}"
logs="$root/build/demo-logs"

mkdir -p "$logs"
# Set-up as `make test` does it: a quick check, the full set-up only when
# something is missing.
if ! bash scripts/setup.sh --check; then
  echo "demo: something is missing, running scripts/setup.sh"
  bash scripts/setup.sh </dev/null
fi
export PATH="$HOME/.cargo/bin:$PATH"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
echo "demo: building the page ($js_build) and synack-bridge"
if [ ! -f "$js_build/build.ninja" ]; then
  emcmake cmake -S "$root" -B "$js_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSYNACK_NO_TESTS=ON >/dev/null
fi
cmake --build "$js_build" --target synack_web -j2 >"$logs/build.log" 2>&1 \
  || { cat "$logs/build.log" >&2; exit 1; }
bridge="${SYNACK_BRIDGE:-}"
if [ -z "$bridge" ]; then
  [ -f build/native/build.ninja ] || cmake --preset native >/dev/null
  cmake --build build/native --target synack-bridge -j2 >>"$logs/build.log" 2>&1 \
    || { cat "$logs/build.log" >&2; exit 1; }
  bridge="$root/build/native/host/bridge/synack-bridge"
fi
demo_ws="${DEMO_WS:-websockify}"
case "$demo_ws" in websockify | bridge) ;; *) echo "demo: DEMO_WS is websockify or bridge" >&2; exit 1 ;; esac
[ "$demo_ws" = bridge ] || command -v websockify >/dev/null \
  || { echo "demo: websockify is missing (scripts/setup.sh installs it)" >&2; exit 1; }

pids=()
pgdir=""
tlsdir=""
cleanup() {
  trap - EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -z "$pgdir" ] || rm -rf "$pgdir"
  [ -z "${tlsdir:-}" ] || rm -rf "$tlsdir"
  echo "demo: stopped"
}
trap 'exit 130' INT TERM
trap cleanup EXIT

# Wait until something listens on 127.0.0.1:$1 (process $2 must stay alive).
wait_port() {
  for _ in $(seq 1 100); do
    kill -0 "$2" 2>/dev/null || { echo "demo: $3 exited; see $logs/$3.log" >&2; exit 1; }
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "demo: $3 is not listening on port $1; see $logs/$3.log" >&2
  exit 1
}

# Network mode's HTTPS target: a demo CA made now (gone at exit), a
# certificate from it for $tls_name, and the same web server speaking TLS.
# The page fetches the CA from the plain server (/demo-ca.pem) and runs TLS
# itself: the bridge sees only ciphertext.
tlsdir="$(mktemp -d /tmp/synack-demo-tls.XXXXXX)"
tls_name=demo.test
https_param=none
if (cd "$tlsdir" \
    && openssl ecparam -name prime256v1 -genkey -noout -out ca.key \
    && openssl req -x509 -new -key ca.key -subj '/CN=synack demo CA' -days 2 -out ca.pem \
         -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
    && openssl ecparam -name prime256v1 -genkey -noout -out server.key \
    && openssl req -new -key server.key -subj "/CN=$tls_name" -out server.csr \
    && printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth\n' "$tls_name" >ext \
    && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
         -extfile ext -out server.pem) >"$logs/tls.log" 2>&1; then
  https_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  python3 "$root/scripts/demo-http.py" "$js_build/web" "$https_port" --tls "$tlsdir/server.pem" "$tlsdir/server.key" \
    >"$logs/https.log" 2>&1 &
  pids+=($!)
  wait_port "$https_port" "${pids[-1]}" https
  https_param="$https_port"
else
  echo "demo: making the demo CA failed (see $logs/tls.log); network mode goes on without HTTPS" >&2
fi

python3 "$root/scripts/demo-http.py" "$js_build/web" "$http_port" --ca-file "$tlsdir/ca.pem" >"$logs/http.log" 2>&1 &
pids+=($!)
wait_port "$http_port" "${pids[-1]}" http

# Network mode's targets: a closed port and a port that drops SYNs...
coproc PORTS { exec python3 -u "$root/scripts/demo-ports.py" 2>>"$logs/ports.log"; }
pids+=("$PORTS_PID")
read -r ports_line <&"${PORTS[0]}" || { echo "demo: scripts/demo-ports.py failed; see $logs/ports.log" >&2; exit 1; }
closed_port="${ports_line#closed=}"; closed_port="${closed_port%% *}"
silent_port="${ports_line##*silent=}"
# ...and PostgreSQL (it refuses to run as root: as `postgres` then).
pg_param=none
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
  as=()
  if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
  pgdir="$(mktemp -d /tmp/synack-demo-pg.XXXXXX)"
  [ "${#as[@]}" = 0 ] || chown postgres: "$pgdir"
  chmod 700 "$pgdir"
  pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  if (cd "$pgdir" && "${as[@]}" "$pgbin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --no-sync --no-instructions) >"$logs/postgres.log" 2>&1; then
    (cd "$pgdir" && exec "${as[@]}" "$pgbin/postgres" -D "$pgdir/data" -p "$pg_port" -k "$pgdir" \
      -c listen_addresses=127.0.0.1,::1 -c fsync=off -c logging_collector=off) >>"$logs/postgres.log" 2>&1 &
    pids+=($!)
    wait_port "$pg_port" "${pids[-1]}" postgres
    pg_param="$pg_port"
  else
    echo "demo: initdb failed (see $logs/postgres.log); network mode goes on without PostgreSQL" >&2
  fi
else
  echo "demo: PostgreSQL is not installed (scripts/setup.sh installs it); network mode goes on without it" >&2
fi

# Each target port over IPv4 (10.0.2.2) and IPv6 ([::1], slirp's
# fd00:5ac::2: the page's IPv6 switch).
allow=()
allow_port() { allow+=(--allow "10.0.2.2:$1" --allow "[::1]:$1"); }
for p in "$http_port" "$closed_port" "$silent_port"; do allow_port "$p"; done
[ "$pg_param" = none ] || allow_port "$pg_param"
[ "$https_param" = none ] || allow_port "$https_param"
for p in ${DEMO_ALLOW:-}; do allow_port "${p##*:}"; done
# local: no per-client rate limits, a deeper output queue
local_limits=(--rate-fps 0 --rate-bps 0 --queue-bytes 1048576)
ws_listen=()
[ "$demo_ws" = bridge ] && ws_listen=(--listen-ws "127.0.0.1:$ws_port")
"$bridge" --listen "127.0.0.1:$bridge_port" "${ws_listen[@]}" --slirp "${allow[@]}" "${local_limits[@]}" \
  >"$logs/bridge.log" 2>&1 &
pids+=($!)
wait_port "$bridge_port" "${pids[-1]}" bridge
if [ "$demo_ws" = bridge ]; then
  wait_port "$ws_port" "${pids[-1]}" bridge
  via="synack-bridge's own WebSocket endpoint (port $ws_port)"
else
  websockify "127.0.0.1:$ws_port" "127.0.0.1:$bridge_port" >"$logs/websockify.log" 2>&1 &
  pids+=($!)
  wait_port "$ws_port" "${pids[-1]}" websockify
  via="websockify (port $ws_port)"
fi

cat <<EOF
demo: ready. Open

    http://127.0.0.1:$http_port/?ws=ws://127.0.0.1:$ws_port&target=10.0.2.2:$http_port&http=$http_port&pg=$pg_param&https=$https_param&tlsname=$tls_name&closed=$closed_port&silent=$silent_port

  Standalone mode needs nothing else. Network mode goes through $via
  and synack-bridge --slirp (port $bridge_port) to this host:
  10.0.2.2:$http_port is the page's own HTTP server (GET /reset: RST),
  PostgreSQL is on port $pg_param, HTTPS (a demo CA made now, for
  $tls_name) on port $https_param, port $closed_port is closed (refused) and
  port $silent_port drops SYNs (timed out): choose them as the target.
  The IPv6 switch reaches the same servers at [fd00:5ac::2] (this host's ::1).
  Logs: $logs. Press Ctrl-C to stop.
EOF
wait -n "${pids[@]}" || true
echo "demo: a server exited; stopping" >&2
