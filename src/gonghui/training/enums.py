# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class Party(models.TextChoices):
    WORKER = "worker", "职工"
    ENTERPRISE = "enterprise", "企业"
    DEPARTMENT = "department", "政府部门"


class Level(models.TextChoices):
    """Vocational skill levels (职业技能等级): 五级/初级工 … 一级/高级技师."""

    L5 = "l5", "初级"
    L4 = "l4", "中级"
    L3 = "l3", "高级"
    L2 = "l2", "技师"
    L1 = "l1", "高级技师"


class Mode(models.TextChoices):
    ONSITE = "onsite", "线下"
    ONLINE = "online", "线上"
    MIXED = "mixed", "线上线下结合"


class TimeSlot(models.TextChoices):
    WEEKDAY_EVENING = "weekday_evening", "工作日晚上"
    WEEKDAY_DAY = "weekday_day", "工作日白天"
    WEEKEND = "weekend", "周末"
    FLEXIBLE = "flexible", "时间灵活"


class DemandStatus(models.TextChoices):
    UNMATCHED = "unmatched", "待人工归类"
    MATCHED = "matched", "已归类"
    PLANNED = "planned", "已纳入方案"
    WITHDRAWN = "withdrawn", "已撤回"
    UNMAPPABLE = "unmappable", "无法对应"  # staff: no catalogue skill fits (reason kept)


class MatchMethod(models.TextChoices):
    PICKED = "picked", "本人选择"
    AUTO = "auto", "自动匹配"
    STAFF = "staff", "人工归类"


class PlanState(models.TextChoices):
    DRAFT = "draft", "草稿"
    CONSULTATION = "consultation", "征求意见中"
    APPROVED = "approved", "已审定"
    ANNOUNCED = "announced", "已公告"
    ENROLLING = "enrolling", "报名中"
    RUNNING = "running", "培训中"
    COMPLETED = "completed", "已结业"
    ARCHIVED = "archived", "已归档"
    CANCELLED = "cancelled", "已取消"


class Stance(models.TextChoices):
    SUPPORT = "support", "支持"
    OBJECT = "object", "反对"
    COMMENT = "comment", "建议"


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", "已报名"
    WAITLISTED = "waitlisted", "候补"
    CANCELLED = "cancelled", "已取消"


class CheckInMethod(models.TextChoices):
    QR = "qr", "扫码签到"
    MANUAL = "manual", "人工补签"


class OpinionParty(models.TextChoices):
    """Who gives an opinion in a consultation: the three demand parties, and (issue 14)
    union officers, trainers and invited experts."""

    WORKER = "worker", "职工"
    ENTERPRISE = "enterprise", "企业"
    DEPARTMENT = "department", "政府部门"
    UNION = "union", "工会干部"
    TRAINER = "trainer", "培训师"
    EXPERT = "expert", "特邀专家"


class OutcomeKind(models.TextChoices):
    """成果库: what a worker gained after training, one row per fact."""

    CERTIFICATE = "certificate", "取得证书"
    LEVEL_RISE = "level_rise", "技能等级提升"
    AWARD = "award", "技能竞赛获奖"
    EMPLOYMENT = "employment", "就业/转岗"
    PAY_RISE = "pay_rise", "收入增加"
    PROMOTION = "promotion", "晋升"


class InviteKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    DEPARTMENT = "department", "政府部门"
    UNION = "union", "工会"
    EXPERT = "expert", "特邀专家"
