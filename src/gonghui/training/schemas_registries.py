# SPDX-License-Identifier: AGPL-3.0-or-later
"""Schemas of the registries (师资库, 成果库) and the proposal engine. Names are prefixed
(``Training…``): django-ninja schema names are unique across apps."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from .enums import Level, OutcomeKind


class TrainingQualificationOut(Schema):
    id: int
    skill_id: int
    skill_name: str = Field(alias="skill.name")
    level: Level
    certificate_number: str
    issuer: str
    expires_on: dt.date | None


class TrainingQualificationIn(Schema):
    skill_id: int
    level: Level
    certificate_number: str = Field("", max_length=50)
    issuer: str = Field("", max_length=100)
    expires_on: dt.date | None = None


class TrainingTrainerOut(Schema):
    id: int
    name: str
    organisation: str
    title: str
    org_unit_id: int
    active: bool
    available_slots: list[str]
    skill_ids: list[int]
    qualifications: list[TrainingQualificationOut]

    @staticmethod
    def resolve_skill_ids(obj) -> list[int]:
        return sorted(s.pk for s in obj.skills.all())

    @staticmethod
    def resolve_qualifications(obj):
        return list(obj.credentials.all())


class TrainingTrainerPlanOut(Schema):
    id: int
    title: str
    state: str
    sessions: int


class TrainingTrainerRecordOut(Schema):
    trainer: TrainingTrainerOut
    plans: list[TrainingTrainerPlanOut]
    sessions: int
    hours: float
    evaluation_index: float | None
    evaluation_responses: int
    evaluation_published: bool


class TrainingOutcomeOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    plan_id: int | None
    kind: OutcomeKind
    kind_label: str = Field(alias="get_kind_display")
    skill_id: int | None
    level_before: str
    level_after: str
    detail: str
    amount: Decimal | None
    occurred_on: dt.date
    source: str


class TrainingOutcomeIn(Schema):
    person_id: int
    kind: OutcomeKind
    occurred_on: dt.date
    plan_id: int | None = None
    skill_id: int | None = None
    level_before: Level | None = None
    level_after: Level | None = None
    detail: str = Field("", max_length=200)
    amount: Decimal | None = None


class TrainingRegistryImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int


class TrainingProposalIn(Schema):
    item_ids: list[int] = Field(min_length=1)
    start_on: dt.date | None = None
    trainer_id: int | None = None
    override_reason: str = Field("", max_length=200)


class TrainingProposalReasonOut(Schema):
    key: str
    label: str
    value: str
    reason: str


class TrainingProposalOut(Schema):
    plan_id: int
    title: str
    reasons: list[TrainingProposalReasonOut]
    warnings: list[str]


class TrainingExpertIn(Schema):
    user_id: int
    note: str = Field("", max_length=200)
