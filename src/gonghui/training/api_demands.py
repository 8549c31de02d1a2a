# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demand list API (需求清单): submit, list, withdraw; staff map free text to the
catalogue, rebuild the items and read their priority breakdown and profile.

Same permissions and errors as the pages: every record fetched by id comes from a
restricted queryset, so out-of-scope ids are 404; the domain refuses the rest (403/400).
"""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.orgs.models import Department, Enterprise

from .domain import analysis, demand_queries, demands, matching, rebuild
from .enums import DemandStatus, Party
from .models import Demand, DemandItem, PriorityWeights, Skill
from .schemas_demands import (
    DemandIn,
    DemandItemOut,
    DemandOut,
    ItemProfileOut,
    MapIn,
    RebuildOut,
)

router = Router(tags=["技能培训·需求"])


def _skill(skill_id: int | None) -> Skill | None:
    return get_object_or_404(Skill, pk=skill_id) if skill_id is not None else None


@router.post(
    "/demands",
    response={201: DemandOut},
    summary="提交培训需求（职工本人、企业联络员为本企业、部门联络员为本部门）",
)
def submit_demand(request, payload: DemandIn):
    actor = request.auth
    if payload.party == Party.ENTERPRISE:
        enterprise = get_object_or_404(
            Enterprise.objects.restrict(actor, "view"), pk=payload.enterprise_id or 0
        )
        demand = demands.submit_enterprise_demand(
            actor=actor,
            enterprise=enterprise,
            skill=_skill(payload.skill_id),
            headcount=payload.headcount,
            level=payload.level,
            deadline=payload.deadline,
            release_in_work_hours=payload.release_in_work_hours,
        )
    elif payload.party == Party.DEPARTMENT:
        department = get_object_or_404(
            Department.objects.restrict(actor, "view"), pk=payload.department_id or 0
        )
        demand = demands.submit_department_demand(
            actor=actor,
            department=department,
            skill=_skill(payload.skill_id),
            target_number=payload.target_number,
            subsidy_per_person=payload.subsidy_per_person,
            policy_basis=payload.policy_basis,
            deadline=payload.deadline,
            level=payload.level,
        )
    else:
        demand = demands.submit_worker_demand(
            actor=actor,
            skill=_skill(payload.skill_id),
            free_text=payload.free_text,
            level=payload.level,
            current_level=payload.current_level or "",
            preferred_time=payload.preferred_time,
            mode=payload.mode,
            place=payload.place,
        )
    return Status(201, demand)


class DemandFilter(Schema):
    mine: bool = False
    party: Party | None = None
    status: DemandStatus | None = None
    skill_id: int | None = None
    area_id: int | None = None
    item_id: int | None = None


@router.get(
    "/demands",
    response=list[DemandOut],
    summary="需求列表（mine=true 只看本人/本单位提交的；否则为权限范围内的全部）",
)
@paginate(Page)
def list_demands(request, filters: Query[DemandFilter]):
    qs = (
        demand_queries.own_demands(request.auth)
        if filters.mine
        else demand_queries.demands_visible_to(request.auth)
    )
    for name in ("party", "status", "skill_id", "area_id", "item_id"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


def _visible(request, demand_id: int) -> Demand:
    return get_object_or_404(demand_queries.demands_visible_to(request.auth), pk=demand_id)


@router.get("/demands/{demand_id}", response=DemandOut, summary="需求详情")
def get_demand(request, demand_id: int):
    return _visible(request, demand_id)


@router.post("/demands/{demand_id}/withdraw", response=DemandOut, summary="撤回需求")
def withdraw(request, demand_id: int):
    return demands.withdraw_demand(_visible(request, demand_id), actor=request.auth)


@router.post(
    "/demands/{demand_id}/map",
    response=DemandOut,
    summary="工作人员将需求归入技能（其说法成为同义词，改进以后的自动匹配）",
)
def map_to_skill(request, demand_id: int, payload: MapIn):
    demand = get_object_or_404(Demand.objects.restrict(request.auth, "change"), pk=demand_id)
    skill = get_object_or_404(Skill, pk=payload.skill_id)
    return matching.map_demand(demand, skill=skill, actor=request.auth)


@router.post(
    "/demand-items/rebuild",
    response=RebuildOut,
    summary="重新汇总需求项（涉及全部地区，须覆盖全部地区的工作人员）",
)
def rebuild_items(request):
    return asdict(rebuild.rebuild_items(actor=request.auth))


class DemandItemFilter(Schema):
    skill_id: int | None = None
    area_id: int | None = None
    level: str | None = None
    status: DemandItem.Status | None = None


@router.get("/demand-items", response=list[DemandItemOut], summary="需求项（按优先级）")
@paginate(Page)
def list_items(request, filters: Query[DemandItemFilter]):
    qs = demand_queries.demand_items_for(request.auth)
    for name in ("skill_id", "area_id", "level", "status"):
        value = getattr(filters, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


def _weights() -> PriorityWeights:
    # The stored weights, or the defaults unsaved: a read never writes.
    return PriorityWeights.objects.order_by("pk").first() or PriorityWeights()


def _item(request, item_id: int) -> DemandItem:
    return get_object_or_404(demand_queries.demand_items_for(request.auth), pk=item_id)


@router.get("/demand-items/{item_id}", response=DemandItemOut, summary="需求项详情与优先级构成")
def get_item(request, item_id: int):
    return _item(request, item_id)


@router.get(
    "/demand-items/{item_id}/profile",
    response=ItemProfileOut,
    summary="需求项画像：培训什么、怎样培训、成效如何",
)
def item_profile(request, item_id: int):
    item = _item(request, item_id)
    profile = analysis.item_profile(item)
    what = profile.what
    return {
        "item": item,
        "formula": analysis.formula_text(_weights()),
        "what": {
            "skill_id": what.skill.pk,
            "skill_name": what.skill.name,
            "level": what.level,
            "level_label": what.level_label,
            "parties": what.parties,
            "wordings": [{"text": t, "count": n} for t, n in what.wordings],
        },
        "how": asdict(profile.how),
        "effect": asdict(profile.effect),
    }


@router.get("/demand-items/{item_id}/demands", response=list[DemandOut], summary="需求项包含的需求")
@paginate(Page)
def item_demands(request, item_id: int):
    return demand_queries.item_demands(_item(request, item_id), request.auth)
