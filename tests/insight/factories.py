"""Insight test helpers: plans with a history, and evaluations made of answer counters
(the evaluation app's own tests cover how answers become counters)."""

import datetime as dt
import secrets

from django.utils import timezone

from gonghui.evaluation.enums import Channel, EvaluationState, ItemKind, TargetKind
from gonghui.evaluation.models import Evaluation, Question, Questionnaire, RatingCounter, Target
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import CheckIn, Enrollment, PlanEvent, Session

from ..factories import PersonFactory
from ..training.factories import PlanFactory, TrainerFactory, VenueFactory


def plan_in(unit, state=PlanState.COMPLETED, **kw):
    return PlanFactory(org_unit=unit, state=state, **kw)


def event(plan, state: str, at: dt.datetime) -> PlanEvent:
    e = PlanEvent.objects.create(plan=plan, kind=f"state.{state}", summary=state, to_state=state)
    PlanEvent.objects.filter(pk=e.pk).update(at=at)
    return e


def sessions(plan, n: int, *, start: dt.datetime | None = None) -> list[Session]:
    trainer = TrainerFactory(org_unit=plan.org_unit)
    venue = VenueFactory(org_unit=plan.org_unit)
    start = start or timezone.now() - dt.timedelta(days=30)
    return [
        Session.objects.create(
            plan=plan, trainer=trainer, venue=venue, starts_at=start + dt.timedelta(days=i),
            ends_at=start + dt.timedelta(days=i, hours=2), checkin_secret=secrets.token_hex(8),
        )
        for i in range(n)
    ]  # fmt: skip


def enrol(plan, n: int) -> list:
    people = []
    for i in range(n):
        person = PersonFactory()
        Enrollment.objects.create(
            plan=plan, person=person, status=EnrollmentStatus.ENROLLED, seat=i + 1
        )
        people.append(person)
    return people


def check_in(session, people) -> None:
    for person in people:
        CheckIn.objects.create(session=session, person=person, method="qr")


def evaluation(plan, *, eligible: int, responses: int, ratings: dict[str, dict[int, int]],
               closed: bool = True, trainer=None) -> Evaluation:  # fmt: skip
    """An evaluation of ``plan`` whose course target holds ``ratings`` per dimension
    ({dimension: {value: count}})."""
    questionnaire = Questionnaire.objects.get(code="standard", version=1)
    now = timezone.now()
    ev = Evaluation.objects.create(
        plan=plan, questionnaire=questionnaire,
        state=EvaluationState.CLOSED if closed else EvaluationState.OPEN,
        opens_at=now - dt.timedelta(days=20),
        closes_at=now - dt.timedelta(days=1) if closed else now + dt.timedelta(days=5),
        completed_on=(now - dt.timedelta(days=21)).date(), token=secrets.token_hex(8),
        eligible=eligible,
    )  # fmt: skip
    target = Target.objects.create(evaluation=ev, kind=TargetKind.COURSE, responses=responses)
    if trainer is not None:  # the ratings are then about the trainer
        target = Target.objects.create(evaluation=ev, kind=TargetKind.TRAINER, trainer=trainer,
                                       responses=responses)  # fmt: skip
    for dim, dist in ratings.items():
        question = Question.objects.filter(
            questionnaire=questionnaire, kind=ItemKind.RATING, dimension=dim
        ).first()
        for value, count in dist.items():
            RatingCounter.objects.create(
                target=target, question=question, kind=ItemKind.RATING, dimension=dim,
                channel=Channel.ONLINE, value=value, count=count,
            )  # fmt: skip
    return ev
