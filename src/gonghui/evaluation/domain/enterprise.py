# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enterprises evaluate trainers and course design (由企业对培训师资、课程设计作出评价).

The enterprise's own questionnaire (``ENTERPRISE_QUESTIONS``) uses the standard
questionnaire's dimension codes, so the enterprises' scores stand beside the workers' on
the results page. An enterprise whose workers took part (enrolled and present at least
once) answers once per target, through any of its contacts, while the evaluation is open.
The answer is named (not anonymous toward the federation; the form says so). Wherever
several enterprises' answers are pooled and shown beyond one plan's results page for the
federation — the dashboard, pages beyond the federation — an enterprise mean is shown only
when at least ``EvaluationSettings.min_enterprises`` enterprises gave it (counted in
enterprises, not in contacts or answers: an enterprise answers once), as the workers'
means need ``min_responses`` forms; otherwise the reason is shown instead of the figure.
"""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet, Sum

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Enterprise, Membership

from ..enums import TRAINER_DIMENSIONS, Dimension, ItemKind, TargetKind
from ..models import EnterpriseRating, Evaluation, EvaluationSettings, RatingCounter, Target
from .evaluations import is_open, participants

#: The enterprise questionnaire: per target kind, (code = dimension, question).
ENTERPRISE_QUESTIONS: dict[str, list[tuple[str, str]]] = {
    TargetKind.TRAINER: [
        (Dimension.TRAINER_EXPERTISE, "培训师的专业水平能满足我企业岗位需要"),
        (Dimension.TEACHING, "培训师的授课方式让员工学得会、用得上"),
    ],
    TargetKind.COURSE: [
        (Dimension.COURSE_DESIGN, "课程设计（内容、学时、实操比例）合理"),
        (Dimension.USEFULNESS, "培训内容贴合我企业的生产实际"),
        (Dimension.ORGANISATION, "培训组织（时间安排、通知、服务）便于企业派员参训"),
    ],
}
NOT_ANONYMOUS = (
    "企业评价以企业名义提交，对总工会不匿名；对外公布时与职工评价适用相同的最低样本要求。"
)


def enterprises_of(evaluation: Evaluation) -> set[int]:
    """Enterprises whose workers took part (active membership of a participant)."""
    people = participants(evaluation.plan).values("pk")
    return set(
        Membership.objects.active()
        .filter(person_id__in=people, enterprise__isnull=False)
        .values_list("enterprise_id", flat=True)
    )


def rateable_enterprises(actor, evaluation: Evaluation) -> list[Enterprise]:
    """The actor's enterprises that may rate this evaluation."""
    mine = set(principal_for(actor).enterprise_ids()) & enterprises_of(evaluation)
    return list(Enterprise.objects.filter(pk__in=mine).order_by("name"))


def open_for_contact(actor) -> list[tuple[Evaluation, Enterprise, bool]]:
    """Open evaluations the actor's enterprises may rate, with whether already done."""
    ents = principal_for(actor).enterprise_ids()
    if not ents:
        return []
    out = []
    for evaluation in Evaluation.objects.filter(state="open").select_related("plan"):
        if not is_open(evaluation):
            continue
        for ent in rateable_enterprises(actor, evaluation):
            done = EnterpriseRating.objects.filter(
                target__evaluation=evaluation, enterprise=ent
            ).exists()
            out.append((evaluation, ent, done))
    return out


@dataclass
class EnterpriseSection:
    target: Target
    title: str
    questions: list[tuple[str, str]]


def form_for(evaluation: Evaluation) -> list[EnterpriseSection]:
    sections = []
    for target in evaluation.targets.select_related("trainer").order_by("kind", "id"):
        title = (
            f"培训师：{target.trainer.name}" if target.kind == TargetKind.TRAINER else "课程设计"
        )
        sections.append(EnterpriseSection(target, title, ENTERPRISE_QUESTIONS[target.kind]))
    return sections


