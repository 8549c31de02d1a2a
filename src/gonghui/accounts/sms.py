# SPDX-License-Identifier: AGPL-3.0-or-later
"""Pluggable SMS senders. The default writes the code to the log; nothing leaves the machine."""

import datetime as dt
import json
import logging
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from gonghui.core import crypto
from gonghui.core.masking import mask_mobile

logger = logging.getLogger("gonghui.sms")


class LogSender:
    def send_login_code(self, mobile: str, code: str) -> None:
        logger.info("SMS login code for %s: %s", mask_mobile(mobile), code)

    def send_notice(self, mobile: str, text: str) -> None:
        logger.info("SMS notice for %s: %s", mask_mobile(mobile), text)


class MemorySender:
    """For tests: keeps what would have been sent."""

    outbox: list[tuple[str, str]] = []
    notices: list[tuple[str, str]] = []

    def send_login_code(self, mobile: str, code: str) -> None:
        MemorySender.outbox.append((mobile, code))

    def send_notice(self, mobile: str, text: str) -> None:
        MemorySender.notices.append((mobile, text))


class HttpSender:
    """Posts ``{"mobile", "text"}`` as JSON to ``GONGHUI_SMS_URL`` (an SMS gateway or a
    relay in front of it), waiting at most ``GONGHUI_SMS_TIMEOUT_SECONDS`` to connect and
    again to read, so a hanging gateway never holds a request for long."""

    def _post(self, mobile: str, text: str) -> None:
        body = json.dumps({"mobile": mobile, "text": text}).encode()
        req = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            settings.GONGHUI_SMS_URL, data=body, method="POST",
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(req, timeout=settings.GONGHUI_SMS_TIMEOUT_SECONDS) as res:  # noqa: S310
            if res.status >= 300:
                raise OSError(f"SMS gateway answered {res.status}")

    def send_login_code(self, mobile: str, code: str) -> None:
        self._post(mobile, f"您的登录验证码为{code}，5分钟内有效。")

    def send_notice(self, mobile: str, text: str) -> None:
        self._post(mobile, text)


class _Retrying:
    """Wraps the configured sender: a failure (a timeout included) does not fail the request
    that sends; the message is sent again later by ``accounts.tasks.retry_sms`` (encrypted
    in the task queue, a few attempts with growing delays)."""

    def __init__(self, inner):
        self.inner = inner

    def _send(self, kind: str, mobile: str, payload: str) -> None:
        try:
            getattr(self.inner, f"send_{kind}")(mobile, payload)
        except Exception as exc:
            logger.warning("SMS %s to %s failed (%s); retrying later", kind, mask_mobile(mobile),
                           type(exc).__name__)  # fmt: skip
            schedule_retry(kind, mobile, payload, attempt=1)

    def send_login_code(self, mobile: str, code: str) -> None:
        self._send("login_code", mobile, code)

    def send_notice(self, mobile: str, text: str) -> None:
        self._send("notice", mobile, text)


#: Seconds before each retry; a login code is not retried past its lifetime.
RETRY_DELAYS = (30, 60, 120, 600)


def schedule_retry(kind: str, mobile: str, payload: str, *, attempt: int) -> bool:
    if attempt > len(RETRY_DELAYS):
        logger.error("SMS %s to %s dropped after %d attempts", kind, mask_mobile(mobile),
                     attempt)  # fmt: skip
        return False
    from .tasks import retry_sms

    now = timezone.now()
    expires = now + dt.timedelta(seconds=settings.GONGHUI_SMS_CODE_TTL_SECONDS)
    run_after = now + dt.timedelta(seconds=RETRY_DELAYS[attempt - 1])
    if kind == "login_code" and run_after >= expires:
        return False
    retry_sms.using(run_after=run_after).enqueue(
        kind, crypto.encrypt(mobile), crypto.encrypt(payload), attempt,
        expires.isoformat() if kind == "login_code" else "",
    )  # fmt: skip
    return True


def get_sender():
    return _Retrying(import_string(settings.GONGHUI_SMS_SENDER)())
