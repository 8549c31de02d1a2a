# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reform items (改革清单) with weighted milestones and a status history."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Category, ReformStatus, SourceKind


class ReformItemQuerySet(ScopedQuerySet):
    scope_kind = "reformitem"

    def public(self):
        """Items shown on the public page: everything past the draft."""
        return self.exclude(status=ReformStatus.DRAFT)


class ReformItem(models.Model):
    title = models.CharField("改革事项", max_length=100)
    category = models.CharField("类别", max_length=16, choices=Category.choices)
    goal = models.TextField("改革目标", max_length=2000)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="reform_items", verbose_name="责任单位"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ReformStatus.choices, default=ReformStatus.DRAFT,
        db_index=True,
    )  # fmt: skip
    #: Rolled up from the milestones (Σ weight × progress / Σ weight), 0–100.
    progress = models.DecimalField("进度%", max_digits=5, decimal_places=1, default=Decimal("0"))
    due_on = models.DateField("计划完成日期", null=True, blank=True)
    source_kind = models.CharField(
        "来源", max_length=16, choices=SourceKind.choices, default=SourceKind.DIRECT
    )
    source_ref = models.CharField("来源编号", max_length=100, blank=True)
    source_summary = models.CharField("来源说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ReformItemQuerySet.as_manager()

    class Meta:
        ordering = ["category", "-created_at", "-id"]
        verbose_name = "改革事项"
        verbose_name_plural = "改革清单"

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        """Past its due date (Beijing date) and neither completed nor cancelled."""
        return (
            self.due_on is not None
            and self.status
            in (ReformStatus.DRAFT, ReformStatus.IN_PROGRESS, ReformStatus.SUSPENDED)
            and self.due_on < timezone.localdate()
        )


class Milestone(models.Model):
    item = models.ForeignKey(ReformItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    weight = models.PositiveSmallIntegerField(
        "权重", validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    due_on = models.DateField("计划日期")
    progress = models.PositiveSmallIntegerField(
        "完成度%", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    evidence = models.CharField("进展说明", max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "due_on", "order", "id"]
        verbose_name = "里程碑"
        verbose_name_plural = "里程碑"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=100), name="milestone_weight_range"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="milestone_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.title}"

    @property
    def overdue(self) -> bool:
        return self.progress < 100 and self.due_on < timezone.localdate()


class ReformStatusChange(models.Model):
    """The item's status history (shown on its pages); the audit log has the same rows."""

    item = models.ForeignKey(ReformItem, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=12, choices=ReformStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReformStatus.choices)
    note = models.CharField("说明", max_length=300, blank=True)
    actor_label = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "状态变更"
        verbose_name_plural = "状态变更"

    def __str__(self) -> str:
        return f"{self.item} {self.from_status}→{self.to_status}"
