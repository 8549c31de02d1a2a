# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contests, their events, criteria, rounds and award tiers; the contest workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit

from ..enums import (
    CONTEST_TRANSITIONS,
    Better,
    ContestState,
    EventKind,
    EventMode,
    RoundKind,
    SexRule,
)
from ..models import AwardTier, Contest, Criterion, Event, Round
from .common import require_organiser, require_state


@dataclass(frozen=True)
class CriterionIn:
    name: str
    weight: int


@dataclass(frozen=True)
class EventIn:
    name: str
    kind: str
    mode: str = EventMode.INDIVIDUAL
    better: str = Better.HIGHER
    unit_label: str = ""
    sex: str = SexRule.ANY
    min_age: int | None = None
    max_age: int | None = None
    team_min: int = 1
    team_max: int = 1
    per_unit: int = 0
    scale_max: int = 100
    criteria: tuple[CriterionIn, ...] = ()


@dataclass(frozen=True)
class RoundIn:
    name: str
    kind: str
    advance: int
    upload_deadline: dt.datetime
    scoring_deadline: dt.datetime


@dataclass(frozen=True)
class TierIn:
    name: str
    quota: int | None = None
    share: int | None = None
    participation: bool = False


@transaction.atomic
def create_contest(
    org_unit: OrgUnit,
    *,
    actor,
    name: str,
    events: list[EventIn],
    rounds: list[RoundIn],
    tiers: list[TierIn],
    eligible_union: OrgUnit | None = None,
    cohosts: str = "",
    notice: str = "",
    stream_url: str = "",
    one_event_per_person: bool = False,
    member_only: bool = True,
    normalise: bool = True,
    trim: bool = True,
    vote_open: bool = False,
    max_video_mb: int = 1024,
    previous: Contest | None = None,
    previous_label: str = "",
    previous_participants: int | None = None,
) -> Contest:
    """A contest in draft with its events, rounds and award tiers, checked as a whole."""
    if not principal_for(actor).covers("contest", "change", org_unit):
        raise PermissionDeniedError("无权在该单位下举办竞赛")
    eligible_union = eligible_union or org_unit
    if not eligible_union.path.startswith(org_unit.path):
        raise DomainError("参赛范围应在主办单位之内", field="eligible_union")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写竞赛名称", field="name")
    if not events:
        raise DomainError("请至少设置一个竞赛项目", field="events")
    if not rounds:
        raise DomainError("请至少设置一个轮次", field="rounds")
    if not 1 <= max_video_mb <= 4096:
        raise DomainError("视频大小上限应在1到4096MB之间", field="max_video_mb")
    _check_events(events)
    _check_rounds(rounds)
    _check_tiers(tiers)
    contest = Contest.objects.create(
        org_unit=org_unit, eligible_union=eligible_union, name=name, cohosts=cohosts.strip(),
        notice=notice.strip(), stream_url=stream_url.strip(),
        one_event_per_person=one_event_per_person, member_only=member_only,
        normalise=normalise, trim=trim, vote_open=vote_open, max_video_mb=max_video_mb,
        previous=previous, previous_label=previous_label.strip(),
        previous_participants=previous_participants,
    )  # fmt: skip
    _create_parts(contest, events, rounds, tiers)
    audit.record(
        "contests.contest.create", actor=actor, obj=contest,
        after={"name": name, "events": len(events), "rounds": len(rounds), "tiers": len(tiers)},
    )  # fmt: skip
    return contest


def _create_parts(contest, events, rounds, tiers) -> None:
    for i, e in enumerate(events):
        event = Event.objects.create(
            contest=contest, name=e.name.strip(), kind=e.kind, mode=e.mode, better=e.better,
            unit_label=e.unit_label, sex=e.sex, min_age=e.min_age, max_age=e.max_age,
            team_min=e.team_min, team_max=e.team_max, per_unit=e.per_unit,
            scale_max=e.scale_max, order=i,
        )  # fmt: skip
        Criterion.objects.bulk_create(
            Criterion(event=event, name=c.name.strip(), weight=c.weight, order=j)
            for j, c in enumerate(e.criteria)
        )
    Round.objects.bulk_create(
        Round(contest=contest, name=r.name.strip(), kind=r.kind, order=i, advance=r.advance,
              upload_deadline=r.upload_deadline, scoring_deadline=r.scoring_deadline)
        for i, r in enumerate(rounds, 1)
    )  # fmt: skip
    AwardTier.objects.bulk_create(
        AwardTier(contest=contest, name=t.name.strip(), order=i, quota=t.quota, share=t.share,
                  participation=t.participation)
        for i, t in enumerate(tiers, 1)
    )  # fmt: skip


