# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enterprises' evaluation of trainers and course design (issue 14): one answer per
enterprise and target (the plan's course, or one of its trainers), given by one of the
enterprise's contacts. Unlike the workers' forms it is **named** — the federation sees which
enterprise said what, and the form says so; figures published beyond the federation (a
trainer's own page) follow the same threshold as the workers' (``min_responses``)."""

from django.conf import settings
from django.db import models

from gonghui.orgs.models import Enterprise


class EnterpriseRating(models.Model):
    target = models.ForeignKey(
        "evaluation.Target", on_delete=models.CASCADE, related_name="enterprise_ratings"
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="training_ratings"
    )
    ratings = models.JSONField("评分", default=dict, help_text="题目代码 → 1–5")
    comment = models.TextField("意见", max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target", "enterprise"]
        verbose_name = "企业评价"
        verbose_name_plural = "企业评价"
        constraints = [
            models.UniqueConstraint(fields=["target", "enterprise"], name="enterprise_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.target}"
