# SPDX-License-Identifier: AGPL-3.0-or-later
"""Online courses a blended training plan (线上线下结合) requires before its sessions: the
learning side of ``core.blended`` (the training app asks through that seam)."""

from django.db import models

from gonghui.training.models import TrainingPlan

from .courses import Course


class PlanCourse(models.Model):
    plan = models.ForeignKey(
        TrainingPlan, on_delete=models.CASCADE, related_name="online_courses",
        verbose_name="培训方案",
    )  # fmt: skip
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="required_by", verbose_name="线上课程"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        ordering = ["plan_id", "order", "id"]
        verbose_name = "方案的线上课程"
        verbose_name_plural = "方案的线上课程"
        constraints = [
            models.UniqueConstraint(fields=["plan", "course"], name="learning_plan_course_once")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.course_id}"
