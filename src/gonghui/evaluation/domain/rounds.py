# SPDX-License-Identifier: AGPL-3.0-or-later
"""Periodic anonymous scoring of people (定期无记名打分), for apps that run it (mentorship).

The same anonymity as a training evaluation, through the same tables and the same code:

- ``Invitation`` (target × person) says who may score whom, as the owning app decided;
- ``Participation`` (target × person) says who has scored — once per target and round, so
  a second score in a period is refused by the unique pair;
- what was given waits as a ``PendingForm`` (no person, no time, random key) until
  ``EvaluationSettings.answer_batch`` forms of the round wait, or the round closes; then
  ``evaluations.write_forms`` writes the batch shuffled into counters created at zero when
  the round opened;
- a person's score is shown (``round_scores``) only once the round is closed and at least
  ``ScoringRound.min_responses`` (≥ 3) forms were counted for them.

The owning app keeps its own meaning (which period, which agreement); this module knows
only people, kinds of target and a questionnaire.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit, Person

from ..enums import (
    ITEM_RANGE,
    ROUND_TARGET_KINDS,
    Channel,
    EvaluationState,
    ItemKind,
    QuestionnaireState,
    TargetKind,
)
from ..models import (
    Invitation,
    Participation,
    PendingForm,
    Question,
    Questionnaire,
    RatingCounter,
    ScoringRound,
    Target,
)
from .evaluations import answer_batch, clean_values, write_forms
from .transitions import transition

#: The smallest number of forms before anyone's score is shown (2 would let one of the two
#: raters work out the other's answer).
MIN_RESPONSES = 3


def _require_runner(actor, org_unit: OrgUnit) -> None:
    if actor is SYSTEM:
        return
    if not principal_for(actor).covers("scoringround", "change", org_unit):
        raise PermissionDeniedError("无权管理该无记名打分")


# -- questionnaires ----------------------------------------------------------------------------
def builtin_questionnaire(code: str, title: str, items: Iterable[tuple]) -> Questionnaire:
    """The published questionnaire ``code`` (latest version), created with ``items`` —
    ``(code, text, target kind)`` rating items, 1–5, no dimension (so they never enter the
    training scores) — the first time an app asks for it. Later versions are made in the
    questionnaire console as for any other."""
    found = (
        Questionnaire.objects.filter(code=code, state=QuestionnaireState.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if found is not None:
        return found
    with transaction.atomic():
        q = Questionnaire.objects.create(
            code=code, title=title, state=QuestionnaireState.PUBLISHED,
            published_at=timezone.now(),
        )  # fmt: skip
        Question.objects.bulk_create(
            Question(questionnaire=q, code=c, text=text, kind=ItemKind.RATING, target=kind,
                     order=i)
            for i, (c, text, kind) in enumerate(items)
        )  # fmt: skip
        audit.record("evaluation.questionnaire.builtin", actor=SYSTEM, obj=q)
    return q


def questions_of(round_: ScoringRound, kind: str) -> list[Question]:
    return list(
        Question.objects.filter(questionnaire_id=round_.questionnaire_id, target=kind).order_by(
            "order", "id"
        )
    )


# -- opening and closing -----------------------------------------------------------------------
@dataclass(frozen=True)
class Subject:
    """One person to be scored in a round, and who may score them."""

    kind: str  # a ROUND_TARGET_KINDS value
    person: Person
    raters: tuple[Person, ...]


@transaction.atomic
def open_round(
    *,
    org_unit: OrgUnit,
    title: str,
    questionnaire: Questionnaire,
    subjects: Iterable[Subject],
    closes_at: dt.datetime,
    actor,
    min_responses: int = MIN_RESPONSES,
    now: dt.datetime | None = None,
) -> ScoringRound:
    """Open a round: one target per subject, its invitations, and every counter it can
    raise at zero (so no new counter row ever marks a first answer)."""
    _require_runner(actor, org_unit)
    now = now or timezone.now()
    if closes_at <= now:
        raise DomainError("截止时间应晚于开始时间", field="closes_at")
    if min_responses < MIN_RESPONSES:
        raise DomainError(f"公布所需最少答卷数不能少于{MIN_RESPONSES}份", field="min_responses")
    if questionnaire.state != QuestionnaireState.PUBLISHED:
        raise DomainError("问卷尚未发布，不能使用", code="state")
    subjects = list(subjects)
    if not subjects:
        raise DomainError("没有可打分的对象", code="empty")
    round_ = ScoringRound.objects.create(
        org_unit=org_unit, title=title, questionnaire=questionnaire, opens_at=now,
        closes_at=closes_at, min_responses=min_responses,
    )  # fmt: skip
    for s in subjects:
        if s.kind not in ROUND_TARGET_KINDS:
            raise DomainError("评价对象无效", code="invalid")
        target = Target.objects.create(round=round_, kind=s.kind, subject=s.person)
        Invitation.objects.bulk_create(
            Invitation(target=target, person=p)
            for p in {p.pk: p for p in s.raters if p.pk != s.person.pk}.values()
        )
    questions = defaultdict(list)
    for q in Question.objects.filter(questionnaire=questionnaire).exclude(kind=ItemKind.TEXT):
        questions[q.target].append(q)
    RatingCounter.objects.bulk_create(
        [
            RatingCounter(target=t, question=q, kind=q.kind, dimension=q.dimension,
                          channel=Channel.ONLINE, value=v, count=0)
            for t in round_.targets.all()
            for q in questions[t.kind]
            for v in ITEM_RANGE[ItemKind(q.kind)]
        ],
        batch_size=1000,
    )  # fmt: skip
    audit.record(
        "evaluation.round.open", actor=actor, obj=round_,
        after={"targets": len(subjects), "closes_at": closes_at.isoformat()},
    )  # fmt: skip
    return round_


def flush_round(round_: ScoringRound, *, force: bool = False) -> int:
    """Write the round's held forms when at least k wait (or all with ``force``)."""
    k = answer_batch()
    if not force and PendingForm.objects.filter(round=round_).count() < k:
        return 0
    with transaction.atomic():
        ScoringRound.objects.select_for_update().filter(pk=round_.pk).first()
        forms = list(PendingForm.objects.filter(round=round_))
        if not forms or (not force and len(forms) < k):
            return 0
        write_forms(forms, RatingCounter.objects.filter(target__round=round_))
    return len(forms)


