# SPDX-License-Identifier: AGPL-3.0-or-later
"""Rankings from the raw scores, round closing (who advances), awards and their tiers,
and a unit's selection sending its best entries on to the parent contest."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import F, FloatField, Sum
from django.db.models.functions import Cast

from gonghui.core.domain import audit
from gonghui.core.errors import DomainError

from ..enums import Better, ContestState, EntryState, EventKind, RoundState, VideoState
from ..models import ContestAward, Entry, Event, Judge, Round, Score, Video
from . import ranking
from .common import require_organiser
from .judging import conflict_paths, in_conflict


def rank_event(event: Event, rnd: Round) -> list[ranking.Ranked]:
    """The ranking of ``event`` in ``rnd`` from its raw scores (see ``ranking``)."""
    contest = event.contest
    entries = Entry.objects.filter(event=event, round__order__gte=rnd.order,
                                   state=EntryState.REGISTERED)  # fmt: skip
    numbers = dict(entries.values_list("pk", "number"))
    if event.kind == EventKind.JUDGED:
        # Step 1 (each judge's weighted total) in the database, the rest in numpy.
        weight = float(sum(event.criteria.values_list("weight", flat=True))) or 1.0
        rows = list(
            Score.objects.filter(round=rnd, criterion__event=event)
            .values("entry_id", "judge_id")
            .annotate(t=Sum(Cast("value", FloatField()) * F("criterion__weight"),
                            output_field=FloatField()))
            .values_list("entry_id", "judge_id", "t").order_by()
        )  # fmt: skip
        if not rows:
            return []
        arr = np.array(rows, dtype=float)
        # Only entries still in the running (not withdrawn, reached this round).
        arr = arr[np.isin(arr[:, 0].astype(np.int64), np.fromiter(numbers, dtype=np.int64))]
        return ranking.rank_totals(
            arr[:, 0], arr[:, 1], arr[:, 2] / weight, numbers,
            normalise=contest.normalise, trim=contest.trim,
        )  # fmt: skip
    if event.kind == EventKind.MEASURED:
        scores = Score.objects.filter(round=rnd, entry__in=entries)
        rows = list(scores.values_list("entry_id", "judge_id", "value"))
        uploaded = {
            e: at.timestamp()
            for e, at in Video.objects.filter(entry__in=entries, round=rnd,
                                              state=VideoState.READY)
            .values_list("entry_id", "completed_at")
            if at
        }  # fmt: skip
        return ranking.rank_measured(
            [(e, j, float(v)) for e, j, v in rows], numbers, uploaded,
            higher_better=event.better == Better.HIGHER,
        )  # fmt: skip
    return []


def missing_scores(event: Event, rnd: Round) -> int:
    """How many (judge, entry) marks are still due in ``rnd`` (conflicts excluded)."""
    if event.kind == EventKind.EXHIBITION:
        return 0
    # An entry without a video in the round has nothing to score (it is not ranked).
    entries = list(
        Entry.objects.filter(event=event, round=rnd, state=EntryState.REGISTERED,
                             videos__round=rnd, videos__state=VideoState.READY)
        .select_related("unit").distinct()
    )  # fmt: skip
    per_entry = max(1, event.criteria.count()) if event.kind == EventKind.JUDGED else 1
    missing = 0
    done = {}
    for judge_id, entry_id in Score.objects.filter(round=rnd, entry__event=event).values_list(
        "judge_id", "entry_id"
    ):
        done[(judge_id, entry_id)] = done.get((judge_id, entry_id), 0) + 1
    for judge in Judge.objects.filter(event=event, state="accepted").select_related("user"):
        paths = conflict_paths(judge)
        for e in entries:
            if not in_conflict(paths, e.unit.path) and done.get((judge.pk, e.pk), 0) < per_entry:
                missing += 1
    if entries and not Judge.objects.filter(event=event, state="accepted").exists():
        missing += len(entries)
    return missing


def _require_complete(contest, rnd: Round) -> None:
    for event in contest.events.all():
        n = missing_scores(event, rnd)
        if n:
            raise DomainError(f"{event.name}（{rnd.name}）尚有{n}份评分未完成", code="incomplete")


@transaction.atomic
def close_round(rnd: Round, *, actor) -> Round:
    """The round's one transition (open → closed): every score must be in; the top
    ``advance`` entries of each ranked event go on to the next round."""
    rnd = Round.objects.select_for_update().select_related("contest").get(pk=rnd.pk)
    contest = rnd.contest
    require_organiser(actor, contest)
    if rnd.state != RoundState.OPEN:
        raise DomainError("该轮次已结束", code="state")
    if contest.state != ContestState.JUDGING:
        raise DomainError("竞赛当前不在评审阶段", code="state")
    following = contest.rounds.filter(order__gt=rnd.order).order_by("order").first()
    if following is None:
        raise DomainError("最后一轮由生成获奖结果结束", code="state")
    _require_complete(contest, rnd)
    advanced = {}
    for event in contest.events.exclude(kind=EventKind.EXHIBITION):
        top = [r.entry_id for r in rank_event(event, rnd)[: rnd.advance]]
        Entry.objects.filter(pk__in=top).update(round=following)
        advanced[event.name] = len(top)
    rnd.state = RoundState.CLOSED
    rnd.save(update_fields=["state"])
    audit.record("contests.round.close", actor=actor, obj=contest,
                 before={"round": rnd.name}, after={"advanced": advanced})  # fmt: skip
    return rnd


def final_round(contest) -> Round:
    return contest.rounds.order_by("-order").first()


def compute_awards(contest, *, actor) -> list[ContestAward]:
    """The awards of every event from the final round's ranking and the tier quotas
    (called by the contest transition to 待确认结果; replaces any earlier computation)."""
    rnd = final_round(contest)
    earlier_open = contest.rounds.filter(order__lt=rnd.order, state=RoundState.OPEN)
    if earlier_open.exists():
        raise DomainError("请先结束前面的轮次", code="state")
    _require_complete(contest, rnd)
    ContestAward.objects.filter(contest=contest).delete()
    tiers = list(contest.tiers.order_by("order"))
    ranked_tiers = [t for t in tiers if not t.participation]
    participation = next((t for t in tiers if t.participation), None)
    awards = []
    seq = 0
    for event in contest.events.order_by("order"):
        if event.kind == EventKind.EXHIBITION:
            if participation is None:
                continue
            shown = (
                Entry.objects.filter(event=event, state=EntryState.REGISTERED,
                                     videos__state=VideoState.READY)
                .distinct().order_by("number")
            )  # fmt: skip
            for entry in shown:
                seq += 1
                awards.append(ContestAward(
                    contest=contest, event=event, entry=entry, tier=participation, rank=None,
                    certificate_no=f"C{contest.pk:04d}-{seq:05d}",
                ))  # fmt: skip
            continue
        ranked = rank_event(event, rnd)
        sizes = ranking.tier_sizes(len(ranked), [(t.quota, t.share) for t in ranked_tiers])
        pos = 0
        for tier, size in zip(ranked_tiers, sizes, strict=True):
            for r in ranked[pos : pos + size]:
                seq += 1
                awards.append(ContestAward(
                    contest=contest, event=event, entry_id=r.entry_id, tier=tier, rank=r.rank,
                    score=Decimal(str(r.result)), certificate_no=f"C{contest.pk:04d}-{seq:05d}",
                ))  # fmt: skip
            pos += size
    ContestAward.objects.bulk_create(awards)
    counts = {t.name: sum(1 for a in awards if a.tier_id == t.pk) for t in tiers}
    audit.record("contests.awards.compute", actor=actor, obj=contest, after=counts)
    return awards


def check_publishable(contest) -> None:
    """Awards are published only when every score is in and the awards are computed."""
    _require_complete(contest, final_round(contest))
    if contest.tiers.exists() and not ContestAward.objects.filter(contest=contest).exists():
        raise DomainError("尚未生成获奖结果", code="incomplete")


@transaction.atomic
def send_on(selection, *, actor) -> list[Entry]:
    """A unit's selection contest sends its top ``send_on`` entries of each event to the
    parent contest as the unit's own entries (the bank's 17 teams → top 3)."""
    from ..models import Contest
    from .registration import register_entry

    selection = Contest.objects.select_related("parent", "org_unit").get(pk=selection.pk)
    require_organiser(actor, selection)
    if selection.parent_id is None:
        raise DomainError("这不是选拔赛", code="state")
    if selection.state not in (ContestState.RESULTS, ContestState.PUBLISHED):
        raise DomainError("选拔赛结果确定后才能输送", code="state")
    rnd = final_round(selection)
    parent_events = {e.name: e for e in selection.parent.events.all()}
    sent = []
    for event in selection.events.exclude(kind=EventKind.EXHIBITION):
        for r in rank_event(event, rnd)[: selection.send_on]:
            entry = Entry.objects.select_related("unit").get(pk=r.entry_id)
            if hasattr(entry, "sent_on"):
                continue
            people = [m.person for m in entry.members.select_related("person")]
            sent.append(register_entry(
                parent_events[event.name], actor=actor, unit=selection.org_unit, people=people,
                name=f"{selection.org_unit.short_name or selection.org_unit.name}·{entry.name}",
                source=entry,
            ))  # fmt: skip
    audit.record("contests.selection.send_on", actor=actor, obj=selection,
                 after={"sent": len(sent)})  # fmt: skip
    return sent
