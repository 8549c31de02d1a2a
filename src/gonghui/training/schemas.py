# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas for training plans."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from .enums import Level, Mode, PlanState, Stance


class SkillOut(Schema):
    id: int
    name: str
    category: str
    occupation_code: str
    levels: list[str]


class CourseOut(Schema):
    id: int
    title: str
    hours: Decimal


class SessionOut(Schema):
    id: int
    course_id: int | None
    trainer_id: int
    trainer_name: str = Field(alias="trainer.name")
    venue_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime


class PlanOut(Schema):
    id: int
    title: str
    org_unit_id: int
    skill_id: int
    skill_name: str = Field(alias="skill.name")
    level: Level
    state: PlanState
    state_label: str = Field(alias="get_state_display")
    content: str
    mode: Mode
    capacity: int
    cost_per_person: Decimal
    subsidy_per_person: Decimal
    members_only: bool
    target_completion_rate: int
    target_certification_rate: int
    target_satisfaction: int
    enrol_cutoff: dt.datetime | None
    version: int
    announced_at: dt.datetime | None


class PlanDetailOut(PlanOut):
    courses: list[CourseOut]
    sessions: list[SessionOut]


class PlanIn(Schema):
    org_unit_id: int
    title: str = Field(min_length=1, max_length=100)
    skill_id: int
    level: Level
    capacity: int = Field(ge=1)
    item_ids: list[int] = []
    content: str = ""
    mode: Mode = Mode.ONSITE
    cost_per_person: Decimal = Field(Decimal("0"), ge=0)
    subsidy_per_person: Decimal = Field(Decimal("0"), ge=0)
    members_only: bool = True
    eligible_unit_ids: list[int] = []
    enrol_cutoff: dt.datetime | None = None
    target_completion_rate: int = Field(ge=0, le=100)
    target_certification_rate: int = Field(ge=0, le=100)
    target_satisfaction: int = Field(ge=0, le=100)


class CourseIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    hours: Decimal = Field(gt=0, max_digits=5, decimal_places=1, description="学时（0.1–9999.9）")


class SessionIn(Schema):
    trainer_id: int
    venue_id: int | None = None
    course_id: int | None = None
    starts_at: dt.datetime
    ends_at: dt.datetime
    override_reason: str = Field("", max_length=200, description="培训师未登记本技能时必填")


class RescheduleIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    trainer_id: int | None = None
    venue_id: int | None = None
    reason: str = Field("", max_length=200)


class ReviseIn(Schema):
    reason: str = Field(min_length=1, max_length=300)
    adopted_opinion_ids: list[int] = []
    title: str | None = None
    content: str | None = None
    mode: Mode | None = None
    capacity: int | None = Field(None, ge=1)
    cost_per_person: Decimal | None = None
    subsidy_per_person: Decimal | None = None
    members_only: bool | None = None
    target_completion_rate: int | None = Field(None, ge=0, le=100)
    target_certification_rate: int | None = Field(None, ge=0, le=100)
    target_satisfaction: int | None = Field(None, ge=0, le=100)
    enrol_cutoff: dt.datetime | None = None


class VersionOut(Schema):
    number: int
    reason: str
    created_at: dt.datetime
    snapshot: dict


class ConsultationIn(Schema):
    closes_at: dt.datetime


class OpinionIn(Schema):
    stance: Stance
    text: str = Field("", max_length=1000)


class OpinionOut(Schema):
    id: int
    party: str
    stance: Stance
    text: str
    reply: str
    replied_at: dt.datetime | None
    adopted_in_version: int | None
    created_at: dt.datetime


class ReplyIn(Schema):
    reply: str = Field(min_length=1, max_length=1000)


#: The actions of ``POST /plans/{id}/transitions``, in workflow order.
PlanAction = Literal[
    "approve", "announce", "open_enrolment", "start", "complete", "archive", "cancel"
]


class PlanTransitionIn(Schema):
    action: PlanAction = Field(description="方案状态操作")
    reason: str = ""
    close_early: bool = False


class PlanEventOut(Schema):
    kind: str
    from_state: str
    to_state: str
    summary: str
    figures: dict
    at: dt.datetime


class SummaryOut(Schema):
    total: int
    replied: int
    by_party: dict[str, dict[str, int]]
    changes: list[dict]
