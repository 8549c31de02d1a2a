"""A small HTTP client for tests over pytest-django's ``live_server`` (standard library only).

It keeps cookies, logs in through the real login page and sends the CSRF token the way a
browser page does, so a test sees exactly what a caller over the network sees.
"""

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Answer:
    status: int
    body: str
    seconds: float
    url: str

    def json(self):
        return json.loads(self.body)


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it: ``fields`` {name: value} and
    ``files`` {name: (filename, bytes, content type)}; returns the body and its type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    for name, (filename, data, ctype) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n')  # fmt: skip
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class LiveSession:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def request(
        self, method: str, path: str, *, data=None, json_body=None, body=None, headers=None
    ):
        """``body``: raw bytes, with their Content-Type in ``headers``."""
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET":
            headers.setdefault("X-CSRFToken", self._cookie("csrftoken"))
            headers.setdefault("Referer", self.base + "/")
        # S310 ignored below: plain http to the test's own live server, never user input.
        req = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, method=method, headers=headers
        )
        start = time.perf_counter()
        try:
            with self.opener.open(req) as res:
                text, status, url = res.read().decode(), res.status, res.url
        except urllib.error.HTTPError as exc:
            text, status, url = exc.read().decode(), exc.code, exc.url
        return Answer(status, text, time.perf_counter() - start, url)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def form_token(self, path: str) -> str:
        match = _CSRF_INPUT.search(self.get(path).body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def post_form(self, path: str, data: dict, *, token_from: str | None = None) -> Answer:
        token = self.form_token(token_from or path)
        return self.request("POST", path, data={"csrfmiddlewaretoken": token, **data})

    def post_multipart(self, path: str, fields: dict, files: dict, *, token_from: str) -> Answer:
        """A form with files, posted as the page at ``token_from`` would post it."""
        token = self.form_token(token_from)
        body, ctype = multipart({"csrfmiddlewaretoken": token, **fields}, files)
        return self.request("POST", path, body=body, headers={"Content-Type": ctype})

    def raw(self, path: str, *, body: bytes | None = None, content_type: str = ""):
        """A GET (or a POST of ``body``) answered as (status, content type, bytes)."""
        headers = {}
        if body is not None:
            headers = {"Content-Type": content_type, "X-CSRFToken": self._cookie("csrftoken"),
                       "Referer": self.base + "/"}  # fmt: skip
        req = urllib.request.Request(  # noqa: S310 - the test's own live server
            self.base + path, data=body, method="POST" if body is not None else "GET",
            headers=headers,
        )  # fmt: skip
        try:
            with self.opener.open(req) as res:
                return res.status, res.headers.get_content_type(), res.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get_content_type(), exc.read()

    def login(self, mobile: str, password: str) -> Answer:
        return self.post_form(
            "/accounts/login/", {"mode": "password", "mobile": mobile, "password": password}
        )
