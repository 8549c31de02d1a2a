# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class PriceClass(models.TextChoices):
    """职学职工: free, discounted and government-subsidised courses."""

    FREE = "free", "免费"
    DISCOUNTED = "discounted", "优惠"
    SUBSIDISED = "subsidised", "政府补贴"


class LessonKind(models.TextChoices):
    VIDEO = "video", "视频"
    DOCUMENT = "document", "文档"
    LIVE = "live", "直播"


class CourseState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已下架"


class VideoState(models.TextChoices):
    UPLOADING = "uploading", "上传中"
    QUEUED = "queued", "待转码"
    TRANSCODING = "transcoding", "转码中"
    READY = "ready", "可播放"
    FAILED = "failed", "转码失败"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUE_FALSE = "true_false", "判断题"
    FILL = "fill", "填空题"


class AttemptKind(models.TextChoices):
    MOCK = "mock", "模拟考试"
    QUIZ = "quiz", "课后测验"


class AttemptState(models.TextChoices):
    RUNNING = "running", "答题中"
    SUBMITTED = "submitted", "已交卷"
    EXPIRED = "expired", "超时交卷"


class CopyState(models.TextChoices):
    AVAILABLE = "available", "在架"
    ON_LOAN = "on_loan", "借出"
    ON_HOLD = "on_hold", "预约保留"
    LOST = "lost", "遗失"


class LoanState(models.TextChoices):
    ON_LOAN = "on_loan", "借阅中"
    RETURNED = "returned", "已归还"


class HoldState(models.TextChoices):
    WAITING = "waiting", "排队中"
    READY = "ready", "待取书"
    FULFILLED = "fulfilled", "已借出"
    CANCELLED = "cancelled", "已取消"


class CardBasis(models.TextChoices):
    """How the identity behind a deposit-free card (免押金办证) was verified."""

    MEMBER = "member", "工会会员"
    RESIDENT = "resident", "居民身份证核验"
