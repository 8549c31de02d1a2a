# SPDX-License-Identifier: AGPL-3.0-or-later
"""API In/Out schemas of the insight app."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from .enums import Metric, RectificationSource, RectificationStatus, Step, Verdict


class AlertOut(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(alias="plan.title")
    org_unit_id: int
    org_unit_name: str = Field(alias="org_unit.name")
    step: Step
    step_label: str = Field(alias="get_step_display")
    due_at: dt.datetime
    detail: str
    limit_days: int
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None


class LimitOut(Schema):
    step: str
    label: str
    days: int
    active: bool
    customised: bool


class LimitIn(Schema):
    org_unit_id: int
    step: Step
    days: int = Field(ge=1, le=365)
    active: bool = True


class QualityRuleOut(Schema):
    id: int
    org_unit_id: int
    metric: Metric
    metric_label: str = Field(alias="get_metric_display")
    dimension: str
    threshold: Decimal
    deadline_days: int
    active: bool


class QualityRuleIn(Schema):
    org_unit_id: int
    metric: Metric
    dimension: str = ""
    threshold: Decimal = Field(ge=0, le=100)
    deadline_days: int = Field(30, ge=1, le=365)
    active: bool = True


class RectificationOut(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(alias="plan.title")
    org_unit_id: int
    org_unit_name: str = Field(alias="org_unit.name")
    source: RectificationSource
    metric: str
    dimension: str
    measured: Decimal | None
    threshold: Decimal | None
    title: str
    finding: str
    deadline: dt.date
    status: RectificationStatus
    status_label: str = Field(alias="get_status_display")
    overdue: bool
    evidence: str
    opened_at: dt.datetime
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    reform_item_id: int | None


class RectificationEventOut(Schema):
    from_status: str
    to_status: str
    note: str
    actor_label: str
    at: dt.datetime


class RectificationDetailOut(RectificationOut):
    events: list[RectificationEventOut]


class RectificationActionIn(Schema):
    action: Literal["submit", "accept", "return"]
    note: str = Field("", max_length=300)
    evidence: str = Field("", max_length=2000)


class EscalateIn(Schema):
    title: str = Field(max_length=100)
    category: Literal["data_sharing", "collaboration", "process", "institution"]
    goal: str = Field(max_length=2000)


class InspectionOut(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(alias="plan.title")
    session_id: int | None
    org_unit_id: int
    inspector_label: str
    inspected_at: dt.datetime
    verdict: Verdict
    verdict_label: str = Field(alias="get_verdict_display")
    present: int | None
    findings: str
    photo_count: int


class InspectionIn(Schema):
    plan_id: int
    session_id: int | None = None
    verdict: Verdict
    findings: str = Field(max_length=2000)
    present: int | None = Field(None, ge=0)
    inspected_at: dt.datetime | None = None


class SessionAttendanceSummaryOut(Schema):
    session_id: int
    plan_id: int
    status: str
    enrolled: int
    checked_in: int
    rate: float | None
    missing: int
    as_of: dt.datetime


class DashboardOut(Schema):
    """Every figure of the leadership dashboard (see docs/insight.md for each block)."""

    period: dict[str, str]
    scope: list[str]
    kpis: dict[str, Any]
    pipeline: list[dict[str, Any]]
    demand: dict[str, Any]
    satisfaction: list[dict[str, Any]]
    trainers: list[dict[str, Any]]
    venues: list[dict[str, Any]]
    weak_spots: list[dict[str, Any]]
    parties: dict[str, Any]
    rectifications: dict[str, Any]
    overdue: dict[str, Any]
    reform: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    scores_as_of: dict[str, Any]
