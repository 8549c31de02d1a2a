# SPDX-License-Identifier: AGPL-3.0-or-later
"""Process supervision: federation-set time limits per lifecycle step, and the alerts raised
to the responsible unit when a plan's step runs over."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Step


class StepLimitQuerySet(ScopedQuerySet):
    scope_kind = "supervisionrule"


class StepLimit(models.Model):
    """A federation's own time limit for one step (otherwise the default applies)."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="设定单位"
    )
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    days = models.PositiveSmallIntegerField("时限（天）")
    active = models.BooleanField("启用", default=True)
    #: For the consultation minimum: a shorter consultation may be ended when the staff
    #: member gives a reason (recorded and flagged), instead of being refused.
    allow_exception = models.BooleanField("允许说明理由后例外", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StepLimitQuerySet.as_manager()

    class Meta:
        verbose_name = "环节时限"
        verbose_name_plural = "环节时限"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "step"], name="step_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.days}天"


class AlertQuerySet(ScopedQuerySet):
    scope_kind = "alert"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class Alert(models.Model):
    """An overdue or non-compliant step of one plan, raised to the plan's organising unit.
    It stays open while the condition lasts and is resolved when the step is done."""

    plan = models.ForeignKey(
        "training.TrainingPlan", on_delete=models.CASCADE, related_name="supervision_alerts"
    )
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="责任单位"
    )
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    due_at = models.DateTimeField("应完成时间")
    detail = models.CharField("情况", max_length=300)
    limit_days = models.PositiveSmallIntegerField("时限（天）")
    raised_at = models.DateTimeField("发现时间", auto_now_add=True)
    acknowledged_at = models.DateTimeField("已阅时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "监管预警"
        verbose_name_plural = "监管预警"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "step"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_per_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.get_step_display()}"
