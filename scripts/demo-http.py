#!/usr/bin/env python3
"""The demo's web server (scripts/demo.sh): python's http.server for the
built page, plus GET /reset, which aborts the connection with an RST
(SO_LINGER 0, then close) for the diagnostics lesson in network mode.
Usage: demo-http.py DIRECTORY PORT [--ca-file PEM] [--tls CERT KEY]
(binds 127.0.0.1 and, where the host has IPv6, ::1 on the same port: the
page's IPv6 switch reaches it through slirp's fd00:5ac::2).
  --ca-file PEM   also answer GET /demo-ca.pem with that file: the CA the
                  page trusts for the HTTPS target (make demo makes it);
  --tls CERT KEY  speak HTTPS (Python's ssl, TLS 1.2 and up) with that
                  certificate, and end each connection with close_notify
                  (TLS's own end of data) before closing it."""
import functools
import http.server
import socket
import ssl
import struct
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    ca_file = None

    def do_GET(self):
        if self.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if self.path == "/demo-ca.pem" and self.ca_file:
            with open(self.ca_file, "rb") as f:
                body = f.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-pem-file")
            # A CA certificate is public; a page served elsewhere may read it.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


class TLSServer(http.server.ThreadingHTTPServer):
    def shutdown_request(self, request):
        # close_notify first: a TLS client may take a bare FIN for a
        # truncation attack.
        try:
            request.settimeout(2)
            request.unwrap()
        except (OSError, ValueError):
            pass
        super().shutdown_request(request)


def main():
    args = sys.argv[1:]
    directory, port = args[0], int(args[1])
    tls = None
    if "--ca-file" in args:
        Handler.ca_file = args[args.index("--ca-file") + 1]
    if "--tls" in args:
        i = args.index("--tls")
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(args[i + 1], args[i + 2])
    handler = functools.partial(Handler, directory=directory)
    server_class = TLSServer if tls else http.server.ThreadingHTTPServer

    class Server6(server_class):
        address_family = socket.AF_INET6

    servers = [server_class(("127.0.0.1", port), handler)]
    try:
        servers.append(Server6(("::1", port), handler))
    except OSError as e:
        print(f"demo-http: no IPv6 loopback ({e}); serving 127.0.0.1 only", flush=True)
    for httpd in servers:
        if tls:
            # The handshake in the connection's own thread, on its first
            # read, so a client that never speaks does not stop accept().
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
    where = " and ".join(f"{'[::1]' if s.address_family == socket.AF_INET6 else '127.0.0.1'}:{port}" for s in servers)
    print(f"demo-http: serving on {where} ({'https' if tls else 'http'})", flush=True)
    for httpd in servers[1:]:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
