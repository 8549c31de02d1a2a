# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of the reform list: a dozen reform items of the 海盐县 federation in the four
categories, with weighted milestones, progress and status history (through the domain)."""

import datetime as dt
import random

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.orgs.models import OrgUnit

from ..domain import items as reform
from ..enums import ReformStatus

#: (category, title, goal, [(milestone, weight, months from start, progress)], final status)
ITEMS = [
    ("data_sharing", "培训需求与人社数据共享",
     "工会需求清单与人社局职业技能培训补贴数据按月互通，避免重复培训、重复补贴",
     [("确定共享数据项", 20, 1, 100), ("签订数据共享协议", 30, 3, 100),
      ("接口联调上线", 50, 6, 60)],
     "in_progress"),
    ("data_sharing", "职工技能证书一库汇聚", "培训成果、证书与职工成长档案一库管理，浙里办可查",
     [("证书数据归集", 40, 2, 100), ("成长档案对接", 60, 5, 100)], "completed"),
    ("data_sharing", "阵地资源地图共享", "全县培训阵地、职工之家开放时间和容量一图展示",
     [("阵地信息普查", 50, 2, 80), ("地图上线", 50, 4, 0)], "in_progress"),
    ("collaboration", "企业—工会—部门联合培训机制", "企业出题、工会组织、部门补贴的三方协同培训",
     [("三方协议范本", 30, 1, 100), ("首批试点企业", 40, 4, 100), ("全县推广", 30, 9, 20)],
     "in_progress"),
    ("collaboration", "师资共享互聘", "县、镇、企业三级师资统一入库、互聘互认",
     [("师资库标准", 50, 2, 100), ("互聘办法", 50, 5, 40)], "suspended"),
    ("collaboration", "培训评价结果部门互认", "评价结果作为补贴发放依据之一",
     [("评价结果推送", 100, 6, 0)], "draft"),
    ("process", "培训方案线上征求意见", "方案征求意见全流程线上办理，意见答复公开",
     [("征求意见模块上线", 60, 2, 100), ("答复公开", 40, 3, 100)], "completed"),
    ("process", "报名—签到—评价一码通", "一个二维码完成报名、签到和评价",
     [("扫码签到", 40, 2, 100), ("扫码评价", 40, 4, 100), ("一码整合", 20, 7, 50)],
     "in_progress"),
    ("process", "整改闭环管理", "质量问题自动发起整改，限时办结、销号管理",
     [("规则上线", 50, 1, 100), ("超期督办", 50, 3, 30)], "in_progress"),
    ("institution", "培训质量评价办法", "出台全县职工技能培训质量评价办法，明确指标和短板处置",
     [("办法起草", 30, 2, 100), ("征求意见", 30, 3, 100), ("印发实施", 40, 5, 0)],
     "in_progress"),
    ("institution", "培训补贴绩效挂钩制度", "补贴与结业率、取证率、满意度挂钩",
     [("测算方案", 50, 3, 20), ("联合发文", 50, 8, 0)], "in_progress"),
    ("institution", "过程监管时限规定", "明确征求意见、公告、评价等环节时限和预警处置",
     [("时限规定印发", 100, 2, 100)], "cancelled"),
]  # fmt: skip


def build_reform_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    staff = User.objects.filter(username="county_staff").first()
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if staff is None or root is None:
        return []
    rng = random.Random(seed * 13 + 5)  # noqa: S311 - synthetic data
    towns = list(OrgUnit.objects.filter(parent=root, kind="town").order_by("path"))
    today = timezone.localdate()
    start = today - dt.timedelta(days=150)
    counts: dict[str, int] = {}
    for category, title, goal, milestones, final in ITEMS:
        owner = root if rng.random() < 0.6 or not towns else rng.choice(towns)
        item = reform.create_reform_item(
            owner, actor=staff, title=title, category=category, goal=goal,
            due_on=start + dt.timedelta(days=30 * max(m[2] for m in milestones) + 15),
        )  # fmt: skip
        rows = [
            reform.add_milestone(
                item,
                actor=staff,
                title=name,
                weight=weight,
                due_on=start + dt.timedelta(days=30 * months),
            )
            for name, weight, months, _progress in milestones
        ]
        if final != ReformStatus.DRAFT:
            reform.transition_reform_item(item, ReformStatus.IN_PROGRESS, actor=staff)
        for row, (_n, _w, months, progress) in zip(rows, milestones, strict=True):
            if progress and final != ReformStatus.DRAFT:
                done = start + dt.timedelta(days=30 * months - rng.randint(0, 10))
                reform.record_milestone_progress(
                    row, actor=staff, progress=progress,
                    evidence="已完成，材料存档" if progress == 100 else "按计划推进",
                    on=min(done, today),
                )  # fmt: skip
        if final == ReformStatus.SUSPENDED:
            reform.transition_reform_item(item, final, actor=staff, note="等待省级平台接口规范")
        elif final == ReformStatus.CANCELLED:
            reform.transition_reform_item(item, final, actor=staff, note="并入《培训质量评价办法》")
        elif final == ReformStatus.COMPLETED:
            reform.transition_reform_item(item, final, actor=staff, note="验收通过")
        counts[final] = counts.get(final, 0) + 1
    summary = "，".join(f"{ReformStatus(k).label}{v}" for k, v in sorted(counts.items()))
    return [f"Reform list: {len(ITEMS)} items ({summary}); public page /reform/"]


ORDER = 50  # gonghui.demo runs the parts in this order


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    if not ctx.training:
        return
    ctx.lines += build_reform_demo(seed=ctx.seed, log=ctx.log)
