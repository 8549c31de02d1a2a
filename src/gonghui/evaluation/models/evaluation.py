# SPDX-License-Identifier: AGPL-3.0-or-later
"""Evaluations with anonymity by design (after EvaP).

Who has answered (``Participation``: target × person, nothing else) is stored apart from
what was answered. Ratings are only counters (``RatingCounter``: how many gave value v
to question q of target t through channel c); free text (``TextAnswer``) is a row without
person, time or sequential id. Both answer tables have random UUID keys, so neither the
order of rows nor a timestamp can be lined up with the participation rows or the audit
log. Nothing — query, API, export or administrator — can join an answer to a person.

Answers do not reach those tables at submit time (issue 12 item 3): a form waits as a
``PendingForm`` (no person, no time) until at least ``EvaluationSettings.answer_batch``
forms are waiting, or the evaluation closes; then the batch is written at once, shuffled,
into counters that were created (all zero) when the evaluation opened. So neither the
physical order of rows, nor a new counter row, nor a text appearing between two looks at
the console can be tied to one participant.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person

from ..enums import (
    ROUND_TARGET_KINDS,
    Channel,
    Dimension,
    EvaluationState,
    ItemKind,
    TargetKind,
    TextReview,
)
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


class ScoringRoundQuerySet(ScopedQuerySet):
    scope_kind = "scoringround"


class ScoringRound(models.Model):
    """A periodic anonymous scoring of people (定期无记名打分) that another app runs — the
    mentorship programme's period, where apprentices score their mentor and the mentor and
    colleagues score the apprentice. Same anonymity as an evaluation: participation apart
    from counters, forms held and written in shuffled batches, and a score shown only once
    the round is closed and at least ``min_responses`` forms were counted for the person."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="主办工会"
    )
    title = models.CharField("名称", max_length=100)
    questionnaire = models.ForeignKey(
        "Questionnaire", on_delete=models.PROTECT, related_name="rounds"
    )
    state = models.CharField(
        "状态", max_length=10, choices=EvaluationState.choices, default=EvaluationState.OPEN
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    closed_at = models.DateTimeField(null=True, blank=True)
    min_responses = models.PositiveSmallIntegerField(
        "公布所需最少答卷数", default=3, validators=[MinValueValidator(3)],
        help_text="某人收到的答卷少于此数则不公布其得分（至少3份，防止推知个人打分）",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScoringRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = "无记名打分"
        verbose_name_plural = "无记名打分"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_responses__gte=3), name="scoring_round_min_responses_3"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def audit_scope_path(self) -> str:
        return self.org_unit.path


_OF_EVALUATION = Q(evaluation__isnull=False, round__isnull=True, subject__isnull=True) & (
    Q(kind=TargetKind.COURSE, trainer__isnull=True)
    | Q(kind=TargetKind.TRAINER, trainer__isnull=False)
)
_OF_ROUND = Q(
    evaluation__isnull=True,
    round__isnull=False,
    subject__isnull=False,
    trainer__isnull=True,
    kind__in=ROUND_TARGET_KINDS,
)


class Target(models.Model):
    """One part of an evaluation (the plan's course, or one of its trainers), or one
    person scored in a ``ScoringRound`` (``round`` and ``subject`` set instead)."""

    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    round = models.ForeignKey(
        ScoringRound, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    kind = models.CharField(max_length=10, choices=TargetKind.choices)
    trainer = models.ForeignKey(
        "training.Trainer", null=True, blank=True, on_delete=models.PROTECT,
        related_name="evaluation_targets",
    )  # fmt: skip
    subject = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="被评人",
    )  # fmt: skip
    responses = models.PositiveIntegerField("答卷数", default=0)

    class Meta:
        ordering = ["evaluation", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_OF_EVALUATION | _OF_ROUND,
                name="target_of_evaluation_or_round",
            ),
            models.UniqueConstraint(
                fields=["round", "kind", "subject"],
                condition=Q(round__isnull=False),
                name="target_one_per_round_subject",
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
        if self.subject_id:
            return f"{self.get_kind_display()}：{self.subject.name}"
        return str(self.trainer) if self.trainer_id else TargetKind.COURSE.label


class Invitation(models.Model):
    """Who may answer a round's target, as the owning app decided (the mentor's apprentices;
    the apprentice's mentor and colleagues). Like a plan's enrolment list it says who may
    answer — never whether or what they answered (that is ``Participation``, apart)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "打分邀请"
        verbose_name_plural = "打分邀请"
        constraints = [models.UniqueConstraint(fields=["target", "person"], name="invitation_once")]

    def __str__(self) -> str:
        return f"{self.person} → {self.target}"


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


class PendingForm(models.Model):
    """A submitted form waiting for its batch: the evaluation, the channel and the answers
    (``[[target_id, {question_id: value}], …]``). No person, no time, a random key; deleted
    when the batch is written."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        ScoringRound, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    answers = models.JSONField()

    class Meta:
        verbose_name = "待写入答卷"
        verbose_name_plural = "待写入答卷"
        constraints = [
            models.CheckConstraint(
                condition=Q(evaluation__isnull=False, round__isnull=True)
                | Q(evaluation__isnull=True, round__isnull=False),
                name="pending_form_of_evaluation_or_round",
            )
        ]

    def __str__(self) -> str:
        return "待写入答卷"


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
