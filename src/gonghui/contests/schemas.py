# SPDX-License-Identifier: AGPL-3.0-or-later
"""API schemas of the contests app (names start with ``Contest`` to stay unique across
the one OpenAPI document)."""

import datetime as dt

from ninja import Field, Schema


class ContestCriterionOut(Schema):
    id: int
    name: str
    weight: int


class ContestEventOut(Schema):
    id: int
    name: str
    kind: str
    mode: str
    better: str
    unit_label: str
    sex: str
    min_age: int | None
    max_age: int | None
    team_min: int
    team_max: int
    scale_max: int
    criteria: list[ContestCriterionOut]


class ContestRoundOut(Schema):
    id: int
    name: str
    kind: str
    order: int
    advance: int
    upload_deadline: dt.datetime
    scoring_deadline: dt.datetime
    state: str


class ContestOut(Schema):
    id: int
    name: str
    org_unit_id: int
    eligible_union_id: int
    parent_id: int | None
    state: str
    cohosts: str


class ContestDetailOut(ContestOut):
    notice: str
    stream_url: str
    normalise: bool
    trim: bool
    one_event_per_person: bool
    events: list[ContestEventOut]
    rounds: list[ContestRoundOut]


class ContestEntryOut(Schema):
    id: int
    contest_id: int
    event_id: int
    unit_id: int
    unit: str = Field(..., alias="unit.name")
    number: int
    name: str
    round_id: int
    state: str


class ContestEntryIn(Schema):
    event_id: int
    unit_id: int
    person_ids: list[int] = Field(..., min_length=1, max_length=100)
    name: str = Field("", max_length=80)


class ContestTransitionIn(Schema):
    to: str = Field(..., description="registration、judging、results、published")


class ContestScoreIn(Schema):
    entry_id: int
    values: dict[str, float] = Field(
        ..., description='评分项id→分数；计量项目为 {"value": 确认成绩}'
    )


class ContestScoreOut(Schema):
    id: int
    entry_id: int
    round_id: int
    criterion_id: int | None
    value: float


class ContestJudgeOut(Schema):
    id: int
    event_id: int
    contest_id: int = Field(..., alias="event.contest_id")
    name: str
    state: str


class ContestRankedOut(Schema):
    round_id: int
    event_id: int
    entry_id: int
    number: int
    rank: int
    result: float
    raw_mean: float
    judges: int


class ContestAwardOut(Schema):
    id: int
    event_id: int
    entry_id: int
    tier: str = Field(..., alias="tier.name")
    rank: int | None
    score: float | None
    certificate_no: str


class ContestStatsOut(Schema):
    units_total: int
    units_registered: int
    units_uploaded: int
    uploaded_share: float
    participants: int
    entries: int
    by_sex: dict[str, int]
    by_age: dict[str, int]
    previous_participants: int | None
