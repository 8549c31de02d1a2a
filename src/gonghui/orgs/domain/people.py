# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes on people and memberships: join (入会), transfer (转会), withdraw (退会)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core import crypto
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.masking import mask_id_number, mask_mobile
from gonghui.core.validators import (
    normalize_id_number,
    normalize_mobile,
    normalize_name,
    parse_id_number,
    validate_membership_start,
    validate_mobile,
    validate_past_date,
)

from ..enums import (
    ETHNICITIES,
    ChangeKind,
    Education,
    HouseholdType,
    IdType,
    MembershipStatus,
    PoliticalStatus,
    Sex,
    SkillLevel,
)
from ..models import Enterprise, Membership, MembershipChange, OrgUnit, Person
from .scope import principal_for

#: Fields a worker may correct on their own profile.
SELF_EDITABLE = (
    "mobile", "ethnicity", "education", "skill_level", "household_type", "political_status",
    "is_migrant_worker",
)  # fmt: skip
PROFILE_FIELDS = (
    "name", "id_type", "id_number", "sex", "birth_date", *SELF_EDITABLE,
)  # fmt: skip


# Enum value sets, computed once (``TextChoices.values`` builds a new list on every call).
ID_TYPES = frozenset(IdType.values)
SEXES = frozenset(Sex.values)
ETHNICITY_SET = frozenset(ETHNICITIES)
_CHOICE_FIELDS = (
    ("education", frozenset(Education.values), "学历"),
    ("skill_level", frozenset(SkillLevel.values), "技能等级"),
    ("household_type", frozenset(HouseholdType.values), "户籍类型"),
    ("political_status", frozenset(PoliticalStatus.values), "政治面貌"),
)


