"""Evaluations with anonymity by design (after EvaP).

Who has answered (``Participation``: target × person, nothing else) is stored apart from
what was answered. Ratings are only counters (``RatingCounter``: how many gave value v
to question q of target t through channel c); free text (``TextAnswer``) is a row without
person, time or sequential id. Both answer tables have random UUID keys, so neither the
order of rows nor a timestamp can be lined up with the participation rows or the audit
log. Nothing — query, API, export or administrator — can join an answer to a person.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.orgs.models import Person
from gonghui.orgs.models.org import ScopedQuerySet

from ..enums import Channel, Dimension, EvaluationState, ItemKind, TargetKind, TextReview
from .questionnaire import Question, Questionnaire


class EvaluationQuerySet(ScopedQuerySet):
    scope_kind = "evaluation"


class Evaluation(models.Model):
    """The reaction-level evaluation (反应评估) of one completed plan."""

    plan = models.OneToOneField(
        "training.TrainingPlan", on_delete=models.PROTECT, related_name="evaluation"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="evaluations"
    )
    state = models.CharField(
        "状态", max_length=10, choices=EvaluationState.choices, default=EvaluationState.OPEN
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    closed_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField("结业日期")
    token = models.CharField("扫码令牌", max_length=32, unique=True, editable=False)
    eligible = models.PositiveIntegerField("应评人数", default=0)
    paper_pending = models.PositiveIntegerField(
        "待录入纸质问卷", default=0, help_text="已登记交回、尚未录入的纸质问卷份数"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = "培训评价"
        verbose_name_plural = "培训评价"

    def __str__(self) -> str:
        return f"{self.plan} 评价"

    def audit_scope_path(self) -> str:
        return self.plan.org_unit.path


class Target(models.Model):
    """One part of an evaluation: the plan's course, or one of its trainers."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    trainer = models.ForeignKey(
        "training.Trainer", null=True, blank=True, on_delete=models.PROTECT,
        related_name="evaluation_targets",
    )  # fmt: skip
    responses = models.PositiveIntegerField("答卷数", default=0)

    class Meta:
        ordering = ["evaluation", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=TargetKind.COURSE, trainer__isnull=True)
                | Q(kind=TargetKind.TRAINER, trainer__isnull=False),
                name="target_trainer_iff_trainer_kind",
            ),
            models.UniqueConstraint(
                fields=["evaluation", "trainer"],
                condition=Q(trainer__isnull=False),
                name="target_one_per_trainer",
            ),
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=Q(kind=TargetKind.COURSE),
                name="target_one_course",
            ),
        ]

    def __str__(self) -> str:
        return str(self.trainer) if self.trainer_id else TargetKind.COURSE.label


class Participation(models.Model):
    """Who has answered a target: person and target only (no time, no channel, no link
    to any answer). The unique pair makes a second answer impossible."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "参评记录"
        verbose_name_plural = "参评记录"
        constraints = [
            models.UniqueConstraint(fields=["target", "person"], name="participation_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.target}"


class RatingCounter(models.Model):
    """How many answered ``value`` to ``question`` about ``target`` through ``channel``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="counters")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    dimension = models.CharField(max_length=20, choices=Dimension.choices, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    value = models.SmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "question", "channel", "value"], name="rating_counter_unique"
            )
        ]
        indexes = [models.Index(fields=["dimension", "target"])]

    def __str__(self) -> str:
        return f"{self.question}={self.value} ×{self.count}"


class TextAnswer(models.Model):
    """A free-text answer: no person, no time; staff review it before trainers see it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="text_answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    text = models.TextField("原文", max_length=1000)
    review = models.CharField(
        "审核", max_length=10, choices=TextReview.choices, default=TextReview.PENDING
    )
    published_text = models.TextField(
        "公开文本", blank=True, help_text="审核人可删去可识别身份的内容"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["id"]  # random: the order of arrival is not kept
        verbose_name = "文字意见"
        verbose_name_plural = "文字意见"

    def __str__(self) -> str:
        return self.text[:20]
