# SPDX-License-Identifier: AGPL-3.0-or-later
"""The trainer database (师资库) and venue database (阵地库): writes by federation staff.

Every write checks that the actor covers the record's org unit (``trainer``/``venue``
``change``), validates the input with Chinese messages and writes an audit row.
"""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.validators import normalize_mobile, validate_mobile
from gonghui.orgs.models import OrgUnit

from ..models import Skill, Trainer, Venue

TRAINER_FIELDS = ("name", "organisation", "title", "qualifications", "mobile", "org_unit")
VENUE_FIELDS = (
    "name", "address", "latitude", "longitude", "capacity", "facilities", "opening_hours",
    "org_unit",
)  # fmt: skip
LIMITS = {
    "name": 50, "organisation": 100, "title": 50, "address": 200, "facilities": 300,
    "opening_hours": 100,
}  # fmt: skip


def _require(actor, kind: str, unit: OrgUnit) -> None:
    if not principal_for(actor).covers(kind, "change", unit):
        label = "师资" if kind == "trainer" else "阵地"
        raise PermissionDeniedError(f"无权在该组织下维护{label}")


def _clean_text(data: dict[str, Any], venue: bool = False) -> dict[str, Any]:
    out = dict(data)
    for key, value in data.items():
        if isinstance(value, str):
            out[key] = value.strip()
    if "name" in out and not out["name"]:
        raise DomainError("请填写" + ("阵地名称" if venue else "姓名"), field="name")
    limits = {**LIMITS, "name": 100} if venue else LIMITS
    for key, limit in limits.items():
        if key in out and isinstance(out[key], str) and len(out[key]) > limit:
            raise DomainError(f"内容过长（最多{limit}字）", field=key)
    return out


def _check_trainer(data: dict[str, Any]) -> dict[str, Any]:
    data = _clean_text(data)
    if data.get("mobile"):
        try:
            validate_mobile(data["mobile"])
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="mobile") from None
        data["mobile"] = normalize_mobile(data["mobile"])
    return data


def _check_venue(data: dict[str, Any]) -> dict[str, Any]:
    data = _clean_text(data, venue=True)
    if "address" in data and not data["address"]:
        raise DomainError("请填写地址", field="address")
    if "capacity" in data and (data["capacity"] is None or data["capacity"] < 1):
        raise DomainError("容纳人数至少为1人", field="capacity")
    lat, lng = data.get("latitude"), data.get("longitude")
    if (lat is None) != (lng is None) and ("latitude" in data or "longitude" in data):
        raise DomainError("经纬度须同时填写", field="latitude")
    if lat is not None and not Decimal(-90) <= Decimal(lat) <= Decimal(90):
        raise DomainError("纬度应在-90到90之间", field="latitude")
    if lng is not None and not Decimal(-180) <= Decimal(lng) <= Decimal(180):
        raise DomainError("经度应在-180到180之间", field="longitude")
    return data


def _snapshot(obj, fields) -> dict[str, Any]:
    out = {}
    for f in fields:
        value = getattr(obj, f + "_id" if f == "org_unit" else f)
        if f == "mobile":
            value = obj.mobile_masked
        out[f] = str(value) if isinstance(value, Decimal) else value
    return out


# -- trainers -------------------------------------------------------------------------------
@transaction.atomic
def create_trainer(
    org_unit: OrgUnit,
    *,
    actor,
    name: str,
    organisation: str = "",
    title: str = "",
    qualifications: str = "",
    mobile: str = "",
    skills: list[Skill] = (),
) -> Trainer:
    _require(actor, "trainer", org_unit)
    data = _check_trainer(
        {"name": name, "organisation": organisation, "title": title,
         "qualifications": qualifications, "mobile": mobile}
    )  # fmt: skip
    trainer = Trainer.objects.create(org_unit=org_unit, **data)
    if skills:
        trainer.skills.set(skills)
    audit.record(
        "trainer.create", actor=actor, obj=trainer, after=_snapshot(trainer, TRAINER_FIELDS)
    )
    return trainer


@transaction.atomic
def update_trainer(trainer: Trainer, *, actor, skills: list[Skill] | None = None, **changes):
    unknown = set(changes) - set(TRAINER_FIELDS)
    if unknown:
        raise DomainError("不能修改：" + "、".join(sorted(unknown)))
    _require(actor, "trainer", trainer.org_unit)
    if "org_unit" in changes:
        _require(actor, "trainer", changes["org_unit"])
    data = _check_trainer(changes)
    before = _snapshot(trainer, TRAINER_FIELDS)
    for key, value in data.items():
        setattr(trainer, key, value)
    trainer.save(update_fields=list(data))
    if skills is not None:
        trainer.skills.set(skills)
    audit.record(
        "trainer.update", actor=actor, obj=trainer, before=before,
        after=_snapshot(trainer, TRAINER_FIELDS),
    )  # fmt: skip
    return trainer


@transaction.atomic
def retire_trainer(trainer: Trainer, *, actor, active: bool = False) -> Trainer:
    """Take a trainer out of the database (or back in); their history stays."""
    _require(actor, "trainer", trainer.org_unit)
    if trainer.active == active:
        raise DomainError("该培训师已在库" if active else "该培训师已不在库", code="state")
    trainer.active = active
    trainer.save(update_fields=["active"])
    audit.record(
        "trainer.retire" if not active else "trainer.restore", actor=actor, obj=trainer,
        before={"active": not active}, after={"active": active},
    )  # fmt: skip
    return trainer


# -- venues ---------------------------------------------------------------------------------
@transaction.atomic
def create_venue(
    org_unit: OrgUnit,
    *,
    actor,
    name: str,
    address: str,
    capacity: int,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    facilities: str = "",
    opening_hours: str = "",
) -> Venue:
    _require(actor, "venue", org_unit)
    data = _check_venue(
        {"name": name, "address": address, "capacity": capacity, "latitude": latitude,
         "longitude": longitude, "facilities": facilities, "opening_hours": opening_hours}
    )  # fmt: skip
    venue = Venue.objects.create(org_unit=org_unit, **data)
    audit.record("venue.create", actor=actor, obj=venue, after=_snapshot(venue, VENUE_FIELDS))
    return venue


@transaction.atomic
def update_venue(venue: Venue, *, actor, **changes) -> Venue:
    unknown = set(changes) - set(VENUE_FIELDS) - {"active"}
    if unknown:
        raise DomainError("不能修改：" + "、".join(sorted(unknown)))
    _require(actor, "venue", venue.org_unit)
    if "org_unit" in changes:
        _require(actor, "venue", changes["org_unit"])
    data = _check_venue(changes)
    before = _snapshot(venue, VENUE_FIELDS)
    for key, value in data.items():
        setattr(venue, key, value)
    venue.save(update_fields=list(data))
    audit.record(
        "venue.update", actor=actor, obj=venue, before=before,
        after=_snapshot(venue, VENUE_FIELDS),
    )  # fmt: skip
    return venue
