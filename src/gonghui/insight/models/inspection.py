# SPDX-License-Identifier: AGPL-3.0-or-later
"""Spot checks (督查) with findings and photos kept in private storage."""

import uuid

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Verdict


class InspectionQuerySet(ScopedQuerySet):
    scope_kind = "inspection"


class Inspection(models.Model):
    plan = models.ForeignKey(
        "training.TrainingPlan", on_delete=models.PROTECT, related_name="inspections",
        verbose_name="培训方案",
    )  # fmt: skip
    session = models.ForeignKey(
        "training.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="班次",
    )  # fmt: skip
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name="被督查单位"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspector_label = models.CharField("督查人", max_length=150)
    inspected_at = models.DateTimeField("督查时间")
    verdict = models.CharField("结论", max_length=8, choices=Verdict.choices)
    present = models.PositiveIntegerField("现场人数", null=True, blank=True)
    findings = models.TextField("发现的问题", max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_at", "-id"]
        verbose_name = "督查记录"
        verbose_name_plural = "督查记录"

    def __str__(self) -> str:
        return f"{self.plan} 督查 {self.inspected_at:%Y-%m-%d}"


def _photo_path(instance, filename: str) -> str:
    # Never the uploader's file name: a random one, with the extension the content proved.
    return f"private/inspections/{instance.inspection_id}/{uuid.uuid4().hex}.{instance.ext}"


class InspectionPhoto(models.Model):
    """A photo of a spot check. Stored under MEDIA_ROOT (never served directly) and shown
    only through a view that checks the viewer's scope."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    ext = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection", "id"]
        verbose_name = "督查照片"
        verbose_name_plural = "督查照片"

    def __str__(self) -> str:
        return f"{self.inspection} 照片{self.pk}"
