# SPDX-License-Identifier: AGPL-3.0-or-later
"""API schemas of the mentorship app (names start with ``Mentorship`` to stay unique
across the one OpenAPI document)."""

import datetime as dt

from ninja import Field, Schema


class MentorshipProgrammeOut(Schema):
    id: int
    name: str
    org_unit_id: int
    min_level: str
    max_apprentices: int
    agreement_months: int
    weight_kpi: int
    weight_improvement: int
    weight_attitude: int


class MentorshipMentorOut(Schema):
    id: int
    programme_id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    skill: str = Field(..., alias="skill.name")
    level: str
    department: str
    state: str
    term_start: dt.date | None
    term_end: dt.date | None


class MentorshipMentorIn(Schema):
    person_id: int
    skill_id: int
    level: str
    department: str = Field("", max_length=60)
    strengths: str = Field("", max_length=1000)
    awards: str = Field("", max_length=1000)
    innovations: str = Field("", max_length=1000)


class MentorshipReviewIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class MentorshipApprenticeIn(Schema):
    person_id: int
    skill_id: int
    department: str = Field("", max_length=60)
    learning_needs: str = Field("", max_length=1000)


class MentorshipApprenticeOut(Schema):
    id: int
    programme_id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    skill: str = Field(..., alias="skill.name")
    department: str
    learning_needs: str


class MentorshipSuggestionOut(Schema):
    mentor_id: int
    name: str
    level: str
    load: int
    free: int
    reasons: list[str]


class MentorshipGoalIn(Schema):
    title: str = Field(..., min_length=1, max_length=120)
    weight: int = Field(..., ge=1, le=100)
    due_on: dt.date


class MentorshipGoalOut(Schema):
    id: int
    title: str
    weight: int
    due_on: dt.date
    score: int | None
    met_on: dt.date | None


class MentorshipAgreementIn(Schema):
    mentor_id: int
    apprentice_id: int
    starts_on: dt.date
    months: int | None = Field(None, ge=1, le=120)
    goals: list[MentorshipGoalIn] = Field(..., max_length=20)


class MentorshipAgreementOut(Schema):
    id: int
    programme_id: int
    mentor_id: int
    apprentice_id: int
    mentor_name: str = Field(..., alias="mentor.person.name")
    apprentice_name: str = Field(..., alias="apprentice.person.name")
    state: str
    starts_on: dt.date
    ends_on: dt.date
    completed_on: dt.date | None
    end_reason: str
    previous_id: int | None
    goals: list[MentorshipGoalOut]


class MentorshipSignIn(Schema):
    role: str


class MentorshipActionIn(Schema):
    """start, midterm, resume, complete (出徒) or terminate (a reason in ``note``)."""

    action: str
    note: str = Field("", max_length=300)


class MentorshipLeaderOut(Schema):
    id: int | None
    name: str
    points: int


class MentorshipAssessmentOut(Schema):
    kpi: float | None
    improvement: float
    attitude: float | None
    total: float
    grade: str
    grade_label: str
    steps: list[str]


class MentorshipScoringPeriodIn(Schema):
    name: str = Field(max_length=40)
    starts_on: dt.date
    ends_on: dt.date
    closes_at: dt.datetime


class MentorshipPersonScoreOut(Schema):
    kind: str
    kind_label: str
    person_id: int
    person_name: str
    invited: int
    responses: int
    published: bool
    mean: float | None
    index: float | None
    reason: str


class MentorshipScoringPeriodOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    state: str
    closes_at: dt.datetime
    forms: int
    invited: int
    scores: list[MentorshipPersonScoreOut]


class MentorshipToScoreOut(Schema):
    period_id: int
    period_name: str
    target_id: int
    role: str
    subject_name: str
    questions: list[dict]


class MentorshipScoreIn(Schema):
    """Question code → 1–5."""

    answers: dict[str, int]
