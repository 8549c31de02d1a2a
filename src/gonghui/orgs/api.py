# SPDX-License-Identifier: AGPL-3.0-or-later
"""Orgs API: the tree, enterprises, members, roles and tokens, all scoped by ``restrict``."""

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.renderers import JSONRenderer

from gonghui.core.api import Page
from gonghui.core.masking import mask_id_number, mask_mobile

from .domain import access, people, units
from .domain.queries import member_list
from .enums import OrgKind
from .models import ApiToken, Enterprise, Membership, OrgUnit, Person, RoleAssignment
from .schemas import (
    EnterpriseIn,
    EnterpriseOut,
    MemberIn,
    MemberOut,
    OrgUnitIn,
    OrgUnitOut,
    PiiOut,
    RoleIn,
    RoleOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    TransferIn,
    WithdrawIn,
)

router = Router(tags=["组织与会员"])


class UnitFilter(Schema):
    kind: OrgKind | None = None
    parent_id: int | None = None
    q: str | None = None


@router.get("/units", response=list[OrgUnitOut], summary="组织列表")
@paginate(Page)
def list_units(request, filters: Query[UnitFilter]):
    qs = OrgUnit.objects.restrict(request.auth, "view")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent_id:
        qs = qs.filter(parent_id=filters.parent_id)
    if filters.q:
        qs = qs.filter(name__contains=filters.q.strip())
    return qs


@router.get("/units/{unit_id}", response=OrgUnitOut, summary="组织详情")
def get_unit(request, unit_id: int):
    return get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=unit_id)


@router.post("/units", response={201: OrgUnitOut}, summary="新建下级组织")
def create_unit(request, payload: OrgUnitIn):
    parent = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.parent_id)
    unit = units.create_org_unit(
        parent, name=payload.name, kind=payload.kind, division_code=payload.division_code,
        actor=request.auth,
    )  # fmt: skip
    return Status(201, unit)


@router.delete("/units/{unit_id}", response={204: None}, summary="删除组织")
def delete_unit(request, unit_id: int):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=unit_id)
    units.delete_org_unit(unit, actor=request.auth)
    return Status(204, None)


class EnterpriseFilter(Schema):
    union_id: int | None = None
    q: str | None = None


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表")
@paginate(Page)
def list_enterprises(request, filters: Query[EnterpriseFilter]):
    qs = Enterprise.objects.restrict(request.auth, "view")
    if filters.union_id:
        qs = qs.filter(union_id=filters.union_id)
    if filters.q:
        qs = qs.filter(name__contains=filters.q.strip())
    return qs


@router.post("/enterprises", response={201: EnterpriseOut}, summary="登记企业")
def create_enterprise(request, payload: EnterpriseIn):
    union = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.union_id)
    data = payload.dict(exclude={"union_id"})
    return Status(201, units.register_enterprise(union, actor=request.auth, **data))


class MemberFilter(Schema):
    name: str | None = None
    union_id: int | None = None
    enterprise_id: int | None = None
    status: str | None = "active"


class MemberPageOut(Schema):
    items: list[MemberOut]
    count: int
    count_capped: bool


_PERSON_FIELDS = (
    "id", "name", "id_type", "sex", "birth_date", "ethnicity", "education", "skill_level",
    "household_type", "political_status", "is_migrant_worker",
)  # fmt: skip
_MEMBER_FIELDS = (
    "id", "union_id", "enterprise_id", "card_number", "status", "joined_on", "left_on",
)  # fmt: skip
#: The columns of a page of members, in the order ``member_item`` reads them.
MEMBER_COLUMNS = (
    *_MEMBER_FIELDS, "union__name", *(f"person__{k}" for k in _PERSON_FIELDS),
    "person__id_number", "person__mobile",
)  # fmt: skip


def member_item(row: tuple) -> dict[str, Any]:
    """What ``MemberOut`` makes of a member, built from its ``MEMBER_COLUMNS``: the page's
    rows come from the database and are right by construction. Neither model instances
    (three per row, with every column and timestamp: a quarter of the request for 50
    rows, bench/README.md) nor ninja's per-attribute resolution of the schema are needed.
    tests/orgs/test_member_list.py holds the two equal."""
    n = len(_MEMBER_FIELDS)
    item = dict(zip(_MEMBER_FIELDS, row[:n], strict=True))
    person = dict(zip(_PERSON_FIELDS, row[n + 1 : -2], strict=True))
    person["id_number"], person["mobile"] = mask_id_number(row[-2]), mask_mobile(row[-1])
    item["person"], item["union_name"] = person, row[n]
    return item


_RENDERER = JSONRenderer()


@router.get("/members", response=MemberPageOut, summary="会员列表（证件号、手机号脱敏）")
def list_members(request, filters: Query[MemberFilter], pagination: Query[Page.Input]):
    qs = member_list(
        request.auth, name=filters.name, union_id=filters.union_id,
        enterprise_id=filters.enterprise_id, status=filters.status,
    )  # fmt: skip
    page = Page().paginate_queryset(qs, pagination)
    page["items"] = [member_item(row) for row in page["items"].values_list(*MEMBER_COLUMNS)]
    # Returned as is, not revalidated, rendered as the project's NinjaAPI renders (its
    # default JSON renderer), without importing gonghui.api back.
    return HttpResponse(
        _RENDERER.render(request, page, response_status=200), status=200,
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )  # fmt: skip


