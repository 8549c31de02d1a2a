# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: the demand list (需求清单) with its mapping queue, and demand items
(需求项) with their priority formula and profile."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.core.console import add_domain_error, console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..domain import analysis, console_queries, demand_queries
from ..domain.matching import map_identical_demands, mapping_queue, mark_unmappable
from ..forms import DemandFilterForm, WeightsForm
from ..models import PriorityWeights, Skill, TrainingPlan

QUEUE_SIZE = 20


def _may_tune(user) -> bool:
    """Rebuilding the items and tuning the weights touch every item of every area: the
    declared rule ``training.tune_demanditem`` (the domain checks it again)."""
    return user.has_perm(analysis.TUNE)


def _demand_page(request, *, status=200, map_errors=None, rebuild=None):
    areas = console_queries.areas_for(request.user).order_by("path")
    form = DemandFilterForm(request.GET or None, areas=areas)
    qs = demand_queries.demands_visible_to(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["party"]:
            qs = qs.filter(party=data["party"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
        if data["skill"]:
            qs = qs.filter(skill__name__icontains=data["skill"])
        if data["area"]:
            qs = qs.filter(area=data["area"])
    page, querystring = paginate(request, qs)
    principal = principal_for(request.user)
    can_change = principal.may("demand", "change")
    groups, group_total, queue_total = (
        mapping_queue(request.user, limit=QUEUE_SIZE) if can_change else ([], 0, 0)
    )
    context = {
        "form": form,
        "page_obj": page,
        "querystring": querystring,
        "can_change": can_change,
        "queue": groups,
        "queue_groups": group_total,
        "queue_total": queue_total,
        "map_errors": map_errors or {},
        "rebuild": rebuild,
        "skill_names": Skill.objects.order_by("name").values_list("name", flat=True)
        if can_change
        else [],
    }
    return render(request, "training/console/demands.html", context, status=status)


@console_page("demand")
def demand_list(request):
    return _demand_page(request)


@console_page("demand")
@require_GET
def skill_search(request):
    """The skill picker (htmx): catalogue skills matching what staff typed, as radio buttons.
    The queue's input is named ``skill_name`` (its value is also posted with the form);
    ``q`` is accepted too."""
    demand_id = request.GET.get("demand", "")
    typed = request.GET.get("skill_name") or request.GET.get("q") or ""
    context = {
        "skills": console_queries.skills_matching(typed),
        "demand_id": demand_id if demand_id.isdigit() else "",
    }
    return render(request, "training/partials/console_skill_pick.html", context)


@console_page("demand", "change")
@require_POST
def demand_map(request, demand_id: int):
    demand = get_object_or_404(demand_queries.demands_visible_to(request.user), pk=demand_id)
    skill = None
    skill_id = request.POST.get("skill", "")
    if skill_id.isdigit():
        skill = Skill.objects.filter(pk=int(skill_id)).first()
    if skill is None and request.POST.get("skill_name", "").strip():
        skill = Skill.objects.filter(name=request.POST["skill_name"].strip()).first()
    if skill is None:
        return _demand_page(
            request, status=400, map_errors={demand.pk: _("请从技能目录中选择技能")}
        )
    try:
        mapped = map_identical_demands(demand, skill=skill, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return _demand_page(request, status=400, map_errors={demand.pk: exc.message})
    messages.success(
        request,
        _("已将“%(text)s”（%(n)d条）归入%(skill)s")
        % {"text": demand.free_text, "n": len(mapped), "skill": skill.name},
    )
    return redirect("training_console:demands")


@console_page("demand", "change")
@require_POST
def demand_unmappable(request, demand_id: int):
    """无法对应: the demand (and every waiting demand with the same text) fits no skill."""
    demand = get_object_or_404(demand_queries.demands_visible_to(request.user), pk=demand_id)
    try:
        marked = mark_unmappable(demand, reason=request.POST.get("reason", ""), actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return _demand_page(request, status=400, map_errors={demand.pk: exc.message})
    messages.success(
        request,
        _("已将“%(text)s”（%(n)d条）标记为无法对应") % {"text": demand.free_text, "n": len(marked)},
    )
    return redirect("training_console:demands")


@console_page("demanditem", "change")
@require_POST
def demand_rebuild(request):
    if not _may_tune(request.user):
        raise PermissionDenied(_(analysis.REBUILD_REFUSED))
    try:
        stats = analysis.rebuild_demand_items(actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    messages.success(
        request,
        _(
            "已重新汇总：需求项%(items)d个（新增%(created)d、更新%(updated)d、清空%(emptied)d、"
            "删除%(deleted)d），关联需求%(linked)d条"
        )
        % {
            "items": stats.items, "created": stats.created, "updated": stats.updated,
            "emptied": stats.emptied, "deleted": stats.deleted, "linked": stats.demands_linked,
        },
    )  # fmt: skip
    return redirect("training_console:items")


# -- items -----------------------------------------------------------------------------------
def _item_page(request, *, weights_form=None, status=200):
    weights = PriorityWeights.current()
    qs = demand_queries.demand_items_for(request.user).order_by("-priority", "id")
    page, querystring = paginate(request, qs)
    can_tune = _may_tune(request.user)
    if can_tune and weights_form is None:
        weights_form = WeightsForm(initial={k: getattr(weights, k) for k in analysis.TERMS})
    rows = [(item, analysis.priority_breakdown(item)) for item in page]
    context = {
        "page_obj": page,
        "rows": rows,
        "querystring": querystring,
        "formula": analysis.formula_text(weights),
        "weights_form": weights_form if can_tune else None,
        "can_plan": principal_for(request.user).may("plan", "change"),
    }
    return render(request, "training/console/items.html", context, status=status)


@console_page("demanditem")
def item_list(request):
    return _item_page(request)


@console_page("demanditem")
@require_POST
def item_weights(request):
    if not _may_tune(request.user):
        raise PermissionDenied(_(analysis.WEIGHTS_REFUSED))
    form = WeightsForm(request.POST)
    if form.is_valid():
        try:
            analysis.update_priority_weights(actor=request.user, **form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("优先级权重已更新，全部需求项已重新计算"))
            return redirect("training_console:items")
    return _item_page(request, weights_form=form, status=400)


@console_page("demanditem")
def item_detail(request, item_id: int):
    item = get_object_or_404(demand_queries.demand_items_for(request.user), pk=item_id)
    demands = demand_queries.item_demands(item, request.user)
    page, querystring = paginate(request, demands)
    context = {
        "item": item,
        "profile": analysis.item_profile(item),
        "breakdown": analysis.priority_breakdown(item),
        "page_obj": page,
        "querystring": querystring,
        "plans": TrainingPlan.objects.restrict(request.user).filter(items=item),
        "can_plan": principal_for(request.user).may("plan", "change"),
    }
    return render(request, "training/console/item.html", context)
