#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small HTTP(S) server for forja's tests, on loopback only.

  http-test-server.py --root DIR [--tls CERT KEY] [--port-file F] [--log F]
  http-test-server.py --root DIR --inetd [--state DIR] [--log F]

Serves files from DIR, and fault paths for retry tests (the counters are per
full path, so every test case uses its own name):
  /fail/N/NAME/...     500 for the first N requests, then the file ... from DIR
  /reset/N/NAME/...    close the connection without a reply for the first N requests
  /truncate/N/NAME/... announce the full length, send half, close, for the first N
  /cut/N/NAME/...      the same, counting only requests for the whole file (no
                       Range header), so a resumed download gets through
  /status/CODE         reply with that status
  /html/...            the file, as text/html
  /slow/SECONDS/...    wait, then the file
Fault paths nest (/reset/1/a/cut/1/b/FILE): each level counts its own path.
Every request is appended to the --log file as one JSON line {"method",
"path", "headers", "body"}; POST requests are answered like GET.
The chosen port is written to --port-file. One thread per connection.

--inetd serves the one connection on stdin/stdout and exits (QEMU's
guestfwd=...-cmd:COMMAND starts one process per guest connection, with
stdin, stdout and stderr on the same socket: nothing else is written there).
The fault counters then live in --state DIR, shared by those processes.
Files are sent in pieces, and "Range: bytes=N-[M]" is answered with 206."""
import argparse, fcntl, json, os, re, socket, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counters = {}
lock = threading.Lock()


state_dir = None


def bump(key):
    with lock:
        if not state_dir:
            counters[key] = counters.get(key, 0) + 1
            return counters[key]
        # One process per connection: the count is kept in a locked file.
        with open(os.path.join(state_dir, "counters.json"), "a+") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            text = f.read()
            data = json.loads(text) if text.strip() else {}
            data[key] = data.get(key, 0) + 1
            f.seek(0)
            f.truncate()
            f.write(json.dumps(data))
            return data[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("http-test-server: " + (fmt % args) + "\n")

    def send_file(self, rel, ctype=None, truncate=False):
        rel = "/".join(urllib.parse.unquote(seg) for seg in rel.split("/"))
        path = os.path.normpath(os.path.join(self.server.root, rel.lstrip("/")))
        if not path.startswith(self.server.root) or not os.path.isfile(path):
            return self.send_status(404)
        size = os.path.getsize(path)
        start, end = 0, size
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", "").strip())
        if m:
            start, end = int(m.group(1)), min(size, int(m.group(2)) + 1 if m.group(2) else size)
            if start >= size or start >= end:
                return self.send_status(416)
        self.send_response(206 if m else 200)
        self.send_header("Content-Type", ctype or ("application/json" if path.endswith(".json") else "text/plain"))
        self.send_header("Content-Length", str(end - start))
        if m:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        # A truncated reply announces the full length and sends half.
        stop = start + (end - start) // 2 if truncate else end
        with open(path, "rb") as f:
            f.seek(start)
            while start < stop:
                piece = f.read(min(1 << 20, stop - start))
                if not piece:
                    break
                self.wfile.write(piece)
                start += len(piece)
        if truncate:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def send_status(self, code):
        body = b"status %d\n" % code
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def route(self, path=None):
        path = path or self.path.split("?")[0]
        parts = path.split("/")
        if len(parts) > 4 and parts[1] in ("fail", "reset", "truncate", "cut"):
            kind, n, rest = parts[1], int(parts[2]), "/" + "/".join(parts[4:])
            counted = kind != "cut" or "Range" not in self.headers
            if counted and bump(path) <= n:
                if kind == "fail":
                    return self.send_status(500)
                if kind == "reset":
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                return self.send_file(rest, truncate=True)
            return self.route(rest)
        if len(parts) > 2 and parts[1] == "status":
            return self.send_status(int(parts[2]))
        if len(parts) > 2 and parts[1] == "html":
            return self.send_file("/".join(parts[2:]), ctype="text/html")
        if len(parts) > 3 and parts[1] == "slow":
            time.sleep(float(parts[2]))
            return self.send_file("/".join(parts[3:]))
        return self.send_file(path)

    def record(self, body):
        if self.server.log:
            with lock, open(self.server.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                    "body": body.decode("utf-8", "replace")}) + "\n")

    def do_GET(self):
        self.record(b"")
        self.route()

    def do_HEAD(self):
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
    ap.add_argument("--inetd", action="store_true", help="serve one connection on stdin/stdout")
    ap.add_argument("--state", help="with --inetd: directory for the fault counters")
    a = ap.parse_args()
    if a.inetd:
        return serve_inetd(a)
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


class InetdServer:
    """What a handler needs of a server, for the one connection on fd 0."""
    def __init__(self, root, log):
        self.root, self.log = root, log


def serve_inetd(a):
    global state_dir
    state_dir = a.state
    if state_dir:
        os.makedirs(state_dir, exist_ok=True)
    # stderr is the guest's connection too: logs go to a file or nowhere.
    err = open((a.log + ".stderr") if a.log else os.devnull, "a")
    os.dup2(err.fileno(), 2)
    sys.stderr = err
    try:
        conn = socket.socket(fileno=os.dup(0))
    except OSError:
        conn = None
    if conn is not None:
        Handler(conn, ("guest", 0), InetdServer(os.path.realpath(a.root), a.log))
        return

    class Pipes:  # stdin/stdout are plain pipes: a socket-like pair
        def makefile(self, mode, *args, **kw):
            return os.fdopen(os.dup(0 if "r" in mode else 1), mode)

        def sendall(self, b):
            os.write(1, b)

        def shutdown(self, how):
            os.close(1)

        def setsockopt(self, *args):
            pass

        def close(self):
            pass
    Handler(Pipes(), ("guest", 0), InetdServer(os.path.realpath(a.root), a.log))


if __name__ == "__main__":
    main()
