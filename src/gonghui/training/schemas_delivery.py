# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas for delivery and outcomes: check-in, attendance, certificates,
the growth record (成长档案) and notifications (站内消息)."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .enums import Level


class CodeCheckInIn(Schema):
    code: str = Field(..., max_length=20, description="签到屏上二维码中的动态码")


class ManualCheckInIn(Schema):
    person_id: int
    reason: str = Field(..., max_length=200)


class CheckInOut(Schema):
    id: int
    session_id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    method: str
    method_label: str = Field(alias="get_method_display")
    reason: str
    at: dt.datetime


class SessionAttendanceOut(Schema):
    session_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    trainer_id: int
    trainer_name: str
    venue_id: int | None
    venue_name: str | None
    expected: int
    present: int
    manual: int
    rate: float


class PersonAttendanceOut(Schema):
    person_id: int
    name: str
    attended: int
    sessions: int
    rate: float


class OverallOut(Schema):
    present: int
    expected: int
    rate: float


class PlanAttendanceOut(Schema):
    plan_id: int
    overall: OverallOut
    sessions: list[SessionAttendanceOut]
    people: list[PersonAttendanceOut]


class CertificateIn(Schema):
    person_id: int
    plan_id: int | None = None
    skill_id: int
    level: Level
    number: str = Field(..., max_length=50)
    issuer: str = Field(..., max_length=100)
    issued_on: dt.date
    score: Decimal | None = None


class CertificateOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    plan_id: int | None
    skill_id: int
    skill_name: str = Field(alias="skill.name")
    level: Level
    level_label: str = Field(alias="get_level_display")
    number: str
    issuer: str
    issued_on: dt.date
    score: Decimal | None


class TrainingEntryOut(Schema):
    enrollment_id: int
    plan_id: int
    plan_title: str
    plan_state: str
    skill_name: str
    status: str
    status_label: str
    seat: int | None
    waitlist_position: int | None
    sessions: int
    held: int
    attended: int


class GrowthLearningOut(Schema):
    """An entry another app keeps in the growth record (``core.growth``)."""

    kind: str
    title: str
    hours: Decimal
    completed_at: dt.datetime
    url: str
    category: str
    level: str  # honours: team … national
    level_label: str
    detail: str


class GrowthOut(Schema):
    person_id: int
    trainings: list[TrainingEntryOut]
    sessions_attended: int
    sessions_held: int
    attendance_rate: float
    certificates: list[CertificateOut]
    learning_hours: Decimal
    learning: list[GrowthLearningOut]
    awards: list[GrowthLearningOut]
    mentorship: list[GrowthLearningOut]


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    text: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadOut(Schema):
    unread: int


class ReadOut(Schema):
    marked: int
    unread: int
