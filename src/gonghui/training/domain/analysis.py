# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demand analysis: aggregate demands into items (需求项), rank them, and profile them.

``rebuild_demand_items`` groups the counted demands (matched or already planned, never
withdrawn or unmatched) by skill × level × area in one aggregate query, writes the
items in bulk and links each demand to its item in one UPDATE. ``priority`` is the
visible formula::

    优先级 = Σ 权重 × 项
           = 职工人数×w1 + 企业需求人数×w2 + 部门目标人数×w3 + 部门补贴(万元)×w4
             + 往期未满足次数×w5 + 最早需求已满30天的次数×w6

with every term stored in ``item.priority_terms`` so the item page can show how the
score was computed. ``item_profile`` answers the article's three questions for an item.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Min, Q, Sum
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError
from gonghui.core.rules import require

from ..enums import DemandStatus, Level, Mode, Party, PlanState, TimeSlot
from ..models import Demand, DemandItem, PriorityWeights, Skill

#: Demands that count towards items.
COUNTED = (DemandStatus.MATCHED, DemandStatus.PLANNED)
COUNT_FIELDS = (
    "worker_count", "enterprise_count", "enterprise_headcount", "department_count",
    "department_target", "department_funding", "oldest_demand_at",
)  # fmt: skip
#: The formula's terms: weight field → (label, how the quantity is read off an item).
TERMS: dict[str, str] = {
    "workers": "职工需求人数",
    "enterprise_headcount": "企业需求人数",
    "department_target": "部门目标人数",
    "funding_per_10k": "部门补贴（万元）",
    "unmet_round": "往期未满足次数",
    "age_per_30_days": "最早需求已满30天的次数",
}
CENT = Decimal("0.01")


def _quantities(item: DemandItem, now: dt.datetime) -> dict[str, float]:
    age_days = (now - item.oldest_demand_at).days if item.oldest_demand_at else 0
    return {
        "workers": item.worker_count,
        "enterprise_headcount": item.enterprise_headcount,
        "department_target": item.department_target,
        "funding_per_10k": float(Decimal(item.department_funding) / Decimal(10000)),
        "unmet_round": item.unmet_rounds,
        "age_per_30_days": max(age_days, 0) // 30,
    }


def priority(
    item: DemandItem, weights: PriorityWeights, *, now: dt.datetime | None = None
) -> float:
    """Compute ``item``'s priority = Σ weight × term; sets ``item.priority`` and
    ``item.priority_terms`` (quantity, weight, points per term; labels in ``TERMS``, see
    ``priority_breakdown``) without saving."""
    now = now or timezone.now()
    terms: dict[str, dict[str, Any]] = {}
    total = 0.0
    for key, quantity in _quantities(item, now).items():
        weight = float(getattr(weights, key))
        points = round(quantity * weight, 2)
        total += points
        terms[key] = {"quantity": round(quantity, 4), "weight": weight, "points": points}
    item.priority = round(total, 2)
    item.priority_terms = terms
    return item.priority


def priority_breakdown(item: DemandItem) -> list[dict[str, Any]]:
    """The stored terms with their labels, in formula order, for the item page."""
    return [
        {"key": key, "label": label, **item.priority_terms[key]}
        for key, label in TERMS.items()
        if key in item.priority_terms
    ]


def formula_text(weights: PriorityWeights) -> str:
    """The formula with the current weights, for the page: ``优先级 = 职工需求人数×1.0 + …``."""
    parts = [f"{label}×{float(getattr(weights, key)):g}" for key, label in TERMS.items()]
    return "优先级 = " + " + ".join(parts)


#: The declared rule (training/rules.py, ``DemandItem.Meta.rules_permissions``).
TUNE = "training.tune_demanditem"
REBUILD_REFUSED = "需求项汇总涉及全部地区，只有覆盖全部地区的工作人员可以执行"
WEIGHTS_REFUSED = "优先级权重涉及全部地区，只有覆盖全部地区的工作人员可以调整"


@dataclass
class RebuildStats:
    items: int = 0
    created: int = 0
    updated: int = 0
    emptied: int = 0
    deleted: int = 0
    demands_linked: int = 0


