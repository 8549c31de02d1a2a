"""Staff console: the demand list (需求清单) with its mapping queue, and demand items
(需求项) with their priority formula and profile."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.orgs.views.common import paginate

from ..domain import analysis, console_queries, demand_queries
from ..domain.matching import map_demand
from ..forms import DemandFilterForm, WeightsForm, add_domain_error
from ..models import Demand, PriorityWeights, Skill, TrainingPlan
from .console import training_view

QUEUE_SIZE = 20


def _may_tune(user) -> bool:
    """Rebuilding the items and tuning the weights touch every item of every area, so the
    console offers them only to staff whose scope covers every top-level unit."""
    principal = principal_for(user)
    roots = list(OrgUnit.objects.filter(parent__isnull=True))
    return bool(roots) and all(principal.covers("demanditem", "change", r) for r in roots)


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
    queue = demand_queries.unmatched_queue(request.user) if can_change else Demand.objects.none()
    context = {
        "form": form,
        "page_obj": page,
        "querystring": querystring,
        "can_change": can_change,
        "queue": queue[:QUEUE_SIZE],
        "queue_total": queue.count(),
        "map_errors": map_errors or {},
        "rebuild": rebuild,
        "skill_names": Skill.objects.order_by("name").values_list("name", flat=True)
        if can_change
        else [],
    }
    return render(request, "training/console/demands.html", context, status=status)


@training_view("demand")
def demand_list(request):
    return _demand_page(request)


@training_view("demand")
@require_GET
def skill_search(request):
    """The skill picker (htmx): catalogue skills matching ``q`` as radio buttons."""
    demand_id = request.GET.get("demand", "")
    context = {
        "skills": console_queries.skills_matching(request.GET.get("q", "")),
        "demand_id": demand_id if demand_id.isdigit() else "",
    }
    return render(request, "training/partials/console_skill_pick.html", context)


@training_view("demand", "change")
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
        map_demand(demand, skill=skill, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return _demand_page(request, status=400, map_errors={demand.pk: exc.message})
    messages.success(
        request, _("已将“%(text)s”归入%(skill)s") % {"text": demand.free_text, "skill": skill.name}
    )
    return redirect("training_console:demands")


@training_view("demanditem", "change")
@require_POST
def demand_rebuild(request):
    if not _may_tune(request.user):
        raise PermissionDenied(_("需求项汇总涉及全部地区，只有覆盖全部地区的工作人员可以执行"))
    stats = analysis.rebuild_demand_items(actor=request.user)
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
        "can_rebuild": can_tune,
        "can_plan": principal_for(request.user).may("plan", "change"),
    }
    return render(request, "training/console/items.html", context, status=status)


@training_view("demanditem")
def item_list(request):
    return _item_page(request)


@training_view("demanditem")
@require_POST
def item_weights(request):
    if not _may_tune(request.user):
        raise PermissionDenied(_("优先级权重涉及全部地区，只有覆盖全部地区的工作人员可以调整"))
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


@training_view("demanditem")
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
