# SPDX-License-Identifier: AGPL-3.0-or-later
"""Activities and campaigns held at a position, an enterprise or a public place: themed
events, lectures for enterprises, residents' activities, publicity booths and 当一天工人
visits, with registration, attendance, materials handed out, consultations and findings."""

from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Enterprise, OrgUnit, Person

from ..enums import ActivityKind, FindingTarget
from .registry import Position, _token


class ActivityQuerySet(ScopedQuerySet):
    scope_kind = "activity"


class Activity(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="network_activities",
        verbose_name="主办工会",
    )  # fmt: skip
    kind = models.CharField("活动类型", max_length=12, choices=ActivityKind.choices)
    title = models.CharField("活动名称", max_length=100)
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="activities",
        verbose_name="举办阵地",
    )  # fmt: skip
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="走访/举办企业",
    )  # fmt: skip
    place = models.CharField("地点", max_length=200, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    #: None: open to all without a cap.
    cap = models.PositiveIntegerField("报名名额", null=True, blank=True)
    summary = models.TextField("活动小结", max_length=2000, blank=True)
    photo_note = models.CharField("照片说明", max_length=300, blank=True)
    checkin_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "活动"
        verbose_name_plural = "活动"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="network_activity_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RegistrationQuerySet(ScopedQuerySet):
    scope_kind = "registration"


class Registration(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    attended_at = models.DateTimeField("签到时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["activity_id", "created_at", "id"]
        verbose_name = "活动报名"
        verbose_name_plural = "活动报名"
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="network_one_registration")
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.person_id}"


class Material(models.Model):
    """Printed materials of a campaign: stock and copies handed out (never beyond stock)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("资料名称", max_length=100)
    stock = models.PositiveIntegerField("库存（份）")
    handed_out = models.PositiveIntegerField("已发放（份）", default=0)

    class Meta:
        ordering = ["activity_id", "id"]
        verbose_name = "宣传资料"
        verbose_name_plural = "宣传资料"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handed_out__lte=models.F("stock")),
                name="network_material_within_stock",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Consultation(models.Model):
    """Consultations at a booth or visit, counted by topic."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="consultations")
    topic = models.CharField("咨询主题", max_length=60)
    count = models.PositiveIntegerField("人次")

    class Meta:
        ordering = ["activity_id", "-count", "topic"]
        verbose_name = "咨询记录"
        verbose_name_plural = "咨询记录"

    def __str__(self) -> str:
        return f"{self.topic}×{self.count}"


class Finding(models.Model):
    """What workers asked for during a 当一天工人 visit, and where it was filed."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="findings")
    text = models.CharField("职工诉求", max_length=300)
    filed_to = models.CharField("转入", max_length=12, choices=FindingTarget.choices, blank=True)
    filed_ref = models.CharField("转入记录", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["activity_id", "id"]
        verbose_name = "走访发现"
        verbose_name_plural = "走访发现"

    def __str__(self) -> str:
        return self.text
