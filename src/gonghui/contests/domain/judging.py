# SPDX-License-Identifier: AGPL-3.0-or-later
"""Judges: invitation, declared conflicts of interest, blind scoring, progress."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import Membership, OrgUnit

from ..enums import ContestState, EntryState, EventKind, JudgeState, RoundState, VideoState
from ..models import Entry, Event, Judge, Score
from .common import local, require_organiser


@transaction.atomic
def invite_judge(event: Event, *, actor, user, name: str = "") -> Judge:
    require_organiser(actor, event.contest)
    if event.kind == EventKind.EXHIBITION:
        raise DomainError("展示项目不评分，无需评委", field="event")
    if Judge.objects.filter(event=event, user=user).exists():
        raise DomainError("该评委已受邀评审此项目", field="user")
    judge = Judge.objects.create(
        event=event, user=user, name=(name or getattr(user, "display_name", "") or str(user))[:50]
    )
    audit.record("contests.judge.invite", actor=actor, obj=event.contest,
                 after={"event": event.name, "judge": judge.name})  # fmt: skip
    return judge


@transaction.atomic
def declare_conflicts(judge: Judge, *, actor, units: list[OrgUnit], accept: bool = True) -> Judge:
    """The judge accepts (or declines) and declares the units they have an interest in;
    their own union is a conflict whether declared or not."""
    judge = Judge.objects.select_for_update().select_related("event__contest").get(pk=judge.pk)
    if principal_for(actor).acting_user_id != judge.user_id:
        raise PermissionDeniedError("只能由评委本人声明")
    if judge.scores.exists():
        raise DomainError("已开始评分，不能再修改声明", code="state")
    judge.state = JudgeState.ACCEPTED if accept else JudgeState.DECLINED
    judge.declared_at = timezone.now()
    judge.save(update_fields=["state", "declared_at"])
    judge.conflicts.set(units)
    audit.record("contests.judge.declare", actor=actor, obj=judge.event.contest,
                 after={"judge": judge.pk, "accept": accept,
                        "conflicts": sorted(u.pk for u in units)})  # fmt: skip
    return judge


def conflict_paths(judge: Judge) -> list[str]:
    paths = list(judge.conflicts.values_list("path", flat=True))
    person_id = getattr(judge.user, "person_id", None)
    if person_id:
        paths += (
            Membership.objects.active()
            .filter(person_id=person_id)
            .values_list("union__path", flat=True)
        )
    return paths


def in_conflict(paths: list[str], unit_path: str) -> bool:
    return any(unit_path.startswith(p) or p.startswith(unit_path) for p in paths)


def entries_to_score(judge: Judge):
    """The entries of the judge's event in its open round, without conflicting ones."""
    event = judge.event
    paths = conflict_paths(judge)
    rnd = current_round(event.contest)
    qs = (
        Entry.objects.filter(event=event, round=rnd, state=EntryState.REGISTERED,
                             videos__round=rnd, videos__state=VideoState.READY)
        .select_related("unit").distinct().order_by("number")
    )  # fmt: skip
    return [e for e in qs if not in_conflict(paths, e.unit.path)]


def current_round(contest):
    return contest.rounds.filter(state=RoundState.OPEN).order_by("order").first()


def _value(raw, scale_max: int | None, label: str) -> Decimal:
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label}：请填写数字", field="scores") from None
    if value < 0 or (scale_max is not None and value > scale_max):
        raise DomainError(f"{label}：分数应在0到{scale_max}之间", field="scores")
    return value


@transaction.atomic
def submit_scores(judge: Judge, entry: Entry, *, actor, values: dict) -> list[Score]:
    """One judge's marks of one entry: ``{criterion id: value}`` for a judged event,
    ``{"value": confirmed count}`` for a measured one. All or nothing; once only."""
    judge = Judge.objects.select_related("event__contest", "user").get(pk=judge.pk)
    event, contest = judge.event, judge.event.contest
    if principal_for(actor).acting_user_id != judge.user_id:
        raise PermissionDeniedError("只能由受邀评委本人评分")
    if judge.state != JudgeState.ACCEPTED:
        raise DomainError("请先接受邀请并声明利益冲突", code="state")
    if entry.event_id != event.pk:
        raise DomainError("该作品不属于您评审的项目", field="entry")
    if contest.state != ContestState.JUDGING:
        raise DomainError("竞赛当前不在评审阶段", code="state")
    rnd = current_round(contest)
    if rnd is None or entry.round_id != rnd.pk or entry.state != EntryState.REGISTERED:
        raise DomainError("该作品不在本轮评审之列", field="entry")
    if timezone.now() > rnd.scoring_deadline:
        raise DomainError(f"{rnd.name}评分已于{local(rnd.scoring_deadline)}截止", code="deadline")
    if in_conflict(conflict_paths(judge), entry.unit.path):
        raise DomainError("利益冲突：评委不能为本单位（或声明回避单位）的作品评分",
                          code="conflict")  # fmt: skip
    if not entry.videos.filter(round=rnd, state=VideoState.READY).exists():
        raise DomainError("该作品本轮尚未上传视频", field="entry")
    if Score.objects.filter(entry=entry, round=rnd, judge=judge).exists():
        raise DomainError("您已为该作品评过分，不能重复评分", code="duplicate")
    if event.kind == EventKind.MEASURED:
        rows = [Score(entry=entry, round=rnd, judge=judge, criterion=None,
                      value=_value(values.get("value"), None, "确认成绩"))]  # fmt: skip
    elif event.kind == EventKind.JUDGED:
        criteria = list(event.criteria.all())
        given = {str(k): v for k, v in values.items()}
        missing = [c.name for c in criteria if given.get(str(c.pk)) in (None, "")]
        if missing:
            raise DomainError(f"请为每个评分项打分（缺：{'、'.join(missing)}）", field="scores")
        unknown = set(given) - {str(c.pk) for c in criteria}
        if unknown:
            raise DomainError("含有不属于该项目的评分项", field="scores")
        rows = [Score(entry=entry, round=rnd, judge=judge, criterion=c,
                      value=_value(given[str(c.pk)], event.scale_max, c.name))
                for c in criteria]  # fmt: skip
    else:
        raise DomainError("展示项目不评分", field="entry")
    try:
        with transaction.atomic():
            Score.objects.bulk_create(rows)
    except IntegrityError:
        raise DomainError("您已为该作品评过分，不能重复评分", code="duplicate") from None
    marks = {str(r.criterion_id or "value"): str(r.value) for r in rows}
    audit.record("contests.score.submit", actor=actor, obj=entry,
                 after={"judge": judge.pk, "round": rnd.pk, **marks})  # fmt: skip
    return rows


def progress(contest) -> list[dict]:
    """Per judge: entries scored / entries to score in the open round (for the organiser)."""
    rnd = current_round(contest)
    out = []
    for judge in Judge.objects.filter(event__contest=contest).select_related("event", "user"):
        due = len(entries_to_score(judge)) if rnd else 0
        done = (
            Score.objects.filter(judge=judge, round=rnd).values("entry_id").distinct().count()
            if rnd else 0
        )  # fmt: skip
        out.append({"judge": judge, "event": judge.event, "done": done, "due": due})
    return out
