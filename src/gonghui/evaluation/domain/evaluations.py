# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reaction-level evaluation (反应评估): open for a completed plan, answer once, close.

Anonymity by design (after EvaP). An answer writes two unrelated things in one
transaction: ``Participation`` rows (this person has answered this target) and anonymous
counters / text rows (someone gave these values through this channel). No row of the
second kind names a person, carries a time, or has an ordered key; the audit row of an
answer says who took part, never what they answered or through which channel.

Answers are held apart and written in batches (issue 12 item 3): a submitted form is a
``PendingForm`` row (no person, no time) until ``EvaluationSettings.answer_batch`` (k)
forms wait or the evaluation closes; ``flush_pending_forms`` then writes them in a shuffled
order — texts as rows, ratings as one increment per counter — and deletes them. Counters
exist, all zero, from the moment the evaluation opens, so no new row reveals who first gave
a value; a text becomes visible only together with at least k−1 other forms.

Paper forms: staff first register who handed in a form (``record_paper_returns``: the
people are marked as having answered, and the evaluation's count of forms waiting to be
typed in goes up), then type the forms in one by one (``enter_paper_form``), in any order,
without saying whose form it is.
"""

import datetime as dt
import json
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Person
from gonghui.training.domain.notices import notify
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import Notification, PlanEvent, TrainingPlan

from ..enums import ITEM_RANGE, Channel, EvaluationState, ItemKind, QuestionnaireState, TargetKind
from ..models import (
    Evaluation,
    EvaluationSettings,
    Participation,
    PendingForm,
    Question,
    Questionnaire,
    RatingCounter,
    Target,
    TextAnswer,
)
from .transitions import transition

EVALUABLE_STATES = (PlanState.COMPLETED, PlanState.ARCHIVED)
MAX_TEXT = 1000
SELF_CHANNELS = (Channel.ONLINE, Channel.QR)

#: Shuffles each batch of held forms. A ``random.SystemRandom`` in service; tests put a
#: seeded ``random.Random`` here to check the written order by construction.
SHUFFLE: random.Random = random.SystemRandom()

#: Answers as submitted: target id → question code → value (int, or str for text items).
Answers = Mapping[int, Mapping[str, Any]]


# -- reading ---------------------------------------------------------------------------------
def participants(plan: TrainingPlan) -> QuerySet[Person]:
    """Who may evaluate: enrolled (not cancelled) and present at one session at least."""
    return Person.objects.filter(
        enrollments__plan=plan,
        enrollments__status=EnrollmentStatus.ENROLLED,
        checkins__session__plan=plan,
    ).distinct()


def completed_on(plan: TrainingPlan) -> dt.date:
    """The day the plan was completed: its completion event, else its last session's end."""
    event = plan.events.filter(kind=f"state.{PlanState.COMPLETED}").order_by("-at").first()
    if event is not None:
        return timezone.localdate(event.at)
    last = plan.sessions.order_by("-ends_at").first()
    return timezone.localdate(last.ends_at) if last else timezone.localdate()


def current_standard() -> Questionnaire:
    found = (
        Questionnaire.objects.filter(is_standard=True, state=QuestionnaireState.PUBLISHED)
        .order_by("-published_at", "-version")
        .first()
    )
    if found is None:
        raise DomainError("尚未发布标准评价问卷", code="no_questionnaire")
    return found


def questions_for(evaluation: Evaluation, kind: str) -> list[Question]:
    """The items asked about a target of ``kind``: the questionnaire's, then the plan's."""
    return _questions(evaluation)[kind]


def _questions(evaluation: Evaluation) -> dict[str, list[Question]]:
    """Every item of the evaluation by kind of target, in one query."""
    rows = Question.objects.filter(
        Q(questionnaire_id=evaluation.questionnaire_id) | Q(plan_id=evaluation.plan_id)
    ).order_by("order", "id")
    out: dict[str, list[Question]] = {k: [] for k in TargetKind.values}
    for q in sorted(rows, key=lambda q: (q.plan_id is not None, q.order, q.id)):
        out[q.target].append(q)
    return out