@transaction.atomic
def close_round(round_: ScoringRound, *, actor, now: dt.datetime | None = None) -> ScoringRound:
    """Close the round: whatever waits is written, then scores may be shown."""
    _require_runner(actor, round_.org_unit)
    locked = ScoringRound.objects.select_for_update().get(pk=round_.pk)
    flush_round(locked, force=True)
    old = transition(locked, EvaluationState.CLOSED, actor=actor)
    locked.closed_at = now or timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    round_.state, round_.closed_at = locked.state, locked.closed_at
    audit.record(
        "evaluation.round.close", actor=actor, obj=locked,
        before={"state": old}, after={"state": locked.state},
    )  # fmt: skip
    return round_


def close_due_rounds(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = ScoringRound.objects.filter(state=EvaluationState.OPEN, closes_at__lte=now)
    return len([close_round(r, actor=SYSTEM, now=now) for r in due.order_by("pk")])


# -- answering ---------------------------------------------------------------------------------
def is_open(round_: ScoringRound, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return round_.state == EvaluationState.OPEN and round_.opens_at <= now < round_.closes_at


def to_answer(person: Person, rounds: QuerySet[ScoringRound] | None = None) -> QuerySet[Target]:
    """Targets of open rounds the person is invited to and has not answered yet."""
    now = timezone.now()
    qs = Target.objects.filter(
        round__state=EvaluationState.OPEN, round__closes_at__gt=now,
        invitations__person=person,
    ).exclude(participations__person=person)  # fmt: skip
    if rounds is not None:
        qs = qs.filter(round__in=rounds)
    return qs.select_related("round", "subject").order_by("round_id", "kind", "id")


def answered(person: Person, round_: ScoringRound) -> QuerySet[Target]:
    """Targets of the round the person has answered (never what they answered)."""
    return Target.objects.filter(round=round_, participations__person=person)


@transaction.atomic
def submit_round_form(
    target: Target, *, person: Person, answers: Mapping[str, Any], actor=None,
    now: dt.datetime | None = None,
) -> None:  # fmt: skip
    """The person's form about one target: invited, once, while the round is open."""
    target = Target.objects.select_related("round").get(pk=target.pk)
    round_ = target.round
    if round_ is None:
        raise DomainError("评价对象不属于无记名打分", code="invalid")
    now = now or timezone.now()
    if round_.state != EvaluationState.OPEN or now >= round_.closes_at:
        raise DomainError("本期打分已截止，不能再提交", code="closed")
    if now < round_.opens_at:
        raise DomainError("本期打分尚未开始", code="closed")
    if not Invitation.objects.filter(target=target, person=person).exists():
        raise DomainError("您不在该对象的打分人之列", code="not_invited")
    cleaned = clean_values(questions_of(round_, target.kind), answers)
    try:
        with transaction.atomic():
            Participation.objects.create(target=target, person=person)
    except IntegrityError:
        raise DomainError("本期您已经打过分，每期只能打一次", code="duplicate") from None
    PendingForm.objects.create(
        round=round_, channel=Channel.ONLINE,
        answers=[[target.pk, {str(q.pk): v for q, v in cleaned.items()}]],
    )  # fmt: skip
    flush_round(round_)
    audit.record("evaluation.round.participate", actor=actor or person, obj=round_)


# -- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonScore:
    target_id: int
    kind: str
    subject_id: int
    invited: int
    responses: int
    published: bool
    mean: Decimal | None  # 1–5, two decimals; None unless published
    reason: str = ""

    @property
    def kind_label(self) -> str:
        return TargetKind(self.kind).label

    @property
    def index(self) -> Decimal | None:
        """The mean on a 0–100 scale (5分制 ×20), one decimal."""
        if self.mean is None:
            return None
        return (self.mean * 20).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def round_scores(round_: ScoringRound, *, kind: str | None = None) -> dict[int, PersonScore]:
    """Each target's score, by target id: the mean of its rating items over the counted
    forms, shown only when the round is closed and at least ``min_responses`` were counted;
    otherwise the sample sizes and why not."""
    targets = round_.targets.all()
    if kind:
        targets = targets.filter(kind=kind)
    return _scores(targets)


def person_scores(*, subject_id: int, kind: str, **round_filters) -> list[PersonScore]:
    """One person's scores as ``kind`` in the rounds matching ``round_filters`` (lookups
    from ``Target``, e.g. ``round__mentorship_period__programme_id``), oldest first, same
    rules: published only from closed rounds with enough forms. One query, grouped by the
    target only, driven by the subject's index (see the mentorship benchmark)."""
    rating = Q(counters__kind=ItemKind.RATING)
    rows = (
        Target.objects.filter(
            subject_id=subject_id, kind=kind, round__isnull=False, **round_filters
        )
        .values_list("pk", "responses", "round__state", "round__min_responses")
        .annotate(
            n=Sum("counters__count", filter=rating),
            total=Sum(F("counters__count") * F("counters__value"), filter=rating),
        )
        .order_by("round__opens_at", "pk")
    )
    return [_person_score(kind, subject_id, *row) for row in rows]


def _person_score(kind, subject_id, pk, responses, state, least, n, total) -> PersonScore:
    """One target's score from its row: the publication rule of ``person_scores``."""
    closed = state == EvaluationState.CLOSED
    published = closed and responses >= least and bool(n)
    mean = None
    if published:
        mean = (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    reason = "" if published else (
        "本期打分尚未截止，截止后公布" if not closed
        else f"答卷不足{least}份，不予公布（保护打分人）"
    )  # fmt: skip
    return PersonScore(pk, kind, subject_id, 0, responses, published, mean, reason)


def person_scores_sql(subject_id: int, kind: str, rounds_sql: str, params: list) -> tuple:
    """``person_scores`` as one SQL statement, for a caller that reads several things in
    one go (the mentorship assessment): ``(sql, params)`` whose rows go through
    ``person_scores_from_rows``. ``rounds_sql`` selects the round ids (e.g. the periods of
    a programme ending in some dates). Django builds its queries in Python at about a
    millisecond each on a loaded machine, several times the statement itself
    (bench/mentorship_points.py); this one is written once."""
    t, r, c = Target._meta.db_table, ScoringRound._meta.db_table, RatingCounter._meta.db_table
    sql = (
        f"SELECT t.id, t.responses, r.state, r.min_responses, SUM(c.count), "  # noqa: S608
        f"SUM(c.count * c.value) FROM {t} t JOIN {r} r ON r.id = t.round_id "
        f"LEFT JOIN {c} c ON c.target_id = t.id AND c.kind = %s "
        f"WHERE t.subject_id = %s AND t.kind = %s AND t.round_id IN ({rounds_sql}) "
        "GROUP BY t.id, t.responses, r.state, r.min_responses, r.opens_at "
        "ORDER BY r.opens_at, t.id"
    )
    return sql, [ItemKind.RATING, subject_id, kind, *params]


def person_scores_from_rows(subject_id: int, kind: str, rows) -> list[PersonScore]:
    return [_person_score(kind, subject_id, *row) for row in rows]


def _scores(targets: QuerySet[Target]) -> dict[int, PersonScore]:
    sums = {
        r["target_id"]: (r["n"] or 0, r["total"] or 0)
        for r in RatingCounter.objects.filter(target__in=targets, kind=ItemKind.RATING)
        .values("target_id")
        .annotate(n=Sum("count"), total=Sum(F("count") * F("value")))
        .order_by()
    }
    invited = dict(
        Invitation.objects.filter(target__in=targets)
        .values_list("target_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {}
    for t in targets.values(
        "pk", "kind", "subject_id", "responses", "round__state", "round__min_responses"
    ):
        least = t["round__min_responses"]
        closed = t["round__state"] == EvaluationState.CLOSED
        n, total = sums.get(t["pk"], (0, 0))
        published = closed and t["responses"] >= least and n > 0
        reason = ""
        if not closed:
            reason = "本期打分尚未截止，截止后公布"
        elif not published:
            reason = f"答卷不足{least}份，不予公布（保护打分人）"
        mean = None
        if published:
            mean = (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out[t["pk"]] = PersonScore(
            target_id=t["pk"], kind=t["kind"], subject_id=t["subject_id"],
            invited=invited.get(t["pk"], 0), responses=t["responses"], published=published,
            mean=mean, reason=reason,
        )  # fmt: skip
    return out


def participation(round_: ScoringRound) -> tuple[int, int]:
    """(forms submitted, forms invited) over the round: counts only."""
    done = Participation.objects.filter(target__round=round_).count()
    invited = Invitation.objects.filter(target__round=round_).count()
    return done, invited
