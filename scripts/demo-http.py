#!/usr/bin/env python3
"""The demo's web server (scripts/demo.sh): python's http.server for the
built page, plus GET /reset, which aborts the connection with an RST
(SO_LINGER 0, then close) for the diagnostics lesson in network mode.
Usage: demo-http.py DIRECTORY PORT (binds 127.0.0.1)."""
import functools
import http.server
import socket
import struct
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        super().do_GET()


def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(Handler, directory=directory)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"demo-http: serving on 127.0.0.1:{port}", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
