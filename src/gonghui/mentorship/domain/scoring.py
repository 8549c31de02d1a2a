# SPDX-License-Identifier: AGPL-3.0-or-later
"""Anonymous periodic scoring (定期无记名网上打分) of a programme's pairs.

Each period the union opens a round: every apprentice of an agreement active in the period
scores their mentor; the mentor and the apprentice's colleagues (the other mentors and
apprentices of the period's agreements in the same department) score the apprentice.
Forms, counters, the batched shuffled writing and the publication threshold are the
evaluation app's (``gonghui.evaluation.domain.rounds``): who scored is kept apart from what
was given, and a person's score is shown only after the period closed with at least
``MIN_RESPONSES`` forms about them. A mentor with one or two apprentices therefore gets no
published score for the period — by design, since they could tell whose it is.

The apprentice's published score is the attitude part (态度评价) of the three-part
assessment (``assessment.assess``): 1–5 mean ×20 on the 0–100 scale.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.evaluation.domain import rounds
from gonghui.evaluation.enums import EvaluationState, TargetKind
from gonghui.evaluation.models import ScoringRound, Target
from gonghui.orgs.models import Person

from ..enums import AgreementState
from ..models import Agreement, MentorshipProgramme, ScoringPeriod
from .common import require_runner

QUESTIONNAIRE = "mentorship-scoring"
QUESTIONNAIRE_TITLE = "导师带徒无记名评分"
ITEMS = (
    ("mentor_attitude", "带教态度认真负责", TargetKind.MENTOR),
    ("mentor_method", "技能传授清楚、有方法", TargetKind.MENTOR),
    ("mentor_care", "关心徒弟成长与安全", TargetKind.MENTOR),
    ("apprentice_attitude", "学习态度端正、肯吃苦", TargetKind.APPRENTICE),
    ("apprentice_discipline", "遵章守纪、安全操作", TargetKind.APPRENTICE),
    ("apprentice_teamwork", "团结协作、乐于助人", TargetKind.APPRENTICE),
    ("apprentice_progress", "技能进步明显", TargetKind.APPRENTICE),
)
MIN_RESPONSES = rounds.MIN_RESPONSES
#: Agreements whose pairs are scored in a period (those running at some point in it).
SCORED_STATES = (AgreementState.SIGNED, AgreementState.IN_PROGRESS, AgreementState.MIDTERM)


def questionnaire():
    return rounds.builtin_questionnaire(QUESTIONNAIRE, QUESTIONNAIRE_TITLE, ITEMS)


def _period_agreements(programme: MentorshipProgramme, starts_on: dt.date, ends_on: dt.date):
    return (
        Agreement.objects.filter(
            programme=programme,
            state__in=SCORED_STATES,
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
        .select_related("mentor__person", "apprentice__person")
        .order_by("pk")
    )


def subjects_for(agreements) -> list[rounds.Subject]:
    """Who scores whom: each mentor by their apprentices; each apprentice by their mentor
    and by the other parties of ``agreements`` in the same department."""
    agreements = list(agreements)
    mentors: dict[int, tuple[Person, dict]] = {}
    apprentices: dict[int, tuple[Person, dict]] = {}
    by_department: dict[str, dict[int, Person]] = defaultdict(dict)
    for a in agreements:
        m, p = a.mentor.person, a.apprentice.person
        mentors.setdefault(m.pk, (m, {}))[1][p.pk] = p
        apprentices.setdefault(p.pk, (p, {}))[1][m.pk] = m
        if a.apprentice.department:
            by_department[a.apprentice.department][p.pk] = p
        if a.mentor.department:
            by_department[a.mentor.department][m.pk] = m
    for a in agreements:
        colleagues = (
            by_department.get(a.apprentice.department, {}) if a.apprentice.department else {}
        )
        apprentices[a.apprentice.person_id][1].update(colleagues)
    out = [
        rounds.Subject(TargetKind.MENTOR, person, tuple(raters.values()))
        for person, raters in mentors.values()
    ]
    out += [
        rounds.Subject(TargetKind.APPRENTICE, person, tuple(raters.values()))
        for person, raters in apprentices.values()
    ]
    return out


@transaction.atomic
def open_scoring_period(
    programme: MentorshipProgramme,
    *,
    actor,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> ScoringPeriod:
    """Open the period's anonymous scoring for every pair active in it."""
    require_runner(actor, programme)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写期次名称（如2026年上半年）", field="name")
    if ends_on <= starts_on:
        raise DomainError("考核期结束日期应晚于开始日期", field="ends_on")
    MentorshipProgramme.objects.select_for_update().get(pk=programme.pk)
    if ScoringPeriod.objects.filter(
        programme=programme, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).exists():
        raise DomainError("该考核期与已有的打分期次重叠", code="duplicate", field="starts_on")
    subjects = subjects_for(_period_agreements(programme, starts_on, ends_on))
    if not subjects:
        raise DomainError("该考核期内没有带教中的师徒，无需打分", code="empty")
    round_ = rounds.open_round(
        org_unit=programme.org_unit, title=f"{programme.name} {name}无记名打分",
        questionnaire=questionnaire(), subjects=subjects, closes_at=closes_at, actor=actor,
        now=now,
    )  # fmt: skip
    period = ScoringPeriod.objects.create(
        programme=programme, name=name, starts_on=starts_on, ends_on=ends_on, round=round_
    )
    audit.record(
        "mentorship.scoring.open", actor=actor, obj=period,
        after={"targets": len(subjects), "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )  # fmt: skip
    return period


@transaction.atomic
def close_scoring_period(period: ScoringPeriod, *, actor, now=None) -> ScoringPeriod:
    require_runner(actor, period.programme)
    if period.round.state != EvaluationState.OPEN:
        raise DomainError("本期打分已截止", code="state")
    rounds.close_round(period.round, actor=actor, now=now)
    audit.record("mentorship.scoring.close", actor=actor, obj=period)
    return period


def close_due_periods(*, now: dt.datetime | None = None) -> int:
    """Close rounds past their closing time (the daily job): also the evaluation app's
    ``close_due_rounds``; here for the mentorship periods only."""
    from gonghui.core.actors import SYSTEM

    now = now or timezone.now()
    due = ScoringPeriod.objects.filter(
        round__state=EvaluationState.OPEN, round__closes_at__lte=now
    ).select_related("round", "programme")
    return len([rounds.close_round(p.round, actor=SYSTEM, now=now) for p in due])


# -- the parties' side ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ToScore:
    period: ScoringPeriod
    target: Target
    role: str  # how the person relates to the subject, for the page


def to_score(person: Person | None) -> list[ToScore]:
    """What the person is asked to score now (open periods, not yet answered)."""
    if person is None:
        return []
    targets = list(
        rounds.to_answer(person, ScoringRound.objects.filter(mentorship_period__isnull=False))
    )
    periods = {
        p.round_id: p
        for p in ScoringPeriod.objects.filter(round_id__in={t.round_id for t in targets})
    }
    out = []
    for t in targets:
        if t.kind == TargetKind.MENTOR:
            role = "为导师打分"
        elif Agreement.objects.filter(
            mentor__person=person, apprentice__person_id=t.subject_id, state__in=SCORED_STATES
        ).exists():
            role = "为徒弟打分"
        else:
            role = "为同事（徒弟）打分"
        out.append(ToScore(periods[t.round_id], t, role))
    return out


def submit_score(
    period: ScoringPeriod, *, actor, target_id: int, answers: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """The actor's own anonymous form about one person of the period."""
    person = getattr(actor, "person", None)
    if person is None:
        raise PermissionDeniedError("请先绑定职工身份再打分")
    target = Target.objects.filter(pk=target_id, round_id=period.round_id).first()
    if target is None:
        raise DomainError("打分对象不属于本期", code="invalid")
    rounds.submit_round_form(target, person=person, answers=answers, actor=actor, now=now)


def questions(kind: str):
    return [q for q in questionnaire().questions.order_by("order", "id") if q.target == kind]


# -- results ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attitude:
    score: Decimal | None  # 0–100, one decimal; None when nothing was published
    step: str


ONE = Decimal("0.1")


def attitude(agreement: Agreement, *, start: dt.date, end: dt.date, person_id=None) -> Attitude:
    """The apprentice's published anonymous score over the periods ending in ``start``–
    ``end`` (several: weighted by forms counted), as the assessment's attitude part."""
    person_id = person_id or agreement.apprentice.person_id
    scores = rounds.person_scores(
        subject_id=person_id, kind=TargetKind.APPRENTICE,
        round__mentorship_period__programme_id=agreement.programme_id,
        round__mentorship_period__ends_on__range=(start, end),
    )  # fmt: skip
    return attitude_of(scores)


def attitude_of(scores: list[rounds.PersonScore]) -> Attitude:
    """The attitude part from the apprentice's scores of the assessed periods."""
    shown = [s for s in scores if s.published]
    if not shown:
        why = scores[-1].reason if scores else "本期尚无无记名评分"
        return Attitude(None, f"态度评价：{why}，不计入")
    forms = sum(s.responses for s in shown)
    mean = sum(s.mean * s.responses for s in shown) / forms
    score = (mean * 20).quantize(ONE, rounding=ROUND_HALF_UP)
    return Attitude(
        score,
        f"态度评价：无记名评分{len(shown)}期，{forms}份答卷，平均"
        f"{mean.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}分（5分制）×20 = {score}",
    )


@dataclass(frozen=True)
class PeriodResult:
    period: ScoringPeriod
    forms: int
    invited: int
    scores: list  # (kind label, person, PersonScore)


def period_result(period: ScoringPeriod) -> PeriodResult:
    """The period's participation (counts only) and each person's score or why not."""
    done, invited = rounds.participation(period.round)
    scores = rounds.round_scores(period.round)
    people = Person.objects.in_bulk({s.subject_id for s in scores.values()})
    rows = sorted(
        ((TargetKind(s.kind).label, people[s.subject_id], s) for s in scores.values()),
        key=lambda r: (r[2].kind != TargetKind.MENTOR, -(r[2].mean or 0), r[1].pk),
    )
    return PeriodResult(period, done, invited, rows)


def periods_of(programme: MentorshipProgramme) -> QuerySet[ScoringPeriod]:
    return programme.scoring_periods.select_related("round").order_by("-starts_on")


def my_scores(person: Person) -> list[tuple[ScoringPeriod, rounds.PersonScore]]:
    """A mentor's or apprentice's own scores, per period (published or why not); never who
    gave them."""
    out = []
    for kind in (TargetKind.MENTOR, TargetKind.APPRENTICE):
        scores = rounds.person_scores(
            subject_id=person.pk, kind=kind, round__mentorship_period__isnull=False
        )
        if not scores:
            continue
        rounds_of = dict(
            Target.objects.filter(pk__in=[s.target_id for s in scores]).values_list(
                "pk", "round_id"
            )
        )
        periods = {
            p.round_id: p for p in ScoringPeriod.objects.filter(round_id__in=rounds_of.values())
        }
        out += [(periods[rounds_of[s.target_id]], s) for s in scores]
    return out
