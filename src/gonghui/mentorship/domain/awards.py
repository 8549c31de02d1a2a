# SPDX-License-Identifier: AGPL-3.0-or-later
"""Reward linkage: "徒弟获了奖励，导师也有份"."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gonghui.core import growth
from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..enums import (
    LEVEL_ORDER,
    PASSED_ON_AWARDS,
    AgreementState,
    AwardKind,
    AwardLevel,
    PointSource,
    ProposalState,
)
from ..models import Agreement, Award, AwardProposal
from .common import require_runner
from .points import award_points

#: A contest honour above this level earns the mentor a special award the union decides.
SPECIAL_AWARD_ABOVE = AwardLevel.GROUP


@transaction.atomic
def record_apprentice_award(
    agreement: Agreement,
    *,
    actor,
    kind: str,
    level: str,
    title: str,
    awarded_on: dt.date,
    source: str = "",
) -> Award:
    """Record an award the apprentice won during the agreement. An innovation award passes
    to the mentor at once; a contest honour above group level proposes a special award.
    ``source``: the growth-record honour it comes from (``link_honours``)."""
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
        title=title, awarded_on=awarded_on, source=source,
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


# -- honours from the growth record ------------------------------------------------------------
#: Prefix of the growth-record refs of this app's own awards (never linked back).
OWN_REF = "mentorship."
#: A growth-record honour kind (``core.growth``) → the award kind here.
HONOUR_KINDS = {
    growth.CONTEST: AwardKind.SKILLS_CONTEST,
    growth.MANAGEMENT_INNOVATION: AwardKind.MANAGEMENT_INNOVATION,
    growth.TECHNICAL_INNOVATION: AwardKind.TECHNICAL_INNOVATION,
    growth.OTHER_HONOUR: AwardKind.OTHER,
}
#: Agreements whose parties' honours are linked (a draft is not yet in force; a terminated
#: one's end is not a date of the agreement).
LINKED_STATES = (
    AgreementState.SIGNED,
    AgreementState.IN_PROGRESS,
    AgreementState.MIDTERM,
    AgreementState.COMPLETED,
)


def party_honours(person) -> list[growth.GrowthEntry]:
    """``person``'s honours kept by other apps (published contest awards, …), read from the
    growth record (``core.growth``) without importing those apps; latest first."""
    return growth.honours(person, exclude_prefix=OWN_REF)


def _linkable(entry: growth.GrowthEntry, agreement: Agreement) -> dt.date | None:
    """The honour's day if it can be linked to ``agreement``: a known kind and level, dated
    within the term, with a ref to link it once."""
    on = timezone.localdate(entry.completed_at)
    end = agreement.completed_on or agreement.ends_on
    if entry.honour not in HONOUR_KINDS or entry.level not in AwardLevel.values or not entry.ref:
        return None
    return on if agreement.starts_on <= on <= end else None


@transaction.atomic
def link_honours(agreement: Agreement, *, actor) -> list[Award]:
    """Reward linkage from the growth record: each honour another app keeps for the
    apprentice (a published contest award, …) dated within the agreement goes through
    ``record_apprentice_award`` — a contest award above group level proposes the mentor's
    special award, an innovation award passes to the mentor; each honour of the mentor dated
    within it is recorded as the mentor's own award with its points (nothing passes on).
    Each honour is linked once per person and programme (``Award.source``). Returns the
    awards recorded (the mentor's copies of passed-on awards not included)."""
    agreement = Agreement.objects.select_related(
        "programme", "mentor__person", "apprentice__person"
    ).get(pk=agreement.pk)
    require_runner(actor, agreement.programme)
    if agreement.state not in LINKED_STATES:
        return []
    programme = agreement.programme

    def fresh(person, entry) -> bool:
        return not Award.objects.filter(
            agreement__programme=programme, person=person, source=entry.ref
        ).exists()

    done: list[Award] = []
    apprentice, mentor = agreement.apprentice.person, agreement.mentor.person
    for entry in reversed(party_honours(apprentice)):  # oldest first
        on = _linkable(entry, agreement)
        if on is not None and fresh(apprentice, entry):
            done.append(record_apprentice_award(
                agreement, actor=actor, kind=HONOUR_KINDS[entry.honour], level=entry.level,
                title=entry.title[:120], awarded_on=on, source=entry.ref,
            ))  # fmt: skip
    for entry in reversed(party_honours(mentor)):
        on = _linkable(entry, agreement)
        if on is not None and fresh(mentor, entry):
            award = Award.objects.create(
                agreement=agreement, person=mentor, kind=HONOUR_KINDS[entry.honour],
                level=entry.level, title=entry.title[:120], awarded_on=on, source=entry.ref,
            )  # fmt: skip
            award_points(
                programme, actor=actor, person=mentor, source=PointSource.AWARD,
                occurred_on=on, ref=award.title, agreement=agreement,
            )  # fmt: skip
            done.append(award)
    if done:
        audit.record("mentorship.award.link_honour", actor=actor, obj=agreement,
                     after={"awards": [a.pk for a in done]})  # fmt: skip
    return done


def link_recent_honours(*, actor, today: dt.date | None = None, days: int = 30) -> int:
    """The periodic pass (``tasks.link_honours_task``, daily): ``link_honours`` for every
    agreement in force or ended within ``days``. Returns the awards recorded."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=days)
    ids = (
        Agreement.objects.filter(state__in=LINKED_STATES)
        .exclude(completed_on__lt=since)
        .filter(ends_on__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(len(link_honours(Agreement(pk=pk), actor=actor)) for pk in ids)
