# SPDX-License-Identifier: AGPL-3.0-or-later
"""Programmes (互助项目), their versioned rulebooks, and periods (期)."""

from django.db import models
from django.db.models import F, Q

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit

from ..enums import Eligibility, Payer


class ProgrammeQuerySet(ScopedQuerySet):
    scope_kind = "aidprogramme"


class AidProgramme(models.Model):
    """A mutual-aid programme run by a federation, e.g. 住院医疗互助."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="aid_programmes", verbose_name="主办工会"
    )
    name = models.CharField("项目名称", max_length=60)
    summary = models.TextField("项目简介", blank=True)
    contribution_per_share = models.DecimalField(
        "每份互助金（元）", max_digits=10, decimal_places=2
    )
    payer = models.CharField("缴费方", max_length=16, choices=Payer.choices)
    eligibility = models.CharField(
        "参互条件", max_length=20, choices=Eligibility.choices, default=Eligibility.ALL_MEMBERS
    )
    max_shares = models.PositiveSmallIntegerField("每人最多份数", default=1)
    requires_federation_review = models.BooleanField("需总工会复核", default=True)
    published = models.BooleanField("已公布", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["org_unit", "id"]
        verbose_name = "互助项目"
        verbose_name_plural = "互助项目"
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="aidprogramme_unique_name"),
            models.CheckConstraint(
                condition=Q(contribution_per_share__gte=0), name="aidprogramme_contribution_ge_0"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Rulebook(models.Model):
    """One version of a programme's rules, as JSON validated by ``rulebook.Rules``.

    Rows are never edited: a change is a new version, and a period keeps the version it
    was opened with."""

    programme = models.ForeignKey(AidProgramme, on_delete=models.PROTECT, related_name="rulebooks")
    version = models.PositiveIntegerField("版本")
    rules = models.JSONField("规则")
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-version"]
        verbose_name = "互助规则"
        verbose_name_plural = "互助规则"
        constraints = [
            models.UniqueConstraint(fields=["programme", "version"], name="rulebook_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"

    def parsed(self):
        from ..rulebook import parse_rules

        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = self._parsed = parse_rules(self.rules)
        return cached


class PeriodQuerySet(ScopedQuerySet):
    scope_kind = "aidperiod"


class AidPeriod(models.Model):
    """One period (期) of a programme: enrolment window, coverage window, claim deadline."""

    programme = models.ForeignKey(AidProgramme, on_delete=models.PROTECT, related_name="periods")
    number = models.PositiveIntegerField("期次")
    name = models.CharField("名称", max_length=60)
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="periods")
    enrol_opens = models.DateField("参互开始")
    enrol_closes = models.DateField("参互截止")
    coverage_starts = models.DateField("保障开始")
    coverage_ends = models.DateField("保障结束")
    claim_deadline = models.DateField("申请截止")
    published = models.BooleanField("已公布", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-number"]
        verbose_name = "互助期"
        verbose_name_plural = "互助期"
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="aidperiod_unique_number"),
            models.CheckConstraint(
                condition=Q(enrol_opens__lte=F("enrol_closes"))
                & Q(coverage_starts__lte=F("coverage_ends"))
                & Q(claim_deadline__gte=F("coverage_ends")),
                name="aidperiod_windows_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.name}"

    @property
    def org_unit(self) -> OrgUnit:
        return self.programme.org_unit