def rebuild_demand_items(*, actor, now: dt.datetime | None = None) -> RebuildStats:
    """Re-aggregate every counted demand into items; idempotent.

    Items that lose all their demands are deleted, unless a plan refers to them, in
    which case their counts drop to zero (the plan keeps its history).

    Only for those who may tune the demand list (``training.tune_demanditem``: staff
    covering every top-level unit, or ``SYSTEM``).
    """
    require(TUNE, actor, message=REBUILD_REFUSED)
    now = now or timezone.now()
    weights = PriorityWeights.current()
    stats = RebuildStats()
    funding = Sum(
        F("headcount") * F("subsidy_per_person"),
        filter=Q(party=Party.DEPARTMENT),
        output_field=DecimalField(max_digits=14, decimal_places=2),
        default=Decimal(0),
    )
    rows = (
        Demand.objects.filter(status__in=COUNTED, skill__isnull=False)
        .order_by()
        .values("skill_id", "level", "area_id")
        .annotate(
            worker_count=Count("person_id", distinct=True, filter=Q(party=Party.WORKER)),
            enterprise_count=Count("pk", filter=Q(party=Party.ENTERPRISE)),
            enterprise_headcount=Sum("headcount", filter=Q(party=Party.ENTERPRISE), default=0),
            department_count=Count("pk", filter=Q(party=Party.DEPARTMENT)),
            department_target=Sum("headcount", filter=Q(party=Party.DEPARTMENT), default=0),
            department_funding=funding,
            oldest_demand_at=Min("created_at"),
        )
    )
    with transaction.atomic():
        existing = {(i.skill_id, i.level, i.area_id): i for i in DemandItem.objects.all()}
        seen: set[tuple] = set()
        to_create, to_update = [], []
        for row in rows:
            key = (row["skill_id"], row["level"], row["area_id"])
            seen.add(key)
            item = existing.get(key) or DemandItem(skill_id=key[0], level=key[1], area_id=key[2])
            for name in COUNT_FIELDS:
                setattr(item, name, row[name])
            item.department_funding = Decimal(str(row["department_funding"])).quantize(CENT)
            priority(item, weights, now=now)
            item.updated_at = now
            (to_update if item.pk else to_create).append(item)
        gone = [item for key, item in existing.items() if key not in seen]
        planned = set(
            DemandItem.objects.filter(pk__in=[i.pk for i in gone], plans__isnull=False).values_list(
                "pk", flat=True
            )
        )
        doomed = [i.pk for i in gone if i.pk not in planned and i.status == DemandItem.Status.OPEN]
        for item in gone:
            if item.pk in doomed:
                continue
            for name in COUNT_FIELDS:
                setattr(item, name, None if name == "oldest_demand_at" else 0)
            item.department_funding = Decimal(0)
            item.updated_at = now
            priority(item, weights, now=now)
            to_update.append(item)
            stats.emptied += 1
        DemandItem.objects.bulk_create(to_create, batch_size=1000)
        DemandItem.objects.bulk_update(
            to_update, [*COUNT_FIELDS, "priority", "priority_terms", "updated_at"], batch_size=500
        )
        if doomed:
            Demand.objects.filter(item_id__in=doomed).update(item=None)
            DemandItem.objects.filter(pk__in=doomed).delete()
        stats.created, stats.updated = len(to_create), len(to_update) - stats.emptied
        stats.deleted = len(doomed)
        stats.items = len(seen)
        stats.demands_linked = _link_demands()
        Demand.objects.exclude(status__in=COUNTED).filter(item__isnull=False).update(item=None)
        audit.record(
            "demanditem.rebuild",
            actor=actor,
            after={"items": stats.items, "created": stats.created, "deleted": stats.deleted},
        )
    return stats


