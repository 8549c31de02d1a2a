# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enrolment with a waitlist, and attendance (签到)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from rules.contrib.models import RulesModelBase, RulesModelMixin

from gonghui.core.scope import ScopedQuerySet
from gonghui.orgs.models import Enterprise, Person

from ..enums import CheckInMethod, EnrollmentStatus
from ..rules import cancels_enrollment
from .plan import Session, TrainingPlan


class EnrollmentQuerySet(ScopedQuerySet):
    scope_kind = "enrollment"


class Enrollment(RulesModelMixin, models.Model, metaclass=RulesModelBase):
    """One person on one plan. ``seat`` (1…capacity) is unique per plan among enrolled rows,
    so the database itself refuses an overbooking even if a lock were ever missed."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    seat = models.PositiveIntegerField(null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enterprise = models.ForeignKey(Enterprise, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField("已结业", default=False)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "seat", "waitlist_position", "id"]
        verbose_name = "报名"
        verbose_name_plural = "报名"
        rules_permissions = {"cancel": cancels_enrollment}  # training.cancel_enrollment
        indexes = [
            # The end of the waitlist (every enrolment reads it, under the plan lock) and
            # its head (promotion), without reading the plan's other rows.
            models.Index(
                fields=["plan", "waitlist_position"],
                condition=Q(status=EnrollmentStatus.WAITLISTED),
                name="enrollment_waitlist",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "person"],
                condition=~Q(status=EnrollmentStatus.CANCELLED),
                name="enrollment_one_per_person",
                violation_error_message="已报名该培训",
            ),
            models.UniqueConstraint(
                fields=["plan", "seat"],
                condition=Q(status=EnrollmentStatus.ENROLLED),
                name="enrollment_unique_seat",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=EnrollmentStatus.ENROLLED, seat__isnull=False)
                    | Q(status=EnrollmentStatus.WAITLISTED, waitlist_position__isnull=False)
                    | Q(status=EnrollmentStatus.CANCELLED)
                ),
                name="enrollment_status_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.plan} ({self.get_status_display()})"


class CheckIn(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="checkins")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="checkins")
    method = models.CharField(max_length=8, choices=CheckInMethod.choices)
    reason = models.CharField("补签原因", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "at"]
        verbose_name = "签到"
        verbose_name_plural = "签到"
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="checkin_once"),
            models.CheckConstraint(
                condition=Q(method=CheckInMethod.QR) | ~Q(reason=""),
                name="manual_checkin_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.session}"
