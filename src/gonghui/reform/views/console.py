# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages of the reform list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import console_page, paginate, run_form
from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for
from gonghui.orgs.domain.console_queries import units_covered

from ..domain import items as reform
from ..domain.queries import progress_by_category
from ..forms import (
    ItemFilterForm,
    ItemForm,
    MilestoneForm,
    ProgressForm,
    TransitionForm,
)
from ..models import ReformItem


def _item(request, item_id: int) -> ReformItem:
    return get_object_or_404(
        ReformItem.objects.restrict(request.user).select_related("org_unit"), pk=item_id
    )


@console_page("reformitem")
def item_list(request):
    qs = ReformItem.objects.restrict(request.user).select_related("org_unit")
    filters = ItemFilterForm(request.GET)
    if filters.is_valid():
        if filters.cleaned_data["category"]:
            qs = qs.filter(category=filters.cleaned_data["category"])
        if filters.cleaned_data["status"]:
            qs = qs.filter(status=filters.cleaned_data["status"])
    page, querystring = paginate(request, qs)
    context = {
        "page_obj": page, "querystring": querystring, "filters": filters,
        "summary": progress_by_category(ReformItem.objects.restrict(request.user)),
        "can_change": principal_for(request.user).may("reformitem", "change"),
    }  # fmt: skip
    return render(request, "reform/console/items.html", context)


@console_page("reformitem")
@require_http_methods(["GET", "POST"])
def item_new(request):
    if not principal_for(request.user).may("reformitem", "change"):
        raise PermissionDenied
    units = units_covered(request.user, "reformitem", "change")
    form = ItemForm(request.POST or None, units=units)
    if request.method == "POST":
        item = run_form(
            form,
            lambda d: reform.create_reform_item(d.pop("org_unit"), actor=request.user, **d),
        )
        if item is not None:
            messages.success(request, _("改革事项已设立（草拟）"))
            return redirect("reform_console:item", item.pk)
    return render(request, "reform/console/item_form.html", {"form": form, "item": None})


@console_page("reformitem")
@require_http_methods(["GET", "POST"])
def item_edit(request, item_id: int):
    item = _item(request, item_id)
    if not principal_for(request.user).can("reformitem", "change", item):
        raise PermissionDenied
    initial = {"title": item.title, "category": item.category, "goal": item.goal,
               "due_on": item.due_on}  # fmt: skip
    form = ItemForm(request.POST or None, initial=initial, with_unit=False)
    if request.method == "POST":
        done = run_form(form, lambda d: reform.update_reform_item(item, actor=request.user, **d))
        if done is not None:
            messages.success(request, _("改革事项已修改"))
            return redirect("reform_console:item", item.pk)
    return render(request, "reform/console/item_form.html", {"form": form, "item": item})


def _detail(request, item, **forms):
    context = {
        "item": item,
        "milestones": list(item.milestones.all()),
        "history": list(item.history.all()),
        "can_change": principal_for(request.user).can("reformitem", "change", item),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "progress_form": forms.get("progress_form"),
        "transition_form": forms.get("transition_form") or TransitionForm(),
        "actions": _actions(item),
    }
    status = 400 if forms else 200
    return render(request, "reform/console/item.html", context, status=status)


def _actions(item) -> list[tuple[str, str]]:
    labels = {"start": _("启动推进"), "suspend": _("暂缓"), "resume": _("恢复推进"),
              "complete": _("办结"), "cancel": _("撤销")}  # fmt: skip
    allowed = reform.TRANSITIONS[item.status]
    out = []
    for action, target in reform.ACTIONS.items():
        if target not in allowed:
            continue
        if action == "start" and item.status != "draft":
            continue
        if action == "resume" and item.status != "suspended":
            continue
        out.append((action, labels[action]))
    return out


@console_page("reformitem")
def item_detail(request, item_id: int):
    return _detail(request, _item(request, item_id))


@console_page("reformitem")
@require_POST
def milestone_add(request, item_id: int):
    item = _item(request, item_id)
    form = MilestoneForm(request.POST)
    if run_form(form, lambda d: reform.add_milestone(item, actor=request.user, **d)) is None:
        return _detail(request, item, milestone_form=form)
    messages.success(request, _("里程碑已添加"))
    return redirect("reform_console:item", item.pk)


@console_page("reformitem")
@require_POST
def milestone_progress(request, item_id: int):
    item = _item(request, item_id)
    form = ProgressForm(request.POST)

    def call(d):
        milestone = item.milestones.filter(pk=d.pop("milestone")).first()
        if milestone is None:
            raise DomainError(_("里程碑不存在"))
        return reform.record_milestone_progress(milestone, actor=request.user, **d)

    if run_form(form, call) is None:
        return _detail(request, item, progress_form=form)
    messages.success(request, _("进展已记录"))
    return redirect("reform_console:item", item.pk)


@console_page("reformitem")
@require_POST
def item_transition(request, item_id: int, action: str):
    if action not in reform.ACTIONS:
        raise Http404
    item = _item(request, item_id)
    form = TransitionForm(request.POST)
    done = run_form(
        form,
        lambda d: reform.transition_reform_item(
            item, reform.ACTIONS[action], actor=request.user, note=d["note"]
        ),
    )
    if done is None:
        return _detail(request, item, transition_form=form)
    messages.success(request, _("改革事项状态已更新"))
    return redirect("reform_console:item", item.pk)
