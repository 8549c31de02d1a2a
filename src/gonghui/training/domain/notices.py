# SPDX-License-Identifier: AGPL-3.0-or-later
"""Notifications (站内消息) to a person, with an SMS copy through the pluggable sender.

``notify`` writes the in-app row inside the caller's transaction; the SMS leaves only
after the transaction commits (a rolled-back enrolment sends nothing), and a failing
SMS gateway never undoes the change it reports.
"""

import logging

from django.db import transaction
from django.utils.translation import gettext_noop

from gonghui.accounts.sms import get_sender
from gonghui.orgs.models import Person

from ..models import Notification

logger = logging.getLogger("gonghui.training.notices")


def account_mobile(person: Person) -> str:
    """The mobile of the person's active account, or "" (then no SMS is sent)."""
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.filter(person=person, is_active=True).first()
    return account.mobile if account is not None and account.mobile else ""


def _send_sms(mobile: str, text: str) -> None:
    try:
        get_sender().send_notice(mobile, text)
    except Exception:  # the gateway's trouble must not break the request that committed
        logger.exception("SMS notice failed")


def send_sms_after_commit(mobile: str, text: str) -> None:
    """SMS ``text`` once the current transaction commits (never for a rolled-back one)."""
    transaction.on_commit(lambda: _send_sms(mobile, text))


def notify(
    person: Person, *, text: str, kind: str, url: str = "", mobile: str | None = None
) -> Notification:
    """Write an in-app message to ``person``; SMS it after commit if they have a mobile.

    ``mobile`` may be passed when the caller already knows it (it saves a query inside a
    locked section); by default it is the person's account's."""
    notice = Notification.objects.create(person=person, kind=kind, text=text[:300], url=url)
    if mobile is None:
        mobile = account_mobile(person)
    if mobile:
        transaction.on_commit(lambda: _send_sms(mobile, text))
    return notice


#: Where a message without its own link leads, and the words on its button.
_KIND_LINKS = {
    Notification.Kind.EVALUATION: ("/e/", gettext_noop("去评价")),
    Notification.Kind.REMINDER: ("/t/me/", gettext_noop("查看课程")),
    Notification.Kind.BOOKING_REMINDER: ("/network/", gettext_noop("查看预约")),
    Notification.Kind.ACTIVITY_REMINDER: ("/network/", gettext_noop("查看活动")),
    Notification.Kind.PLAN_CHANGED: ("/t/me/", gettext_noop("查看培训")),
    Notification.Kind.PLAN_CANCELLED: ("/t/me/", gettext_noop("查看培训")),
}


def link_for(notice: Notification) -> tuple[str, str]:
    """Where the message asks the person to go, and the words on its button: its own link
    (a form to fill, a plan) or, for older messages without one, the page of its kind."""
    url, label = _KIND_LINKS.get(notice.kind, ("/t/me/", gettext_noop("查看报名")))
    return (notice.url or url), label


def unread_count(person: Person) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).count()


@transaction.atomic
def mark_read(person: Person, *, ids: list[int] | None = None) -> int:
    """Mark the person's unread messages as read: those in ``ids``, or all of them.
    Only the person's own messages are touched; returns how many changed."""
    from django.utils import timezone

    qs = Notification.objects.filter(person=person, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
