# SPDX-License-Identifier: AGPL-3.0-or-later
"""Process supervision (过程监管): each lifecycle step of a plan has a time limit that the
federation sets; ``scan_supervision`` finds the steps that ran over (or, for the
consultation, fell short) and raises one open ``Alert`` per plan and step to the plan's
organising unit, resolving alerts whose step has since been done.

The checks (limit N days, federation default in ``STEP_DEFAULT_DAYS``):

- consultation_min: a consultation must be open for at least N days (scheduled window, or
  the actual one when closed early);
- opinion_reply: an objection or suggestion must be answered within N days while the plan
  is under consultation;
- announce: an approved plan must be announced within N days of approval;
- open_enrolment: an announced plan must open enrolment within N days;
- open_evaluation: a completed plan must have its evaluation opened within N days of
  completion (read from the evaluation app).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from gonghui.core.actors import SYSTEM
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.training.enums import PlanState, Stance
from gonghui.training.models import Consultation, Opinion, PlanEvent, TrainingPlan

from ..enums import STEP_DEFAULT_DAYS, Step
from ..models import Alert, StepLimit
from .common import root_id

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    step: str
    label: str
    days: int
    active: bool
    customised: bool
    allow_exception: bool = False


@dataclass(frozen=True)
class Finding:
    plan: TrainingPlan
    step: str
    due_at: dt.datetime
    detail: str
    limit_days: int
    #: The step was done, but late: recorded, nothing left to do.
    done_late: bool = False


# -- limits ---------------------------------------------------------------------------------
def effective_limits(root: OrgUnit) -> dict[str, Limit]:
    """The federation's limits: its own where set, the defaults otherwise."""
    own = {s.step: s for s in StepLimit.objects.filter(org_unit_id=root_id(root))}
    out = {}
    for step in Step:
        row = own.get(step.value)
        out[step.value] = Limit(
            step=step.value,
            label=str(step.label),
            days=row.days if row else STEP_DEFAULT_DAYS[step.value],
            active=row.active if row else True,
            customised=row is not None,
            allow_exception=row.allow_exception if row else False,
        )
    return out


@transaction.atomic
def set_step_limit(
    root: OrgUnit, *, actor, step: str, days: int, active: bool = True,
    allow_exception: bool | None = None,
) -> StepLimit:  # fmt: skip
    if root.parent_id is not None:
        raise DomainError("环节时限由总工会统一设定", field="org_unit")
    if not principal_for(actor).covers("supervisionrule", "change", root):
        raise PermissionDeniedError("只有该总工会的工作人员可以设定环节时限")
    if step not in Step.values:
        raise DomainError("未知的环节", field="step")
    if not 1 <= int(days) <= 365:
        raise DomainError("时限须在1到365天之间", field="days")
    before = effective_limits(root)[step]
    if allow_exception is None:
        allow_exception = before.allow_exception
    if allow_exception and step != Step.CONSULTATION_MIN:
        raise DomainError("只有意见征集期可以设定说明理由后例外", field="allow_exception")
    row, _ = StepLimit.objects.update_or_create(
        org_unit=root, step=step,
        defaults={"days": int(days), "active": bool(active),
                  "allow_exception": bool(allow_exception)},
    )  # fmt: skip
    audit.record(
        "supervision.limit",
        actor=actor,
        obj=root,
        before={"step": step, "days": before.days, "active": before.active,
                "allow_exception": before.allow_exception},
        after={"step": step, "days": row.days, "active": row.active,
               "allow_exception": row.allow_exception},
    )  # fmt: skip
    return row


# -- the guard at the moment the consultation ends ----------------------------------------------
def guard_consultation_length(
    plan: TrainingPlan, consultation: Consultation, *, ended_at: dt.datetime, reason: str, actor
) -> None:
    """Registered with training (``register_consultation_guard``): a consultation shorter
    than the federation's minimum is refused when it ends, unless the federation allows an
    exception and a reason is given; the exception is then audited, and the periodic
    supervision scan records it as an alert (raised and resolved at once)."""
    limit = effective_limits(plan.org_unit)[Step.CONSULTATION_MIN]
    if not limit.active:
        return
    length = ended_at - consultation.opens_at
    if length >= limit.days * DAY:
        return
    held = _held(length)
    reason = (reason or "").strip()
    if not limit.allow_exception:
        raise DomainError(
            f"意见征集期仅{held}，少于总工会规定的{limit.days}天，不能结束征集；"
            f"请在{timezone.localtime(consultation.opens_at + limit.days * DAY):%Y-%m-%d %H:%M}"
            "后再审定",
            code="consultation_too_short",
        )
    if not reason:
        raise DomainError(
            f"意见征集期仅{held}，少于总工会规定的{limit.days}天；如确需提前结束，请填写理由",
            field="short_reason",
        )
    audit.record(
        "supervision.consultation_short",
        actor=actor,
        obj=plan,
        after={"seconds": int(length.total_seconds()), "minimum_days": limit.days},
        detail=f"意见征集期仅{held}（规定{limit.days}天），提前结束理由：{reason}"[:500],
    )


