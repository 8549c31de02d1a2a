# SPDX-License-Identifier: AGPL-3.0-or-later
"""Programmes and their versioned points rules."""

from django.db import transaction
from django.db.models import Max

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit

from ..enums import MentorLevel, PointSource
from ..models import MentorshipProgramme, PointRulebook
from .common import require_runner

#: Points per source when a programme starts (the union revises them as new versions).
DEFAULT_POINTS = {
    PointSource.TEACHING_LOG: 2,
    PointSource.GOAL_MET: 20,
    PointSource.EXAM_PASSED: 10,
    PointSource.AWARD: 30,
    PointSource.PROPOSAL: 5,
    PointSource.MANAGEMENT_INNOVATION: 15,
    PointSource.TECHNICAL_INNOVATION: 15,
}


@transaction.atomic
def create_programme(
    org_unit: OrgUnit,
    *,
    actor,
    name: str,
    min_level: str = MentorLevel.TECHNICIAN,
    criteria: str = "",
    max_apprentices: int = 3,
    pool_term_months: int = 36,
    agreement_months: int = 36,
    weights: tuple[int, int, int] = (50, 30, 20),
) -> MentorshipProgramme:
    if not principal_for(actor).covers("mentorprogramme", "change", org_unit):
        raise PermissionDeniedError("无权在该工会下设立导师带徒项目")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写项目名称", field="name")
    if min_level not in MentorLevel.values:
        raise DomainError("请选择导师最低技能等级", field="min_level")
    if not 1 <= max_apprentices <= 20:
        raise DomainError("每位导师带徒人数应在1到20之间", field="max_apprentices")
    if not (1 <= pool_term_months <= 120 and 1 <= agreement_months <= 120):
        raise DomainError("期限应在1到120个月之间", field="agreement_months")
    if sum(weights) != 100 or min(weights) < 0:
        raise DomainError("三项考核权重之和须为100%", field="weights")
    programme = MentorshipProgramme.objects.create(
        org_unit=org_unit, name=name, min_level=min_level, criteria=criteria.strip(),
        max_apprentices=max_apprentices, pool_term_months=pool_term_months,
        agreement_months=agreement_months, weight_kpi=weights[0],
        weight_improvement=weights[1], weight_attitude=weights[2],
    )  # fmt: skip
    PointRulebook.objects.create(
        programme=programme, version=1, points={str(k): v for k, v in DEFAULT_POINTS.items()},
        note="初始积分规则",
    )  # fmt: skip
    audit.record("mentorship.programme.create", actor=actor, obj=programme)
    return programme


@transaction.atomic
def revise_points(
    programme: MentorshipProgramme, *, actor, points: dict[str, int], note: str
) -> PointRulebook:
    """A new version of the points rules; entries already made keep the version they name."""
    require_runner(actor, programme)
    unknown = set(points) - set(PointSource.values)
    if unknown:
        raise DomainError(f"未知的积分来源：{'、'.join(sorted(unknown))}", field="points")
    if any(not isinstance(v, int) or not -1000 <= v <= 1000 for v in points.values()):
        raise DomainError("每项积分应为-1000到1000之间的整数", field="points")
    if not (note or "").strip():
        raise DomainError("请填写修订说明", field="note")
    current = current_rulebook(programme)
    version = (
        PointRulebook.objects.filter(programme=programme).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    book = PointRulebook.objects.create(
        programme=programme, version=version, points={**current.points, **points},
        note=note.strip(),
    )  # fmt: skip
    audit.record(
        "mentorship.points.revise", actor=actor, obj=programme,
        before={"version": current.version, **current.points},
        after={"version": version, **book.points},
    )  # fmt: skip
    return book


def current_rulebook(programme: MentorshipProgramme) -> PointRulebook:
    return PointRulebook.objects.filter(programme=programme).order_by("-version").first()
