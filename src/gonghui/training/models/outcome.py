# SPDX-License-Identifier: AGPL-3.0-or-later
"""Outcomes database (成果库): certificates and skill-level results."""

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Person

from ..enums import Level, OutcomeKind
from .catalogue import Skill
from .plan import TrainingPlan


class CertificateQuerySet(ScopedQuerySet):
    scope_kind = "certificate"


class Certificate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    plan = models.ForeignKey(
        TrainingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="certificates")
    level = models.CharField("等级", max_length=4, choices=Level.choices)
    number = models.CharField("证书编号", max_length=50)
    issuer = models.CharField("发证机构", max_length=100)
    issued_on = models.DateField("发证日期")
    score = models.DecimalField("考核成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = "证书"
        verbose_name_plural = "成果库"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "number"], name="certificate_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.skill} {self.get_level_display()}"


class OutcomeQuerySet(ScopedQuerySet):
    scope_kind = "certificate"  # same audience as certificates: whoever may see the person


class Outcome(models.Model):
    """成果库 beyond certificates: one fact per row about a worker after training — a skill
    level rise, a contest award, employment, a pay rise or a promotion (certificates stay
    ``Certificate``; ``worker_outcomes`` shows both as one record per worker)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="outcomes")
    plan = models.ForeignKey(
        TrainingPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    kind = models.CharField("成果类型", max_length=12, choices=OutcomeKind.choices)
    skill = models.ForeignKey(
        Skill, null=True, blank=True, on_delete=models.PROTECT, related_name="outcomes"
    )
    level_before = models.CharField("原等级", max_length=4, choices=Level.choices, blank=True)
    level_after = models.CharField("新等级", max_length=4, choices=Level.choices, blank=True)
    detail = models.CharField("说明", max_length=200, blank=True)
    amount = models.DecimalField(
        "月收入变化（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    occurred_on = models.DateField("日期")
    source = models.CharField("来源", max_length=20, default="staff")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = "培训成果"
        verbose_name_plural = "培训成果"

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"