@dataclass(frozen=True)
class Section:
    target: Target
    title: str
    questions: list[Question]
    answered: bool


def form_for(evaluation: Evaluation, person: Person | None = None) -> list[Section]:
    """The form's sections (course first, then each trainer), and which the person has
    already answered (``person=None`` for a paper form: nothing answered)."""
    targets = list(evaluation.targets.select_related("trainer").order_by("kind", "id"))
    targets.sort(key=lambda t: (t.kind != TargetKind.COURSE, t.id))
    done = set()
    if person is not None:
        done = set(
            Participation.objects.filter(target__in=targets, person=person).values_list(
                "target_id", flat=True
            )
        )
    by_kind = _questions(evaluation)
    sections = []
    for t in targets:
        title = "课程与组织" if t.kind == TargetKind.COURSE else f"培训师：{t.trainer.name}"
        sections.append(Section(t, title, by_kind[t.kind], t.pk in done))
    return sections


def has_answered(evaluation: Evaluation, person: Person) -> bool:
    return Participation.objects.filter(
        target__evaluation=evaluation, target__kind=TargetKind.COURSE, person=person
    ).exists()


def pending_for(person: Person) -> QuerySet[Evaluation]:
    """Open evaluations the person may still answer (course part not answered yet)."""
    now = timezone.now()
    answered = Participation.objects.filter(person=person, target__kind=TargetKind.COURSE)
    return (
        Evaluation.objects.filter(
            state=EvaluationState.OPEN,
            closes_at__gt=now,
            plan__enrollments__person=person,
            plan__enrollments__status=EnrollmentStatus.ENROLLED,
            plan__sessions__checkins__person=person,
        )
        .exclude(targets__in=answered.values("target_id"))
        .select_related("plan")
        .distinct()
    )


def answered_by(person: Person) -> QuerySet[Evaluation]:
    """Evaluations whose course part the person has answered (not what they answered)."""
    done = Participation.objects.filter(person=person, target__kind=TargetKind.COURSE)
    return Evaluation.objects.filter(targets__in=done.values("target_id")).select_related("plan")


def is_open(evaluation: Evaluation, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        evaluation.state == EvaluationState.OPEN
        and evaluation.opens_at <= now < evaluation.closes_at
    )


# -- opening and closing -----------------------------------------------------------------------
def _require_manager(actor, evaluation_or_plan) -> None:
    if actor is SYSTEM:
        return  # a scheduled job
    principal = principal_for(actor)
    if isinstance(evaluation_or_plan, TrainingPlan):
        ok = principal.can("plan", "change", evaluation_or_plan)
    else:
        ok = principal.can("evaluation", "change", evaluation_or_plan)
    if not ok:
        raise PermissionDeniedError("无权管理该培训的评价")


def evaluation_url(evaluation: Evaluation) -> str:
    return f"/e/{evaluation.pk}/"


def qr_url(evaluation: Evaluation) -> str:
    return f"/e/q/{evaluation.token}/"


