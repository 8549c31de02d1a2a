# SPDX-License-Identifier: AGPL-3.0-or-later
"""Public pages of an announced contest: notice and rules, live leaderboard of measured
events, finalists, awards (once published), the popularity vote and the stream link."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError

from ..domain import queries, results, votes
from ..enums import ContestState, EntryState, EventKind
from ..models import ContestAward, Entry, Event


def _public(contest_id):
    return get_object_or_404(queries.public_contests(), pk=contest_id)


def contests(request):
    return render(request, "contests/public/list.html", {"contests": queries.public_contests()})


def notice(request, contest_id):
    c = _public(contest_id)
    return render(request, "contests/public/notice.html", {
        "c": c, "events": c.events.prefetch_related("criteria"), "rounds": c.rounds.all(),
        "tiers": c.tiers.all(),
    })  # fmt: skip


def leaderboard(request, contest_id):
    """Measured events, live: the confirmed results of the open (or last) round."""
    c = _public(contest_id)
    rnd = c.rounds.filter(state="open").order_by("order").first() or c.rounds.last()
    boards = []
    for event in c.events.filter(kind=EventKind.MEASURED):
        ranked = results.rank_event(event, rnd)
        entries = Entry.objects.in_bulk([r.entry_id for r in ranked])
        boards.append({"event": event,
                       "rows": [(r, entries[r.entry_id]) for r in ranked[:20]]})  # fmt: skip
    return render(request, "contests/public/leaderboard.html", {"c": c, "boards": boards})


def finalists(request, contest_id):
    c = _public(contest_id)
    final = results.final_round(c)
    shown = (
        c.rounds.count() > 1 and c.rounds.filter(order__lt=final.order, state="open").count() == 0
    )
    entries = (
        Entry.objects.filter(contest=c, round=final, state=EntryState.REGISTERED)
        .select_related("event", "unit").order_by("event__order", "number")
        if shown else Entry.objects.none()
    )  # fmt: skip
    return render(request, "contests/public/finalists.html",
                  {"c": c, "entries": entries, "final": final, "shown": shown})  # fmt: skip


def awards(request, contest_id):
    c = _public(contest_id)
    rows = (
        ContestAward.objects.filter(contest=c).select_related("event", "tier", "entry__unit")
        if c.state == ContestState.PUBLISHED else ContestAward.objects.none()
    )  # fmt: skip
    return render(request, "contests/public/awards.html", {"c": c, "rows": rows})


def vote(request, contest_id, event_id):
    c = _public(contest_id)
    if not c.vote_open:
        raise Http404
    event = get_object_or_404(Event, pk=event_id, contest=c)
    mine = None
    if request.user.is_authenticated:
        mine = event.votes.filter(user=request.user).values_list("entry_id", flat=True).first()
    return render(request, "contests/public/vote.html",
                  {"c": c, "event": event, "tally": votes.tally(event), "mine": mine})  # fmt: skip


@require_POST
def cast(request, contest_id, event_id):
    c = _public(contest_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.path.replace("cast/", ""))
    event = get_object_or_404(Event, pk=event_id, contest=c)
    entry = get_object_or_404(Entry, pk=request.POST.get("entry") or 0, event=event)
    try:
        votes.cast_vote(entry, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "投票成功，感谢参与")
    return redirect("contests:vote", c.pk, event.pk)
