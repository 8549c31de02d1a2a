# SPDX-License-Identifier: AGPL-3.0-or-later
"""The reform list's writes: items, milestones, progress and the status workflow.

``transition_reform_item`` is the only code that assigns ``ReformItem.status``; every
transition writes a ``ReformStatusChange`` (the visible history) and an audit row.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gonghui.core import events
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.validators import validate_planned_date
from gonghui.orgs.models import OrgUnit

from ..enums import Category, ReformStatus, SourceKind
from ..models import Milestone, ReformItem, ReformStatusChange

TRANSITIONS: dict[str, set[str]] = {
    ReformStatus.DRAFT: {ReformStatus.IN_PROGRESS, ReformStatus.CANCELLED},
    ReformStatus.IN_PROGRESS: {
        ReformStatus.SUSPENDED, ReformStatus.COMPLETED, ReformStatus.CANCELLED
    },
    ReformStatus.SUSPENDED: {ReformStatus.IN_PROGRESS, ReformStatus.CANCELLED},
    ReformStatus.COMPLETED: set(),
    ReformStatus.CANCELLED: set(),
}  # fmt: skip
#: States in which the goal and milestones may still change.
OPEN_STATES = (ReformStatus.DRAFT, ReformStatus.IN_PROGRESS, ReformStatus.SUSPENDED)
#: Verbs of the console and the API, each naming its target status.
ACTIONS: dict[str, str] = {
    "start": ReformStatus.IN_PROGRESS,
    "suspend": ReformStatus.SUSPENDED,
    "resume": ReformStatus.IN_PROGRESS,
    "complete": ReformStatus.COMPLETED,
    "cancel": ReformStatus.CANCELLED,
}


def _require_manager(actor, *, item: ReformItem | None = None, unit: OrgUnit | None = None):
    principal = principal_for(actor)
    if item is not None and not principal.can("reformitem", "change", item):
        raise PermissionDeniedError("无权管理该改革事项")
    if unit is not None and not principal.covers("reformitem", "change", unit):
        raise PermissionDeniedError("无权在该组织下设立改革事项")


def _clean_text(value: str, *, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"请填写{label}", field=field)
    if len(value) > limit:
        raise DomainError(f"{label}不超过{limit}字", field=field)
    return value


def _require_open(item: ReformItem) -> None:
    if item.status not in OPEN_STATES:
        raise DomainError(f"改革事项已{ReformStatus(item.status).label}，不能再修改", code="state")


def _check_due(due_on: dt.date | None, label: str = "计划完成日期") -> None:
    if due_on is None:
        return
    try:
        validate_planned_date(due_on, label=label)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="due_on") from None


@transaction.atomic
def create_reform_item(
    org_unit: OrgUnit,
    *,
    actor,
    title: str,
    category: str,
    goal: str,
    due_on: dt.date | None = None,
    source_kind: str = SourceKind.DIRECT,
    source_ref: str = "",
    source_summary: str = "",
) -> ReformItem:
    _require_manager(actor, unit=org_unit)
    if category not in Category.values:
        raise DomainError(
            "请选择改革类别（数据共享、业务协同、流程再造、制度重塑）", field="category"
        )
    _check_due(due_on)
    item = ReformItem.objects.create(
        org_unit=org_unit,
        title=_clean_text(title, field="title", label="改革事项名称", limit=100),
        category=category,
        goal=_clean_text(goal, field="goal", label="改革目标", limit=2000),
        due_on=due_on,
        source_kind=source_kind,
        source_ref=source_ref[:100],
        source_summary=source_summary[:300],
        created_by=actor if getattr(actor, "_meta", None) else None,
    )
    ReformStatusChange.objects.create(
        item=item, to_status=ReformStatus.DRAFT, note=source_summary[:300] or "立项",
        actor_label=audit._label(actor),
    )  # fmt: skip
    audit.record(
        "reform.create",
        actor=actor,
        obj=item,
        after={"title": item.title, "category": category, "source": source_kind},
    )
    return item


@transaction.atomic
def update_reform_item(
    item: ReformItem, *, actor, title: str, category: str, goal: str, due_on: dt.date | None
) -> ReformItem:
    _require_manager(actor, item=item)
    _require_open(item)
    if category not in Category.values:
        raise DomainError("请选择改革类别", field="category")
    _check_due(due_on)
    before = {"title": item.title, "category": item.category, "goal": item.goal,
              "due_on": str(item.due_on or "")}  # fmt: skip
    item.title = _clean_text(title, field="title", label="改革事项名称", limit=100)
    item.goal = _clean_text(goal, field="goal", label="改革目标", limit=2000)
    item.category, item.due_on = category, due_on
    item.save(update_fields=["title", "goal", "category", "due_on", "updated_at"])
    after = {"title": item.title, "category": item.category, "goal": item.goal,
             "due_on": str(item.due_on or "")}  # fmt: skip
    audit.record("reform.update", actor=actor, obj=item, before=before, after=after)
    events.emit("reform.updated", item)
    return item


def rolled_up_progress(milestones) -> Decimal:
    """Σ weight × progress / Σ weight, to one decimal (0 without milestones)."""
    rows = [(m.weight, m.progress) for m in milestones]
    total = sum(w for w, _ in rows)
    if not total:
        return Decimal("0.0")
    value = Decimal(sum(w * p for w, p in rows)) / Decimal(total)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _roll_up(item: ReformItem) -> None:
    item.progress = rolled_up_progress(Milestone.objects.filter(item=item))
    item.save(update_fields=["progress", "updated_at"])


@transaction.atomic
def add_milestone(
    item: ReformItem, *, actor, title: str, weight: int, due_on: dt.date
) -> Milestone:
    _require_manager(actor, item=item)
    _require_open(item)
    if not 1 <= int(weight) <= 100:
        raise DomainError("权重须在1到100之间", field="weight")
    if due_on is None:
        raise DomainError("请填写计划日期", field="due_on")
    _check_due(due_on, "计划日期")
    milestone = Milestone.objects.create(
        item=item,
        title=_clean_text(title, field="title", label="节点名称", limit=100),
        weight=int(weight),
        due_on=due_on,
        order=item.milestones.count(),
    )
    _roll_up(item)
    audit.record(
        "reform.milestone.add",
        actor=actor,
        obj=item,
        after={"milestone": milestone.title, "weight": milestone.weight,
               "due_on": str(due_on), "progress": str(item.progress)},
    )  # fmt: skip
    return milestone


@transaction.atomic
def record_milestone_progress(
    milestone: Milestone, *, actor, progress: int, evidence: str = "", on: dt.date | None = None
) -> Milestone:
    """Report a milestone's completion (0–100 %); the item's progress follows."""
    item = ReformItem.objects.select_for_update().get(pk=milestone.item_id)
    _require_manager(actor, item=item)
    _require_open(item)
    progress = int(progress)
    if not 0 <= progress <= 100:
        raise DomainError("完成度须在0到100之间", field="progress")
    evidence = (evidence or "").strip()
    if len(evidence) > 500:
        raise DomainError("进展说明不超过500字", field="evidence")
    if progress == 100 and not evidence:
        raise DomainError("节点完成须写明完成情况或佐证材料", field="evidence")
    before = {"progress": milestone.progress}
    milestone.progress = progress
    milestone.evidence = evidence or milestone.evidence
    milestone.done_on = (on or timezone.localdate()) if progress == 100 else None
    milestone.save(update_fields=["progress", "evidence", "done_on"])
    _roll_up(item)
    milestone.item = item
    audit.record(
        "reform.milestone.progress",
        actor=actor,
        obj=item,
        before=before,
        after={"milestone": milestone.title, "progress": progress,
               "item_progress": str(item.progress)},
    )  # fmt: skip
    events.emit("reform.updated", item)
    return milestone


@transaction.atomic
def transition_reform_item(item: ReformItem, to: str, *, actor, note: str = "") -> ReformItem:
    """The one writer of ``status``. Completing needs every milestone done; suspending and
    cancelling need a reason."""
    _require_manager(actor, item=item)
    locked = ReformItem.objects.select_for_update().get(pk=item.pk)
    if to not in ReformStatus.values or to not in TRANSITIONS[ReformStatus(locked.status)]:
        target = ReformStatus(to).label if to in ReformStatus.values else to
        raise DomainError(
            f"改革事项当前为“{locked.get_status_display()}”，不能变为“{target}”", code="state"
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise DomainError("说明不超过300字", field="note")
    if to in (ReformStatus.SUSPENDED, ReformStatus.CANCELLED) and not note:
        raise DomainError("暂缓或撤销须写明原因", field="note")
    if to == ReformStatus.IN_PROGRESS and not locked.milestones.exists():
        raise DomainError("请先设定至少一个里程碑", code="incomplete")
    if to == ReformStatus.COMPLETED and locked.milestones.filter(progress__lt=100).exists():
        raise DomainError("还有里程碑未完成，不能办结", code="incomplete")
    old = locked.status
    locked.status = to
    fields = ["status", "updated_at"]
    if to == ReformStatus.COMPLETED:
        locked.completed_at = timezone.now()
        fields.append("completed_at")
    locked.save(update_fields=fields)
    item.status, item.completed_at = locked.status, locked.completed_at
    ReformStatusChange.objects.create(
        item=item, from_status=old, to_status=to, note=note, actor_label=audit._label(actor)
    )
    audit.record(
        "reform.transition",
        actor=actor,
        obj=item,
        before={"status": old},
        after={"status": to},
        detail=note,
    )
    events.emit("reform.updated", item)
    return item


def escalate_into_reform(
    org_unit: OrgUnit,
    *,
    actor,
    source_kind: str,
    source_ref: str,
    source_summary: str,
    title: str,
    category: str,
    goal: str,
    due_on: dt.date | None = None,
) -> ReformItem:
    """A rectification or weak spot that needs more than a local fix becomes a reform item
    (a draft), remembering where it came from."""
    if source_kind not in (SourceKind.RECTIFICATION, SourceKind.WEAK_SPOT):
        raise DomainError("只有整改任务或短板可以升级为改革事项", field="source_kind")
    return create_reform_item(
        org_unit, actor=actor, title=title, category=category, goal=goal, due_on=due_on,
        source_kind=source_kind, source_ref=source_ref, source_summary=source_summary,
    )  # fmt: skip
