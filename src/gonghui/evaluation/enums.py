# SPDX-License-Identifier: AGPL-3.0-or-later
"""Enumerations of the evaluation system (评价体系)."""

from django.db import models


class Dimension(models.TextChoices):
    """The rated dimensions of the federation's standard questionnaire."""

    TRAINER_EXPERTISE = "trainer_expertise", "师资专业水平"
    TEACHING = "teaching", "授课方式"
    COURSE_DESIGN = "course_design", "课程设计"
    USEFULNESS = "usefulness", "内容实用性"
    ORGANISATION = "organisation", "组织服务"
    VENUE = "venue", "场地与条件"


#: Dimensions rated per trainer; the others are rated once per plan (the course).
TRAINER_DIMENSIONS = (Dimension.TRAINER_EXPERTISE, Dimension.TEACHING)


class ItemKind(models.TextChoices):
    RATING = "rating", "评分（1–5）"
    RECOMMEND = "recommend", "推荐意愿（0–10）"
    YES_NO = "yes_no", "是/否"
    TEXT = "text", "文字意见"


#: The values each kind of item accepts (text items take a string).
ITEM_RANGE = {
    ItemKind.RATING: range(1, 6),
    ItemKind.RECOMMEND: range(0, 11),
    ItemKind.YES_NO: range(0, 2),
}


class TargetKind(models.TextChoices):
    """What one part of the form is about: the plan's course, or one of its trainers."""

    COURSE = "course", "课程"
    TRAINER = "trainer", "培训师"
    #: A person scored in a periodic anonymous round (``ScoringRound``), e.g. by mentorship.
    MENTOR = "mentor", "导师"
    APPRENTICE = "apprentice", "徒弟"


#: Target kinds of an evaluation of a training plan; the others belong to scoring rounds.
PLAN_TARGET_KINDS = (TargetKind.COURSE, TargetKind.TRAINER)
ROUND_TARGET_KINDS = (TargetKind.MENTOR, TargetKind.APPRENTICE)


class Channel(models.TextChoices):
    ONLINE = "online", "线上（职工端）"
    QR = "qr", "现场扫码"
    PAPER = "paper", "纸质问卷录入"


class QuestionnaireState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class EvaluationState(models.TextChoices):
    OPEN = "open", "评价中"
    CLOSED = "closed", "已截止"


class TextReview(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    HIDDEN = "hidden", "不予公开"


class FollowUpState(models.TextChoices):
    """The behaviour-level request to an enterprise about one participant (3 months on)."""

    SCHEDULED = "scheduled", "待发送"
    REQUESTED = "requested", "待企业评价"
    ANSWERED = "answered", "已评价"
    EXPIRED = "expired", "已过期"
