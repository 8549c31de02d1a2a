# SPDX-License-Identifier: AGPL-3.0-or-later
"""The federation's evaluation settings (one row), visible to staff and tunable."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


class EvaluationSettings(models.Model):
    min_responses = models.PositiveIntegerField(
        "公布所需最少答卷数", default=5, help_text="不足则不公布该培训师或方案的得分"
    )
    min_response_rate = models.PositiveSmallIntegerField("公布所需最低参评率%", default=30)
    min_enterprises = models.PositiveSmallIntegerField(
        "公布企业评分所需最少企业数", default=3, validators=[MinValueValidator(1)],
        help_text="企业评价以企业为单位计数：汇总的企业评分（驾驶舱、对外页面）至少来自这么多家企业才显示",
    )  # fmt: skip
    prior_weight = models.PositiveIntegerField(
        "先验权重（虚拟评分数）", default=10,
        help_text="贝叶斯平均：得分向全会平均收缩，相当于额外加入这么多个平均分",
    )  # fmt: skip
    weak_margin = models.DecimalField(
        "短板判定差距（分）", max_digits=3, decimal_places=2, default=Decimal("0.30"),
        help_text="收缩后得分低于全会平均超过此值即为短板（1–5分制）",
    )  # fmt: skip
    window_days = models.PositiveSmallIntegerField("评价期（天）", default=14)
    follow_up_after_days = models.PositiveSmallIntegerField("企业跟踪评价间隔（天）", default=90)
    follow_up_window_days = models.PositiveSmallIntegerField("企业跟踪评价期（天）", default=30)
    reminder_every_days = models.PositiveSmallIntegerField("提醒间隔（天）", default=3)
    answer_batch = models.PositiveSmallIntegerField(
        "匿名批量写入份数", default=5, validators=[MinValueValidator(2)],
        help_text="答卷先暂存，凑满此份数（或评价截止时）才打乱顺序一并写入，文字意见随之可见",
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "评价设置"
        verbose_name_plural = "评价设置"

    def __str__(self) -> str:
        return "评价设置"

    @classmethod
    def current(cls) -> "EvaluationSettings":
        obj = cls.objects.order_by("pk").first()
        return obj or cls.objects.create()
