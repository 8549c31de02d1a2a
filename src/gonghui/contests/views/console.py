# SPDX-License-Identifier: AGPL-3.0-or-later
"""Console pages of the organiser: contests, entries, judges and progress, rounds,
results with their trace to the raw scores, awards and certificates, statistics."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.console import console_page, paginate, run_form
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import write_workbook
from gonghui.orgs.models import OrgUnit

from ..domain import contests, judging, results, stats
from ..domain.certificates import certificate_pdf
from ..domain.presets import preset
from ..enums import CONTEST_TRANSITIONS, EventKind, RoundState
from ..forms import ContestCreateForm, JudgeInviteForm, TransitionForm
from ..models import Contest, ContestAward, Entry, Judge, Round, Score


def _contest(request, contest_id, action="view") -> Contest:
    return get_object_or_404(
        Contest.objects.restrict(request.user, action).select_related("org_unit", "parent"),
        pk=contest_id,
    )


def _organiser_units(user):
    return OrgUnit.objects.restrict(user).filter(
        pk__in=[u.pk for u in OrgUnit.objects.restrict(user)[:500]
                if principal_for(user).covers("contest", "change", u)]
    )  # fmt: skip


def _domain(request, call, ok: str):
    try:
        call()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)


@console_page("contest")
def index(request):
    can_create = principal_for(request.user).may("contest", "change")
    form = None
    if can_create:
        units = _organiser_units(request.user)
        form = ContestCreateForm(request.POST or None, units=units)
        if request.method == "POST":
            contest = run_form(form, lambda d: contests.create_contest(
                d["org_unit"], actor=request.user, name=d["name"], cohosts=d["cohosts"],
                notice=d["notice"], **preset(d["template"], d["upload_deadline"]),
            ))  # fmt: skip
            if contest:
                return redirect("contests_console:contest", contest.pk)
    page, query = paginate(
        request, Contest.objects.restrict(request.user).select_related("org_unit")
    )
    return render(request, "contests/console/index.html",
                  {"page": page, "query": query, "form": form})  # fmt: skip


@console_page("contest")
def contest(request, contest_id):
    c = _contest(request, contest_id)
    runs = principal_for(request.user).can("contest", "change", c)
    entries = (
        Entry.objects.restrict(request.user).filter(contest=c)
        .select_related("event", "unit", "round").order_by("number")
    )  # fmt: skip
    page, query = paginate(request, entries)
    return render(request, "contests/console/contest.html", {
        "c": c, "runs": runs, "page": page, "query": query,
        "events": c.events.prefetch_related("criteria"), "rounds": c.rounds.all(),
        "tiers": c.tiers.all(), "next_states": CONTEST_TRANSITIONS.get(c.state, ()),
        "progress": judging.progress(c) if runs else [],
        "judge_form": JudgeInviteForm(events=c.events.exclude(kind=EventKind.EXHIBITION)),
        "selections": Contest.objects.restrict(request.user).filter(parent=c),
    })  # fmt: skip


@console_page("contest", "change")
@require_POST
def transition(request, contest_id):
    c = _contest(request, contest_id, "change")
    form = TransitionForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        _domain(request, lambda: contests.transition(c, actor=request.user, to=to), "状态已更新")
    return redirect("contests_console:contest", c.pk)


@console_page("contest", "change")
@require_POST
def close_round(request, round_id):
    rnd = get_object_or_404(Round, pk=round_id, state=RoundState.OPEN)
    _contest(request, rnd.contest_id, "change")
    _domain(
        request, lambda: results.close_round(rnd, actor=request.user), "本轮已结束，晋级名单已产生"
    )
    return redirect("contests_console:contest", rnd.contest_id)


@console_page("contest", "change")
@require_POST
def invite_judge(request, contest_id):
    c = _contest(request, contest_id, "change")
    form = JudgeInviteForm(request.POST, events=c.events.exclude(kind=EventKind.EXHIBITION))
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, "没有该用户名的账号")
        else:
            _domain(request, lambda: judging.invite_judge(
                form.cleaned_data["event"], actor=request.user, user=user,
                name=form.cleaned_data["name"]), "已邀请评委")  # fmt: skip
    else:
        messages.error(request, "请选择项目并填写评委账号")
    return redirect("contests_console:contest", c.pk)


@console_page("contest", "change")
@require_POST
def send_on(request, contest_id):
    c = _contest(request, contest_id, "change")
    _domain(request, lambda: results.send_on(c, actor=request.user), "已输送到上级竞赛")
    return redirect("contests_console:contest", c.pk)


@console_page("contest")
def standings(request, contest_id):
    """Every event's ranking in every round with its trace to the raw scores."""
    c = _contest(request, contest_id)
    if not principal_for(request.user).can("contest", "change", c):
        raise PermissionDenied
    tables = []
    for rnd in c.rounds.all():
        for event in c.events.exclude(kind=EventKind.EXHIBITION):
            ranked = results.rank_event(event, rnd)
            if not ranked:
                continue
            names = dict(Entry.objects.filter(pk__in=[r.entry_id for r in ranked])
                         .values_list("pk", "name"))  # fmt: skip
            judges = dict(Judge.objects.filter(event=event).values_list("pk", "name"))
            rows = [{"r": r, "name": names[r.entry_id],
                     "totals": [(judges.get(j, j), raw, norm, j in r.dropped)
                                for j, (raw, norm) in sorted(r.totals.items())]}
                    for r in ranked]  # fmt: skip
            tables.append({"round": rnd, "event": event, "rows": rows,
                           "missing": results.missing_scores(event, rnd)})  # fmt: skip
    return render(request, "contests/console/standings.html", {"c": c, "tables": tables})


@console_page("contest")
def entry(request, entry_id):
    e = get_object_or_404(
        Entry.objects.restrict(request.user).select_related("contest", "event", "unit", "round"),
        pk=entry_id,
    )
    scores = (
        Score.objects.restrict(request.user)
        .filter(entry=e)
        .select_related("judge", "criterion", "round")
    )
    return render(request, "contests/console/entry.html", {
        "e": e, "members": e.members.select_related("person"), "videos": e.videos.all(),
        "scores": scores, "award": ContestAward.objects.restrict(request.user)
        .filter(entry=e).select_related("tier").first(),
    })  # fmt: skip


@console_page("contest")
def statistics(request, contest_id):
    c = _contest(request, contest_id)
    s = stats.contest_stats(c)
    return render(request, "contests/console/stats.html", {"c": c, "s": s})


@console_page("contest")
def export(request, contest_id):
    c = _contest(request, contest_id)
    out = write_workbook(stats.stats_rows(c, stats.contest_stats(c)), title="统计")
    return FileResponse(out, as_attachment=True, filename=f"contest-{c.pk}-stats.xlsx")


@console_page("contest")
def certificate(request, award_id):
    award = get_object_or_404(
        ContestAward.objects.restrict(request.user).select_related("contest", "event", "tier",
                                                                    "entry__unit"),
        pk=award_id,
    )  # fmt: skip
    if award.contest.state != "published":
        raise PermissionDenied("获奖结果公布后才能打印证书")
    pdf = certificate_pdf(award)
    res = HttpResponse(pdf, content_type="application/pdf")
    res["Content-Disposition"] = f'inline; filename="{award.certificate_no}.pdf"'
    return res