def clean_person_fields(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Validate and normalise profile fields; return (clean, errors in Chinese).

    A 居民身份证 number fixes sex and birth date: given values must agree with it.
    Used by single entry, the API and the roster import alike.
    """
    errors: list[str] = []
    clean: dict[str, Any] = {}
    if "name" in data:
        try:
            name = normalize_name(data.get("name") or "")
        except ValidationError as exc:
            errors.append(exc.messages[0])
            name = ""
        clean["name"] = name
    id_type = data.get("id_type") or IdType.RESIDENT
    if id_type not in ID_TYPES:
        errors.append("证件类型无效")
    clean["id_type"] = id_type
    if "id_number" in data:
        number = normalize_id_number(data.get("id_number") or "")
        if id_type == IdType.RESIDENT:
            try:
                info = parse_id_number(number)
            except ValidationError as exc:
                errors.append(exc.messages[0])
            else:
                sex, birth = data.get("sex"), data.get("birth_date")
                if sex and sex != info.sex:
                    errors.append(f"性别与身份证号码不符（应为{Sex(info.sex).label}）")
                if birth and birth != info.birth_date:
                    errors.append(f"出生日期与身份证号码不符（应为{info.birth_date:%Y-%m-%d}）")
                clean["sex"], clean["birth_date"] = info.sex, info.birth_date
        elif not number or len(number) > 32:
            errors.append("证件号码不能为空且不超过32位")
        else:
            if data.get("sex") not in SEXES:
                errors.append("非居民身份证须填写性别")
            if not isinstance(data.get("birth_date"), dt.date):
                errors.append("非居民身份证须填写出生日期")
            clean["sex"], clean["birth_date"] = data.get("sex"), data.get("birth_date")
        clean["id_number"] = number
    if data.get("mobile"):
        mobile = normalize_mobile(data["mobile"])
        try:
            validate_mobile(mobile)
        except ValidationError as exc:
            errors.append(exc.messages[0])
        clean["mobile"] = mobile
    elif "mobile" in data:
        clean["mobile"] = ""
    for key, values, label in _CHOICE_FIELDS:
        if key in data:
            value = data.get(key) or ""
            if value and value not in values:
                errors.append(f"{label}无效")
            clean[key] = value
    if "ethnicity" in data:
        value = (data.get("ethnicity") or "").strip()
        if value and value not in ETHNICITY_SET:
            errors.append("民族无效，请填写如“汉族”的全称")
        clean["ethnicity"] = value
    if "is_migrant_worker" in data:
        clean["is_migrant_worker"] = bool(data.get("is_migrant_worker"))
    return clean, errors


def apply_person_fields(person: Person, clean: dict[str, Any]) -> None:
    for key, value in clean.items():
        setattr(person, key, value)
    if "id_number" in clean:
        person.id_digest = crypto.digest(f"{person.id_type}:{person.id_number}")
    if "mobile" in clean:
        person.mobile_digest = crypto.digest(person.mobile) if person.mobile else ""


def id_digest_for(id_type: str, number: str) -> str:
    return crypto.digest(f"{id_type}:{normalize_id_number(number)}")


def find_person(id_type: str, number: str) -> Person | None:
    return Person.objects.filter(id_type=id_type, id_digest=id_digest_for(id_type, number)).first()


def person_snapshot(person: Person) -> dict:
    return {
        "name": person.name,
        "id_number": mask_id_number(person.id_number),
        "mobile": mask_mobile(person.mobile),
        "education": person.education,
        "skill_level": person.skill_level,
        "household_type": person.household_type,
        "political_status": person.political_status,
        "is_migrant_worker": person.is_migrant_worker,
        "ethnicity": person.ethnicity,
    }


def _require(actor, kind: str, action: str, unit: OrgUnit, message: str) -> None:
    if not principal_for(actor).covers(kind, action, unit):
        raise PermissionDeniedError(message)


def _check_date(validator, value: dt.date, field: str, **kwargs: Any) -> None:
    try:
        validator(value, **kwargs)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field) from None


def _check_enterprise(union: OrgUnit, enterprise: Enterprise | None) -> None:
    if enterprise is not None and enterprise.union_id != union.pk:
        raise DomainError("工作单位不属于该基层工会", field="enterprise")


#: The one answer about an ID number held by someone outside the caller's scope, whatever
#: the reason (active member elsewhere, or another name): it names nobody and says no more.
OUT_OF_SCOPE_DUPLICATE = (
    "该证件号码无法在本工会登记入会，请核对姓名与证件号码；"
    "如已在其他工会入会，请联系上级工会办理转会"
)


def _check_existing_person(person: Person, *, actor, name: str) -> None:
    """An ID number already on file. Staff who may see that person are told who it is; for
    anyone else the answer is one fixed sentence that reveals nothing about the person."""
    visible = actor is None or principal_for(actor).can("person", "view", person)
    active = Membership.objects.filter(person=person, status=MembershipStatus.ACTIVE).exists()
    if not visible:
        if active or person.name != name:
            raise DomainError(OUT_OF_SCOPE_DUPLICATE, code="duplicate")
        return
    if active:
        raise DomainError(
            f"{person.name}已是在会会员；如需变更所在工会请办理转会", code="duplicate"
        )
    if person.name != name:
        raise DomainError(
            f"该证件号码已登记为{person.name}，与填写的姓名不符", code="duplicate", field="name"
        )


@transaction.atomic
def register_member(
    union: OrgUnit,
    *,
    actor,
    joined_on: dt.date,
    enterprise: Enterprise | None = None,
    card_number: str | None = None,
    reason: str = "",
    **fields: Any,
) -> Membership:
    """Create (or find) the person and open an active membership in ``union`` (入会)."""
    _require(actor, "membership", "change", union, "无权在该组织下登记会员")
    if not union.holds_members:
        raise DomainError("会员只能登记在基层工会或联合工会", field="union")
    _check_enterprise(union, enterprise)
    # A member is found by their ID number: without one the checks must say so.
    clean, errors = clean_person_fields({"id_number": "", **fields})
    if errors:
        raise DomainError("；".join(errors))
    _check_date(
        validate_membership_start, joined_on, "joined_on", birth_date=clean.get("birth_date")
    )
    person = find_person(clean["id_type"], clean["id_number"])
    if person is None:
        person = Person()
        apply_person_fields(person, clean)
        person.save()
        audit.record("person.create", actor=actor, obj=person, after=person_snapshot(person))
    else:
        _check_existing_person(person, actor=actor, name=clean["name"])
    if card_number and Membership.objects.active().filter(card_number=card_number).exists():
        raise DomainError("会员证号已被使用", field="card_number")
    membership = Membership.objects.create(
        person=person, union=union, enterprise=enterprise, card_number=card_number or None,
        joined_on=joined_on,
    )  # fmt: skip
    MembershipChange.objects.create(
        person=person, kind=ChangeKind.JOIN, date=joined_on, reason=reason,
        to_membership=membership, actor_label=audit._label(actor),
    )  # fmt: skip
    audit.record("membership.join", actor=actor, obj=membership, after={"union": union.pk})
    return membership


@transaction.atomic
def update_person(person: Person, *, actor, self_service: bool = False, **fields: Any) -> Person:
    principal = principal_for(actor)
    if self_service:
        if principal.person_id != person.pk:
            raise PermissionDeniedError("只能修改本人信息")
        unknown = set(fields) - set(SELF_EDITABLE)
        if unknown:
            raise DomainError("以下信息须由工会办理修改：" + "、".join(sorted(unknown)))
    elif not principal.can("person", "change", person):
        raise PermissionDeniedError("无权修改该职工信息")
    if "id_number" in fields:
        fields.setdefault("id_type", person.id_type)
    clean, errors = clean_person_fields(fields)
    if "id_number" not in fields:
        clean.pop("id_type", None)
    if errors:
        raise DomainError("；".join(errors))
    before = person_snapshot(person)
    apply_person_fields(person, clean)
    if (
        "id_number" in clean
        and Person.objects.filter(id_type=person.id_type, id_digest=person.id_digest)
        .exclude(pk=person.pk)
        .exists()
    ):
        raise DomainError("该证件号码已属于另一名职工", code="duplicate")
    person.save(update_fields=[*clean.keys(), *_digest_fields(clean), "updated_at"])
    audit.record(
        "person.update", actor=actor, obj=person, before=before, after=person_snapshot(person)
    )
    return person


def _digest_fields(clean: dict) -> list[str]:
    out = []
    if "id_number" in clean:
        out.append("id_digest")
    if "mobile" in clean:
        out.append("mobile_digest")
    return out


def _locked_active(membership: Membership) -> Membership:
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    if current.status != MembershipStatus.ACTIVE:
        raise DomainError("该会籍已不是在会状态", code="state")
    return current


@transaction.atomic
def transfer_membership(
    membership: Membership,
    *,
    to_union: OrgUnit,
    actor,
    date: dt.date,
    reason: str = "",
    enterprise: Enterprise | None = None,
    card_number: str | None = None,
) -> Membership:
    """转会: close the current membership and open one in ``to_union``; both are kept."""
    principal = principal_for(actor)
    if not principal.can("membership", "change", membership):
        raise PermissionDeniedError("无权为该会员办理转会")
    _require(actor, "membership", "change", to_union, "无权将会员转入该组织")
    if not to_union.holds_members:
        raise DomainError("只能转入基层工会或联合工会", field="to_union")
    if to_union.pk == membership.union_id:
        raise DomainError("转入工会与当前工会相同", field="to_union")
    _check_enterprise(to_union, enterprise)
    _check_date(validate_past_date, date, "date", label="转会日期")
    current = _locked_active(membership)
    if date < current.joined_on:
        raise DomainError("转会日期不能早于入会日期", field="date")
    current.status, current.left_on = MembershipStatus.TRANSFERRED, date
    current.save(update_fields=["status", "left_on"])
    new_card = card_number or current.card_number
    try:
        new = Membership.objects.create(
            person_id=current.person_id, union=to_union, enterprise=enterprise,
            card_number=new_card, joined_on=date,
        )  # fmt: skip
    except IntegrityError:
        raise DomainError("会员证号已被使用", field="card_number") from None
    MembershipChange.objects.create(
        person_id=current.person_id, kind=ChangeKind.TRANSFER, date=date, reason=reason,
        from_membership=current, to_membership=new, actor_label=audit._label(actor),
    )  # fmt: skip
    audit.record(
        "membership.transfer", actor=actor, obj=new,
        before={"union": current.union_id}, after={"union": to_union.pk}, detail=reason,
    )  # fmt: skip
    return new


@transaction.atomic
def withdraw_membership(
    membership: Membership, *, actor, date: dt.date, reason: str = ""
) -> Membership:
    """退会."""
    if not principal_for(actor).can("membership", "change", membership):
        raise PermissionDeniedError("无权为该会员办理退会")
    _check_date(validate_past_date, date, "date", label="退会日期")
    current = _locked_active(membership)
    if date < current.joined_on:
        raise DomainError("退会日期不能早于入会日期", field="date")
    current.status, current.left_on = MembershipStatus.WITHDRAWN, date
    current.save(update_fields=["status", "left_on"])
    MembershipChange.objects.create(
        person_id=current.person_id, kind=ChangeKind.WITHDRAW, date=date, reason=reason,
        from_membership=current, actor_label=audit._label(actor),
    )  # fmt: skip
    audit.record("membership.withdraw", actor=actor, obj=current, detail=reason)
    return current


@transaction.atomic
def correct_own_enterprise(membership: Membership, *, actor, enterprise: Enterprise) -> Membership:
    """A worker corrects their own 工作单位 (within the same union)."""
    if principal_for(actor).person_id != membership.person_id:
        raise PermissionDeniedError("只能修改本人会籍")
    current = _locked_active(membership)
    _check_enterprise(current.union, enterprise)
    before = {"enterprise": current.enterprise_id}
    current.enterprise = enterprise
    current.save(update_fields=["enterprise"])
    audit.record(
        "membership.correct_enterprise", actor=actor, obj=current,
        before=before, after={"enterprise": enterprise.pk},
    )  # fmt: skip
    return current


def reveal_pii(person: Person, *, actor, field: str) -> str:
    """Return an ID or mobile number in full, to a role allowed to see it; audited."""
    if field not in ("id_number", "mobile"):
        raise DomainError("未知字段")
    principal = principal_for(actor)
    if not principal.can("person", "view_pii", person):
        audit.record("pii.view", actor=actor, obj=person, result="denied", detail=field)
        raise PermissionDeniedError("无权查看完整个人信息")
    audit.record("pii.view", actor=actor, obj=person, detail=field)
    return getattr(person, field)
