"""Trainer database (师资库) and venue database (阵地库)."""

from django.db import models

from gonghui.core.fields import EncryptedTextField
from gonghui.core.masking import mask_mobile
from gonghui.orgs.models import OrgUnit
from gonghui.orgs.models.org import ScopedQuerySet

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
