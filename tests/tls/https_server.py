#!/usr/bin/env python3
"""A real HTTPS server for the TLS tests: Python's http.server (files of
a directory) behind Python's ssl module (OpenSSL), TLS 1.2 and up.

    https_server.py ADDR PORT DIR CERT KEY
"""
import functools
import http.server
import ssl
import sys

addr, port, root, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["http/1.1"])


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


handler = functools.partial(Quiet, directory=root)
server = http.server.ThreadingHTTPServer((addr, port), handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
