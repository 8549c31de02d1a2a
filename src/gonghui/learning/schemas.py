# SPDX-License-Identifier: AGPL-3.0-or-later
"""API schemas of the learning app (names start with ``Learning`` or ``Library`` to stay
unique across the one OpenAPI document)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class LearningCourseOut(Schema):
    id: int
    title: str
    summary: str
    lecturer: str
    org_unit_id: int
    skill_id: int | None
    level: str
    hours: Decimal
    price_class: str
    list_price: Decimal
    member_price: Decimal
    subsidy_percent: int
    subsidy_rule: str
    tags: str
    state: str


class LearningLessonOut(Schema):
    id: int
    chapter_id: int
    title: str
    kind: str
    duration: int
    video_id: int | None
    quiz_bank_id: int | None


class LearningCourseDetailOut(LearningCourseOut):
    lessons: list[LearningLessonOut]

    @staticmethod
    def resolve_lessons(obj) -> list:
        return list(obj.lessons.all())


class LearningEnrollmentOut(Schema):
    id: int
    course_id: int
    enrolled_at: dt.datetime
    completed_at: dt.datetime | None
    hours_credited: Decimal
    price_paid: Decimal
    subsidy: Decimal


class LearningBeatIn(Schema):
    lesson: int
    position: float = Field(..., ge=0, le=1e6)
    start: float = Field(..., ge=0, le=1e6)
    end: float = Field(..., ge=0, le=1e6)
    at: int = Field(..., ge=0, le=10**14)


class LearningBeatsIn(Schema):
    beats: list[LearningBeatIn] = Field(..., max_length=100)


class LearningBeatOut(Schema):
    lesson_id: int
    ok: bool
    message: str
    position: float
    watched_ratio: float
    completed: bool


class LearningBankOut(Schema):
    id: int
    title: str
    skill_id: int
    level: str
    exam_size: int
    exam_minutes: int
    pass_mark: int


class LearningQuestionOut(Schema):
    id: int
    kind: str
    stem: str
    options: list[str]


class LearningNextOut(Schema):
    reason: str
    question: LearningQuestionOut | None


class LearningAnswerIn(Schema):
    given: list[int] | list[str] = Field(..., max_length=10)


class LearningAnswerOut(Schema):
    correct: bool
    answer: Any
    explanation: str
    box: int
    due_at: dt.datetime


class LearningAttemptOut(Schema):
    id: int
    kind: str
    bank_id: int
    state: str
    started_at: dt.datetime
    deadline: dt.datetime
    score: int | None
    pass_mark: int
    passed: bool
    questions: list[LearningQuestionOut] = []

    @staticmethod
    def resolve_questions(obj) -> list:
        if getattr(obj, "with_questions", False):
            from .models import Question

            by_id = Question.objects.in_bulk(obj.question_ids)
            return [by_id[i] for i in obj.question_ids if i in by_id]
        return []


class LearningAttemptIn(Schema):
    answers: dict[str, list[int] | list[str]] = Field(default_factory=dict)


class LearningVideoIn(Schema):
    org_unit_id: int
    title: str = Field(..., max_length=120)
    size: int = Field(..., gt=0)


class LearningVideoOut(Schema):
    id: int
    title: str
    size: int
    received: int
    state: str
    progress: int
    message: str
    duration: float


class LibraryRoomOut(Schema):
    id: int
    name: str
    org_unit_id: int
    address: str
    opening_hours: str
    loan_days: int


class LibraryCardOut(Schema):
    id: int
    number: str
    room_id: int
    basis: str
    loan_limit: int
    active: bool


class LibraryLoanOut(Schema):
    id: int
    barcode: str = Field(..., alias="copy.barcode")
    title: str = Field(..., alias="copy.title.title")
    room_id: int
    returned_room_id: int | None
    state: str
    loaned_at: dt.datetime
    due_on: dt.date
    renewals: int
    returned_at: dt.datetime | None


class LibraryCheckoutIn(Schema):
    barcode: str = Field(..., max_length=32)
    card_number: str = Field("", max_length=20)


class LibraryCheckinIn(Schema):
    barcode: str = Field(..., max_length=32)


class LibraryHoldIn(Schema):
    isbn: str = Field(..., max_length=17)


class LibraryHoldOut(Schema):
    id: int
    isbn: str = Field(..., alias="title.isbn")
    title: str = Field(..., alias="title.title")
    room_id: int
    state: str
    placed_at: dt.datetime
