# SPDX-License-Identifier: AGPL-3.0-or-later
"""会考吧: question banks per skill and level, the worker's answers, the review schedule
(spaced repetition, a Leitner box per question) and timed attempts (mock exams, quizzes)."""

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person
from gonghui.training.enums import Level
from gonghui.training.models import Skill

from ..enums import AttemptKind, AttemptState, QuestionKind


class QuestionBankQuerySet(ScopedQuerySet):
    scope_kind = "questionbank"


class QuestionBank(models.Model):
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("题库名称", max_length=80)
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    exam_size = models.PositiveSmallIntegerField("模拟考试题数", default=20)
    exam_minutes = models.PositiveSmallIntegerField("考试时长（分钟）", default=30)
    pass_mark = models.PositiveSmallIntegerField("及格分", default=60)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuestionBankQuerySet.as_manager()

    class Meta:
        ordering = ["skill_id", "level", "id"]
        verbose_name = "题库"
        verbose_name_plural = "题库"

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=12, choices=QuestionKind.choices)
    stem = models.TextField("题干", max_length=2000)
    #: Choice texts (single, multiple); empty for true/false and fill-in.
    options = models.JSONField(default=list, blank=True)
    #: Correct answer: option indices (choices; true/false: [1] true, [0] false) or the
    #: accepted texts of a fill-in (any one is right).
    answer = models.JSONField()
    explanation = models.TextField("解析", max_length=2000, blank=True)
    #: The stem normalised (whitespace, punctuation, case), unique per bank: no duplicates.
    digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["bank_id", "id"]
        verbose_name = "试题"
        verbose_name_plural = "试题"
        constraints = [
            models.UniqueConstraint(fields=["bank", "digest"], name="learning_question_unique")
        ]

    def __str__(self) -> str:
        return self.stem[:40]


class AnswerQuerySet(ScopedQuerySet):
    scope_kind = "practiceanswer"


class Answer(models.Model):
    """One answer given (practice, quiz or exam): the history the schedule is built from."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    correct = models.BooleanField()
    given = models.JSONField()
    answered_at = models.DateTimeField()
    attempt = models.ForeignKey(
        "learning.ExamAttempt", null=True, blank=True, on_delete=models.CASCADE,
        related_name="answers",
    )  # fmt: skip

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = "答题记录"
        verbose_name_plural = "答题记录"
        indexes = [models.Index(fields=["person", "answered_at"], name="learning_answer_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.question_id}"


class ReviewItem(models.Model):
    """The spaced-repetition state of one question for one person (Leitner: a right answer
    moves it up a box, a wrong one back to box 0; box n comes back after INTERVALS[n])."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    box = models.PositiveSmallIntegerField(default=0)
    due_at = models.DateTimeField()
    wrong = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "question"], name="learning_review_once")
        ]
        indexes = [
            models.Index(fields=["person", "bank", "due_at"], name="learning_review_due"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.question_id}"


class PracticeCursor(models.Model):
    """Every question of ``bank`` with a primary key up to ``seen_through`` has been seen by
    ``person``: the search for a question not yet seen starts after it (questions are
    introduced in bank order, and new questions always get higher keys)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="+")
    seen_through = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "bank"], name="learning_cursor_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.bank_id}≤{self.seen_through}"


class ExamAttemptQuerySet(ScopedQuerySet):
    scope_kind = "examattempt"


class ExamAttempt(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="attempts")
    kind = models.CharField(max_length=8, choices=AttemptKind.choices)
    lesson = models.ForeignKey(
        "learning.Lesson", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question_ids = models.JSONField()
    state = models.CharField(
        max_length=10, choices=AttemptState.choices, default=AttemptState.RUNNING
    )
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    pass_mark = models.PositiveSmallIntegerField()
    passed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ExamAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "考试记录"
        verbose_name_plural = "考试记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.bank.title}"
