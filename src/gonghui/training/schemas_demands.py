# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas for the demand list (需求清单) and demand items (需求项)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .enums import DemandStatus, Level, Mode, Party, TimeSlot


class DemandIn(Schema):
    """One demand. ``party`` says whose it is and which fields apply:

    - ``worker`` (the caller's own): ``skill_id`` and/or ``free_text``, ``level``,
      ``current_level``, ``preferred_time``, ``mode``, ``place``;
    - ``enterprise``: ``enterprise_id``, ``skill_id``, ``headcount``, ``level``,
      ``deadline``, ``release_in_work_hours``;
    - ``department``: ``department_id``, ``skill_id``, ``target_number``,
      ``subsidy_per_person``, ``policy_basis``, ``deadline``, ``level``.
    """

    party: Party
    skill_id: int | None = None
    free_text: str = Field("", max_length=200)
    level: Level = Level.L5
    current_level: Level | None = None
    preferred_time: TimeSlot = TimeSlot.FLEXIBLE
    mode: Mode = Mode.ONSITE
    place: str = Field("", max_length=100)
    enterprise_id: int | None = None
    headcount: int | None = None
    deadline: dt.date | None = None
    release_in_work_hours: bool = False
    department_id: int | None = None
    target_number: int | None = None
    subsidy_per_person: Decimal = Decimal("0")
    policy_basis: str = Field("", max_length=200)


class MapIn(Schema):
    skill_id: int


class DemandOut(Schema):
    id: int
    party: Party
    party_label: str = Field(alias="get_party_display")
    status: DemandStatus
    status_label: str = Field(alias="get_status_display")
    skill_id: int | None
    skill_name: str | None
    free_text: str
    match_method: str
    level: Level
    level_label: str = Field(alias="get_level_display")
    current_level: str
    preferred_time: TimeSlot
    mode: Mode
    place: str
    headcount: int
    deadline: dt.date | None
    release_in_work_hours: bool
    subsidy_per_person: Decimal
    policy_basis: str
    person_id: int | None
    enterprise_id: int | None
    department_id: int | None
    org_unit_id: int
    area_id: int
    item_id: int | None
    created_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @staticmethod
    def resolve_skill_name(obj) -> str | None:
        return obj.skill.name if obj.skill_id else None


class PriorityTermOut(Schema):
    key: str
    label: str
    quantity: float
    weight: float
    points: float


class DemandItemOut(Schema):
    id: int
    skill_id: int
    skill_name: str = Field(alias="skill.name")
    level: Level
    level_label: str = Field(alias="get_level_display")
    area_id: int
    area_name: str = Field(alias="area.name")
    status: str
    worker_count: int
    enterprise_count: int
    enterprise_headcount: int
    department_count: int
    department_target: int
    department_funding: Decimal
    total_people: int
    unmet_rounds: int
    oldest_demand_at: dt.datetime | None
    priority: float
    priority_breakdown: list[PriorityTermOut]

    @staticmethod
    def resolve_priority_breakdown(obj) -> list[dict]:
        from .domain.analysis import priority_breakdown

        return priority_breakdown(obj)


class RebuildOut(Schema):
    items: int
    created: int
    updated: int
    emptied: int
    deleted: int
    demands_linked: int


class ShareOut(Schema):
    value: str
    label: str
    count: int
    share: float


class WordingOut(Schema):
    text: str
    count: int


class WhatOut(Schema):
    skill_id: int
    skill_name: str
    level: str
    level_label: str
    wordings: list[WordingOut]
    parties: dict[str, int]


class HowOut(Schema):
    requesters: int
    modes: list[ShareOut]
    times: list[ShareOut]
    places: list[ShareOut]
    enterprise_demands: int
    enterprises_releasing: int


class EffectOut(Schema):
    completion_rate: int | None
    certification_rate: int | None
    satisfaction: int | None
    plan_id: int | None
    note: str


class ItemProfileOut(Schema):
    """The item page's three questions: 培训什么, 怎样培训, 成效如何."""

    item: DemandItemOut
    formula: str
    what: WhatOut
    how: HowOut
    effect: EffectOut
