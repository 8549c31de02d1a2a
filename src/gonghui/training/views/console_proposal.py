# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: the proposal engine (一键生成建议方案) and decision support (决策建议)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gonghui.core.console import add_domain_error, console_page
from gonghui.core.errors import DomainError

from ..domain import console_queries, decision, proposal
from ..forms import ProposeForm


def _ids(values) -> list[int]:
    out = []
    for value in values:
        out += [int(v) for v in str(value).split(",") if v.strip().isdigit()]
    return out


@console_page("plan", "change")
@require_http_methods(["GET", "POST"])
def plan_propose(request):
    source = request.POST if request.method == "POST" else request.GET
    ids = _ids(source.getlist("items"))
    items = list(console_queries.open_items(request.user).filter(pk__in=ids))
    if not items:
        raise Http404
    trainers = console_queries.bookable_trainers(request.user)
    form = ProposeForm(source if "start_on" in source else None, trainers=trainers)
    options: dict = {}
    status = 200
    if form.is_bound and form.is_valid():
        options = {k: v for k, v in form.cleaned_data.items() if k != "override_reason" and v}
        if request.method == "POST":
            try:
                plan = proposal.propose_plan(
                    items, actor=request.user, override_reason=form.cleaned_data["override_reason"],
                    **options,
                )  # fmt: skip
            except DomainError as exc:
                add_domain_error(form, exc)
                status = 400
            else:
                messages.success(
                    request, _("已生成建议方案“%(title)s”，请审阅修改") % {"title": plan.title}
                )
                return redirect("training_console:plan", plan_id=plan.pk)
    elif form.is_bound:
        status = 400
    result, error = None, ""
    try:
        result = proposal.propose(items, actor=request.user, **options)
    except DomainError as exc:
        error = exc.message
    first = items[0]
    related = (
        console_queries.open_items(request.user)
        .filter(skill=first.skill, level=first.level, status="open")
        .exclude(pk__in=[i.pk for i in items])
    )
    context = {
        "items": items,
        "ids": ",".join(str(i.pk) for i in items),
        "proposal": result,
        "error": error,
        "form": form,
        "related": related,
    }
    return render(request, "training/console/plan_propose.html", context, status=status)


@console_page("plan")
def decision_support(request):
    context = decision.decision_support(request.user)
    return render(request, "training/console/decision.html", context)
