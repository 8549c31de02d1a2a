# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes on the organisation tree, enterprises and departments."""

from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.validators import normalize_credit_code

from ..enums import MEMBER_HOLDING_KINDS, OrgKind
from ..models import Department, Enterprise, Membership, OrgUnit
from ..models.org import path_segment
from .scope import principal_for

#: Which kinds may sit under which (the root may be any federation level).
ALLOWED_CHILDREN = {
    OrgKind.PROVINCE: {OrgKind.CITY, OrgKind.INDUSTRY, OrgKind.GRASSROOTS},
    OrgKind.CITY: {OrgKind.COUNTY, OrgKind.INDUSTRY, OrgKind.GRASSROOTS},
    OrgKind.COUNTY: {
        OrgKind.TOWN, OrgKind.INDUSTRY, OrgKind.AREA, OrgKind.JOINT, OrgKind.GRASSROOTS,
    },
    OrgKind.TOWN: {OrgKind.AREA, OrgKind.JOINT, OrgKind.GRASSROOTS, OrgKind.INDUSTRY},
    OrgKind.AREA: {OrgKind.JOINT, OrgKind.GRASSROOTS},
    OrgKind.INDUSTRY: {OrgKind.JOINT, OrgKind.GRASSROOTS},
    OrgKind.JOINT: {OrgKind.GRASSROOTS},
    OrgKind.GRASSROOTS: set(),
}  # fmt: skip


def _snapshot(unit: OrgUnit) -> dict:
    return {"name": unit.name, "kind": unit.kind, "parent": unit.parent_id}


@transaction.atomic
def create_org_unit(
    parent: OrgUnit | None,
    *,
    name: str,
    kind: str,
    actor,
    division_code: str = "",
    short_name: str = "",
    address: str = "",
) -> OrgUnit:
    name = (name or "").strip()
    if not name:
        raise DomainError("组织名称不能为空", field="name")
    if kind not in OrgKind.values:
        raise DomainError("未知的组织类型", field="kind")
    if parent is None:
        if not principal_for(actor).is_superuser:
            raise PermissionDeniedError("只有系统管理员可以创建顶级组织")
    else:
        if not principal_for(actor).covers("orgunit", "change", parent):
            raise PermissionDeniedError("无权在该组织下创建下级组织")
        if kind not in ALLOWED_CHILDREN[OrgKind(parent.kind)]:
            raise DomainError(
                f"{parent.get_kind_display()}下不能设立{OrgKind(kind).label}", field="kind"
            )
    unit = OrgUnit(
        name=name,
        kind=kind,
        parent=parent,
        division_code=division_code,
        short_name=short_name,
        address=address,
    )
    unit.full_clean(exclude=["path", "depth"])
    unit.path = f"tmp-{id(unit)}"
    unit.depth = 0 if parent is None else parent.depth + 1
    unit.save()
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.save(update_fields=["path"])
    audit.record("orgunit.create", actor=actor, obj=unit, after=_snapshot(unit))
    return unit


@transaction.atomic
def rename_org_unit(unit: OrgUnit, *, name: str, actor) -> OrgUnit:
    if not principal_for(actor).can("orgunit", "change", unit):
        raise PermissionDeniedError()
    name = (name or "").strip()
    if not name:
        raise DomainError("组织名称不能为空", field="name")
    before = _snapshot(unit)
    unit.name = name
    unit.save(update_fields=["name"])
    audit.record("orgunit.rename", actor=actor, obj=unit, before=before, after=_snapshot(unit))
    return unit


@transaction.atomic
def delete_org_unit(unit: OrgUnit, *, actor) -> None:
    if not principal_for(actor).can("orgunit", "change", unit):
        raise PermissionDeniedError()
    subtree = OrgUnit.objects.filter(path__startswith=unit.path)
    members = Membership.objects.active().filter(union__in=subtree).count()
    if members:
        raise DomainError(
            f"“{unit.name}”及其下级组织仍有{members}名在会会员，不能删除；请先办理转会或退会"
        )
    if subtree.exclude(pk=unit.pk).exists():
        raise DomainError(f"“{unit.name}”仍有下级组织，不能删除")
    if Membership.objects.filter(union=unit).exists():
        raise DomainError(f"“{unit.name}”保有历史会籍记录，不能删除")
    if unit.enterprises.exists():
        raise DomainError(f"“{unit.name}”下仍有企业，不能删除")
    if unit.role_assignments.exists() or unit.departments.exists() or unit.api_tokens.exists():
        raise DomainError(f"“{unit.name}”仍有角色授权、部门或API令牌，不能删除")
    audit.record("orgunit.delete", actor=actor, obj=unit, before=_snapshot(unit))
    unit.delete()


@transaction.atomic
def register_enterprise(
    union: OrgUnit,
    *,
    name: str,
    credit_code: str,
    actor,
    industry: str = "",
    address: str = "",
    headcount: int = 0,
) -> Enterprise:
    if not principal_for(actor).covers("enterprise", "change", union):
        raise PermissionDeniedError("无权在该组织下登记企业")
    if union.kind not in MEMBER_HOLDING_KINDS:
        raise DomainError("企业须隶属于基层工会或联合工会", field="union")
    code = normalize_credit_code(credit_code)
    ent = Enterprise(
        union=union, name=(name or "").strip(), credit_code=code, industry=industry,
        address=address, headcount=headcount,
    )  # fmt: skip
    try:
        ent.full_clean(validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    if Enterprise.objects.filter(credit_code=code).exists():
        raise DomainError("该统一社会信用代码已登记", field="credit_code")
    ent.save()
    audit.record("enterprise.create", actor=actor, obj=ent, after={"name": ent.name, "code": code})
    return ent


@transaction.atomic
def register_department(org_unit: OrgUnit, *, name: str, actor) -> Department:
    if not principal_for(actor).covers("department", "change", org_unit):
        raise PermissionDeniedError()
    name = (name or "").strip()
    if not name:
        raise DomainError("部门名称不能为空", field="name")
    if Department.objects.filter(org_unit=org_unit, name=name).exists():
        raise DomainError("该部门已登记", field="name")
    dept = Department.objects.create(org_unit=org_unit, name=name)
    audit.record("department.create", actor=actor, obj=dept, after={"name": name})
    return dept
