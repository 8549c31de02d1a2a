# SPDX-License-Identifier: AGPL-3.0-or-later
"""Behaviour level (行为层): the enterprise rates the effect on each participant's work,
three months after completion. Named by design: it is the employer's view of a worker."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Enterprise, Person

from ..enums import FollowUpState

RATING = [MinValueValidator(1), MaxValueValidator(5)]


class FollowUpQuerySet(ScopedQuerySet):
    scope_kind = "followup"


class FollowUp(models.Model):
    plan = models.ForeignKey(
        "training.TrainingPlan", on_delete=models.PROTECT, related_name="follow_ups"
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        "状态", max_length=10, choices=FollowUpState.choices, default=FollowUpState.SCHEDULED
    )
    due_on = models.DateField("发送日期")
    closes_on = models.DateField("截止日期")
    requested_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveSmallIntegerField("已提醒次数", default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    applied = models.PositiveSmallIntegerField(
        "所学技能在工作中的运用", null=True, blank=True, validators=RATING
    )
    performance = models.PositiveSmallIntegerField(
        "工作表现的改善", null=True, blank=True, validators=RATING
    )
    promoted = models.BooleanField("已晋升或技能等级提升", null=True, blank=True)
    comment = models.CharField("评语", max_length=300, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "企业跟踪评价"
        verbose_name_plural = "企业跟踪评价"
        constraints = [
            models.UniqueConstraint(fields=["plan", "person"], name="follow_up_once"),
            models.CheckConstraint(
                condition=~models.Q(state=FollowUpState.ANSWERED)
                | models.Q(applied__isnull=False, performance__isnull=False),
                name="follow_up_answered_has_ratings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.person} · {self.plan}"

    def audit_scope_path(self) -> str:
        return self.enterprise.union.path
