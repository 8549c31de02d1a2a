"""An SMS gateway that hangs does not hold the request that sends (timeouts), and the
message is sent later by a task once the gateway answers again.

A fake gateway accepts the connection and then never answers. A worker asks for a login
code on the live server (gunicorn, ``HttpSender`` with a 2-second timeout): the page
answers within the timeout and a margin, the code waits encrypted in the task queue, and
when the gateway is back a worker delivers it; the code then logs the worker in.
"""

import http.client
import json
import re
import secrets
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from gonghui.accounts.domain.login import login_with_code

from ..factories import make_user
from .conftest import ROOT, Process, Report, subprocess_env, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
MOBILE = "13900001111"
TIMEOUT = 2.0


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.hang = threading.Event()
        self.hang.set()
        self.received: list[dict] = []
        self.hung = 0
        super().__init__(("127.0.0.1", 0), GatewayHandler)


class GatewayHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.server.hang.is_set():
            self.server.hung += 1
            time.sleep(60)  # never answers within the sender's timeout
            return
        self.server.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def _post_form(port: int, path: str, data: dict) -> tuple[int, float]:
    csrf = secrets.token_hex(16)
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf})
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", path, body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    })  # fmt: skip
    status = conn.getresponse().status
    conn.close()
    return status, time.monotonic() - started


def test_a_hanging_sms_gateway_holds_no_request(start_worker):
    r = Report("an SMS gateway that hangs")
    user = make_user("sms_user")
    user.set_mobile(MOBILE)
    user.save()
    gateway = Gateway()
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    sms = {
        "GONGHUI_SMS_SENDER": "gonghui.accounts.sms.HttpSender",
        "GONGHUI_SMS_URL": f"http://127.0.0.1:{gateway.server_port}/send",
        "GONGHUI_SMS_TIMEOUT_SECONDS": str(TIMEOUT),
    }
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [str(ROOT / ".venv" / "bin" / "gunicorn"), "gonghui.wsgi", "--pythonpath",
            str(ROOT / "src"), "-w", "2", "-b", f"127.0.0.1:{port}"]  # fmt: skip
    server = Process(args, subprocess_env(**sms), "gunicorn")
    try:

        def healthy() -> bool:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            except OSError:
                return False

        wait_for(healthy, timeout=60, what="gunicorn", every=0.2)
        status, seconds = _post_form(port, "/accounts/login/code/", {"mobile": MOBILE})
    finally:
        server.stop()
    r.check("the gateway was called and hung", gateway.hung == 1, f"{gateway.hung} call")
    r.check("the page answered anyway", status == 302, f"HTTP {status}")
    r.check("within the timeout and a margin", seconds < TIMEOUT + 3,
            f"{seconds:.1f} s (timeout {TIMEOUT:.0f} s, gateway hangs 60 s)")  # fmt: skip
    row = DBTaskResult.objects.get(task_path="gonghui.accounts.tasks.retry_sms")
    delay = (row.run_after - row.enqueued_at).total_seconds()
    r.check("a retry waits in the task queue", row.status == "READY" and 25 < delay < 35,
            f"run after {delay:.0f} s")  # fmt: skip
    r.check("encrypted there", MOBILE not in json.dumps(row.args_kwargs), "no mobile number")

    gateway.hang.clear()
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())  # 30 s pass
    start_worker(**sms)
    wait_for(lambda: gateway.received, timeout=60, what="the retried SMS", every=0.2)
    [message] = gateway.received
    code = re.search(r"验证码为(\d{6})", message["text"]).group(1)
    r.check("the retry delivered the code once the gateway answered",
            message["mobile"] == MOBILE, "1 message")  # fmt: skip
    logged_in = login_with_code(RequestFactory().post("/accounts/login/"), mobile=MOBILE,
                                code=code)  # fmt: skip
    r.check("the delivered code logs in", logged_in == user)
    gateway.shutdown()
