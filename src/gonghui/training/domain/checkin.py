# SPDX-License-Identifier: AGPL-3.0-or-later
"""Check-in (签到) by a rotating QR code, manual check-in by staff, and attendance.

The screen at the venue shows a QR code for the session that changes every minute: an HMAC,
keyed by the session's own secret, of the minute number. A scan is accepted with the
current or the previous minute's code (so a scan at the turn of the minute still counts);
a code photographed and passed on goes stale within two minutes, so only people present
can check in.
"""

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person

from ..enums import CheckInMethod, EnrollmentStatus, PlanState
from ..models import CheckIn, Enrollment, Session, Trainer, TrainingPlan, Venue
from .checkin_secret import new_secret

CODE_LENGTH = 8  # url-safe base64 characters: 48 bits
CODE_PERIOD = 60  # seconds
#: Check-in opens this long before the session starts, and closes when it ends.
OPENS_BEFORE = dt.timedelta(minutes=30)

STALE_CODE = "签到码已过期，请扫描现场屏幕上的最新二维码"


# -- the rotating code -----------------------------------------------------------------------
def ensure_checkin_secret(session: Session) -> str:
    """The session's check-in key, created on first use if the session has none."""
    if not session.checkin_secret:
        session.checkin_secret = new_secret()
        Session.objects.filter(pk=session.pk, checkin_secret="").update(
            checkin_secret=session.checkin_secret
        )
        # If another request set it first, use theirs.
        session.checkin_secret = Session.objects.values_list("checkin_secret", flat=True).get(
            pk=session.pk
        )
    return session.checkin_secret


def _minute(at: dt.datetime | None) -> int:
    return int((at or timezone.now()).timestamp()) // CODE_PERIOD


