"""Test HTTP servers that behave as the vendors' documented APIs do.

Each vendor server is a small script that defines a handler class and calls serve(). It binds
127.0.0.1 on a free port, prints "PORT <n>" as its first line of stdout (the test runner reads
it and exports TR_TEST_URL=http://127.0.0.1:<n>), logs every request as one JSON line to the
file named by --log (so tests can count requests per time window and check headers), and
stops by itself after --lifetime seconds so that nothing outlives a test.

Only the standard library is used (python3 from Debian).
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    """Base handler: subclass and implement route(method, path, query, headers, body)
    returning (status, headers_dict, body_bytes_or_str_or_obj)."""

    server_version = "tr-test/1"
    protocol_version = "HTTP/1.1"
    options = None  # argparse namespace, set by serve()
    state = {}  # shared mutable state across requests (counters, sessions)
    lock = threading.Lock()

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def _handle(self, method):
        from urllib.parse import urlsplit, parse_qs

        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        entry = {
            "t": time.time(),
            "method": method,
            "path": parts.path,
            "query": parts.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        if self.options and self.options.log:
            with Handler.lock, open(self.options.log, "a") as f:
                f.write(json.dumps(entry) + "\n")
        status, headers, payload = self.route(
            method, parts.path, parse_qs(parts.query), self.headers, body
        )
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
            headers = {"Content-Type": "application/json", **(headers or {})}
        if isinstance(payload, str):
            payload = payload.encode()
        payload = payload or b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PATCH(self):
        self._handle("PATCH")

    def route(self, method, path, query, headers, body):
        return 404, {}, {"error": "not found"}


def parser(description=""):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--log", help="append one JSON line per request to this file")
    p.add_argument("--lifetime", type=float, default=120.0, help="stop after this many seconds")
    p.add_argument("--scenario", default="ok", help="vendor-specific behaviour to play")
    return p


def serve(handler_cls, options):
    handler_cls.options = options
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
    httpd.daemon_threads = True
    print(f"PORT {httpd.server_address[1]}", flush=True)
    timer = threading.Timer(options.lifetime, httpd.shutdown)
    timer.daemon = True
    timer.start()
    try:
        httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    sys.exit(0)
