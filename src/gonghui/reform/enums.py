# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class Category(models.TextChoices):
    """The four kinds of reform the seed article names."""

    DATA_SHARING = "data_sharing", "数据共享"
    COLLABORATION = "collaboration", "业务协同"
    PROCESS = "process", "流程再造"
    INSTITUTION = "institution", "制度重塑"


class ReformStatus(models.TextChoices):
    DRAFT = "draft", "草拟"
    IN_PROGRESS = "in_progress", "推进中"
    SUSPENDED = "suspended", "暂缓"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已撤销"


class SourceKind(models.TextChoices):
    """Where an item came from: set by staff, or escalated from quality control."""

    DIRECT = "direct", "直接立项"
    RECTIFICATION = "rectification", "整改升级"
    WEAK_SPOT = "weak_spot", "短板升级"
