# SPDX-License-Identifier: AGPL-3.0-or-later
"""API schemas of the evaluation system (In and Out kept apart)."""

import datetime as dt
import uuid
from typing import Literal

from ninja import Field, Schema

from .enums import Channel, EvaluationState, FollowUpState, ItemKind, TargetKind, TextReview


class PriorOut(Schema):
    mean: float
    weight: int
    n: int


class CountOut(Schema):
    value: int
    count: int


class DimensionOut(Schema):
    dimension: str
    label: str
    n: int
    raw: float | None
    shrunk: float | None
    prior: PriorOut
    distribution: list[CountOut]


class RateOut(Schema):
    yes: int
    n: int
    rate: float | None
    lower_bound: float | None = Field(description="Wilson 95% 下限")


class YesNoOut(RateOut):
    code: str


class RecommendationOut(Schema):
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None = Field(description="推荐者% − 贬损者%（−100…100）")


class ScoreCardOut(Schema):
    kind: str
    subject_id: int
    label: str
    evaluations: int
    responses: int = Field(description="样本量（答卷数）")
    eligible: int
    response_rate: float | None
    published: bool = Field(description="达到公布门槛；否则只给出样本量和原因")
    withheld_reason: str
    dimensions: list[DimensionOut]
    overall_raw: float | None
    overall_index: float | None = Field(description="综合指数0–100（收缩后）")
    recommendation: RecommendationOut | None
    yes_no: list[YesNoOut]
    satisfaction: RateOut | None


class EvaluationOut(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(alias="plan.title")
    state: EvaluationState
    opens_at: dt.datetime
    closes_at: dt.datetime
    completed_on: dt.date
    eligible: int
    responses: int = Field(alias="course_responses", description="答卷数")
    paper_pending: int


class QuestionOut(Schema):
    code: str
    text: str
    kind: ItemKind
    dimension: str
    required: bool


class SectionOut(Schema):
    target_id: int
    kind: TargetKind
    title: str
    answered: bool
    questions: list[QuestionOut]


class FormOut(Schema):
    evaluation_id: int
    plan_title: str
    closes_at: dt.datetime
    sections: list[SectionOut]


class TargetAnswersIn(Schema):
    target_id: int
    values: dict[str, int | str]


class AnswersIn(Schema):
    channel: Literal[Channel.ONLINE, Channel.QR] = Channel.ONLINE
    answers: list[TargetAnswersIn]


class PaperFormIn(Schema):
    answers: list[TargetAnswersIn]


class PaperReturnsIn(Schema):
    person_ids: list[int] = Field(min_length=1)


class AcceptedOut(Schema):
    targets: int = Field(description="已记录的评价对象数")


class CountResultOut(Schema):
    count: int


class WeakSpotOut(Schema):
    kind: str
    subject_id: int
    label: str
    dimension: str
    dimension_label: str
    responses: int
    n: int
    raw: float
    shrunk: float
    federation_mean: float
    gap: float
    low_share: float
    evidence: str


class QuestionnaireOut(Schema):
    id: int
    code: str
    version: int
    title: str
    state: str
    is_standard: bool
    questions: list[QuestionOut]


class TextOut(Schema):
    id: uuid.UUID
    evaluation_id: int = Field(alias="target.evaluation_id")
    plan_title: str = Field(alias="target.evaluation.plan.title")
    about: str
    question: str = Field(alias="question.text")
    channel: Channel
    text: str
    review: TextReview
    published_text: str

    @staticmethod
    def resolve_about(obj) -> str:
        t = obj.target
        return t.trainer.name if t.trainer_id else str(TargetKind.COURSE.label)


class TextReviewIn(Schema):
    id: uuid.UUID
    decision: Literal[TextReview.APPROVED, TextReview.HIDDEN]
    text: str | None = Field(None, max_length=1000)


class FollowUpOut(Schema):
    id: int
    plan_id: int
    plan_title: str = Field(alias="plan.title")
    enterprise_id: int
    person_name: str = Field(alias="person.name")
    state: FollowUpState
    due_on: dt.date
    closes_on: dt.date
    applied: int | None
    performance: int | None
    promoted: bool | None
    comment: str


class FollowUpIn(Schema):
    applied: int = Field(description="所学技能在工作中的运用（1–5）")
    performance: int = Field(description="工作表现的改善（1–5）")
    promoted: bool | None = None
    comment: str = Field("", max_length=300)
