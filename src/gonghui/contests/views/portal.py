# SPDX-License-Identifier: AGPL-3.0-or-later
"""Phone pages: a unit registers and uploads; a judge declares conflicts and scores;
an entrant sees their own entries and awards."""

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core import spreadsheets
from gonghui.core.console import run_form
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.enums import MEMBER_HOLDING_KINDS
from gonghui.orgs.models import OrgUnit, Person

from ..domain import contests, judging, queries, registration, videos
from ..enums import ContestState, EntryState, EventKind, JudgeState, RoundKind
from ..forms import DeclareForm, RegisterForm, SelectionForm
from ..models import Contest, Entry, Judge, Score


def _units_for(user, contest):
    """Member-holding units of the contest's range the caller may register for."""
    principal = principal_for(user)
    qs = OrgUnit.objects.restrict(user).filter(
        path__startswith=contest.eligible_union.path, kind__in=MEMBER_HOLDING_KINDS
    )
    return OrgUnit.objects.filter(
        pk__in=[u.pk for u in qs[:300] if principal.covers("contestentry", "change", u)]
    )


@login_required
def index(request):
    user = request.user
    principal = principal_for(user)
    open_contests = []
    if principal.may("contestentry", "change"):
        for c in Contest.objects.restrict(user).filter(state=ContestState.REGISTRATION)[:50]:
            if _units_for(user, c).exists():
                open_contests.append(c)
    judges = (
        Judge.objects.restrict(user)
        .filter(user_id=principal.acting_user_id)
        .select_related("event__contest")
    )
    mine = Entry.objects.restrict(user, "own").select_related("contest", "event", "unit")
    awards = queries.awards_of_person(user.person) if user.person_id else []
    return render(request, "contests/portal/index.html", {
        "open_contests": open_contests, "judges": judges, "mine": mine, "awards": awards,
    })  # fmt: skip


@login_required
def unit(request, contest_id):
    """Register a team or an entrant of one of the caller's units; its entries."""
    c = get_object_or_404(Contest.objects.restrict(request.user), pk=contest_id)
    units = _units_for(request.user, c)
    if not units.exists():
        raise PermissionDenied
    chosen = (
        units.filter(pk=request.GET.get("unit") or request.POST.get("unit")).first()
        or units.first()
    )
    q = (request.GET.get("q") or "").strip()
    people = (
        Person.objects.restrict(request.user)
        .filter(memberships__status="active", memberships__union__path__startswith=chosen.path)
        .distinct()
    )
    if q:
        people = people.filter(name__contains=q)
    if request.method == "POST":
        people = Person.objects.restrict(request.user)
    form = RegisterForm(request.POST or None, events=c.events.all(), units=units,
                        people=people if request.method == "POST" else people[:60],
                        initial={"unit": chosen})  # fmt: skip
    if request.method == "POST":
        done = run_form(form, lambda d: registration.register_entry(
            d["event"], actor=request.user, unit=d["unit"], people=list(d["people"]),
            name=d["name"]))  # fmt: skip
        if done:
            messages.success(request, f"已报名：{done}")
            return redirect(f"{request.path}?unit={done.unit_id}")
    entries = (
        Entry.objects.restrict(request.user)
        .filter(contest=c, unit__in=units)
        .select_related("event", "unit", "round")
    )
    selection_form = None
    if c.parent_id is None and c.state == ContestState.REGISTRATION:
        selection_form = SelectionForm(units=units, initial={"unit": chosen})
    return render(request, "contests/portal/unit.html", {
        "c": c, "form": form, "entries": entries, "chosen": chosen, "q": q,
        "selection_form": selection_form,
    })  # fmt: skip


BULK_EXAMPLE = "跳绳\t\t第一队\t张三、李四、王五\n男子俯卧撑\t\t\t赵六"


BULK_ERRORS_KEY = "contests_bulk_errors"


def _bulk_context(request, contest_id):
    c = get_object_or_404(Contest.objects.restrict(request.user), pk=contest_id)
    units = list(_units_for(request.user, c))
    if not units:
        raise PermissionDenied
    wanted = request.POST.get("unit") or request.GET.get("unit")
    chosen = next((u for u in units if str(u.pk) == wanted), units[0])
    return c, units, chosen


@login_required
def bulk(request, contest_id):
    """Register many entries of the caller's units at once: a list typed on the phone or
    pasted from a sheet (one entry a line), or an .xlsx of the template (one entry a row);
    every refused line or row is shown with its reasons (an uploaded workbook's refused
    rows also come back as a workbook with a 错误原因 column), and nothing is written
    unless every one can be registered. With htmx the result block is redrawn in place."""
    c, units, chosen = _bulk_context(request, contest_id)
    text = request.POST.get("rows", "")
    upload = request.FILES.get("file")
    rows, refused, done, error, error_file = [], {}, [], "", False
    if request.method == "POST":
        check_only = request.POST.get("action") == "check"
        request.session.pop(BULK_ERRORS_KEY, None)
        try:
            if upload is not None:
                text = ""
                headers, rows = registration.parse_workbook(
                    c, unit=chosen, data=spreadsheets.read_upload(upload), name=upload.name,
                    units=units,
                )  # fmt: skip
            else:
                rows = registration.parse_list(c, unit=chosen, text=text, units=units)
            done = registration.register_list(c, actor=request.user, rows=rows,
                                              dry_run=check_only)  # fmt: skip
        except registration.ListRefused as exc:
            refused, error = exc.rows, exc.message
            if upload is not None:
                request.session[BULK_ERRORS_KEY] = registration.store_refused_workbook(
                    headers, rows, refused
                )
                error_file = True
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            error = exc.message
        if done and not check_only:
            if not request.htmx:
                messages.success(request, f"已报名{len(done)}项")
                return redirect(f"{reverse('contests:unit', args=[c.pk])}?unit={chosen.pk}")
            return render(request, "contests/portal/bulk_result.html",
                          {"saved": done, "c": c, "chosen": chosen})  # fmt: skip
    context = {
        "c": c, "units": units, "chosen": chosen, "text": text, "example": BULK_EXAMPLE,
        "lines": [(row, refused.get(i)) for i, row in enumerate(rows)], "error": error,
        "checked": bool(done), "events": c.events.all(), "error_file": error_file,
        "from_file": upload is not None,
    }  # fmt: skip
    template = "contests/portal/bulk_result.html" if request.htmx else "contests/portal/bulk.html"
    return render(request, template, context, status=400 if error and request.htmx else 200)


