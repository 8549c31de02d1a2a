# SPDX-License-Identifier: AGPL-3.0-or-later
"""Demo data of supervision and quality control for the 海盐县 demo county, loaded after
training and evaluation: the federation's quality rules and one tightened time limit, a
supervision scan (overdue steps become alerts), spot checks with photos, rectifications
opened by the rules and by an inspection and carried along their workflow (some submitted,
some closed, one returned, some overdue), and one escalated into the reform list."""

import datetime as dt
import random
import struct
import zlib
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.orgs.models import OrgUnit
from gonghui.training.enums import PlanState
from gonghui.training.models import TrainingPlan

from ..domain import inspections, quality, supervision
from ..enums import Metric, RectificationStatus, Step
from ..models import Alert, Inspection

FINDINGS = {
    "good": ["签到规范，学员到课情况与签到一致，教学秩序良好", "课程按方案实施，实操设备齐全"],
    "fair": ["签到表与现场人数略有出入，已要求当场核对", "实训工位偏少，部分学员轮流操作"],
    "poor": ["现场人数明显少于签到人数，存在代签嫌疑", "教室消防通道被器材堵塞，无安全提示"],
}


def _png(seed: int, width: int = 64, height: int = 48) -> bytes:
    """A small solid-colour PNG standing in for a site photo."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    colour = bytes(rng.randint(40, 220) for _ in range(3))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))  # fmt: skip

    raw = b"".join(b"\x00" + colour * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


def build_insight_demo(*, seed: int, log=print) -> list[str]:
    """Load the demo; return summary lines for the command's output."""
    staff = User.objects.filter(username="county_staff").first()
    town_staff = User.objects.filter(username="wuyuan_staff").first()
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    if staff is None or root is None or not TrainingPlan.objects.exists():
        return []
    rng = random.Random(seed * 11 + 3)  # noqa: S311 - synthetic data
    today = timezone.localdate()
    # The federation's rules and one limit of its own.
    supervision.set_step_limit(root, actor=staff, step=Step.ANNOUNCE, days=5)
    for metric, threshold, dimension, days in (
        (Metric.ATTENDANCE, "85", "", 20),
        (Metric.RESPONSE_RATE, "60", "", 15),
        (Metric.DIMENSION, "3.60", "venue", 30),
        (Metric.DIMENSION, "3.60", "teaching", 30),
    ):
        quality.set_quality_rule(root, actor=staff, metric=metric, threshold=Decimal(threshold),
                                 dimension=dimension, deadline_days=days)  # fmt: skip
    scan = supervision.scan_supervision()
    # Rectifications: the older half opened as if found 40 days ago (now overdue).
    completed = TrainingPlan.objects.filter(
        state__in=[PlanState.COMPLETED, PlanState.ARCHIVED]
    ).order_by("created_at", "id")
    ids = list(completed.values_list("pk", flat=True))
    half = len(ids) // 2
    opened = quality.check_quality(TrainingPlan.objects.filter(pk__in=ids[:half]),
                                   today=today - dt.timedelta(days=40))  # fmt: skip
    opened += quality.check_quality(TrainingPlan.objects.filter(pk__in=ids[half:]), today=today)
    # Spot checks of plans under way or just finished, with photos.
    watched = list(
        TrainingPlan.objects.filter(
            state__in=[PlanState.RUNNING, PlanState.ENROLLING, PlanState.COMPLETED]
        ).order_by("id")
    )
    rng.shuffle(watched)
    verdicts = ["good", "good", "fair", "poor", "fair", "good"]
    spot_checks: list[Inspection] = []
    for n, plan in enumerate(watched[: len(verdicts)]):
        verdict = verdicts[n]
        session = plan.sessions.order_by("starts_at").first()
        at = min(session.starts_at + dt.timedelta(minutes=40), timezone.now()) if session else None
        spot_checks.append(inspections.record_inspection(
            plan, actor=staff, verdict=verdict, findings=rng.choice(FINDINGS[verdict]),
            session=session, inspected_at=at, present=rng.randint(12, 40),
            photos=[_png(seed + n * 2), _png(seed + n * 2 + 1)],
        ))  # fmt: skip
    for spot in spot_checks:
        if spot.verdict == "poor":
            opened.append(quality.open_rectification_from_inspection(
                spot, actor=staff, title=f"{spot.plan.title}：现场督查问题整改",
                deadline=today + dt.timedelta(days=10),
            ))  # fmt: skip
    # Carry some along: submitted by the unit (town staff where in scope), closed, returned.
    submitter = town_staff or staff
    rng.shuffle(opened)
    closed = returned = submitted = 0
    for n, rect in enumerate(opened):
        actor = submitter if submitter != staff and _covers(submitter, rect) else staff
        if n % 4 == 3:
            continue  # left open
        quality.transition_rectification(
            rect, RectificationStatus.SUBMITTED, actor=actor,
            evidence="已召开整改会议，调整授课安排并补课，附签到表和照片",
        )  # fmt: skip
        submitted += 1
        reviewer = staff if actor != staff else None
        if reviewer is None:
            continue  # the county staff submitted it themselves: another person must accept
        if n % 4 == 0:
            quality.transition_rectification(rect, RectificationStatus.CLOSED, actor=reviewer)
            closed += 1
        elif n % 4 == 1:
            quality.transition_rectification(rect, RectificationStatus.OPEN, actor=reviewer,
                                             note="佐证材料不全，请补充补课签到表")  # fmt: skip
            returned += 1
    escalated = 0
    for rect in opened:
        if rect.metric == Metric.ATTENDANCE:
            quality.escalate_rectification(
                rect, actor=staff, title="工学矛盾化解与脱产参训保障",
                category="institution",
                goal="多个培训班出勤率低于规定，建立企业保障职工脱产参训制度",
            )  # fmt: skip
            escalated = 1
            break
    alerts = Alert.objects.count()
    return [
        f"Supervision: {alerts} alerts on overdue steps ({scan.open} still open); "
        f"{len(spot_checks)} spot checks with photos",
        f"Quality: {len(opened)} rectifications ({submitted} submitted, {closed} closed, "
        f"{returned} returned, {escalated} escalated into the reform list)",
        "Dashboard: /console/insight/ (county_staff), supervision /console/insight/supervision/",
    ]


def _covers(user, rect) -> bool:
    from gonghui.core.scope import principal_for

    return principal_for(user).can("rectification", "change", rect)


ORDER = 40  # gonghui.demo runs the parts in this order


def build(ctx) -> None:
    """This app's part of ``manage.py demo`` (``gonghui.demo.DemoContext``)."""
    if not ctx.training:
        return
    ctx.lines += build_insight_demo(seed=ctx.seed, log=ctx.log)