@transaction.atomic
def submit_enterprise_ratings(
    evaluation: Evaluation,
    *,
    actor,
    enterprise: Enterprise,
    answers: dict[int, dict[str, Any]],
    comment: str = "",
) -> list[EnterpriseRating]:
    """The enterprise's answer: ``answers`` maps target id → code → 1–5, every question of
    every target required. Once per enterprise and evaluation."""
    if enterprise.pk not in principal_for(actor).enterprise_ids():
        raise PermissionDeniedError("只有本企业的联络员可以代表企业评价")
    if enterprise.pk not in enterprises_of(evaluation):
        raise PermissionDeniedError("贵企业没有职工参加该培训，不能评价")
    if not is_open(evaluation):
        raise DomainError("评价已截止，不能再提交", code="closed")
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    if EnterpriseRating.objects.filter(
        target__evaluation=evaluation, enterprise=enterprise
    ).exists():
        raise DomainError("贵企业已评价过该培训，每家企业只能评价一次", code="duplicate")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise DomainError("意见不超过1000字", field="comment")
    rows = []
    for section in form_for(evaluation):
        given = answers.get(section.target.pk, {})
        clean = {}
        for code, _text in section.questions:
            value = given.get(code)
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 5:
                raise DomainError("请为每一项打分（1到5分）", field=f"t{section.target.pk}_{code}")
            clean[code] = number
        rows.append(EnterpriseRating(target=section.target, enterprise=enterprise, ratings=clean,
                                     comment=comment if section.target.kind == TargetKind.COURSE
                                     else "", answered_by=actor if getattr(actor, "pk", None)
                                     else None))  # fmt: skip
    EnterpriseRating.objects.bulk_create(rows)
    audit.record("evaluation.enterprise_rate", actor=actor, obj=evaluation,
                 after={"enterprise": enterprise.pk, "targets": len(rows)})  # fmt: skip
    return rows


def enterprise_publication(
    enterprises: int, settings: EvaluationSettings | None = None
) -> tuple[bool, str]:
    """Whether a mean pooled over ``enterprises`` enterprises may be shown beyond the
    federation's own results page, and if not, why (in Chinese)."""
    settings = settings or EvaluationSettings.current()
    if enterprises < settings.min_enterprises:
        return False, f"{enterprises}家企业评价，少于公布所需的{settings.min_enterprises}家"
    return True, ""


@dataclass
class PartyRow:
    label: str
    dimension: str
    workers: float | None  # raw mean, 1–5
    workers_n: int
    enterprises: float | None
    enterprises_n: int


def scores_by_party(evaluation: Evaluation, *, public: bool = False) -> list[PartyRow]:
    """Per target and dimension, the workers' raw mean (from the anonymous counters; withheld
    (None) while their card is below the publication threshold, for staff too) and the
    enterprises' mean side by side. ``public``: enterprise means given by fewer than
    ``min_enterprises`` enterprises are withheld as well (pages beyond the federation)."""
    from .scores import plan_scores, scorecards

    settings = EvaluationSettings.current()
    plan = evaluation.plan
    course_card = plan_scores(plan)
    trainer_ids = list(
        evaluation.targets.exclude(trainer=None).values_list("trainer_id", flat=True)
    )
    from gonghui.training.models import TrainingPlan

    trainer_cards = scorecards("trainer", ids=trainer_ids,
                               plans=TrainingPlan.objects.filter(pk=plan.pk))  # fmt: skip
    out = []
    for target in evaluation.targets.select_related("trainer").order_by("kind", "id"):
        card = (trainer_cards.get(target.trainer_id) if target.kind == TargetKind.TRAINER
                else course_card)  # fmt: skip
        given = list(
            EnterpriseRating.objects.filter(target=target).values_list("ratings", flat=True)
        )
        for code, _text in ENTERPRISE_QUESTIONS[target.kind]:
            values = [r[code] for r in given if code in r]
            ent = round(sum(values) / len(values), 2) if values else None
            if public and not enterprise_publication(len(values), settings)[0]:
                ent = None
            dim = card.dimensions.get(code) if card else None
            workers = round(dim.raw, 2) if dim and dim.raw is not None else None
            if card is None or not card.published:
                workers = None  # the workers' anonymity: never below the threshold
            prefix = f"{target.trainer.name}·" if target.kind == TargetKind.TRAINER else "课程·"
            out.append(PartyRow(prefix + Dimension(code).label, code, workers,
                                dim.n if dim else 0, ent, len(values)))  # fmt: skip
    return out


def named_answers(evaluation: Evaluation) -> list[EnterpriseRating]:
    """Each enterprise's answers, named (for the federation's staff only)."""
    return list(
        EnterpriseRating.objects.filter(target__evaluation=evaluation)
        .select_related("enterprise", "target__trainer")
        .order_by("enterprise__name", "target__kind", "target_id")
    )


#: The dimensions both parties rate, in the order shown.
PARTY_DIMENSIONS: tuple[str, ...] = tuple(
    code for kind in (TargetKind.TRAINER, TargetKind.COURSE)
    for code, _text in ENTERPRISE_QUESTIONS[kind]
)  # fmt: skip


def _pooled(pairs) -> tuple[float | None, int]:
    """Mean of (total, n) pairs pooled, rounded to 2 places, and the n."""
    total = sum(t for t, _n in pairs)
    n = sum(n for _t, n in pairs)
    return (round(total / n, 2) if n else None), n


