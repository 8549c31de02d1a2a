# SPDX-License-Identifier: AGPL-3.0-or-later
"""On-site monitoring (现场监测): live attendance of a session against its enrolment."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from gonghui.training.enums import EnrollmentStatus
from gonghui.training.models import CheckIn, Enrollment, Session


@dataclass(frozen=True)
class LiveAttendance:
    session: Session
    enrolled: int
    checked_in: int
    rate: float | None  # checked in / enrolled, 0–1
    missing: list[str]  # names of the enrolled not yet checked in
    recent: list[tuple[str, dt.datetime, str]]  # (name, time, method label)
    status: str  # 未开始 / 进行中 / 已结束
    as_of: dt.datetime


def live_attendance(session: Session, *, now: dt.datetime | None = None) -> LiveAttendance:
    now = now or timezone.now()
    enrolled = list(
        Enrollment.objects.filter(plan_id=session.plan_id, status=EnrollmentStatus.ENROLLED)
        .select_related("person")
        .order_by("seat")
    )
    checkins = list(
        CheckIn.objects.filter(session=session).select_related("person").order_by("-at")
    )
    present = {c.person_id for c in checkins}
    enrolled_ids = {e.person_id for e in enrolled}
    checked_in = len(present & enrolled_ids)
    if now < session.starts_at:
        status = "未开始"
    elif now <= session.ends_at:
        status = "进行中"
    else:
        status = "已结束"
    return LiveAttendance(
        session=session,
        enrolled=len(enrolled),
        checked_in=checked_in,
        rate=checked_in / len(enrolled) if enrolled else None,
        missing=[e.person.name for e in enrolled if e.person_id not in present],
        recent=[(c.person.name, c.at, c.get_method_display()) for c in checkins[:10]],
        status=status,
        as_of=now,
    )


def sessions_today(plans: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """Sessions of ``plans`` on the local day of ``now`` (for the monitoring list)."""
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Session.objects.filter(plan__in=plans, starts_at__gte=start,
                               starts_at__lt=start + dt.timedelta(days=1))
        .select_related("plan", "venue", "trainer")
        .order_by("starts_at")
    )  # fmt: skip
