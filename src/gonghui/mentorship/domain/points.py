# SPDX-License-Identifier: AGPL-3.0-or-later
"""The points ledger (积分管理系统): append-only entries, each with its rule version and
source; leaderboards by person or unit and period."""

import datetime as dt

from django.db import transaction
from django.db.models import Sum

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.orgs.models import Membership, OrgUnit, Person

from ..enums import AgreementState, PointSource
from ..models import Agreement, MentorshipProgramme, PointEntry
from .common import require_runner
from .programmes import current_rulebook

#: What staff may record by hand; goals and awards score through their own functions.
RECORDED_BY_STAFF = (
    PointSource.EXAM_PASSED,
    PointSource.PROPOSAL,
    PointSource.MANAGEMENT_INNOVATION,
    PointSource.TECHNICAL_INNOVATION,
)
LIVE_STATES = (AgreementState.IN_PROGRESS, AgreementState.MIDTERM)


def award_points(
    programme: MentorshipProgramme,
    *,
    actor,
    person: Person,
    source: str,
    occurred_on: dt.date,
    ref: str = "",
    agreement: Agreement | None = None,
) -> PointEntry:
    """One ledger entry at the current rules' value for ``source`` (callers check rights)."""
    book = current_rulebook(programme)
    points = int(book.points.get(str(source), 0))
    union_id = (
        Membership.objects.active().filter(person=person).values_list("union_id", flat=True).first()
    )
    entry = PointEntry.objects.create(
        programme=programme, person=person, union_id=union_id, agreement=agreement,
        source=source, points=points, rule_version=book.version, ref=ref[:200],
        occurred_on=occurred_on,
    )  # fmt: skip
    audit.record(
        "mentorship.points.add", actor=actor, obj=programme,
        after={"person": person.pk, "source": source, "points": points,
               "rule_version": book.version},
    )  # fmt: skip
    return entry


@transaction.atomic
def log_teaching(agreement: Agreement, *, actor, summary: str, on: dt.date) -> PointEntry:
    """The mentor's teaching log (带教日志): one entry per day, by the mentor themself."""
    agreement = Agreement.objects.select_related("mentor__person", "programme").get(pk=agreement.pk)
    if getattr(actor, "person_id", None) != agreement.mentor.person_id:
        raise PermissionDeniedError("带教日志由导师本人填写")
    if agreement.state not in LIVE_STATES:
        raise DomainError("只有带教中的协议可以填写带教日志", code="state")
    if not agreement.starts_on <= on <= agreement.ends_on:
        raise DomainError("日志日期应在协议期限内", field="on")
    summary = " ".join((summary or "").split())
    if not 5 <= len(summary) <= 200:
        raise DomainError("带教内容请写5到200字", field="summary")
    if PointEntry.objects.filter(
        agreement=agreement, source=PointSource.TEACHING_LOG, occurred_on=on
    ).exists():
        raise DomainError("当天已填写带教日志", code="duplicate")
    return award_points(
        agreement.programme, actor=actor, person=agreement.mentor.person,
        source=PointSource.TEACHING_LOG, occurred_on=on, ref=summary, agreement=agreement,
    )  # fmt: skip


@transaction.atomic
def record_achievement(
    agreement: Agreement, *, actor, person: Person, source: str, ref: str, on: dt.date
) -> PointEntry:
    """Staff record an exam passed, a proposal or an innovation result of a party."""
    require_runner(actor, agreement.programme)
    if source not in RECORDED_BY_STAFF:
        raise DomainError("该类积分不能手工登记", field="source")
    if person.pk not in (agreement.mentor.person_id, agreement.apprentice.person_id):
        raise DomainError("只能为协议的导师或徒弟登记积分", field="person")
    if not agreement.starts_on <= on <= agreement.ends_on:
        raise DomainError("发生日期应在协议期限内", field="on")
    if not (ref or "").strip():
        raise DomainError("请填写依据（如考试名称、建议编号）", field="ref")
    return award_points(
        agreement.programme, actor=actor, person=person, source=source, occurred_on=on,
        ref=ref.strip(), agreement=agreement,
    )  # fmt: skip


def leaderboard(
    programme: MentorshipProgramme,
    *,
    start: dt.date,
    end: dt.date,
    by: str = "person",
    limit: int = 50,
) -> list[dict]:
    """Points per person (or per union) in ``start``–``end`` inclusive, highest first."""
    if by not in ("person", "unit"):
        raise DomainError("排行方式应为按人员或按单位")
    field = "person_id" if by == "person" else "union_id"
    rows = list(
        PointEntry.objects.filter(programme=programme, occurred_on__range=(start, end))
        .values(field)
        .annotate(total=Sum("points"))
        .order_by("-total", field)[:limit]
    )
    ids = [r[field] for r in rows]
    model = Person if by == "person" else OrgUnit
    names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [{"id": r[field], "name": names.get(r[field], "—"), "points": r["total"]} for r in rows]


def balance(programme: MentorshipProgramme, person: Person) -> int:
    return (
        PointEntry.objects.filter(programme=programme, person=person).aggregate(s=Sum("points"))[
            "s"
        ]
        or 0
    )