def _check_events(events: list[EventIn]) -> None:
    names = [e.name.strip() for e in events]
    if any(not n for n in names) or len(set(names)) != len(names):
        raise DomainError("项目名称不能为空，也不能重复", field="events")
    for e in events:
        if e.kind not in EventKind.values or e.mode not in EventMode.values:
            raise DomainError(f"{e.name}：请选择项目类型和参赛形式", field="events")
        if e.better not in Better.values or e.sex not in SexRule.values:
            raise DomainError(f"{e.name}：成绩方向或性别要求无效", field="events")
        if not 1 <= e.team_min <= e.team_max <= 100:
            raise DomainError(f"{e.name}：每队人数范围无效", field="events")
        if e.mode == EventMode.INDIVIDUAL and e.team_max != 1:
            raise DomainError(f"{e.name}：个人项目每队只能1人", field="events")
        if e.min_age is not None and e.max_age is not None and e.min_age > e.max_age:
            raise DomainError(f"{e.name}：年龄范围无效", field="events")
        if not 1 <= e.scale_max <= 1000:
            raise DomainError(f"{e.name}：评分满分应在1到1000之间", field="events")
        if e.kind == EventKind.JUDGED:
            if not e.criteria or sum(c.weight for c in e.criteria) != 100:
                raise DomainError(f"{e.name}：评分项的权重之和须为100%", field="events")
            if any(c.weight <= 0 or not c.name.strip() for c in e.criteria):
                raise DomainError(f"{e.name}：每个评分项须有名称和正的权重", field="events")
        elif e.criteria:
            raise DomainError(f"{e.name}：只有评分项目设评分项", field="events")


def _check_rounds(rounds: list[RoundIn]) -> None:
    before = None
    for i, r in enumerate(rounds):
        if r.kind not in RoundKind.values or not r.name.strip():
            raise DomainError("请填写轮次名称并选择轮次", field="rounds")
        if r.scoring_deadline < r.upload_deadline:
            raise DomainError(f"{r.name}：评分截止不能早于上传截止", field="rounds")
        if before is not None and r.upload_deadline <= before.scoring_deadline:
            raise DomainError(f"{r.name}：应在上一轮评分截止之后", field="rounds")
        last = i == len(rounds) - 1
        if last and r.advance:
            raise DomainError("最后一轮不设晋级名额", field="rounds")
        if not last and r.advance <= 0:
            raise DomainError(f"{r.name}：请填写每项晋级数", field="rounds")
        before = r


def _check_tiers(tiers: list[TierIn]) -> None:
    shares = 0
    for t in tiers:
        if not t.name.strip():
            raise DomainError("请填写奖项名称", field="tiers")
        if t.participation:
            continue
        if (t.quota is None) == (t.share is None):
            raise DomainError(f"{t.name}：名额和比例须且只须填写一项", field="tiers")
        if t.share is not None:
            shares += t.share
    if shares > 100:
        raise DomainError("各奖项比例之和不能超过100%", field="tiers")


@transaction.atomic
def transition(contest: Contest, *, actor, to: str) -> Contest:
    """The one transition of the contest workflow (checks what each step requires)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    require_organiser(actor, contest)
    if to not in CONTEST_TRANSITIONS.get(contest.state, ()):
        raise DomainError(
            f"竞赛当前为“{contest.get_state_display()}”，不能改为“{ContestState(to).label}”"
            if to in ContestState.values else "未知的竞赛状态",
            code="state",
        )  # fmt: skip
    from . import results

    if to == ContestState.RESULTS:
        results.compute_awards(contest, actor=actor)
    elif to == ContestState.PUBLISHED:
        results.check_publishable(contest)
        contest.published_at = timezone.now()
    elif contest.state == ContestState.RESULTS:  # back to judging: the awards are void
        contest.awards.all().delete()
    before = contest.state
    contest.state = to
    contest.save(update_fields=["state", "published_at"])
    audit.record("contests.contest.transition", actor=actor, obj=contest,
                 before={"state": before}, after={"state": to})  # fmt: skip
    return contest


@transaction.atomic
def create_selection(
    parent: Contest, unit: OrgUnit, *, actor, send_on: int, rounds: list[RoundIn], name: str = ""
) -> Contest:
    """A unit's own selection contest for ``parent``: the same events, its own units
    (branches) register, and its top ``send_on`` per event become the unit's entries."""
    from .registration import require_registrar

    require_registrar(actor, unit)
    require_state(parent, ContestState.REGISTRATION, ContestState.DRAFT,
                  message="上级竞赛已截止报名，不能再开展选拔")  # fmt: skip
    if not unit.path.startswith(parent.eligible_union.path):
        raise DomainError(f"{unit.name}不在“{parent.name}”的参赛范围内", field="unit")
    if not 1 <= send_on <= 50:
        raise DomainError("每项输送名额应在1到50之间", field="send_on")
    _check_rounds(rounds)
    contest = Contest.objects.create(
        org_unit=unit, eligible_union=unit, parent=parent, send_on=send_on,
        name=(name or f"{unit.name}{parent.name}选拔赛").strip()[:100],
        one_event_per_person=parent.one_event_per_person, member_only=parent.member_only,
        normalise=parent.normalise, trim=parent.trim, max_video_mb=parent.max_video_mb,
    )  # fmt: skip
    events = [
        EventIn(name=e.name, kind=e.kind, mode=e.mode, better=e.better, unit_label=e.unit_label,
                sex=e.sex, min_age=e.min_age, max_age=e.max_age, team_min=e.team_min,
                team_max=e.team_max, scale_max=e.scale_max,
                criteria=tuple(CriterionIn(c.name, c.weight) for c in e.criteria.all()))
        for e in parent.events.prefetch_related("criteria")
    ]  # fmt: skip
    _create_parts(contest, events, rounds, [])
    audit.record("contests.selection.create", actor=actor, obj=contest,
                 after={"parent": parent.pk, "send_on": send_on})  # fmt: skip
    return contest
