# SPDX-License-Identifier: AGPL-3.0-or-later
"""Session reminders: the day before a session, everyone enrolled gets a message."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..enums import EnrollmentStatus, PlanState
from ..models import Enrollment, Session
from ..models.notice import Notification
from .notices import notify


def reminder_url(session: Session) -> str:
    return f"/t/plans/{session.plan_id}/#session-{session.pk}"


@transaction.atomic
def send_session_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind everyone enrolled in a session that starts tomorrow (local time).

    Safe to run more than once a day: a person is reminded of a session once. Returns the
    number of messages written.
    """
    now = timezone.localtime(now or timezone.now())
    start = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = Session.objects.filter(
        starts_at__gte=start,
        starts_at__lt=start + dt.timedelta(days=1),
        plan__state__in=(PlanState.ENROLLING, PlanState.RUNNING),
    ).select_related("plan", "venue")
    sent = 0
    for session in sessions:
        url = reminder_url(session)
        done = set(
            Notification.objects.filter(kind=Notification.Kind.REMINDER, url=url).values_list(
                "person_id", flat=True
            )
        )
        enrolled = Enrollment.objects.filter(
            plan_id=session.plan_id, status=EnrollmentStatus.ENROLLED
        ).select_related("person")
        when = timezone.localtime(session.starts_at)
        place = f"，地点：{session.venue.name}（{session.venue.address}）" if session.venue else ""
        text = f"开课提醒：“{session.plan.title}”将于明天{when:%H:%M}开课{place}，请准时签到。"
        for enrollment in enrolled:
            if enrollment.person_id in done:
                continue
            notify(enrollment.person, kind=Notification.Kind.REMINDER, text=text, url=url)
            sent += 1
    return sent
