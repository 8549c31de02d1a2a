"""A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that checks each
delivery's signature the way an integrating system would (with its own HMAC code, not
the platform's), and can be taken down and brought back on the same port."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, secret: str = ""):
        self.secret = secret
        self.received: list[dict] = []
        self.port = 0
        self.server = None
        self.status = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _valid(self, headers, body: bytes) -> bool:
        ts = headers.get("X-Gonghui-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(self.secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        fresh = ts.isdigit() and abs(time.time() - int(ts)) <= 300
        return fresh and hmac.compare_digest(expected, headers.get("X-Gonghui-Signature", ""))

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({
                    "event": self.headers.get("X-Gonghui-Event"),
                    "delivery": self.headers.get("X-Gonghui-Delivery"),
                    "valid": receiver._valid(self.headers, body),
                    "body": json.loads(body),
                    "raw": body,
                })  # fmt: skip
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
