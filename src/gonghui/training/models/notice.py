# SPDX-License-Identifier: AGPL-3.0-or-later
"""In-app notifications (站内消息) to a person: enrolled, waitlisted, promoted, reminders…

Written by ``training/domain/notices.notify``, which also sends an SMS after commit when the
person has an account with a mobile number.
"""

from django.db import models
from django.utils.translation import gettext_noop

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Person


class NotificationQuerySet(ScopedQuerySet):
    scope_kind = "notification"


class Notification(models.Model):
    class Kind(models.TextChoices):
        ENROLLED = "enrolled", gettext_noop("报名成功")
        WAITLISTED = "waitlisted", gettext_noop("进入候补")
        PROMOTED = "promoted", gettext_noop("候补转正")
        CANCELLED = "cancelled", gettext_noop("报名已取消")
        REMINDER = "reminder", gettext_noop("开课提醒")  # a training session's
        BOOKING_REMINDER = (
            "booking_reminder",
            gettext_noop("预约提醒"),
        )  # a service booking's (network)
        ACTIVITY_REMINDER = "activity_reminder", gettext_noop("活动提醒")  # an activity's (network)
        PLAN_CHANGED = "plan_changed", gettext_noop("培训变更")
        PLAN_CANCELLED = "plan_cancelled", gettext_noop("培训取消")
        EVALUATION = "evaluation", gettext_noop("培训评价")
        DEMAND_PLAN = "demand_plan", gettext_noop("需求进展")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notifications", verbose_name="职工"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "消息"
        verbose_name_plural = "消息"
        indexes = [models.Index(fields=["person", "read_at"])]

    def __str__(self) -> str:
        return f"{self.person}：{self.text[:20]}"
