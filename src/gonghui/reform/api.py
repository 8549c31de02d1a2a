# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reform list API: items, milestones, progress, the status workflow and the public list.

Mounted under /api/reform. Same permissions and errors as the pages.
"""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.orgs.models import OrgUnit

from .domain import items as reform
from .domain.queries import public_items
from .enums import Category, ReformStatus
from .models import Milestone, ReformItem
from .schemas import (
    MilestoneIn,
    MilestoneOut,
    ProgressIn,
    PublicItemOut,
    ReformItemDetailOut,
    ReformItemIn,
    ReformItemOut,
    ReformTransitionIn,
)

router = Router(tags=["改革清单"])


class ReformItemFilter(Schema):
    category: Category | None = None
    status: ReformStatus | None = None


def _items(request, action: str = "view"):
    return ReformItem.objects.restrict(request.auth, action).select_related("org_unit")


@router.get("/items", response=list[ReformItemOut], summary="改革事项列表")
@paginate(Page)
def list_items(request, filters: Query[ReformItemFilter]):
    qs = _items(request)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs


@router.get("/items/{item_id}", response=ReformItemDetailOut, summary="改革事项详情")
def get_item(request, item_id: int):
    return get_object_or_404(_items(request).prefetch_related("milestones", "history"), pk=item_id)


@router.post("/items", response={201: ReformItemOut}, summary="设立改革事项（草拟）")
def create_item(request, payload: ReformItemIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.org_unit_id)
    data = payload.dict(exclude={"org_unit_id"})
    return Status(201, reform.create_reform_item(unit, actor=request.auth, **data))


@router.post("/items/{item_id}/milestones", response={201: MilestoneOut}, summary="添加里程碑")
def add_milestone(request, item_id: int, payload: MilestoneIn):
    item = get_object_or_404(_items(request), pk=item_id)
    return Status(201, reform.add_milestone(item, actor=request.auth, **payload.dict()))


@router.post("/milestones/{milestone_id}/progress", response=MilestoneOut,
             summary="报告里程碑进展")  # fmt: skip
def report_progress(request, milestone_id: int, payload: ProgressIn):
    milestone = get_object_or_404(
        Milestone.objects.filter(item__in=_items(request)), pk=milestone_id
    )
    return reform.record_milestone_progress(milestone, actor=request.auth, **payload.dict())


@router.post("/items/{item_id}/transitions", response=ReformItemOut,
             summary="改革事项状态变更（启动、暂缓、恢复、办结、撤销）")  # fmt: skip
def transition(request, item_id: int, payload: ReformTransitionIn):
    item = get_object_or_404(_items(request), pk=item_id)
    return reform.transition_reform_item(
        item, reform.ACTIONS[payload.action], actor=request.auth, note=payload.note
    )


@router.get("/public/items", response=list[PublicItemOut], auth=None,
            summary="改革清单（公开）")  # fmt: skip
@paginate(Page)
def public_list(request):
    return public_items()
