# SPDX-License-Identifier: AGPL-3.0-or-later
"""Decision support (决策建议): which evidence is missing and what to do about it, and the
next plans to make from the unmet demand (one click into the proposal engine).

Everything is read through ``restrict``; the trainers' evaluations come from the scorer
the evaluation app registers (``proposal.trainer_evaluations``).
"""

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from ..enums import PlanState
from ..models import DemandItem, Trainer, TrainingPlan, Venue
from .proposal import trainer_evaluations

TOP = 10
DONE = (PlanState.COMPLETED, PlanState.ARCHIVED)


def next_plans(user) -> list[dict[str, Any]]:
    """Open items (demand but no plan) by priority; items of the same skill and level in
    other areas are offered together (one plan for several areas)."""
    items = list(
        DemandItem.objects.restrict(user, "view")
        .filter(status=DemandItem.Status.OPEN)
        .exclude(worker_count=0, enterprise_headcount=0, department_target=0)
        .select_related("skill", "area")
        .order_by("-priority", "id")[: TOP * 3]
    )
    groups: dict[tuple, list[DemandItem]] = defaultdict(list)
    for item in items:
        groups[(item.skill_id, item.level)].append(item)
    out = []
    for item in items[:TOP]:
        same = groups[(item.skill_id, item.level)]
        out.append(
            {
                "item": item,
                "people": item.total_people,
                "priority": round(item.priority, 1),
                "ids": str(item.pk),
                "together": ",".join(str(i.pk) for i in same) if len(same) > 1 else "",
                "together_people": sum(i.total_people for i in same),
                "together_areas": len(same),
            }
        )
    return out


def missing_evidence(user) -> list[dict[str, Any]]:
    """What the decisions lack, each with what to do: trainers with too few evaluations or
    no recorded qualification, venues without coordinates, completed plans without any
    outcome recorded."""
    rows: list[dict[str, Any]] = []
    trainers = list(
        Trainer.objects.restrict(user, "view")
        .filter(active=True)
        .annotate(
            taught=Count("sessions__plan", filter=Q(sessions__plan__state__in=DONE), distinct=True),
            creds=Count("credentials", distinct=True),
        )
        .order_by("name", "id")
    )
    cards = trainer_evaluations([t.pk for t in trainers])
    today = timezone.localdate()
    expired = set(
        Trainer.objects.filter(
            pk__in=[t.pk for t in trainers], credentials__expires_on__lt=today
        ).values_list("pk", flat=True)
    )
    for t in trainers:
        card = cards.get(t.pk) or {}
        if t.taught and not card.get("published"):
            rows.append({
                "kind": "培训师", "name": t.name, "id": t.pk,
                "missing": f"仅{t.taught}期培训、{card.get('responses', 0)}份评价，评分尚不能公布",
                "todo": "该培训师评价不足，建议安排督查听课，并提醒学员完成评价",
            })  # fmt: skip
        if not t.creds:
            rows.append({
                "kind": "培训师", "name": t.name, "id": t.pk, "missing": "未登记资质证书",
                "todo": "补录技能、等级、证书编号、发证机构和有效期，提案引擎据此排序",
            })  # fmt: skip
        elif t.pk in expired:
            rows.append({
                "kind": "培训师", "name": t.name, "id": t.pk, "missing": "有资质证书已过期",
                "todo": "核实复审情况并更新有效期",
            })  # fmt: skip
    for v in (
        Venue.objects.restrict(user, "view")
        .filter(active=True, latitude__isnull=True)
        .order_by("name")[:TOP]
    ):
        rows.append({
            "kind": "阵地", "name": v.name, "id": v.pk, "missing": "未登记坐标",
            "todo": "补录经纬度，提案引擎才能按距需求远近排序",
        })  # fmt: skip
    plans = (
        TrainingPlan.objects.restrict(user, "view")
        .filter(state__in=DONE)
        .annotate(certs=Count("certificates", distinct=True), outs=Count("outcomes", distinct=True))
        .filter(certs=0, outs=0)
        .order_by("-updated_at")[:TOP]
    )
    for p in plans:
        rows.append({
            "kind": "方案", "name": p.title, "id": p.pk, "missing": "已结业但未录入任何成果",
            "todo": "导入证书，或在三个月跟踪后录入等级提升、获奖、就业和收入变化",
        })  # fmt: skip
    return rows


def decision_support(user) -> dict[str, Any]:
    return {"next_plans": next_plans(user), "missing": missing_evidence(user)}
