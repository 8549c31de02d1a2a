"""Evaluation test helpers: a completed plan with participants who attended, and forms."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from gonghui.evaluation.domain.evaluations import form_for
from gonghui.evaluation.enums import ItemKind, TargetKind
from gonghui.training.enums import CheckInMethod, EnrollmentStatus, PlanState
from gonghui.training.models import CheckIn, Enrollment

from ..training.factories import PlanFactory, TrainerFactory, VenueFactory, session_for, worker


def completed_plan(
    unit,
    *,
    people: int = 3,
    trainers: int = 1,
    union=None,
    enterprise=None,
    absent: int = 0,
    venue=None,
    skill=None,
    title: str | None = None,
    days_ago: int = 1,
):
    """A completed plan of ``unit`` with ``trainers`` sessions (one trainer each) held
    ``days_ago`` days ago and ``people`` enrolled participants who completed (plus
    ``absent`` enrolled who never came). Returns a namespace (plan, people, users,
    trainers, sessions, venue)."""
    kw = {"org_unit": unit, "state": PlanState.COMPLETED, "capacity": people + absent + 1}
    if skill is not None:
        kw["skill"] = skill
    if title:
        kw["title"] = title
    plan = PlanFactory(**kw)
    venue = venue or VenueFactory(org_unit=unit)
    start = timezone.now() - dt.timedelta(days=days_ago, hours=8)
    ts = [TrainerFactory(org_unit=unit) for _ in range(trainers)]
    sessions = [
        session_for(
            plan,
            trainer=t,
            venue=venue,
            starts_at=start + dt.timedelta(hours=3 * i),
            ends_at=start + dt.timedelta(hours=3 * i + 2),
        )
        for i, t in enumerate(ts)
    ]
    persons, users = [], []
    for i in range(people + absent):
        person, user = worker(union or unit, enterprise=enterprise, name=f"学员{i}")
        Enrollment.objects.create(
            plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=i + 1,
            enterprise=enterprise, completed=i < people,
        )  # fmt: skip
        if i < people:
            for s in sessions:
                CheckIn.objects.create(session=s, person=person, method=CheckInMethod.QR)
            persons.append(person)
            users.append(user)
    return SimpleNamespace(
        plan=plan, people=persons, users=users, trainers=ts, sessions=sessions, venue=venue
    )


def answers(evaluation, *, rating=4, recommend=9, yes=1, text="", trainer_rating=None,
            ratings=None):  # fmt: skip
    """A whole form: every rating item ``rating`` (trainer items ``trainer_rating``, or per
    question code from ``ratings``), the recommendation ``recommend``, yes/no ``yes``."""
    ratings = ratings or {}
    out = {}
    for section in form_for(evaluation):
        values = {}
        for q in section.questions:
            if q.kind == ItemKind.RATING:
                r = trainer_rating if section.target.kind == TargetKind.TRAINER else None
                values[q.code] = ratings.get(q.code, r if r is not None else rating)
            elif q.kind == ItemKind.RECOMMEND:
                values[q.code] = recommend
            elif q.kind == ItemKind.YES_NO:
                values[q.code] = yes
            elif text:
                values[q.code] = text
        out[section.target.pk] = values
    return out
