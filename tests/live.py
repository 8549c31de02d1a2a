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


class LiveSession:
    def __init__(self, base_url: str):
        self.base = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def request(self, method: str, path: str, *, data=None, json_body=None, headers=None):
        headers = dict(headers or {})
        body = None
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

    def login(self, mobile: str, password: str) -> Answer:
        return self.post_form(
            "/accounts/login/", {"mode": "password", "mobile": mobile, "password": password}
        )