def _held(length: dt.timedelta) -> str:
    if length >= DAY:
        return f"{length / DAY:.1f}天"
    if length >= dt.timedelta(hours=1):
        return f"{length / dt.timedelta(hours=1):.1f}小时"
    return f"{max(int(length.total_seconds()), 0)}秒"


# -- finding overdue steps ---------------------------------------------------------------------
def _event_times(plan_ids: list[int], kind: str) -> dict[int, dt.datetime]:
    rows = (
        PlanEvent.objects.filter(plan_id__in=plan_ids, kind=kind)
        .values("plan_id")
        .annotate(at=Max("at"))
    )
    return {r["plan_id"]: r["at"] for r in rows}


def _evaluation_opened(plan_ids: list[int]) -> dict[int, dt.datetime]:
    from gonghui.evaluation.models import Evaluation

    return dict(Evaluation.objects.filter(plan_id__in=plan_ids).values_list("plan_id", "opens_at"))


def find_overdue_steps(plans: QuerySet, *, now: dt.datetime | None = None) -> list[Finding]:
    """Every step of ``plans`` that is over its limit at ``now`` (nothing is written)."""
    now = now or timezone.now()
    plans = list(plans.select_related("org_unit"))
    if not plans:
        return []
    limits_by_root: dict[int, dict[str, Limit]] = {}
    for plan in plans:
        rid = root_id(plan.org_unit)
        if rid not in limits_by_root:
            limits_by_root[rid] = effective_limits(plan.org_unit)
    ids = [p.pk for p in plans]
    approved = _event_times(ids, f"state.{PlanState.APPROVED}")
    completed = _event_times(ids, f"state.{PlanState.COMPLETED}")
    consultations = {c.plan_id: c for c in Consultation.objects.filter(plan_id__in=ids)}
    unanswered = dict(
        Opinion.objects.filter(consultation__plan_id__in=ids, reply="")
        .exclude(stance=Stance.SUPPORT)
        .values("consultation__plan_id")
        .annotate(first=Min("created_at"))
        .values_list("consultation__plan_id", "first")
    )
    evaluations = _evaluation_opened(ids)
    found: list[Finding] = []
    for plan in plans:
        limits = limits_by_root[root_id(plan.org_unit)]

        def add(step, due_at, detail, done_late=False, _plan=plan, _limits=limits):
            found.append(Finding(_plan, step, due_at, detail, _limits[step].days, done_late))

        state = plan.state
        lim = {k: v for k, v in limits.items() if v.active}
        c = consultations.get(plan.pk)
        if Step.CONSULTATION_MIN in lim and c is not None and state != PlanState.CANCELLED:
            need = lim[Step.CONSULTATION_MIN].days
            end = c.closed_at or c.closes_at
            if end - c.opens_at < need * DAY:
                add(Step.CONSULTATION_MIN, c.opens_at + need * DAY,
                    f"意见征集期仅{_held(end - c.opens_at)}，少于规定的{need}天",
                    state != PlanState.CONSULTATION)  # fmt: skip
        if Step.OPINION_REPLY in lim and state == PlanState.CONSULTATION and plan.pk in unanswered:
            due = unanswered[plan.pk] + lim[Step.OPINION_REPLY].days * DAY
            if due < now:
                add(Step.OPINION_REPLY, due,
                    f"有意见超过{lim[Step.OPINION_REPLY].days}天未答复")  # fmt: skip
        if Step.ANNOUNCE in lim and state == PlanState.APPROVED and plan.pk in approved:
            due = approved[plan.pk] + lim[Step.ANNOUNCE].days * DAY
            if due < now:
                add(Step.ANNOUNCE, due,
                    f"方案审定已{(now - approved[plan.pk]).days}天，尚未公告")  # fmt: skip
        if (
            Step.OPEN_ENROLMENT in lim
            and state == PlanState.ANNOUNCED
            and plan.announced_at is not None
        ):
            due = plan.announced_at + lim[Step.OPEN_ENROLMENT].days * DAY
            if due < now:
                add(Step.OPEN_ENROLMENT, due,
                    f"公告已{(now - plan.announced_at).days}天，尚未开放报名")  # fmt: skip
        if (
            Step.OPEN_EVALUATION in lim
            and state in (PlanState.COMPLETED, PlanState.ARCHIVED)
            and plan.pk in completed
        ):
            due = completed[plan.pk] + lim[Step.OPEN_EVALUATION].days * DAY
            opened = evaluations.get(plan.pk)
            if opened is None and due < now:
                add(Step.OPEN_EVALUATION, due,
                    f"结业已{(now - completed[plan.pk]).days}天，尚未开启评价")  # fmt: skip
            elif opened is not None and opened > due:
                late = (opened - completed[plan.pk]) / DAY
                add(Step.OPEN_EVALUATION, due, f"结业后{late:.1f}天才开启评价，超过时限", True)
    return found