def _link_demands() -> int:
    """Point every counted demand at its item in one joined UPDATE, touching only rows
    whose link changes (standard SQL for PostgreSQL and SQLite ≥ 3.33)."""
    demand = connection.ops.quote_name(Demand._meta.db_table)
    item = connection.ops.quote_name(DemandItem._meta.db_table)
    # Only quoted table names and placeholders are interpolated; values are parameters.
    sql = (
        f"UPDATE {demand} SET item_id = i.id FROM {item} AS i "  # noqa: S608
        f"WHERE i.skill_id = {demand}.skill_id AND i.level = {demand}.level "
        f"AND i.area_id = {demand}.area_id AND {demand}.status IN (%s, %s) "
        f"AND ({demand}.item_id IS NULL OR {demand}.item_id <> i.id)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(COUNTED))
        return cursor.rowcount


def recompute_priorities(*, now: dt.datetime | None = None) -> int:
    """Re-score every item with the current weights (after they were tuned)."""
    weights = PriorityWeights.current()
    items = list(DemandItem.objects.all())
    for item in items:
        priority(item, weights, now=now)
    DemandItem.objects.bulk_update(items, ["priority", "priority_terms"], batch_size=500)
    return len(items)


@transaction.atomic
def update_priority_weights(*, actor, **weights: float) -> PriorityWeights:
    """Staff tune the formula; every item is re-scored at once."""
    # One set of weights serves the whole tree (training.tune_demanditem).
    require(TUNE, actor, message=WEIGHTS_REFUSED)
    unknown = sorted(set(weights) - set(TERMS))
    if unknown:
        raise DomainError("未知的权重：" + "、".join(unknown))
    clean: dict[str, float] = {}
    for key, value in weights.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DomainError(f"「{TERMS[key]}」的权重应为数字", field=key) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise DomainError(f"「{TERMS[key]}」的权重应为数字", field=key)
        if number < 0:
            raise DomainError(f"「{TERMS[key]}」的权重不能为负数", field=key)
        if number > 1000:
            raise DomainError(f"「{TERMS[key]}」的权重不能超过1000", field=key)
        clean[key] = number
    current = (
        PriorityWeights.objects.select_for_update().filter(pk=PriorityWeights.current().pk).get()
    )
    before = {key: getattr(current, key) for key in TERMS}
    for key, value in clean.items():
        setattr(current, key, value)
    current.save(update_fields=[*clean, "updated_at"])
    audit.record(
        "priorityweights.update",
        actor=actor,
        obj=current,
        before=before,
        after={key: getattr(current, key) for key in TERMS},
    )
    recompute_priorities()
    return current


# -- the item page's three questions -----------------------------------------------------


@dataclass
class Share:
    value: str
    label: str
    count: int
    share: float  # 0..1 of the requesters who said anything


@dataclass
class WhatToTrain:
    """培训什么: skill, level, and how requesters put it in their own words."""

    skill: Skill
    level: str
    level_label: str
    wordings: list[tuple[str, int]]  # most common free texts, with counts
    parties: dict[str, int]  # demands per party


@dataclass
class HowToTrain:
    """怎样培训: the mode, time and place preferred by most worker requesters."""

    requesters: int  # worker demands that stated preferences
    modes: list[Share]
    times: list[Share]
    places: list[Share]
    enterprise_demands: int
    enterprises_releasing: int  # of those, how many release staff in work hours

    @property
    def best_mode(self) -> Share | None:
        return self.modes[0] if self.modes else None

    @property
    def best_time(self) -> Share | None:
        return self.times[0] if self.times else None

    @property
    def best_place(self) -> Share | None:
        return self.places[0] if self.places else None


@dataclass
class ExpectedEffect:
    """成效如何: the targets (percent) of the latest plan built on this item. Before any
    plan exists they are None and ``note`` says where they will come from."""

    completion_rate: int | None = None
    certification_rate: int | None = None
    satisfaction: int | None = None
    plan_id: int | None = None
    note: str = "预期成效由培训方案设定"


@dataclass
class ItemProfile:
    what: WhatToTrain
    how: HowToTrain
    effect: ExpectedEffect


def _shares(rows: list[dict], key: str, labels: dict[str, str], total: int) -> list[Share]:
    out = [
        Share(
            value=r[key],
            label=labels.get(r[key], r[key]),
            count=r["n"],
            share=round(r["n"] / total, 4) if total else 0.0,
        )
        for r in rows
    ]
    out.sort(key=lambda s: (-s.count, s.value))
    return out


def item_profile(item: DemandItem, *, wordings: int = 5, places: int = 5) -> ItemProfile:
    demands = Demand.objects.filter(item=item, status__in=COUNTED).order_by()
    workers = demands.filter(party=Party.WORKER)
    requesters = workers.count()
    by_party = dict(demands.values_list("party").annotate(n=Count("pk")).values_list("party", "n"))
    words = list(
        demands.exclude(free_text="")
        .values("free_text")
        .annotate(n=Count("pk"))
        .order_by("-n", "free_text")
        .values_list("free_text", "n")[:wordings]
    )
    modes = _shares(
        list(workers.values("mode").annotate(n=Count("pk"))), "mode", dict(Mode.choices), requesters
    )
    times = _shares(
        list(workers.values("preferred_time").annotate(n=Count("pk"))),
        "preferred_time", dict(TimeSlot.choices), requesters,
    )  # fmt: skip
    with_place = workers.exclude(place="")
    place_total = with_place.count()
    place_rows = list(with_place.values("place").annotate(n=Count("pk")))
    enterprise = demands.filter(party=Party.ENTERPRISE)
    return ItemProfile(
        what=WhatToTrain(
            skill=item.skill,
            level=item.level,
            level_label=Level(item.level).label,
            wordings=words,
            parties={p: by_party.get(p, 0) for p in Party.values},
        ),
        how=HowToTrain(
            requesters=requesters,
            modes=modes,
            times=times,
            places=_shares(place_rows, "place", {}, place_total)[:places],
            enterprise_demands=enterprise.count(),
            enterprises_releasing=enterprise.filter(release_in_work_hours=True).count(),
        ),
        effect=_expected_effect(item),
    )


def _expected_effect(item: DemandItem) -> ExpectedEffect:
    plan = item.plans.exclude(state=PlanState.CANCELLED).order_by("-created_at", "-pk").first()
    if plan is None:
        return ExpectedEffect()
    return ExpectedEffect(
        completion_rate=plan.target_completion_rate,
        certification_rate=plan.target_certification_rate,
        satisfaction=plan.target_satisfaction,
        plan_id=plan.pk,
        note=f"预期成效见培训方案「{plan.title}」",
    )
