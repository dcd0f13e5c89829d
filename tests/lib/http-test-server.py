#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small HTTP(S) server for forja's tests, on loopback only.

  http-test-server.py --root DIR [--tls CERT KEY] [--port-file F] [--log F]

Serves files from DIR, and fault paths for retry tests (the counters are per
full path, so every test case uses its own name):
  /fail/N/NAME/...     500 for the first N requests, then the file ... from DIR
  /reset/N/NAME/...    close the connection without a reply for the first N requests
  /truncate/N/NAME/... announce the full length, send half, close, for the first N
  /status/CODE         reply with that status
  /html/...            the file, as text/html
  /slow/SECONDS/...    wait, then the file
Every request is appended to the --log file as one JSON line {"method",
"path", "headers", "body"}; POST requests are answered like GET.
The chosen port is written to --port-file. One thread per connection."""
import argparse, json, os, socket, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counters = {}
lock = threading.Lock()


def bump(key):
    with lock:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("http-test-server: " + (fmt % args) + "\n")

    def send_file(self, rel, ctype=None, truncate=False):
        rel = "/".join(urllib.parse.unquote(seg) for seg in rel.split("/"))
        path = os.path.normpath(os.path.join(self.server.root, rel.lstrip("/")))
        if not path.startswith(self.server.root) or not os.path.isfile(path):
            return self.send_status(404)
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", ctype or ("application/json" if path.endswith(".json") else "text/plain"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if truncate:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    def send_status(self, code):
        body = b"status %d\n" % code
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self):
        parts = self.path.split("?")[0].split("/")
        if len(parts) > 4 and parts[1] in ("fail", "reset", "truncate"):
            kind, n, rest = parts[1], int(parts[2]), "/".join(parts[4:])
            if bump(self.path) <= n:
                if kind == "fail":
                    return self.send_status(500)
                if kind == "reset":
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                return self.send_file(rest, truncate=True)
            return self.send_file(rest)
        if len(parts) > 2 and parts[1] == "status":
            return self.send_status(int(parts[2]))
        if len(parts) > 2 and parts[1] == "html":
            return self.send_file("/".join(parts[2:]), ctype="text/html")
        if len(parts) > 3 and parts[1] == "slow":
            time.sleep(float(parts[2]))
            return self.send_file("/".join(parts[3:]))
        return self.send_file(self.path.split("?")[0])

    def record(self, body):
        if self.server.log:
            with lock, open(self.server.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                    "body": body.decode("utf-8", "replace")}) + "\n")

    def do_GET(self):
        self.record(b"")
        self.route()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.record(self.rfile.read(length))
        self.route()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--bind", default="127.0.0.1")
    a = ap.parse_args()
    srv = ThreadingHTTPServer((a.bind, 0), Handler)
    srv.daemon_threads = True
    srv.root = os.path.realpath(a.root)
    srv.log = a.log
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