def _code(session: Session, minute: int) -> str:
    key = ensure_checkin_secret(session).encode()
    mac = hmac.new(key, f"{session.pk}:{minute}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode()[:CODE_LENGTH]


def current_code(session: Session, at: dt.datetime | None = None) -> str:
    """The code shown on the venue's screen during the minute of ``at`` (default: now)."""
    return _code(session, _minute(at))


def checkin_url(session: Session, at: dt.datetime | None = None) -> str:
    """The path the QR code opens on the worker's phone.

    The check-in page itself is added with the training pages; until its URL name
    (``training:checkin``) exists, the path is built here in the same shape.
    """
    code = current_code(session, at)
    try:
        return reverse("training:checkin", args=[session.pk, code])
    except NoReverseMatch:
        return f"/t/checkin/{session.pk}/{code}/"


def code_is_fresh(session: Session, code: str, at: dt.datetime | None = None) -> bool:
    minute = _minute(at)
    given = (code or "").strip().encode()
    return any(hmac.compare_digest(given, _code(session, m).encode()) for m in (minute, minute - 1))


# -- checking in -----------------------------------------------------------------------------
def _enrolled(session: Session, person: Person) -> bool:
    return Enrollment.objects.filter(
        plan_id=session.plan_id, person=person, status=EnrollmentStatus.ENROLLED
    ).exists()


def _in_window(session: Session, at: dt.datetime) -> bool:
    return session.starts_at - OPENS_BEFORE <= at <= session.ends_at


def _create(session: Session, person: Person, already: str, **fields) -> CheckIn:
    try:
        with transaction.atomic():
            return CheckIn.objects.create(session=session, person=person, **fields)
    except IntegrityError:
        if CheckIn.objects.filter(session=session, person=person).exists():
            raise DomainError(already, code="duplicate") from None
        raise


@transaction.atomic
def check_in_by_code(
    session: Session, *, person: Person, code: str, actor, at: dt.datetime | None = None
) -> CheckIn:
    """A worker scans the code on the screen; ``actor`` is who signs the audit row (the
    person's own account, or ``SYSTEM`` replaying a recorded check-in)."""
    at = at or timezone.now()
    if session.plan.state == PlanState.CANCELLED:
        raise DomainError("该培训已取消", code="state")
    if not _enrolled(session, person):
        raise DomainError("您未报名该培训", code="not_enrolled")
    if not _in_window(session, at):
        raise DomainError("不在签到时间内", code="state")
    if not code_is_fresh(session, code, at):
        raise DomainError(STALE_CODE, code="stale_code", field="code")
    if CheckIn.objects.filter(session=session, person=person).exists():
        raise DomainError("您已签到", code="duplicate")
    checkin = _create(session, person, "您已签到", method=CheckInMethod.QR)
    audit.record(
        "checkin.qr",
        actor=actor,
        obj=checkin,
        after={"session": session.pk, "person": person.pk},
    )
    return checkin


def _may_record(actor, session: Session) -> bool:
    """Staff who manage the plan, or the session's own trainer."""
    if principal_for(actor).covers("plan", "change", session.plan.org_unit):
        return True
    user_id = getattr(actor, "pk", None)
    return user_id is not None and session.trainer.account_id == user_id


@transaction.atomic
def check_in_manually(session: Session, *, person: Person, actor, reason: str) -> CheckIn:
    """人工补签: staff (or the session's trainer) check a person in, with a reason."""
    if not _may_record(actor, session):
        raise PermissionDeniedError("无权为该班次补签")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("人工补签须填写原因", field="reason")
    if len(reason) > 200:
        raise DomainError("补签原因过长（最多200字）", field="reason")
    if not _enrolled(session, person):
        raise DomainError(f"{person.name}未报名该培训", code="not_enrolled")
    if timezone.now() < session.starts_at - OPENS_BEFORE:
        raise DomainError("不在签到时间内", code="state")
    already = f"{person.name}已签到"
    if CheckIn.objects.filter(session=session, person=person).exists():
        raise DomainError(already, code="duplicate")
    user = actor if getattr(actor, "_meta", None) and actor._meta.label == "accounts.User" else None
    checkin = _create(
        session, person, already, method=CheckInMethod.MANUAL, reason=reason, recorded_by=user
    )
    audit.record(
        "checkin.manual",
        actor=actor,
        obj=checkin,
        after={"session": session.pk, "person": person.pk},
        detail=reason,
    )
    return checkin


# -- attendance ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AttendanceRow:
    """One participant at one session: the hook for evaluation (who attended which session
    of which plan, given by which trainer at which venue)."""

    session: Session
    trainer: Trainer
    venue: Venue | None
    person: Person
    checked_in: bool
    method: str  # "qr", "manual", or "" when absent


def _participants(plan: TrainingPlan) -> list[Person]:
    """Those enrolled, plus anyone checked in to one of its sessions (e.g. since cancelled)."""
    ids = set(
        Enrollment.objects.filter(plan=plan, status=EnrollmentStatus.ENROLLED).values_list(
            "person_id", flat=True
        )
    )
    ids |= set(CheckIn.objects.filter(session__plan=plan).values_list("person_id", flat=True))
    return list(Person.objects.filter(pk__in=ids).order_by("name", "id"))


def _attendance_data(plan: TrainingPlan):
    sessions = list(plan.sessions.select_related("trainer", "venue").order_by("starts_at", "id"))
    methods = {
        (s, p): m
        for s, p, m in CheckIn.objects.filter(session__plan=plan).values_list(
            "session_id", "person_id", "method"
        )
    }
    return sessions, _participants(plan), methods


def attendance_rows(plan: TrainingPlan) -> list[AttendanceRow]:
    """Every participant × every session of ``plan``, by session time then name."""
    sessions, people, methods = _attendance_data(plan)
    return [
        AttendanceRow(
            session=s,
            trainer=s.trainer,
            venue=s.venue,
            person=p,
            checked_in=(s.pk, p.pk) in methods,
            method=methods.get((s.pk, p.pk), ""),
        )
        for s in sessions
        for p in people
    ]


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def attendance(plan: TrainingPlan) -> dict:
    """Counts and rates per session and per person, and overall.

    ``sessions``: [{session, trainer, venue, expected, present, manual, rate}];
    ``people``: [{person, attended, sessions, rate}]; ``overall``: {present, expected, rate}.
    """
    sessions, people, methods = _attendance_data(plan)
    per_session = []
    for s in sessions:
        present = [m for (sid, _pid), m in methods.items() if sid == s.pk]
        per_session.append(
            {"session": s, "trainer": s.trainer, "venue": s.venue, "expected": len(people),
             "present": len(present), "manual": present.count(CheckInMethod.MANUAL),
             "rate": _rate(len(present), len(people))}
        )  # fmt: skip
    per_person = []
    for p in people:
        attended = sum(1 for s in sessions if (s.pk, p.pk) in methods)
        per_person.append(
            {"person": p, "attended": attended, "sessions": len(sessions),
             "rate": _rate(attended, len(sessions))}
        )  # fmt: skip
    present = len(methods)
    expected = len(sessions) * len(people)
    return {
        "sessions": per_session,
        "people": per_person,
        "overall": {"present": present, "expected": expected, "rate": _rate(present, expected)},
    }
