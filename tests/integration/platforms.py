"""A stand-in for the 浙里办 (IRS gateway) and 浙政钉 (open platform) endpoints: a real HTTP
server on 127.0.0.1 that answers with the response shapes in ``platform_shapes/`` and
checks each request's signature with its own code, as the gateways do.

The shapes are NOT recordings of the live services (this machine has no network and the
services need a registered application): they were written from the platforms' public
documentation and SDK examples (``platform_shapes/README.md``)."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SHAPES = Path(__file__).parent / "platform_shapes"
ZLB_KEY, ZLB_SECRET, ZLB_APP = "zlb-ak-test", "zlb-sk-test-secret", "gonghui-zlb-app"
ZZD_KEY, ZZD_SECRET = "zzd-appkey-test", "zzd-appsecret-test"
GOOD_TICKET, GOOD_CODE = "TICKET-OK-0001", "CODE-OK-0001"


def shape(name: str, **values) -> bytes:
    text = (SHAPES / f"{name}.json").read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.encode()


def _b64_hmac(secret: str, text: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    ).decode()


class Platforms:
    def __init__(self, *, id_number: str = "", mobile: str = ""):
        self.id_number, self.mobile = id_number, mobile
        self.calls: list[dict] = []
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def irs_ok(self, method: str, path: str, query: str, headers) -> bool:
        if headers.get("X-BG-HMAC-ACCESS-KEY") != ZLB_KEY:
            return False
        pairs = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
        canonical = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}"
                             for k, v in pairs)  # fmt: skip
        date = headers.get("X-BG-DATE-TIME", "")
        signing = f"{method}\n{path}\n{canonical}\n{ZLB_KEY}\n{date}\n"
        return hmac.compare_digest(_b64_hmac(ZLB_SECRET, signing),
                                   headers.get("X-BG-HMAC-SIGNATURE", ""))  # fmt: skip

    def zzd_ok(self, method: str, path: str, params: dict, headers) -> bool:
        if headers.get("apiKey") != ZZD_KEY:
            return False
        signing = "\n".join([method, headers.get("X-Hmac-Auth-Timestamp", ""),
                             headers.get("X-Hmac-Auth-Nonce", ""), path])  # fmt: skip
        if params:
            signing += "\n" + "&".join(f"{k}={v}" for k, v in sorted(params.items()))
        return hmac.compare_digest(_b64_hmac(ZZD_SECRET, signing),
                                   headers.get("X-Hmac-Auth-Signature", ""))  # fmt: skip

    def answer(self, method: str, path: str, query: str, headers, body: bytes):
        if path.startswith("/restapi/"):
            data = json.loads(body or b"{}")
            ok = self.irs_ok(method, path, query, headers)
            self.calls.append({"platform": "zlb", "path": path, "signed": ok, "body": data,
                               "headers": dict(headers)})  # fmt: skip
            if not ok:
                return 401, b'{"success": false, "errorCode": "SIGNATURE_MISMATCH"}'
            if path.endswith("/access_token"):
                good = data.get("ticketId") == GOOD_TICKET and data.get("appId") == ZLB_APP
                return 200, shape("zlb_access_token" if good else "zlb_access_token_refused")
            if path.endswith("/getUserInfo") and data.get("token") == "TOKEN-zlb-0001":
                return 200, shape("zlb_user_info", id_number=self.id_number, mobile=self.mobile)
            return 200, shape("zlb_access_token_refused")
        params = dict(urllib.parse.parse_qsl(query if method == "GET" else body.decode()))
        ok = self.zzd_ok(method, path, params, headers)
        self.calls.append({"platform": "zzd", "path": path, "signed": ok, "params": params,
                           "headers": dict(headers)})  # fmt: skip
        if not ok:
            return 401, b'{"success": false, "errorCode": "SIGNATURE_MISMATCH"}'
        if path == "/gettoken.json":
            return 200, shape("zzd_gettoken")
        if path == "/rpc/oauth/getuserinfo_bycode.json":
            good = (
                params.get("code") == GOOD_CODE
                and params.get("access_token") == "app-token-zzd-0001"
            )
            return 200, shape(
                "zzd_getuserinfo_bycode" if good else "zzd_getuserinfo_bycode_refused"
            )
        if path == "/mozi/employee/getEmployeeByAccountId":
            return 200, shape("zzd_employee", mobile=self.mobile)
        return 404, b"{}"

    def start(self) -> "Platforms":
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                parts = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, data = platforms.answer(method, parts.path, parts.query, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
