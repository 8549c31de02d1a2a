# SPDX-License-Identifier: AGPL-3.0-or-later
from django.db import models


class MentorLevel(models.TextChoices):
    """Skill grades a mentor may hold (国家职业技能等级)."""

    SENIOR_WORKER = "senior_worker", "高级工"
    TECHNICIAN = "technician", "技师"
    SENIOR_TECHNICIAN = "senior_technician", "高级技师"
    CHIEF_TECHNICIAN = "chief_technician", "首席技师"


#: Order of the grades, for "at least 技师" criteria.
LEVEL_RANK = {level: rank for rank, level in enumerate(MentorLevel.values)}


class MentorState(models.TextChoices):
    APPLIED = "applied", "待审核"
    APPROVED = "approved", "在库"
    REJECTED = "rejected", "未通过"
    SUSPENDED = "suspended", "暂停"
    EXPIRED = "expired", "期满"


class AgreementState(models.TextChoices):
    DRAFT = "draft", "草拟"
    SIGNED = "signed", "已签订"
    IN_PROGRESS = "in_progress", "带教中"
    MIDTERM = "midterm", "中期评估"
    COMPLETED = "completed", "已出徒"
    TERMINATED = "terminated", "已终止"


#: States in which an agreement binds its mentor and apprentice.
ACTIVE_AGREEMENT_STATES = (
    AgreementState.DRAFT,
    AgreementState.SIGNED,
    AgreementState.IN_PROGRESS,
    AgreementState.MIDTERM,
)


class SignerRole(models.TextChoices):
    MENTOR = "mentor", "导师"
    APPRENTICE = "apprentice", "徒弟"
    UNION = "union", "工会"


class PointSource(models.TextChoices):
    TEACHING_LOG = "teaching_log", "带教日志"
    GOAL_MET = "goal_met", "目标达成"
    EXAM_PASSED = "exam_passed", "考试通过"
    AWARD = "award", "获奖"
    PROPOSAL = "proposal", "合理化建议"
    MANAGEMENT_INNOVATION = "management_innovation", "管理创新"
    TECHNICAL_INNOVATION = "technical_innovation", "技术创新"


class AwardKind(models.TextChoices):
    MANAGEMENT_INNOVATION = "management_innovation", "管理创新奖"
    TECHNICAL_INNOVATION = "technical_innovation", "技术创新奖"
    SKILLS_CONTEST = "skills_contest", "技能竞赛荣誉"
    OTHER = "other", "其他奖励"


#: Awards that pass to the mentor automatically ("徒弟获了奖励，导师也有份").
PASSED_ON_AWARDS = (AwardKind.MANAGEMENT_INNOVATION, AwardKind.TECHNICAL_INNOVATION)


class AwardLevel(models.TextChoices):
    """Lowest first; the values are ``core.growth.HONOUR_LEVELS``' keys (a contest of a town
    or county federation is organised outside the group company, so it ranks above it)."""

    TEAM = "team", "班组级"
    COMPANY = "company", "公司级"
    GROUP = "group", "集团级"
    TOWN = "town", "乡镇（街道）级"
    COUNTY = "county", "县（区）级"
    CITY = "city", "市级"
    PROVINCE = "province", "省级"
    NATIONAL = "national", "国家级"


LEVEL_ORDER = {level: rank for rank, level in enumerate(AwardLevel.values)}


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    CONFIRMED = "confirmed", "已确认"
    DECLINED = "declined", "不予奖励"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    PASS = "pass", "合格"
    FAIL = "fail", "不合格"