@transaction.atomic
def open_evaluation(
    plan: TrainingPlan,
    *,
    actor,
    questionnaire: Questionnaire | None = None,
    closes_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Evaluation:
    """Open the plan's evaluation: one course target and one per trainer of its sessions;
    invite every participant; schedule the enterprises' follow-ups."""
    from .followups import schedule_follow_ups

    _require_manager(actor, plan)
    plan = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.state not in EVALUABLE_STATES:
        raise DomainError("方案尚未结业，不能开启评价", code="state")
    if Evaluation.objects.filter(plan=plan).exists():
        raise DomainError("该方案已开启评价", code="duplicate")
    questionnaire = questionnaire or current_standard()
    if questionnaire.state != QuestionnaireState.PUBLISHED:
        raise DomainError("问卷尚未发布，不能使用", code="state")
    now = now or timezone.now()
    settings = EvaluationSettings.current()
    closes_at = closes_at or now + dt.timedelta(days=settings.window_days)
    if closes_at <= now:
        raise DomainError("截止时间应晚于开始时间", field="closes_at")
    people = list(participants(plan))
    evaluation = Evaluation.objects.create(
        plan=plan,
        questionnaire=questionnaire,
        opens_at=now,
        closes_at=closes_at,
        completed_on=completed_on(plan),
        token=secrets.token_urlsafe(16)[:22],
        eligible=len(people),
    )
    Target.objects.create(evaluation=evaluation, kind=TargetKind.COURSE)
    trainer_ids = sorted(set(plan.sessions.values_list("trainer_id", flat=True)))
    Target.objects.bulk_create(
        Target(evaluation=evaluation, kind=TargetKind.TRAINER, trainer_id=t) for t in trainer_ids
    )
    create_zero_counters(evaluation)
    until = timezone.localtime(closes_at)
    text = f"“{plan.title}”已结业，请在{until:%m月%d日}前完成培训评价（匿名）。"
    for person in people:
        notify(person, kind=Notification.Kind.EVALUATION, text=text, url=evaluation_url(evaluation))
    follow_ups = schedule_follow_ups(evaluation)
    PlanEvent.objects.create(
        plan=plan,
        kind="evaluation.opened",
        summary=f"开启培训评价：{len(people)}人应评，{len(trainer_ids)}位培训师",
        figures={"eligible": len(people), "trainers": len(trainer_ids), "follow_ups": follow_ups},
        actor_label=audit._label(actor),
    )
    audit.record(
        "evaluation.open",
        actor=actor,
        obj=evaluation,
        after={"state": EvaluationState.OPEN, "eligible": len(people)},
    )
    return evaluation


def create_zero_counters(evaluation: Evaluation) -> int:
    """Every counter the evaluation can ever raise (target × rating item × channel × value),
    at zero, before anyone answers; existing ones are left alone. Returns rows created."""
    by_kind = _questions(evaluation)
    have = set(
        RatingCounter.objects.filter(target__evaluation=evaluation).values_list(
            "target_id", "question_id", "channel", "value"
        )
    )
    rows = [
        RatingCounter(target=target, question=q, kind=q.kind, dimension=q.dimension,
                      channel=channel, value=value, count=0)
        for target in evaluation.targets.all()
        for q in by_kind[target.kind]
        if q.kind != ItemKind.TEXT
        for channel in Channel.values
        for value in ITEM_RANGE[ItemKind(q.kind)]
        if (target.pk, q.pk, channel, value) not in have
    ]  # fmt: skip
    RatingCounter.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def open_due_evaluations(*, now: dt.datetime | None = None) -> list[Evaluation]:
    """Open the evaluation of every completed plan that has none yet (daily job)."""
    due = TrainingPlan.objects.filter(state=PlanState.COMPLETED, evaluation__isnull=True)
    return [open_evaluation(plan, actor=SYSTEM, now=now) for plan in due.order_by("pk")]


@transaction.atomic
def close_evaluation(
    evaluation: Evaluation, *, actor, now: dt.datetime | None = None
) -> Evaluation:
    _require_manager(actor, evaluation)
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.state != EvaluationState.OPEN:
        raise DomainError("评价已截止", code="state")
    flush_pending_forms(locked, force=True)  # whatever waits is written at close
    transition(locked, EvaluationState.CLOSED, actor=actor)
    locked.closed_at = now or timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    evaluation.state, evaluation.closed_at = locked.state, locked.closed_at
    responses = locked.targets.filter(kind=TargetKind.COURSE).values_list("responses", flat=True)
    audit.record(
        "evaluation.close",
        actor=actor,
        obj=evaluation,
        before={"state": EvaluationState.OPEN},
        after={"state": EvaluationState.CLOSED, "responses": sum(responses)},
    )
    return evaluation


def close_due_evaluations(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    due = Evaluation.objects.filter(state=EvaluationState.OPEN, closes_at__lte=now)
    return len([close_evaluation(e, actor=SYSTEM, now=now) for e in due.order_by("pk")])


# -- answering ---------------------------------------------------------------------------------
def _require_open(evaluation: Evaluation, now: dt.datetime) -> None:
    if evaluation.state != EvaluationState.OPEN or now >= evaluation.closes_at:
        raise DomainError("评价已截止，不能再提交", code="closed")
    if now < evaluation.opens_at:
        raise DomainError("评价尚未开始", code="closed")


def _clean(evaluation: Evaluation, answers: Answers) -> list[tuple[Target, dict[Question, Any]]]:
    """Check every value against its item; return (target, {question: value}) pairs, the
    course first. Raises a DomainError naming the first bad item."""
    targets = {t.pk: t for t in evaluation.targets.select_related("trainer")}
    by_kind = _questions(evaluation)
    cleaned: list[tuple[Target, dict[Question, Any]]] = []
    for raw_id, values in answers.items():
        try:
            target = targets[int(raw_id)]
        except (KeyError, TypeError, ValueError):
            raise DomainError("评价对象不属于本次评价", code="invalid") from None
        cleaned.append((target, clean_values(by_kind[target.kind], values)))
    if not any(t.kind == TargetKind.COURSE for t, _ in cleaned):
        raise DomainError("请完成对课程与组织的评价", code="required")
    cleaned.sort(key=lambda pair: (pair[0].kind != TargetKind.COURSE, pair[0].pk))
    return cleaned


def clean_values(questions: Iterable[Question], values: Mapping[str, Any]) -> dict[Question, Any]:
    """One target's answers checked against its items (question code → value); returns
    {question: value}. Raises a DomainError naming the first bad item. Shared with the
    scoring rounds (``rounds.py``)."""
    by_code = {q.code: q for q in questions}
    unknown = set(values) - set(by_code)
    if unknown:
        raise DomainError(f"问卷中没有题目“{sorted(unknown)[0]}”", code="invalid")
    out: dict[Question, Any] = {}
    for code, q in by_code.items():
        value = values.get(code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if q.required:
                raise DomainError(f"请回答：{q.text}", code="required", field=code)
            continue
        if q.kind == ItemKind.TEXT:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                raise DomainError(f"“{q.text}”不能超过{MAX_TEXT}字", field=code)
            out[q] = text
            continue
        valid = ITEM_RANGE[ItemKind(q.kind)]
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if isinstance(value, bool) or number is None or number not in valid:
            raise DomainError(
                f"“{q.text}”的答案应为{valid.start}到{valid.stop - 1}之间的整数",
                code="out_of_range",
                field=code,
            )
        out[q] = number
    return out


def _hold(
    evaluation: Evaluation, cleaned: list[tuple[Target, dict[Question, Any]]], channel: str
) -> None:
    """Keep one form apart (no person, no time) and write the batch if it is full."""
    PendingForm.objects.create(
        evaluation=evaluation, channel=channel,
        answers=[[t.pk, {str(q.pk): v for q, v in values.items()}] for t, values in cleaned],
    )  # fmt: skip
    flush_pending_forms(evaluation)


def answer_batch() -> int:
    """k: how many held forms are written together (``EvaluationSettings.answer_batch``)."""
    return EvaluationSettings.current().answer_batch


def flush_pending_forms(evaluation: Evaluation, *, force: bool = False) -> int:
    """Write the held forms of ``evaluation`` when at least k (``answer_batch``) wait, or
    all of them with ``force`` (at close). The forms are put in a canonical order (by their
    content) and then shuffled, so the written order depends on neither the order they were
    submitted in nor their keys; ratings become one increment per counter and texts rows in
    that shuffled order. Returns the number of forms written."""
    k = answer_batch()
    if not force and PendingForm.objects.filter(evaluation=evaluation).count() < k:
        return 0
    with transaction.atomic():
        Evaluation.objects.select_for_update().filter(pk=evaluation.pk).first()
        forms = list(PendingForm.objects.filter(evaluation=evaluation))
        if not forms or (not force and len(forms) < k):
            return 0
        write_forms(forms, RatingCounter.objects.filter(target__evaluation=evaluation))
    return len(forms)


def write_forms(forms: list[PendingForm], counters: QuerySet[RatingCounter]) -> None:
    """Write held forms (the caller holds the lock of their evaluation or round): put in a
    canonical order by content, shuffled, ratings as one increment per counter of
    ``counters``, texts as rows in the shuffled order; then delete them."""
    forms.sort(key=lambda f: (f.channel, json.dumps(f.answers, sort_keys=True)))
    SHUFFLE.shuffle(forms)
    asked = {int(qid) for f in forms for _, values in f.answers for qid in values}
    questions = Question.objects.in_bulk(asked)
    increments: Counter = Counter()
    responses: Counter = Counter()
    texts = []
    for form in forms:
        for target_id, values in form.answers:
            responses[target_id] += 1
            for qid, value in values.items():
                q = questions[int(qid)]
                if q.kind == ItemKind.TEXT:
                    texts.append(TextAnswer(target_id=target_id, question=q,
                                            channel=form.channel, text=value))  # fmt: skip
                else:
                    increments[(target_id, q.pk, form.channel, value)] += 1
    _raise_counters(counters, increments, questions)
    TextAnswer.objects.bulk_create(texts)
    by_n: dict[int, list[int]] = {}
    for target_id, n in responses.items():
        by_n.setdefault(n, []).append(target_id)
    for n, ids in by_n.items():
        Target.objects.filter(pk__in=ids).update(responses=F("responses") + n)
    PendingForm.objects.filter(pk__in=[f.pk for f in forms]).delete()


def _raise_counters(counters: QuerySet, increments: Counter, questions: dict) -> None:
    """Raise the counters by the batch's increments (one UPDATE per distinct increment);
    a counter that does not exist yet (an evaluation opened before zero counters existed)
    is created for the whole batch at once."""
    existing = {
        (t, qid, c, v): pk
        for pk, t, qid, c, v in counters.values_list(
            "pk", "target_id", "question_id", "channel", "value"
        )
    }
    by_n: dict[int, list] = {}
    missing = []
    for key, n in increments.items():
        if key in existing:
            by_n.setdefault(n, []).append(existing[key])
        else:
            missing.append(key)
    for n, pks in by_n.items():
        RatingCounter.objects.filter(pk__in=pks).update(count=F("count") + n)
    RatingCounter.objects.bulk_create(
        RatingCounter(target_id=t, question=questions[qid], kind=questions[qid].kind,
                      dimension=questions[qid].dimension, channel=c, value=v,
                      count=increments[(t, qid, c, v)])
        for t, qid, c, v in missing
    )  # fmt: skip


def _participate(targets: Iterable[Target], person: Person) -> None:
    try:
        with transaction.atomic():
            Participation.objects.bulk_create(
                Participation(target=t, person=person) for t in targets
            )
    except IntegrityError:
        raise DomainError("您已经评价过，每人只能评价一次", code="duplicate") from None


@transaction.atomic
def submit_answers(
    evaluation: Evaluation,
    *,
    person: Person,
    answers: Answers,
    channel: str = Channel.ONLINE,
    actor=None,
    now: dt.datetime | None = None,
) -> int:
    """A participant's own form (online or QR). Each target once; returns targets rated."""
    if channel not in SELF_CHANNELS:
        raise DomainError("渠道无效", code="invalid")
    evaluation = Evaluation.objects.select_related("plan").get(pk=evaluation.pk)
    _require_open(evaluation, now or timezone.now())
    if not participants(evaluation.plan).filter(pk=person.pk).exists():
        raise DomainError("您未参加该培训，不能评价", code="not_participant")
    cleaned = _clean(evaluation, answers)
    _participate([t for t, _ in cleaned], person)
    _hold(evaluation, cleaned, channel)
    audit.record("evaluation.participate", actor=actor, obj=evaluation)
    return len(cleaned)


@transaction.atomic
def record_paper_returns(
    evaluation: Evaluation, *, people: Iterable[Person], actor, now: dt.datetime | None = None
) -> int:
    """Register who handed in a paper form: each is marked as having answered every target,
    and as many forms wait to be typed in. Returns the number registered."""
    _require_manager(actor, evaluation)
    evaluation = Evaluation.objects.select_for_update().select_related("plan").get(pk=evaluation.pk)
    _require_open(evaluation, now or timezone.now())
    people = list({p.pk: p for p in people}.values())
    if not people:
        raise DomainError("请选择交回纸质问卷的学员", field="people")
    allowed = set(participants(evaluation.plan).values_list("pk", flat=True))
    outsiders = [p.name for p in people if p.pk not in allowed]
    if outsiders:
        raise DomainError(f"{outsiders[0]}未参加该培训，不能登记", code="not_participant")
    targets = list(evaluation.targets.all())
    for person in people:
        try:
            _participate(targets, person)
        except DomainError:
            raise DomainError(f"{person.name}已经评价过，不能重复登记", code="duplicate") from None
    Evaluation.objects.filter(pk=evaluation.pk).update(
        paper_pending=F("paper_pending") + len(people)
    )
    audit.record(
        "evaluation.paper_returns", actor=actor, obj=evaluation, after={"forms": len(people)}
    )
    return len(people)


@transaction.atomic
def enter_paper_form(
    evaluation: Evaluation, *, answers: Answers, actor, now: dt.datetime | None = None
) -> int:
    """Type in one paper form, whoever's it is; needs a registered form waiting."""
    _require_manager(actor, evaluation)
    evaluation = Evaluation.objects.select_for_update().select_related("plan").get(pk=evaluation.pk)
    _require_open(evaluation, now or timezone.now())
    if evaluation.paper_pending <= 0:
        raise DomainError("没有待录入的纸质问卷：请先登记交回问卷的学员", code="no_paper")
    cleaned = _clean(evaluation, answers)
    _hold(evaluation, cleaned, Channel.PAPER)
    Evaluation.objects.filter(pk=evaluation.pk).update(paper_pending=F("paper_pending") - 1)
    audit.record("evaluation.paper_form", actor=actor, obj=evaluation)
    return len(cleaned)


def send_evaluation_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind participants who have not answered an open evaluation, at most every
    ``reminder_every_days`` days. Returns the number of messages written."""
    now = now or timezone.now()
    every = dt.timedelta(days=EvaluationSettings.current().reminder_every_days)
    sent = 0
    for evaluation in Evaluation.objects.filter(
        state=EvaluationState.OPEN, closes_at__gt=now
    ).select_related("plan"):
        url = evaluation_url(evaluation)
        recent = set(
            Notification.objects.filter(
                kind=Notification.Kind.EVALUATION, url=url, created_at__gt=now - every
            ).values_list("person_id", flat=True)
        )
        answered = set(
            Participation.objects.filter(
                target__evaluation=evaluation, target__kind=TargetKind.COURSE
            ).values_list("person_id", flat=True)
        )
        text = (
            f"提醒：“{evaluation.plan.title}”的培训评价将于"
            f"{timezone.localtime(evaluation.closes_at):%m月%d日}截止，您的意见很重要（匿名）。"
        )
        with transaction.atomic():
            for person in participants(evaluation.plan).exclude(pk__in=answered | recent):
                notify(person, kind=Notification.Kind.EVALUATION, text=text, url=url)
                sent += 1
    return sent
