# SPDX-License-Identifier: AGPL-3.0-or-later
"""Trainer database (师资库) and venue database (阵地库)."""

from django.db import models

from gonghui.core.fields import EncryptedTextField
from gonghui.core.masking import mask_mobile
from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Level
from .catalogue import Skill


class TrainerQuerySet(ScopedQuerySet):
    scope_kind = "trainer"


class Trainer(models.Model):
    name = models.CharField("姓名", max_length=50)
    organisation = models.CharField("所在单位", max_length=100, blank=True)
    title = models.CharField("职称/技能等级", max_length=50, blank=True)
    qualifications = models.TextField("资质证书", blank=True)
    skills = models.ManyToManyField(Skill, related_name="trainers", verbose_name="擅长技能")
    mobile = EncryptedTextField("联系电话", blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="trainers", verbose_name="管理单位"
    )
    account = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="trainer_profile", verbose_name="平台账号",
    )  # fmt: skip
    active = models.BooleanField("在库", default=True)
    available_slots = models.JSONField(
        "可授课时段", default=list, blank=True,
        help_text="TimeSlot 取值（工作日晚上、工作日白天、周末）；留空表示均可",
    )  # fmt: skip
    notes = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrainerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "培训师"
        verbose_name_plural = "师资库"

    def __str__(self) -> str:
        return self.name

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class TrainerQualification(models.Model):
    """A trainer's structured qualification (师资资质): a skill at a level, with the
    certificate's number, issuer and expiry. Ranks trainers in the proposal engine."""

    trainer = models.ForeignKey(
        Trainer, on_delete=models.CASCADE, related_name="credentials", verbose_name="培训师"
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="trainer_credentials", verbose_name="技能"
    )
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    certificate_number = models.CharField("证书编号", max_length=50, blank=True)
    issuer = models.CharField("发证机构", max_length=100, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trainer", "skill", "level", "id"]
        verbose_name = "培训师资质"
        verbose_name_plural = "培训师资质"
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "skill", "level", "certificate_number"],
                name="trainer_qualification_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.trainer} {self.skill} {self.get_level_display()}"


class VenueQuerySet(ScopedQuerySet):
    scope_kind = "venue"


class Venue(models.Model):
    name = models.CharField("阵地名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    capacity = models.PositiveIntegerField("容纳人数")
    facilities = models.CharField("设施", max_length=300, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="venues", verbose_name="运营单位"
    )
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VenueQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "培训阵地"
        verbose_name_plural = "阵地库"

    def __str__(self) -> str:
        return self.name
