"""A local fake of the cloud SMS gateway on 127.0.0.1: checks the signature like the real one,
deduplicates on OutId (same BizId back), and can be switched into an outage."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from onestop.messaging.contrib.aliyun import sign


class FakeGateway:
    def __init__(self, *, access_key_id: str, secret: str) -> None:
        self.access_key_id = access_key_id
        self.secret = secret
        self.down = False  # answer HTTP 503 (an outage)
        self.code = "OK"  # the Code to answer when up
        self.handset: list[tuple[str, str]] = []  # (mobile, OutId) actually delivered to phones
        self.by_out_id: dict[str, str] = {}
        self.requests = 0
        self.rejected_signatures = 0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                params = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, payload = gateway.handle(params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def handle(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests += 1
            if self.down:
                return 503, {"Code": "ServiceUnavailable"}
            signature = params.pop("Signature", "")
            if params.get("AccessKeyId") != self.access_key_id or signature != sign(
                params, self.secret
            ):
                self.rejected_signatures += 1
                return 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"}
            if self.code != "OK":
                return 200, {"Code": self.code, "Message": "refused"}
            out_id = params["OutId"]
            if out_id not in self.by_out_id:
                self.by_out_id[out_id] = f"biz{len(self.by_out_id) + 1:06d}"
                self.handset.append((params["PhoneNumbers"], out_id))
                self.last_params = params
            return 200, {"Code": "OK", "BizId": self.by_out_id[out_id], "RequestId": "r"}

    def __enter__(self) -> FakeGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