# -- alerts ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScanResult:
    raised: int
    resolved: int
    open: int


#: States whose steps are watched (earlier drafts and cancelled plans are not).
WATCHED = [s for s in PlanState.values if s not in (PlanState.DRAFT, PlanState.CANCELLED)]


@transaction.atomic
def scan_supervision(
    *, now: dt.datetime | None = None, plans: Iterable[TrainingPlan] | QuerySet | None = None
) -> ScanResult:
    """Raise alerts for new findings; resolve open alerts no longer found (system actor).
    A step found late after it was done (e.g. an evaluation opened late) stays recorded as
    an alert that is raised and resolved at once."""
    now = now or timezone.now()
    qs = TrainingPlan.objects.all()
    if plans is not None:
        qs = qs.filter(pk__in=[p.pk for p in plans] if not isinstance(plans, QuerySet) else plans)
    plan_ids = list(qs.values_list("pk", flat=True))
    findings = find_overdue_steps(qs.filter(state__in=WATCHED), now=now)
    current = {(f.plan.pk, f.step): f for f in findings}
    open_alerts = {
        (a.plan_id, a.step): a
        for a in Alert.objects.open().filter(plan_id__in=plan_ids).select_related("plan")
    }
    raised = resolved = 0
    for key, f in current.items():
        if key in open_alerts:
            alert = open_alerts[key]
            if f.done_late:  # done now, if late: the alert has served its purpose
                continue
            if alert.detail != f.detail[:300]:
                alert.detail = f.detail[:300]
                alert.save(update_fields=["detail"])
            continue
        done = f.done_late
        if done and Alert.objects.filter(plan=f.plan, step=f.step).exists():
            continue  # already recorded once
        alert = Alert.objects.create(
            plan=f.plan, org_unit=f.plan.org_unit, step=f.step, due_at=f.due_at,
            detail=f.detail[:300], limit_days=f.limit_days, resolved_at=now if done else None,
        )  # fmt: skip
        raised += 1
        audit.record(
            "supervision.alert",
            actor=SYSTEM,
            obj=alert.plan,
            after={"step": f.step, "due_at": f.due_at.isoformat(), "detail": alert.detail},
        )
    for key, alert in open_alerts.items():
        if key not in current or current[key].done_late:
            alert.resolved_at = now
            alert.save(update_fields=["resolved_at"])
            resolved += 1
            audit.record(
                "supervision.resolve", actor=SYSTEM, obj=alert.plan, after={"step": alert.step}
            )
    return ScanResult(raised, resolved, Alert.objects.open().filter(plan_id__in=plan_ids).count())


@transaction.atomic
def acknowledge_alert(alert: Alert, *, actor) -> Alert:
    """The responsible unit says it has seen the alert (it stays open until the step is
    done)."""
    if not principal_for(actor).can("alert", "change", alert):
        raise PermissionDeniedError("无权处理该预警")
    if alert.acknowledged_at is not None:
        raise DomainError("该预警已阅", code="state")
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor if getattr(actor, "_meta", None) else None
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    audit.record("supervision.acknowledge", actor=actor, obj=alert.plan,
                 after={"step": alert.step})  # fmt: skip
    return alert
