# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas for orgs. Personal data leaves masked."""

import datetime as dt

from ninja import Field, Schema

from .enums import IdType, OrgKind, Role


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: OrgKind
    kind_label: str = Field(alias="get_kind_display")
    parent_id: int | None
    depth: int
    division_code: str


class OrgUnitIn(Schema):
    parent_id: int
    name: str = Field(min_length=1, max_length=100)
    kind: OrgKind
    division_code: str = ""


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    union_id: int
    industry: str
    headcount: int


class EnterpriseIn(Schema):
    union_id: int
    name: str = Field(min_length=1, max_length=100)
    credit_code: str
    industry: str = ""
    address: str = ""
    headcount: int = Field(0, ge=0)


class PersonOut(Schema):
    id: int
    name: str
    id_type: IdType
    id_number: str = Field(alias="id_number_masked")
    sex: str
    birth_date: dt.date
    mobile: str = Field(alias="mobile_masked")
    ethnicity: str
    education: str
    skill_level: str
    household_type: str
    political_status: str
    is_migrant_worker: bool


class MemberOut(Schema):
    id: int
    person: PersonOut
    union_id: int
    union_name: str = Field(alias="union.name")
    enterprise_id: int | None
    card_number: str | None
    status: str
    joined_on: dt.date
    left_on: dt.date | None


class MemberIn(Schema):
    union_id: int
    enterprise_id: int | None = None
    joined_on: dt.date
    card_number: str | None = None
    name: str = Field(min_length=1, max_length=50)
    id_type: IdType = IdType.RESIDENT
    id_number: str
    sex: str | None = None
    birth_date: dt.date | None = None
    mobile: str = ""
    ethnicity: str = ""
    education: str = ""
    skill_level: str = ""
    household_type: str = ""
    political_status: str = ""
    is_migrant_worker: bool = False


class TransferIn(Schema):
    to_union_id: int
    date: dt.date
    reason: str = Field("", max_length=200)
    enterprise_id: int | None = None


class WithdrawIn(Schema):
    date: dt.date
    reason: str = Field("", max_length=200)


class PiiOut(Schema):
    field: str
    value: str


class RoleOut(Schema):
    id: int
    user_id: int
    username: str = Field(alias="user.username")
    role: Role
    org_unit_id: int
    enterprise_id: int | None
    department_id: int | None


class RoleIn(Schema):
    user_id: int
    role: Role
    org_unit_id: int
    enterprise_id: int | None = None
    department_id: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    org_unit_id: int
    role: Role
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    org_unit_id: int
    role: Role


class TokenCreatedOut(TokenOut):
    key: str
