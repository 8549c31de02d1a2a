# SPDX-License-Identifier: AGPL-3.0-or-later
"""Quality control (质量监控): rules the federation sets open rectification tasks (整改).

Rules are checked on plans that have completed: attendance from the training check-ins;
response rate and dimension scores from the evaluation scores (``evaluation.domain.scores``),
only once the plan's evaluation has closed, so early figures do not open a task. A rule
opens at most one rectification per plan.

A rectification runs open → submitted (the owner unit reports what it did, with evidence)
→ closed (federation staff accept; another person than the one who submitted), or back to
open when the evidence is not enough. ``transition_rectification`` is the only writer of
``status``; every step writes a ``RectificationEvent`` (the plan's timeline) and an audit row.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.training.enums import EnrollmentStatus, PlanState
from gonghui.training.models import CheckIn, Enrollment, Session, TrainingPlan

from ..enums import Metric, RectificationSource, RectificationStatus
from ..models import Inspection, QualityRule, Rectification, RectificationEvent
from .common import root_id

CHECKED_STATES = (PlanState.COMPLETED, PlanState.ARCHIVED)
TRANSITIONS: dict[str, set[str]] = {
    RectificationStatus.OPEN: {RectificationStatus.SUBMITTED},
    RectificationStatus.SUBMITTED: {RectificationStatus.CLOSED, RectificationStatus.OPEN},
    RectificationStatus.CLOSED: set(),
}
TWO = Decimal("0.01")


def _dimensions() -> dict[str, str]:
    from gonghui.evaluation.enums import Dimension

    return {d.value: str(d.label) for d in Dimension}


# -- rules ----------------------------------------------------------------------------------
@transaction.atomic
def set_quality_rule(
    root: OrgUnit,
    *,
    actor,
    metric: str,
    threshold: Decimal,
    dimension: str = "",
    deadline_days: int = 30,
    active: bool = True,
) -> QualityRule:
    if root.parent_id is not None:
        raise DomainError("质量规则由总工会统一设定", field="org_unit")
    if not principal_for(actor).covers("qualityrule", "change", root):
        raise PermissionDeniedError("只有该总工会的工作人员可以设定质量规则")
    if metric not in Metric.values:
        raise DomainError("未知的指标", field="metric")
    threshold = Decimal(str(threshold))
    if metric == Metric.DIMENSION:
        if dimension not in _dimensions():
            raise DomainError("请选择评价维度", field="dimension")
        if not Decimal(1) <= threshold <= Decimal(5):
            raise DomainError("维度得分阈值须在1到5分之间", field="threshold")
    else:
        dimension = ""
        if not Decimal(0) < threshold <= Decimal(100):
            raise DomainError("百分比阈值须在0到100之间", field="threshold")
    if not 1 <= int(deadline_days) <= 365:
        raise DomainError("整改期限须在1到365天之间", field="deadline_days")
    rule, created = QualityRule.objects.update_or_create(
        org_unit=root, metric=metric, dimension=dimension,
        defaults={"threshold": threshold, "deadline_days": int(deadline_days), "active": active},
    )  # fmt: skip
    audit.record(
        "quality.rule",
        actor=actor,
        obj=root,
        after={"metric": metric, "dimension": dimension, "threshold": str(threshold),
               "deadline_days": int(deadline_days), "active": active, "created": created},
    )  # fmt: skip
    return rule


# -- measuring ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    value: Decimal | None  # percent (attendance, response rate) or 1–5 (dimension)
    sample: int
    evidence: str


def attendance(plans: list[TrainingPlan]) -> dict[int, Measure]:
    """Check-ins of the enrolled over (enrolled × sessions held), in percent."""
    ids = [p.pk for p in plans]
    enrolled = dict(
        Enrollment.objects.filter(plan_id__in=ids, status=EnrollmentStatus.ENROLLED)
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    now = timezone.now()
    sessions = dict(
        Session.objects.filter(plan_id__in=ids, starts_at__lte=now)
        .values_list("plan_id")
        .annotate(n=Count("id"))
        .values_list("plan_id", "n")
    )
    enrolled_here = Enrollment.objects.filter(
        plan_id=OuterRef("session__plan_id"),
        person_id=OuterRef("person_id"),
        status=EnrollmentStatus.ENROLLED,
    )
    checkins = dict(
        CheckIn.objects.filter(session__plan_id__in=ids)
        .filter(Exists(enrolled_here))
        .values_list("session__plan_id")
        .annotate(n=Count("id"))
        .values_list("session__plan_id", "n")
    )
    out = {}
    for pid in ids:
        possible = enrolled.get(pid, 0) * sessions.get(pid, 0)
        got = checkins.get(pid, 0)
        value = (Decimal(100 * got) / possible).quantize(TWO, ROUND_HALF_UP) if possible else None
        out[pid] = Measure(
            value, possible,
            f"应到{possible}人次（{enrolled.get(pid, 0)}人×{sessions.get(pid, 0)}次课），"
            f"实到{got}人次",
        )  # fmt: skip
    return out


def _closed_evaluation_plans(plans: list[TrainingPlan]) -> set[int]:
    from gonghui.evaluation.enums import EvaluationState
    from gonghui.evaluation.models import Evaluation

    now = timezone.now()
    rows = Evaluation.objects.filter(plan_id__in=[p.pk for p in plans]).values_list(
        "plan_id", "state", "closes_at"
    )
    return {pid for pid, state, closes in rows if state == EvaluationState.CLOSED or closes <= now}


def evaluation_measures(plans: list[TrainingPlan]) -> dict[int, dict[str, Measure]]:
    """Per plan whose evaluation has closed: response rate (%) and each dimension's shrunk
    score (1–5), from the evaluation scores."""
    from gonghui.evaluation.domain.scores import scorecards

    closed = _closed_evaluation_plans(plans)
    if not closed:
        return {}
    cards = scorecards("plan", ids=sorted(closed))
    out: dict[int, dict[str, Measure]] = {}
    for pid, card in cards.items():
        measures = {}
        if card.response_rate is not None:
            measures["response_rate"] = Measure(
                Decimal(str(100 * card.response_rate)).quantize(TWO, ROUND_HALF_UP),
                card.eligible,
                f"应评{card.eligible}人，答卷{card.responses}份",
            )
        for dim, d in card.dimensions.items():
            if d.shrunk is None:
                continue
            measures[f"dimension:{dim}"] = Measure(
                Decimal(str(d.shrunk)).quantize(TWO, ROUND_HALF_UP),
                d.n,
                f"{d.label}：{d.n}个评分，均值{d.raw:.2f}，收缩后{d.shrunk:.2f}"
                f"（全会平均{d.prior.mean:.2f}，{card.responses}份答卷）",
            )
        out[pid] = measures
    return out


# -- checking -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Breach:
    plan: TrainingPlan
    rule: QualityRule
    measure: Measure


def find_breaches(plans: QuerySet) -> list[Breach]:
    """Every active rule a completed plan breaks (nothing is written)."""
    plans = list(plans.filter(state__in=CHECKED_STATES).select_related("org_unit"))
    if not plans:
        return []
    rules_by_root: dict[int, list[QualityRule]] = {}
    for rule in QualityRule.objects.filter(active=True):
        rules_by_root.setdefault(rule.org_unit_id, []).append(rule)
    plans = [p for p in plans if root_id(p.org_unit) in rules_by_root]
    if not plans:
        return []
    att = attendance(plans)
    needs_eval = any(r.metric != Metric.ATTENDANCE for rs in rules_by_root.values() for r in rs)
    evals = evaluation_measures(plans) if needs_eval else {}
    out = []
    for plan in plans:
        for rule in rules_by_root[root_id(plan.org_unit)]:
            if rule.metric == Metric.ATTENDANCE:
                m = att.get(plan.pk)
            elif rule.metric == Metric.RESPONSE_RATE:
                m = evals.get(plan.pk, {}).get("response_rate")
            else:
                m = evals.get(plan.pk, {}).get(f"dimension:{rule.dimension}")
            if m is not None and m.value is not None and m.value < rule.threshold:
                out.append(Breach(plan, rule, m))
    return out


def _title(plan: TrainingPlan, rule: QualityRule) -> str:
    if rule.metric == Metric.DIMENSION:
        return f"{plan.title}：{_dimensions().get(rule.dimension, rule.dimension)}得分偏低"
    label = "出勤率" if rule.metric == Metric.ATTENDANCE else "参评率"
    return f"{plan.title}：{label}偏低"


def _finding(rule: QualityRule, m: Measure) -> str:
    unit = "分" if rule.metric == Metric.DIMENSION else "%"
    what = {
        Metric.ATTENDANCE: "出勤率",
        Metric.RESPONSE_RATE: "参评率",
        Metric.DIMENSION: _dimensions().get(rule.dimension, rule.dimension),
    }[rule.metric]
    return f"{what}{m.value}{unit}，低于规则阈值{rule.threshold}{unit}。依据：{m.evidence}"


def _event(rect: Rectification, to: str, *, actor, note: str = "", from_status: str = ""):
    RectificationEvent.objects.create(
        rectification=rect, from_status=from_status, to_status=to, note=note[:300],
        actor_label=audit._label(actor),
    )  # fmt: skip


def check_quality(
    plans: QuerySet | None = None, *, today: dt.date | None = None
) -> list[Rectification]:
    """Open a rectification for every breach not yet handled; return those opened."""
    today = today or timezone.localdate()
    qs = TrainingPlan.objects.all() if plans is None else plans
    opened = []
    for breach in find_breaches(qs):
        if Rectification.objects.filter(plan=breach.plan, rule=breach.rule).exists():
            continue
        try:
            with transaction.atomic():
                rect = Rectification.objects.create(
                    plan=breach.plan, org_unit=breach.plan.org_unit,
                    source=RectificationSource.RULE, rule=breach.rule,
                    metric=breach.rule.metric, dimension=breach.rule.dimension,
                    measured=breach.measure.value, threshold=breach.rule.threshold,
                    title=_title(breach.plan, breach.rule)[:150],
                    finding=_finding(breach.rule, breach.measure)[:2000],
                    deadline=today + dt.timedelta(days=breach.rule.deadline_days),
                )  # fmt: skip
                _event(rect, RectificationStatus.OPEN, actor=SYSTEM, note="质量规则触发整改")
                audit.record(
                    "rectification.open",
                    actor=SYSTEM,
                    obj=rect,
                    after={"plan": breach.plan.pk, "metric": rect.metric,
                           "measured": str(rect.measured), "threshold": str(rect.threshold)},
                )  # fmt: skip
        except IntegrityError:  # opened meanwhile by a concurrent check
            continue
        opened.append(rect)
    return opened


@transaction.atomic
def open_rectification_from_inspection(
    inspection: Inspection, *, actor, title: str, deadline: dt.date
) -> Rectification:
    if not principal_for(actor).can("inspection", "change", inspection):
        raise PermissionDeniedError("无权对该督查发起整改")
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写整改事项", field="title")
    if deadline is None or deadline <= timezone.localdate():
        raise DomainError("整改期限须晚于今天", field="deadline")
    rect = Rectification.objects.create(
        plan=inspection.plan, org_unit=inspection.org_unit,
        source=RectificationSource.INSPECTION, inspection=inspection, title=title[:150],
        finding=f"督查（{timezone.localtime(inspection.inspected_at):%Y-%m-%d}，"
                f"{inspection.get_verdict_display()}）：{inspection.findings}"[:2000],
        deadline=deadline,
    )  # fmt: skip
    _event(rect, RectificationStatus.OPEN, actor=actor, note="督查发现问题")
    audit.record("rectification.open", actor=actor, obj=rect,
                 after={"inspection": inspection.pk, "deadline": str(deadline)})  # fmt: skip
    return rect


# -- the workflow ---------------------------------------------------------------------------
@transaction.atomic
def transition_rectification(
    rect: Rectification, to: str, *, actor, note: str = "", evidence: str = ""
) -> Rectification:
    """Submit (owner unit, with evidence), accept (close) or return (to open) a task."""
    locked = Rectification.objects.select_for_update().get(pk=rect.pk)
    principal = principal_for(actor)
    if to not in TRANSITIONS.get(locked.status, set()):
        target = RectificationStatus(to).label if to in RectificationStatus.values else to
        raise DomainError(
            f"整改任务当前为“{locked.get_status_display()}”，不能变为“{target}”", code="state"
        )
    note = (note or "").strip()[:300]
    fields = ["status"]
    if to == RectificationStatus.SUBMITTED:
        if not principal.can("rectification", "change", locked):
            raise PermissionDeniedError("只有整改责任单位可以提交整改情况")
        evidence = (evidence or "").strip()
        if len(evidence) < 10:
            raise DomainError("请写明整改措施和佐证（不少于10字）", field="evidence")
        if len(evidence) > 2000:
            raise DomainError("整改情况不超过2000字", field="evidence")
        locked.evidence, locked.submitted_at = evidence, timezone.now()
        locked.submitted_by = actor if getattr(actor, "_meta", None) else None
        fields += ["evidence", "submitted_at", "submitted_by"]
        note = note or "提交整改情况"
    else:
        if not principal.can("rectification", "review", locked):
            raise PermissionDeniedError("只有总工会工作人员可以验收整改")
        if locked.submitted_by_id is not None and locked.submitted_by_id == getattr(
            actor, "pk", None
        ):
            raise PermissionDeniedError("提交整改情况的人不能自己验收")
        if to == RectificationStatus.OPEN and not note:
            raise DomainError("退回须写明原因", field="note")
        if to == RectificationStatus.CLOSED:
            locked.closed_at = timezone.now()
            fields.append("closed_at")
            note = note or "验收通过，销号"
    old = locked.status
    locked.status = to
    locked.save(update_fields=fields)
    for f in fields:
        setattr(rect, f, getattr(locked, f))
    _event(rect, to, actor=actor, note=note, from_status=old)
    audit.record("rectification.transition", actor=actor, obj=rect,
                 before={"status": old}, after={"status": to}, detail=note)  # fmt: skip
    return rect


@transaction.atomic
def escalate_rectification(rect: Rectification, *, actor, title: str, category: str, goal: str):
    """A problem that needs more than a local fix becomes a reform item (draft), owned by
    the federation above the unit; the rectification keeps the link."""
    from gonghui.reform.domain.items import escalate_into_reform
    from gonghui.reform.enums import SourceKind

    if not principal_for(actor).can("rectification", "review", rect):
        raise PermissionDeniedError("只有总工会工作人员可以将整改升级为改革事项")
    if rect.reform_item_id is not None:
        raise DomainError("该整改任务已升级为改革事项", code="duplicate")
    owner = OrgUnit.objects.get(pk=root_id(rect.org_unit))
    if not principal_for(actor).covers("reformitem", "change", owner):
        owner = rect.org_unit
    item = escalate_into_reform(
        owner, actor=actor, source_kind=SourceKind.RECTIFICATION,
        source_ref=f"rectification:{rect.pk}", source_summary=f"整改升级：{rect.title}"[:300],
        title=title, category=category, goal=goal,
    )  # fmt: skip
    rect.reform_item = item
    rect.save(update_fields=["reform_item"])
    _event(rect, rect.status, actor=actor, note=f"升级为改革事项：{item.title}",
           from_status=rect.status)  # fmt: skip
    return item


@transaction.atomic
def escalate_weak_spot(
    *, actor, plans: QuerySet, kind: str, subject_id: int, dimension: str, title: str,
    category: str, goal: str,
):  # fmt: skip
    """A weak spot (found now, over ``plans`` — the viewer's scope) becomes a draft reform
    item of the actor's federation, with the evidence as its source."""
    from gonghui.evaluation.domain.scores import weak_spots
    from gonghui.reform.domain.items import escalate_into_reform
    from gonghui.reform.enums import SourceKind
    from gonghui.reform.models import ReformItem

    if kind not in ("trainer", "venue"):
        raise DomainError("只有培训师和阵地的短板可以升级", field="kind")
    spot = next(
        (s for s in weak_spots(kind, ids=[subject_id], plans=plans) if s.dimension == dimension),
        None,
    )
    if spot is None:
        raise DomainError("该短板不存在或已不再是短板", code="not_found")
    ref = f"{kind}:{subject_id}:{dimension}"
    if (
        ReformItem.objects.filter(source_kind=SourceKind.WEAK_SPOT, source_ref=ref)
        .exclude(status="cancelled")
        .exists()
    ):
        raise DomainError("该短板已升级为改革事项", code="duplicate")
    principal = principal_for(actor)
    roots = sorted({int(g.path.split("/", 1)[0]) for g in principal.grants})
    owner = OrgUnit.objects.filter(pk__in=roots).order_by("path").first()
    if owner is None or not principal.covers("reformitem", "change", owner):
        raise PermissionDeniedError("只有总工会工作人员可以将短板升级为改革事项")
    label = {"trainer": "培训师", "venue": "阵地"}[kind]
    return escalate_into_reform(
        owner, actor=actor, source_kind=SourceKind.WEAK_SPOT, source_ref=ref,
        source_summary=f"短板升级：{label}{spot.label}，{spot.evidence}"[:300],
        title=title, category=category, goal=goal,
    )  # fmt: skip
