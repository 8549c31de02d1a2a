# SPDX-License-Identifier: AGPL-3.0-or-later
"""Group enrolment (参互) by a grassroots union, and each member's enrolment."""

from django.conf import settings
from django.db import models

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import OrgUnit, Person

from .programme import AidPeriod


class GroupQuerySet(ScopedQuerySet):
    scope_kind = "aidgroup"


class GroupEnrolment(models.Model):
    """One roster submission of a union for a period, with its payment record and the
    members it turned away (with reasons)."""

    period = models.ForeignKey(AidPeriod, on_delete=models.PROTECT, related_name="groups")
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="aid_groups")
    source = models.CharField(
        "方式", max_length=8, choices=[("picked", "勾选会员"), ("xlsx", "名册导入")]
    )
    payment_reference = models.CharField("缴费凭证号", max_length=60)
    amount_paid = models.DecimalField("缴费金额（元）", max_digits=12, decimal_places=2)
    accepted = models.PositiveIntegerField("参互人数", default=0)
    rejections = models.JSONField("未通过名单", default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "集体参互"
        verbose_name_plural = "集体参互"

    def __str__(self) -> str:
        return f"{self.union} {self.period}"


class EnrollmentQuerySet(ScopedQuerySet):
    scope_kind = "aidenrollment"


class AidEnrollment(models.Model):
    """A member in a period. ``consecutive_periods`` counts this period and the unbroken
    run of the programme's periods before it that the member joined."""

    period = models.ForeignKey(AidPeriod, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="aid_enrollments")
    union = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="aid_enrollments")
    group = models.ForeignKey(
        GroupEnrolment, on_delete=models.PROTECT, related_name="enrollments", null=True
    )
    shares = models.PositiveSmallIntegerField("份数", default=1)
    contribution = models.DecimalField("互助金（元）", max_digits=10, decimal_places=2)
    consecutive_periods = models.PositiveIntegerField("连续参互期数", default=1)
    joined_on = models.DateField("参互日期")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["period", "person"]
        verbose_name = "参互记录"
        verbose_name_plural = "参互记录"
        constraints = [
            models.UniqueConstraint(
                fields=["period", "person"],
                name="aidenrollment_once_per_period",
                violation_error_message="该职工已参加本期互助",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.period}"