def party_scores(plans: QuerySet) -> dict[str, Any]:
    """Workers' and enterprises' scores side by side over many plans (the dashboard's
    block), counted over the same plans: those of ``plans`` (already restricted to the
    viewer's scope and period) that at least one enterprise rated.

    - ``dimensions``: per dimension both parties rate, the workers' raw mean (1–5) from
      the anonymous counters with its number of ratings — shown only when the forms of
      those plans reach the publication threshold (``scores.publication``) — and the
      enterprises' mean with the number of enterprises, shown only from
      ``min_enterprises`` enterprises (``enterprise_publication``);
    - ``trainers``: per trainer the enterprises rated, the pooled mean of the trainer
      items (师资专业水平, 授课方式) by each party, under the same two thresholds (the
      workers' by the trainer's own card over those plans).
    """
    from .scores import publication, scorecards

    settings = EvaluationSettings.current()
    rated = EnterpriseRating.objects.filter(target__evaluation__plan__in=plans.values("pk"))
    rows = list(rated.values_list("enterprise_id", "target__evaluation__plan_id",
                                  "target__trainer_id", "ratings"))  # fmt: skip
    plan_ids = sorted({r[1] for r in rows})
    enterprises = {r[0] for r in rows}
    # Enterprises' side: per dimension and per trainer, the values and who gave them.
    dim_values: dict[str, list[int]] = defaultdict(list)
    dim_firms: dict[str, set[int]] = defaultdict(set)
    trainer_values: dict[int, list[int]] = defaultdict(list)
    trainer_firms: dict[int, set[int]] = defaultdict(set)
    for firm, _plan, trainer, ratings in rows:
        for code in PARTY_DIMENSIONS:
            if code in ratings:
                dim_values[code].append(ratings[code])
                dim_firms[code].add(firm)
                if trainer is not None and code in TRAINER_DIMENSIONS:
                    trainer_values[trainer].append(ratings[code])
                    trainer_firms[trainer].add(firm)
    # Workers' side, over the same plans, from the counters only.
    counters = (
        RatingCounter.objects.filter(kind=ItemKind.RATING, count__gt=0,
                                     dimension__in=PARTY_DIMENSIONS,
                                     target__evaluation__plan_id__in=plan_ids)
        .values("dimension")
        .annotate(n=Sum("count"), total=Sum(F("count") * F("value")))
        .order_by()
    )  # fmt: skip
    worker_dims = {r["dimension"]: (r["total"], r["n"]) for r in counters}
    forms = Target.objects.filter(kind=TargetKind.COURSE, evaluation__plan_id__in=plan_ids)
    sample = forms.aggregate(r=Sum("responses"), e=Sum("evaluation__eligible"))
    workers_shown, workers_reason = publication(sample["r"] or 0, sample["e"] or 0, settings)

    def firm_side(values: list[int], firms: set[int]) -> tuple[float | None, str]:
        shown, reason = enterprise_publication(len(firms), settings)
        mean = round(sum(values) / len(values), 2) if values and shown else None
        return mean, reason

    dimensions = []
    for code in PARTY_DIMENSIONS:
        workers, workers_n = _pooled([worker_dims[code]] if code in worker_dims else [])
        ent, ent_reason = firm_side(dim_values[code], dim_firms[code])
        dimensions.append({
            "code": code, "label": str(Dimension(code).label),
            "workers": workers if workers_shown else None, "workers_n": workers_n,
            "workers_withheld": "" if workers_shown else workers_reason,
            "enterprises": ent, "enterprises_n": len(dim_firms[code]),
            "enterprises_withheld": ent_reason,
        })  # fmt: skip
    cards = (
        scorecards("trainer", ids=list(trainer_values), plans=plans.filter(pk__in=plan_ids))
        if trainer_values else {}
    )  # fmt: skip
    trainers = []
    for trainer_id, card in cards.items():
        dims = [card.dimensions[d] for d in TRAINER_DIMENSIONS]
        workers, workers_n = _pooled([(d.raw * d.n, d.n) for d in dims if d.n])
        ent, ent_reason = firm_side(trainer_values[trainer_id], trainer_firms[trainer_id])
        trainers.append({
            "id": trainer_id, "name": card.label,
            "workers": workers if card.published else None, "workers_n": workers_n,
            "workers_withheld": card.withheld_reason,
            "enterprises": ent, "enterprises_n": len(trainer_firms[trainer_id]),
            "enterprises_withheld": ent_reason,
        })  # fmt: skip
    trainers.sort(key=lambda t: (t["enterprises"] is None, -(t["enterprises"] or 0), t["name"]))
    return {"plans": len(plan_ids), "enterprises": len(enterprises),
            "min_enterprises": settings.min_enterprises,
            "dimensions": dimensions, "trainers": trainers}  # fmt: skip
