"""Pluggable SMS senders. The default writes the code to the log; nothing leaves the machine."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

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


def get_sender():
    return import_string(settings.GONGHUI_SMS_SENDER)()