@login_required
def bulk_template(request, contest_id):
    """The .xlsx to fill in for ``bulk`` (the contest's events as a drop-down)."""
    c, _units, _chosen = _bulk_context(request, contest_id)
    data = registration.template_workbook(c)
    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"contest-{c.pk}-registration.xlsx",
                        content_type=spreadsheets.XLSX_CONTENT_TYPE)  # fmt: skip


@login_required
def bulk_errors(request, contest_id):
    """The refused rows of the caller's last uploaded list, with a 错误原因 column."""
    c, _units, _chosen = _bulk_context(request, contest_id)
    data = registration.refused_workbook(request.session.get(BULK_ERRORS_KEY, ""))
    if data is None:
        raise Http404
    return FileResponse(io.BytesIO(data), as_attachment=True,
                        filename=f"contest-{c.pk}-registration-errors.xlsx",
                        content_type=spreadsheets.XLSX_CONTENT_TYPE)  # fmt: skip


@login_required
@require_POST
def create_selection(request, contest_id):
    c = get_object_or_404(Contest.objects.restrict(request.user), pk=contest_id)
    form = SelectionForm(request.POST, units=_units_for(request.user, c))
    if not form.is_valid():
        messages.error(request, "请选择单位并填写输送名额和截止时间")
        return redirect("contests:unit", c.pk)
    d = form.cleaned_data
    try:
        sel = contests.create_selection(
            c, d["unit"], actor=request.user, send_on=d["send_on"],
            rounds=[contests.RoundIn("选拔赛", RoundKind.SELECTION, 0, d["upload_deadline"],
                                     d["upload_deadline"] + dt.timedelta(days=3))],
        )  # fmt: skip
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contests:unit", c.pk)
    messages.success(request, f"已设立{sel.name}")
    return redirect("contests_console:contest", sel.pk)


@login_required
def upload(request, entry_id):
    e = get_object_or_404(
        Entry.objects.restrict(request.user, "change").select_related("contest", "event", "round"),
        pk=entry_id, state=EntryState.REGISTERED,
    )  # fmt: skip
    return render(request, "contests/portal/upload.html", {
        "e": e, "videos": e.videos.all(), "max_bytes": e.contest.max_video_mb * 1024 * 1024,
        "measured": e.event.kind == EventKind.MEASURED,
    })  # fmt: skip


@login_required
def judge_home(request, judge_id):
    judge = get_object_or_404(Judge.objects.select_related("event__contest", "user"), pk=judge_id,
                              user_id=principal_for(request.user).acting_user_id)  # fmt: skip
    contest = judge.event.contest
    units = OrgUnit.objects.filter(
        pk__in=Entry.objects.filter(contest=contest).values("unit_id")
    ).order_by("path")
    form = DeclareForm(request.POST or None, units=units,
                       initial={"conflicts": judge.conflicts.all(), "accept": "1"})  # fmt: skip

    def declare(d):
        return judging.declare_conflicts(
            judge, actor=request.user, units=list(d["conflicts"]), accept=d["accept"]
        )

    if request.method == "POST" and run_form(form, declare):
        messages.success(request, "声明已保存")
        return redirect("contests:judge", judge.pk)
    todo = []
    if judge.state == JudgeState.ACCEPTED and contest.state == ContestState.JUDGING:
        done = set(Score.objects.filter(judge=judge).values_list("entry_id", flat=True))
        todo = [(e, e.pk in done) for e in judging.entries_to_score(judge)]
    return render(request, "contests/portal/judge.html", {
        "judge": judge, "contest": contest, "form": form, "todo": todo,
        "done": sum(1 for _e, d in todo if d),
    })  # fmt: skip


@login_required
def score(request, judge_id, entry_id):
    judge = get_object_or_404(Judge.objects.select_related("event__contest"), pk=judge_id,
                              user_id=principal_for(request.user).acting_user_id)  # fmt: skip
    allowed = {e.pk: e for e in judging.entries_to_score(judge)}
    e = allowed.get(int(entry_id))
    if e is None:
        raise PermissionDenied
    event = judge.event
    mine = Score.objects.filter(judge=judge, entry=e).select_related("criterion")
    error = ""
    if request.method == "POST" and not mine.exists():
        if event.kind == EventKind.MEASURED:
            values = {"value": request.POST.get("value")}
        else:
            values = {str(c.pk): request.POST.get(f"c{c.pk}") for c in event.criteria.all()}
        try:
            judging.submit_scores(judge, e, actor=request.user, values=values)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"已提交 {e} 的评分")
            return redirect("contests:judge", judge.pk)
    return render(request, "contests/portal/score.html", {
        "judge": judge, "e": e, "event": event, "criteria": event.criteria.all(),
        "mine": mine, "error": error, "video": videos.latest_ready(e),
    })  # fmt: skip
