# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enumerations of supervision (过程监管), inspections (督查) and quality control (质量监控)."""

from django.db import models


class Step(models.TextChoices):
    """Lifecycle steps of a training plan that carry a federation-set time limit."""

    CONSULTATION_MIN = "consultation_min", "意见征集期不少于规定天数"
    OPINION_REPLY = "opinion_reply", "意见须在规定天数内答复"
    ANNOUNCE = "announce", "审定后规定天数内公告"
    OPEN_ENROLMENT = "open_enrolment", "公告后规定天数内开放报名"
    OPEN_EVALUATION = "open_evaluation", "结业后规定天数内开启评价"


#: Default limits in days, used until a federation sets its own.
STEP_DEFAULT_DAYS: dict[str, int] = {
    Step.CONSULTATION_MIN: 7,
    Step.OPINION_REPLY: 5,
    Step.ANNOUNCE: 5,
    Step.OPEN_ENROLMENT: 3,
    Step.OPEN_EVALUATION: 2,
}


class Verdict(models.TextChoices):
    """An inspector's overall verdict on a spot check."""

    GOOD = "good", "合格"
    FAIR = "fair", "基本合格"
    POOR = "poor", "不合格"


class Metric(models.TextChoices):
    """What a quality rule measures on a completed plan."""

    ATTENDANCE = "attendance", "出勤率低于阈值（%）"
    RESPONSE_RATE = "response_rate", "参评率低于阈值（%）"
    DIMENSION = "dimension", "评价维度得分低于阈值（1–5分）"


class RectificationStatus(models.TextChoices):
    OPEN = "open", "待整改"
    SUBMITTED = "submitted", "已提交待验收"
    CLOSED = "closed", "已销号"


class RectificationSource(models.TextChoices):
    RULE = "rule", "质量规则触发"
    INSPECTION = "inspection", "督查发现"
