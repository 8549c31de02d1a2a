# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reward linkage: "徒弟获了奖励，导师也有份"."""

import datetime as dt

from django.db import transaction

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..enums import LEVEL_ORDER, PASSED_ON_AWARDS, AwardKind, AwardLevel, PointSource, ProposalState
from ..models import Agreement, Award, AwardProposal
from .common import require_runner
from .points import award_points

#: A contest honour above this level earns the mentor a special award the union decides.
SPECIAL_AWARD_ABOVE = AwardLevel.GROUP


@transaction.atomic
def record_apprentice_award(
    agreement: Agreement, *, actor, kind: str, level: str, title: str, awarded_on: dt.date
) -> Award:
    """Record an award the apprentice won during the agreement. An innovation award passes
    to the mentor at once; a contest honour above group level proposes a special award."""
    agreement = Agreement.objects.select_related(
        "programme", "mentor__person", "apprentice__person"
    ).get(pk=agreement.pk)
    require_runner(actor, agreement.programme)
    if kind not in AwardKind.values:
        raise DomainError("请选择奖励类别", field="kind")
    if level not in AwardLevel.values:
        raise DomainError("请选择奖励级别", field="level")
    title = (title or "").strip()
    if not title:
        raise DomainError("请填写奖项名称", field="title")
    end = agreement.completed_on or agreement.ends_on
    if not agreement.starts_on <= awarded_on <= end:
        raise DomainError(
            f"获奖日期应在协议期限内（{agreement.starts_on:%Y-%m-%d} 至 {end:%Y-%m-%d}）",
            field="awarded_on",
        )
    award = Award.objects.create(
        agreement=agreement, person=agreement.apprentice.person, kind=kind, level=level,
        title=title, awarded_on=awarded_on,
    )  # fmt: skip
    audit.record("mentorship.award.record", actor=actor, obj=agreement,
                 after={"award": award.pk, "kind": kind, "level": level})  # fmt: skip
    award_points(
        agreement.programme, actor=actor, person=award.person, source=PointSource.AWARD,
        occurred_on=awarded_on, ref=title, agreement=agreement,
    )  # fmt: skip
    if kind in PASSED_ON_AWARDS:
        _pass_on(award, actor=actor, title=title)
    elif kind == AwardKind.SKILLS_CONTEST and LEVEL_ORDER[level] > LEVEL_ORDER[SPECIAL_AWARD_ABOVE]:
        AwardProposal.objects.create(award=award, mentor=agreement.mentor)
        audit.record("mentorship.award.propose", actor=actor, obj=agreement,
                     after={"award": award.pk})  # fmt: skip
    return award


def _pass_on(award: Award, *, actor, title: str) -> Award:
    agreement = award.agreement
    copy = Award.objects.create(
        agreement=agreement, person=agreement.mentor.person, kind=award.kind, level=award.level,
        title=title, awarded_on=award.awarded_on, passed_from=award,
    )  # fmt: skip
    award_points(
        agreement.programme, actor=actor, person=copy.person, source=PointSource.AWARD,
        occurred_on=award.awarded_on, ref=f"徒弟获奖：{award.title}", agreement=agreement,
    )  # fmt: skip
    audit.record("mentorship.award.pass_on", actor=actor, obj=agreement,
                 after={"award": copy.pk, "from": award.pk})  # fmt: skip
    return copy


@transaction.atomic
def decide_special_award(
    proposal: AwardProposal, *, actor, confirm: bool, title: str = "", note: str = ""
) -> AwardProposal:
    proposal = (
        AwardProposal.objects.select_for_update()
        .select_related("award__agreement__programme")
        .get(pk=proposal.pk)
    )
    require_runner(actor, proposal.award.agreement.programme)
    if proposal.state != ProposalState.PROPOSED:
        raise DomainError("该奖励建议已处理", code="state")
    if confirm:
        title = (title or "").strip() or f"导师特别奖（{proposal.award.title}）"
        copy = _pass_on(proposal.award, actor=actor, title=title)
        proposal.mentor_award = copy
        proposal.state = ProposalState.CONFIRMED
    else:
        if not (note or "").strip():
            raise DomainError("不予奖励时请说明理由", field="note")
        proposal.state = ProposalState.DECLINED
    proposal.decided_by = actor if getattr(actor, "_meta", None) else None
    proposal.decision_note = (note or "").strip()[:300]
    proposal.save(update_fields=["state", "mentor_award", "decided_by", "decision_note"])
    audit.record("mentorship.award.decide", actor=actor, obj=proposal.award.agreement,
                 after={"proposal": proposal.pk, "state": proposal.state})  # fmt: skip
    return proposal


# -- the contests seam --------------------------------------------------------------------------
def record_contest_honours(agreement: Agreement, honours, *, actor) -> list[Award]:
    """The seam for the ``contests`` app (not a dependency yet): ``honours`` are plain
    ``(title, level, awarded_on)`` tuples — what its planned public query
    ``contests.domain.queries.awards_of_person(person)`` returns, mapped to ``AwardLevel``
    by the caller. Each honour of the apprentice dated within the agreement and not yet
    recorded (same title and date) goes through ``record_apprentice_award`` as a 技能竞赛荣誉,
    so one above group level proposes the mentor's special award. Returns those recorded."""
    end = agreement.completed_on or agreement.ends_on
    have = set(
        Award.objects.filter(agreement=agreement, kind=AwardKind.SKILLS_CONTEST).values_list(
            "title", "awarded_on"
        )
    )
    return [
        record_apprentice_award(
            agreement,
            actor=actor,
            kind=AwardKind.SKILLS_CONTEST,
            level=level,
            title=title,
            awarded_on=on,
        )
        for title, level, on in honours
        if agreement.starts_on <= on <= end and (title, on) not in have
    ]
