# SPDX-License-Identifier: AGPL-3.0-or-later
"""Background tasks of accounts: sending an SMS again after the gateway failed."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from gonghui.core import crypto


@task()
def retry_sms(kind: str, mobile: str, payload: str, attempt: int, expires: str) -> str:
    """``mobile`` and ``payload`` are encrypted; a login code past ``expires`` is dropped."""
    from .sms import logger, schedule_retry

    if expires and timezone.now() >= dt.datetime.fromisoformat(expires):
        return "expired"
    mobile, payload = crypto.decrypt(mobile), crypto.decrypt(payload)
    sender = import_string(settings.GONGHUI_SMS_SENDER)()
    try:
        getattr(sender, f"send_{kind}")(mobile, payload)
    except Exception as exc:
        logger.warning("SMS %s retry %d failed (%s)", kind, attempt, type(exc).__name__)
        return (
            "rescheduled"
            if schedule_retry(kind, mobile, payload, attempt=attempt + 1)
            else "dropped"
        )
    return "sent"
