# SPDX-License-Identifier: AGPL-3.0-or-later
"""Questionnaires (问卷): the federation's standard, versioned, plus a plan's own items.

A published questionnaire that an evaluation uses is frozen: it is changed only by
publishing a new version (domain/questionnaires.py), never by editing in place.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.orgs.models import OrgUnit

from ..enums import Dimension, ItemKind, QuestionnaireState, TargetKind


class Questionnaire(models.Model):
    code = models.SlugField("问卷代码", max_length=40, help_text="同一问卷的各版本共用")
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("问卷名称", max_length=100)
    description = models.CharField("说明", max_length=300, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=QuestionnaireState.choices,
        default=QuestionnaireState.DRAFT,
    )  # fmt: skip
    is_standard = models.BooleanField("全会统一标准问卷", default=False)
    org_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="制定单位",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = "评价问卷"
        verbose_name_plural = "评价问卷"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版）"

    @property
    def in_use(self) -> bool:
        return self.evaluations.exists() or self.rounds.exists()


class Question(models.Model):
    """One item of a questionnaire, or a plan's own extra item (``plan`` set instead)."""

    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    plan = models.ForeignKey(
        "training.TrainingPlan", null=True, blank=True, on_delete=models.CASCADE,
        related_name="evaluation_questions", verbose_name="方案自设题目",
    )  # fmt: skip
    code = models.SlugField("题目代码", max_length=40)
    text = models.CharField("题目", max_length=200)
    kind = models.CharField("题型", max_length=10, choices=ItemKind.choices)
    dimension = models.CharField(
        "维度", max_length=20, choices=Dimension.choices, blank=True,
        help_text="仅评分题；计入该维度得分",
    )  # fmt: skip
    target = models.CharField(
        "评价对象", max_length=10, choices=TargetKind.choices, default=TargetKind.COURSE
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    required = models.BooleanField("必答", default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "评价题目"
        verbose_name_plural = "评价题目"
        constraints = [
            models.CheckConstraint(
                condition=Q(questionnaire__isnull=False, plan__isnull=True)
                | Q(questionnaire__isnull=True, plan__isnull=False),
                name="question_belongs_to_one",
            ),
            models.CheckConstraint(
                condition=Q(kind=ItemKind.RATING) | Q(dimension=""),
                name="question_dimension_only_for_ratings",
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "code"],
                condition=Q(questionnaire__isnull=False),
                name="question_code_per_questionnaire",
            ),
            models.UniqueConstraint(
                fields=["plan", "code"],
                condition=Q(plan__isnull=False),
                name="question_code_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.text
