# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reminders actually sent: the day before (within ``AHEAD``), each booked worker and each
registered participant gets a message in their inbox and, with a mobile on their account, an
SMS — through the project's one notification path (``training.domain.notices.notify``: an
in-app message, the SMS after commit, retried by ``accounts`` if the gateway fails).

Run hourly by the ``network_reminders`` periodic job (``settings.GONGHUI_PERIODIC``), which
first marks ended slots without a check-in as no-shows. Never twice: a booking's or a
registration's ``reminded_at`` is set in the same transaction as its message, under a row
lock, so a second run (or a second scheduler) finds nothing left. Quiet hours: nothing is
sent between 21:00 and 08:00 Beijing time; what is due then goes out at 08:00 (a slot
starting before 08:00 was already within the window the evening before).

A sensitive service's reminder (心理咨询) names neither the service nor the position — an SMS
shows on a locked phone's screen."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.training.domain.notices import notify
from gonghui.training.models.notice import Notification

from ..enums import BookingState
from ..models import Booking, Registration
from .bookings import mark_no_shows

AHEAD = dt.timedelta(hours=24)
QUIET_FROM, QUIET_UNTIL = dt.time(21, 0), dt.time(8, 0)


@dataclass
class Sent:
    bookings: int = 0
    activities: int = 0
    no_shows: int = 0
    quiet: bool = False


def quiet(now: dt.datetime) -> bool:
    local = timezone.localtime(now).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def booking_text(b: Booking) -> str:
    if b.service.sensitive:
        return (f"预约提醒：您预约的服务将于{_when(b.starts_at)}开始，请准时到场扫码签到；"
                "如不能前往，请在“身边的服务”中取消。")  # fmt: skip
    p = b.service.position
    return (f"预约提醒：您预约的“{b.service.name}”（{p.name}，{p.address}）将于"
            f"{_when(b.starts_at)}开始，请准时到场扫码签到；"
            "如不能前往，请在“身边的服务”中取消。")  # fmt: skip


def activity_text(r: Registration) -> str:
    a = r.activity
    place = a.position.name if a.position_id else a.place
    return (f"活动提醒：您报名的“{a.title}”将于{_when(a.starts_at)}在{place}举行，"
            "请准时参加并扫码签到。")  # fmt: skip


@transaction.atomic
def send_booking_reminders(*, actor, now: dt.datetime) -> int:
    due = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(state=BookingState.BOOKED, reminded_at=None, starts_at__gt=now,
                starts_at__lte=now + AHEAD)
        .select_related("service__position", "person").order_by("starts_at", "id")
    )  # fmt: skip
    for b in due:
        notify(
            b.person, kind=Notification.Kind.BOOKING_REMINDER, text=booking_text(b), url="/network/"
        )
        b.reminded_at = now
        b.save(update_fields=["reminded_at"])
    if due:
        audit.record("network.booking.remind", actor=actor,
                     after={"count": len(due), "bookings": [b.pk for b in due]})  # fmt: skip
    return len(due)


@transaction.atomic
def send_activity_reminders(*, actor, now: dt.datetime) -> int:
    due = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(reminded_at=None, attended_at=None, activity__starts_at__gt=now,
                activity__starts_at__lte=now + AHEAD)
        .select_related("activity__position", "person").order_by("activity__starts_at", "id")
    )  # fmt: skip
    for r in due:
        notify(r.person, kind=Notification.Kind.ACTIVITY_REMINDER, text=activity_text(r),
               url=f"/network/activities/{r.activity_id}/")  # fmt: skip
        r.reminded_at = now
        r.save(update_fields=["reminded_at"])
    if due:
        audit.record("network.activity.remind", actor=actor,
                     after={"count": len(due), "registrations": [r.pk for r in due]})  # fmt: skip
    return len(due)


def send_reminders(*, actor, now: dt.datetime | None = None) -> Sent:
    """The periodic job: mark no-shows, then send what is due (outside quiet hours)."""
    now = now or timezone.now()
    sent = Sent(no_shows=mark_no_shows(actor=actor, now=now))
    if quiet(now):
        sent.quiet = True
        return sent
    sent.bookings = send_booking_reminders(actor=actor, now=now)
    sent.activities = send_activity_reminders(actor=actor, now=now)
    return sent
