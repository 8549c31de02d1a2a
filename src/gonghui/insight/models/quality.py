# SPDX-License-Identifier: AGPL-3.0-or-later
"""Quality control: federation-set rules, and the rectification tasks (整改) they open."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Metric, RectificationSource, RectificationStatus


class QualityRuleQuerySet(ScopedQuerySet):
    scope_kind = "qualityrule"


class QualityRule(models.Model):
    """When a completed plan of the federation falls below ``threshold`` on ``metric``, a
    rectification is opened for the plan's organising unit, due in ``deadline_days``."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="设定单位"
    )
    metric = models.CharField("指标", max_length=16, choices=Metric.choices)
    dimension = models.CharField("评价维度", max_length=20, blank=True)
    threshold = models.DecimalField(
        "阈值", max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    deadline_days = models.PositiveSmallIntegerField(
        "整改期限（天）", default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QualityRuleQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit", "metric", "dimension", "id"]
        verbose_name = "质量规则"
        verbose_name_plural = "质量规则"
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "metric", "dimension"], name="quality_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.threshold}"


class RectificationQuerySet(ScopedQuerySet):
    scope_kind = "rectification"

    def unresolved(self):
        return self.exclude(status=RectificationStatus.CLOSED)


class Rectification(models.Model):
    plan = models.ForeignKey(
        "training.TrainingPlan", on_delete=models.PROTECT, related_name="rectifications",
        verbose_name="培训方案",
    )  # fmt: skip
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="整改责任单位"
    )
    source = models.CharField(max_length=12, choices=RectificationSource.choices)
    rule = models.ForeignKey(
        QualityRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspection = models.ForeignKey(
        "insight.Inspection", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="rectifications",
    )  # fmt: skip
    metric = models.CharField("指标", max_length=16, choices=Metric.choices, blank=True)
    dimension = models.CharField("评价维度", max_length=20, blank=True)
    measured = models.DecimalField("实测值", max_digits=6, decimal_places=2, null=True)
    threshold = models.DecimalField("阈值", max_digits=5, decimal_places=2, null=True)
    title = models.CharField("整改事项", max_length=150)
    finding = models.TextField("问题与依据", max_length=2000)
    deadline = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=10, choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN, db_index=True,
    )  # fmt: skip
    evidence = models.TextField("整改情况与佐证", max_length=2000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField(null=True, blank=True)
    reform_item = models.ForeignKey(
        "reform.ReformItem", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name="升级的改革事项",
    )  # fmt: skip
    opened_at = models.DateTimeField("发起时间", auto_now_add=True, db_index=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        constraints = [
            # A rule opens at most one rectification per plan, however often it is checked.
            models.UniqueConstraint(
                fields=["plan", "rule"], condition=Q(rule__isnull=False),
                name="rectification_once_per_rule",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.status != RectificationStatus.CLOSED and self.deadline < timezone.localdate()


class RectificationEvent(models.Model):
    """The rectification's history (and its lines on the plan's timeline)."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, choices=RectificationStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification} →{self.to_status}"
