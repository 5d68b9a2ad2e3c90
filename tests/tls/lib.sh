# Shared by the TLS tests (sourced after tests/interop/lib.sh or
# tests/wasi/lib.sh, which make the namespace, the EXIT cleanup, check and
# finish): a test CA made now with openssl, certificates from it, name
# resolution for the test names, and the servers.
#
#   make_certs              $WORK/pki: ca.pem, other-ca.pem (a CA nobody
#                           trusts), server.pem/key (DNS:server.test, valid
#                           now), expired.pem (same key, expired yesterday)
#   start_dns               dnsmasq on $KERNEL_IP:53: server.test and
#                           wrong.test -> $KERNEL_IP
#   start_https PORT        Python's ssl http.server on $WORK/www
#   start_s_server PORT ARGS...   openssl s_server with server.pem unless
#                           ARGS name -cert (ARGS: -www for its status page,
#                           -WWW for the files of the working directory);
#                           output $WORK/s_server.PORT.log
#   no_established PORT     no TCP connection to PORT left in the namespace
TLS_TEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

make_certs() {
    local d="$WORK/pki"
    mkdir -p "$d"
    (
        cd "$d" || exit 1
        set -e
        for k in ca other server; do
            openssl ecparam -name prime256v1 -genkey -noout -out "$k.key" 2>/dev/null
        done
        openssl req -x509 -new -key ca.key -subj "/CN=synack TLS test CA" -days 2 -out ca.pem \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
        openssl req -x509 -new -key other.key -subj "/CN=an untrusted CA" -days 2 -out other-ca.pem \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
        openssl req -new -key server.key -subj "/CN=server.test" -out server.csr 2>/dev/null
        printf 'subjectAltName=DNS:server.test\nextendedKeyUsage=serverAuth\n' >ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile ext -out server.pem 2>/dev/null
        # notAfter a day before notBefore: expired whenever it is checked.
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days -1 \
            -extfile ext -out expired.pem 2>/dev/null
    ) || { echo "make_certs failed" >&2; return 1; }
}

start_dns() {
    bg_ns 300 dnsmasq --no-daemon --conf-file=/dev/null --listen-address="$KERNEL_IP" \
        --bind-interfaces --no-resolv --no-hosts --port=53 \
        --address=/server.test/"$KERNEL_IP" --address=/wrong.test/"$KERNEL_IP" \
        --pid-file="$WORK/dnsmasq.pid" 2>"$WORK/dnsmasq.log"
    wait_for_port "$KERNEL_IP" 53
}

start_https() { # PORT
    bg_ns 300 python3 "$TLS_TEST_DIR/https_server.py" "$KERNEL_IP" "$1" "$WORK/www" \
        "$WORK/pki/server.pem" "$WORK/pki/server.key" 2>"$WORK/https.$1.log"
    wait_for_port "$KERNEL_IP" "$1"
}

start_s_server() { # PORT ARGS...
    local port=$1
    shift
    local cert=(-cert "$WORK/pki/server.pem" -key "$WORK/pki/server.key")
    case " $* " in *" -cert "*) cert=() ;; esac
    bg_ns 300 openssl s_server -accept "$KERNEL_IP:$port" "${cert[@]}" "$@" \
        </dev/null >"$WORK/s_server.$port.log" 2>&1
    wait_for_port "$KERNEL_IP" "$port"
}

no_established() { # PORT: bounded wait until no connection to PORT is established
    local i
    for ((i = 0; i < 50; i++)); do
        if [ -z "$(ip netns exec "$NS" ss -Htn state established "( sport = :$1 )")" ]; then
            return 0
        fi
        sleep 0.1
    done
    ip netns exec "$NS" ss -tn >&2
    return 1
}

# An exit status and a text in a file: status_text RC WANT TEXT FILE
status_text() {
    [ "$1" -eq "$2" ] && grep -q -- "$3" "$4" || { echo "exit $1 (want $2); $4:" >&2; cat "$4" >&2; return 1; }
}
