# SPDX-License-Identifier: AGPL-3.0-or-later
"""Contests API under /api/contests: contests and their rules, entries and registration,
the workflow, blind scoring by judges, standings, awards and statistics. Same scope,
rules and errors as the pages."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit, Person

from .domain import contests, judging, registration, results, stats
from .enums import EventKind
from .models import Contest, ContestAward, Entry, Event, Judge
from .schemas import (
    ContestAwardOut,
    ContestDetailOut,
    ContestEntryIn,
    ContestEntryOut,
    ContestJudgeOut,
    ContestOut,
    ContestRankedOut,
    ContestScoreIn,
    ContestScoreOut,
    ContestStatsOut,
    ContestTransitionIn,
)

router = Router(tags=["竞赛"])


def _contest(request, contest_id: int, action: str = "view") -> Contest:
    return get_object_or_404(Contest.objects.restrict(request.auth, action), pk=contest_id)


@router.get("/contests", response=list[ContestOut], summary="竞赛")
@paginate(Page)
def list_contests(request):
    return Contest.objects.restrict(request.auth)


@router.get("/contests/{contest_id}", response=ContestDetailOut, summary="竞赛详情与规则")
def get_contest(request, contest_id: int):
    c = _contest(request, contest_id)
    c.events_list = list(c.events.prefetch_related("criteria"))
    return {
        **{f: getattr(c, f) for f in ("id", "name", "org_unit_id", "eligible_union_id",
                                      "parent_id", "state", "cohosts", "notice", "stream_url",
                                      "normalise", "trim", "one_event_per_person")},
        "events": [{**{f: getattr(e, f) for f in (
            "id", "name", "kind", "mode", "better", "unit_label", "sex", "min_age", "max_age",
            "team_min", "team_max", "scale_max")}, "criteria": list(e.criteria.all())}
            for e in c.events_list],
        "rounds": list(c.rounds.all()),
    }  # fmt: skip


@router.get("/contests/{contest_id}/entries", response=list[ContestEntryOut], summary="参赛作品")
@paginate(Page)
def list_entries(request, contest_id: int):
    c = _contest(request, contest_id)
    return Entry.objects.restrict(request.auth).filter(contest=c).select_related("unit")


@router.post("/contests/{contest_id}/entries", response={201: ContestEntryOut}, summary="报名")
def register(request, contest_id: int, payload: ContestEntryIn):
    c = _contest(request, contest_id)
    event = get_object_or_404(Event, pk=payload.event_id, contest=c)
    unit = get_object_or_404(OrgUnit.objects.restrict(request.auth), pk=payload.unit_id)
    people = list(Person.objects.restrict(request.auth).filter(pk__in=payload.person_ids))
    if len(people) != len(set(payload.person_ids)):
        from django.http import Http404

        raise Http404
    entry = registration.register_entry(event, actor=request.auth, unit=unit, people=people,
                                        name=payload.name)  # fmt: skip
    return Status(201, entry)


@router.post("/contests/{contest_id}/transition", response=ContestOut, summary="推进竞赛流程")
def transition(request, contest_id: int, payload: ContestTransitionIn):
    c = _contest(request, contest_id)
    return contests.transition(c, actor=request.auth, to=payload.to)


@router.get("/contests/{contest_id}/standings", response=list[ContestRankedOut],
            summary="各项目各轮次排名（由原始评分计算）")  # fmt: skip
def standings(request, contest_id: int):
    c = _contest(request, contest_id)
    if not principal_for(request.auth).can("contest", "change", c):
        raise PermissionDenied
    out = []
    for rnd in c.rounds.all():
        for event in c.events.exclude(kind=EventKind.EXHIBITION):
            out += [{"round_id": rnd.pk, "event_id": event.pk, "entry_id": r.entry_id,
                     "number": r.number, "rank": r.rank, "result": r.result,
                     "raw_mean": r.raw_mean, "judges": r.judges}
                    for r in results.rank_event(event, rnd)]  # fmt: skip
    return out


@router.get("/contests/{contest_id}/awards", response=list[ContestAwardOut], summary="获奖")
@paginate(Page)
def list_awards(request, contest_id: int):
    c = _contest(request, contest_id)
    return ContestAward.objects.restrict(request.auth).filter(contest=c).select_related("tier")


@router.get("/contests/{contest_id}/stats", response=ContestStatsOut, summary="参赛统计")
def contest_stats(request, contest_id: int):
    c = _contest(request, contest_id)
    if not principal_for(request.auth).can("contest", "change", c):
        raise PermissionDenied
    s = stats.contest_stats(c)
    return {**s.__dict__, "uploaded_share": s.uploaded_share}


@router.get("/judges", response=list[ContestJudgeOut], summary="我的评审")
@paginate(Page)
def my_judging(request):
    return (
        Judge.objects.restrict(request.auth)
        .filter(user_id=principal_for(request.auth).acting_user_id)
        .select_related("event")
    )


@router.post("/judges/{judge_id}/scores", response={201: list[ContestScoreOut]},
             summary="提交评分（评委本人，每件作品一次）")  # fmt: skip
def submit(request, judge_id: int, payload: ContestScoreIn):
    judge = get_object_or_404(Judge.objects.restrict(request.auth), pk=judge_id)
    entry = get_object_or_404(Entry.objects.filter(event_id=judge.event_id), pk=payload.entry_id)
    rows = judging.submit_scores(judge, entry, actor=request.auth, values=payload.values)
    return Status(201, rows)