@router.get("/members/{member_id}", response=MemberOut, summary="会籍详情")
def get_member(request, member_id: int):
    qs = Membership.objects.restrict(request.auth, "view").select_related("person", "union")
    return get_object_or_404(qs, pk=member_id)


@router.post("/members", response={201: MemberOut}, summary="登记会员（入会）")
def create_member(request, payload: MemberIn):
    union = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.union_id)
    enterprise = None
    if payload.enterprise_id:
        enterprise = get_object_or_404(
            Enterprise.objects.restrict(request.auth, "view"), pk=payload.enterprise_id
        )
    data = payload.dict(exclude={"union_id", "enterprise_id", "joined_on", "card_number"})
    # Blank optional fields are left out; name and ID number always go to the checks.
    data = {k: v for k, v in data.items() if v not in (None, "")} | {
        "name": payload.name, "id_number": payload.id_number,
    }  # fmt: skip
    membership = people.register_member(
        union, actor=request.auth, joined_on=payload.joined_on, enterprise=enterprise,
        card_number=payload.card_number, **data,
    )  # fmt: skip
    return Status(201, membership)


@router.post("/members/{member_id}/transfer", response=MemberOut, summary="转会")
def transfer_member(request, member_id: int, payload: TransferIn):
    membership = get_object_or_404(Membership.objects.restrict(request.auth, "view"), pk=member_id)
    to_union = get_object_or_404(
        OrgUnit.objects.restrict(request.auth, "view"), pk=payload.to_union_id
    )
    enterprise = None
    if payload.enterprise_id:
        enterprise = get_object_or_404(
            Enterprise.objects.restrict(request.auth, "view"), pk=payload.enterprise_id
        )
    return people.transfer_membership(
        membership, to_union=to_union, actor=request.auth, date=payload.date,
        reason=payload.reason, enterprise=enterprise,
    )  # fmt: skip


@router.post("/members/{member_id}/withdraw", response=MemberOut, summary="退会")
def withdraw_member(request, member_id: int, payload: WithdrawIn):
    membership = get_object_or_404(Membership.objects.restrict(request.auth, "view"), pk=member_id)
    return people.withdraw_membership(
        membership, actor=request.auth, date=payload.date, reason=payload.reason
    )


@router.get("/people/{person_id}/pii", response=PiiOut, summary="查看完整证件号或手机号（留痕）")
def reveal_person_pii(request, person_id: int, field: str):
    person = get_object_or_404(Person.objects.restrict(request.auth, "view"), pk=person_id)
    return {"field": field, "value": people.reveal_pii(person, actor=request.auth, field=field)}


@router.get("/roles", response=list[RoleOut], summary="角色授权列表")
@paginate(Page)
def list_roles(request):
    return RoleAssignment.objects.restrict(request.auth, "view").select_related("user")


@router.post("/roles", response={201: RoleOut}, summary="授予角色")
def create_role(request, payload: RoleIn):
    from django.contrib.auth import get_user_model

    from .models import Department

    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.org_unit_id)
    user = get_object_or_404(get_user_model(), pk=payload.user_id)
    enterprise = department = None
    if payload.enterprise_id:
        enterprise = get_object_or_404(
            Enterprise.objects.restrict(request.auth, "view"), pk=payload.enterprise_id
        )
    if payload.department_id:
        department = get_object_or_404(
            Department.objects.restrict(request.auth, "view"), pk=payload.department_id
        )
    ra = access.assign_role(
        user, role=payload.role, org_unit=unit, actor=request.auth,
        enterprise=enterprise, department=department,
    )  # fmt: skip
    return Status(201, ra)


@router.delete("/roles/{role_id}", response={204: None}, summary="撤销角色")
def delete_role(request, role_id: int):
    ra = get_object_or_404(RoleAssignment.objects.restrict(request.auth, "view"), pk=role_id)
    access.revoke_role(ra, actor=request.auth)
    return Status(204, None)


@router.get("/tokens", response=list[TokenOut], summary="API令牌列表")
@paginate(Page)
def list_tokens(request):
    return ApiToken.objects.restrict(request.auth, "view")


@router.post("/tokens", response={201: TokenCreatedOut}, summary="签发API令牌（密钥只显示一次）")
def create_token(request, payload: TokenIn):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth, "view"), pk=payload.org_unit_id)
    token, key = access.issue_api_token(
        unit, name=payload.name, role=payload.role, actor=request.auth
    )
    out = TokenOut.from_orm(token).dict()
    return Status(201, {**out, "key": key})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="吊销API令牌")
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken.objects.restrict(request.auth, "view"), pk=token_id)
    return access.revoke_api_token(token, actor=request.auth)
