# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas of the reform list."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from .enums import Category, ReformStatus, SourceKind


class MilestoneOut(Schema):
    id: int
    title: str
    weight: int
    due_on: dt.date
    progress: int
    done_on: dt.date | None
    evidence: str


class HistoryOut(Schema):
    from_status: str
    to_status: ReformStatus
    note: str
    actor_label: str
    at: dt.datetime


class ReformItemOut(Schema):
    id: int
    title: str
    category: Category
    category_label: str = Field(alias="get_category_display")
    goal: str
    org_unit_id: int
    org_unit_name: str = Field(alias="org_unit.name")
    status: ReformStatus
    status_label: str = Field(alias="get_status_display")
    progress: Decimal
    due_on: dt.date | None
    source_kind: SourceKind
    source_summary: str


class ReformItemDetailOut(ReformItemOut):
    milestones: list[MilestoneOut]
    history: list[HistoryOut]


class PublicItemOut(Schema):
    """What the public page shows: no source references, no actors."""

    id: int
    title: str
    category: Category
    category_label: str = Field(alias="get_category_display")
    goal: str
    org_unit_name: str = Field(alias="org_unit.name")
    status: ReformStatus
    status_label: str = Field(alias="get_status_display")
    progress: Decimal
    due_on: dt.date | None
    milestones: list[MilestoneOut]


class ReformItemIn(Schema):
    org_unit_id: int
    title: str = Field(max_length=100)
    category: Category
    goal: str = Field(max_length=2000)
    due_on: dt.date | None = None


class MilestoneIn(Schema):
    title: str = Field(max_length=100)
    weight: int = Field(ge=1, le=100)
    due_on: dt.date


class ProgressIn(Schema):
    progress: int = Field(ge=0, le=100)
    evidence: str = Field("", max_length=500)


class ReformTransitionIn(Schema):
    action: Literal["start", "suspend", "resume", "complete", "cancel"]
    note: str = Field("", max_length=300)
