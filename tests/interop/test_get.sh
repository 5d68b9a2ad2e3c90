#!/usr/bin/env bash
# `synack get` against Python's HTTP servers: a 50 MB file from
# `python3 -m http.server` (body to stdout, SHA-256 equal, status line on
# stderr), a chunked HTTP/1.1 response, and a 404.
. "$(dirname "$0")/lib.sh"
setup_ns
mkdir "$WORK/www"
head -c 50000000 /dev/urandom >"$WORK/www/big.bin"
want=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)

bg_ns 120 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port "$KERNEL_IP" 8000
in_ns 120 "$SYNACK" $SYNACK_ADDR get "http://$KERNEL_IP:8000/big.bin" >"$WORK/got" 2>"$WORK/get.err"
rc=$?
check "get exits 0" [ "$rc" -eq 0 ]
check "50 MB body, SHA-256 equal" [ "$(sha256sum <"$WORK/got" | cut -d' ' -f1)" = "$want" ]
check "status line on stderr" grep -q "^HTTP/1.[01] 200" "$WORK/get.err"

in_ns 30 "$SYNACK" $SYNACK_ADDR get "http://$KERNEL_IP:8000/missing" >"$WORK/404" 2>"$WORK/404.err"
rc=$?
check "404: exit 0 (a complete response)" [ "$rc" -eq 0 ]
check "404: status line on stderr" grep -q "^HTTP/1.[01] 404" "$WORK/404.err"

cat >"$WORK/chunked.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        assert self.headers["Host"] == sys.argv[1] + ":" + sys.argv[2]
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(1, 200):
            piece = (b"%d," % i) * i
            self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
    def log_message(self, *a):
        pass
http.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
bg_ns 60 python3 "$WORK/chunked.py" "$KERNEL_IP" 8001
check "chunked server up" wait_for_port "$KERNEL_IP" 8001
in_ns 30 "$SYNACK" $SYNACK_ADDR get "http://$KERNEL_IP:8001/c" >"$WORK/chunked" 2>"$WORK/chunked.err"
rc=$?
python3 -c 'import sys; sys.stdout.buffer.write(b"".join((b"%d," % i) * i for i in range(1, 200)))' >"$WORK/chunked.want"
check "chunked: exit 0" [ "$rc" -eq 0 ]
check "chunked: body decoded" cmp -s "$WORK/chunked" "$WORK/chunked.want"

# A closed port: the one-line error.
in_ns 30 "$SYNACK" $SYNACK_ADDR get "http://$KERNEL_IP:8009/" >/dev/null 2>"$WORK/refused.err"
rc=$?
check "closed port: exit 1, 'connection refused'" every '[ "$rc" -eq 1 ]' 'grep -q "connection refused" "$WORK/refused.err"'
# https (tests/tls/ tests TLS itself): port 443 by default, closed here.
in_ns 30 "$SYNACK" $SYNACK_ADDR get "https://$KERNEL_IP/" >/dev/null 2>"$WORK/https.err"
rc=$?
check "https URL, closed port 443: exit 1, 'connection refused'" \
    every '[ "$rc" -eq 1 ]' 'grep -q "port 443.*connection refused\|connection refused" "$WORK/https.err"'
in_ns 30 "$SYNACK" $SYNACK_ADDR get "ftp://$KERNEL_IP/" >/dev/null 2>"$WORK/ftp.err"
check "ftp URL: exit 2" [ $? -eq 2 ]
finish
