# SPDX-License-Identifier: AGPL-3.0-or-later
"""Spot checks, quality rules and rectification pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.domain.console_queries import units_covered
from gonghui.training.models import TrainingPlan

from ..domain import inspections as inspection_domain
from ..domain import quality
from ..domain.inspections import INSPECTABLE, MAX_PHOTOS
from ..domain.timeline import plan_timeline_events
from ..enums import RectificationStatus
from ..forms import (
    EscalateForm,
    InspectionForm,
    QualityRuleForm,
    RectificationActionForm,
    RectifyForm,
    WeakSpotForm,
)
from ..models import Inspection, InspectionPhoto, QualityRule, Rectification
from .common import run
from .supervision import _roots, settable_roots


# -- inspections ----------------------------------------------------------------------------
def _inspectable(request):
    """Plans the viewer may inspect: public to completed, in their inspection scope."""
    return (
        TrainingPlan.objects.filter(
            state__in=INSPECTABLE,
            org_unit__in=units_covered(request.user, "inspection", "change").values("pk"),
        )
        .select_related("org_unit")
        .order_by("-created_at")
    )


@console_page("inspection")
@require_http_methods(["GET", "POST"])
def inspections(request):
    principal = principal_for(request.user)
    can_add = principal.may("inspection", "change")
    form = InspectionForm(
        request.POST or None,
        request.FILES or None,
        plans=_inspectable(request) if can_add else TrainingPlan.objects.none(),
    )
    status = 200
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        files = request.FILES.getlist("photos")
        if len(files) > MAX_PHOTOS:
            form.add_error("photos", _("每次督查最多上传%(n)d张照片") % {"n": MAX_PHOTOS})
        elif any(f.size > 5 * 1024 * 1024 for f in files):
            form.add_error("photos", _("照片不能超过5MB"))

        def call(d):
            return inspection_domain.record_inspection(
                d["plan"], actor=request.user, verdict=d["verdict"], findings=d["findings"],
                inspected_at=d["inspected_at"], present=d["present"],
                photos=[f.read() for f in files],
            )  # fmt: skip

        done = run(form, call) if not form.errors else None
        if done is not None:
            messages.success(request, _("督查记录已保存"))
            return redirect("insight_console:inspection", done.pk)
        status = 400
    qs = Inspection.objects.restrict(request.user).select_related("plan", "org_unit")
    page, querystring = paginate(request, qs.prefetch_related("photos"))
    context = {"page_obj": page, "querystring": querystring, "form": form, "can_add": can_add}
    return render(request, "insight/inspections.html", context, status=status)


def _inspection(request, inspection_id: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.restrict(request.user).select_related("plan", "org_unit", "session"),
        pk=inspection_id,
    )


@console_page("inspection")
def inspection(request, inspection_id: int, *, rectify_form=None, status=200):
    obj = _inspection(request, inspection_id)
    context = {
        "inspection": obj, "photos": list(obj.photos.all()),
        "rectifications": list(obj.rectifications.all()),
        "can_rectify": principal_for(request.user).can("inspection", "change", obj),
        "rectify_form": rectify_form or RectifyForm(),
    }  # fmt: skip
    return render(request, "insight/inspection.html", context, status=status)


@console_page("inspection")
def inspection_photo(request, inspection_id: int, photo_id: int):
    obj = _inspection(request, inspection_id)
    photo = get_object_or_404(InspectionPhoto, pk=photo_id, inspection=obj)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    res = FileResponse(handle, content_type=photo.content_type)
    res["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{photo.ext}"'
    res["X-Content-Type-Options"] = "nosniff"
    res["Cache-Control"] = "private, no-store"
    return res


@console_page("inspection", "change")
@require_POST
def inspection_rectify(request, inspection_id: int):
    obj = _inspection(request, inspection_id)
    form = RectifyForm(request.POST)
    rect = run(form, lambda d: quality.open_rectification_from_inspection(
        obj, actor=request.user, **d))  # fmt: skip
    if rect is None:
        return inspection(request, inspection_id, rectify_form=form, status=400)
    messages.success(request, _("已发起整改"))
    return redirect("insight_console:rectification", rect.pk)


# -- quality rules --------------------------------------------------------------------------
def _rules_page(request, *, form=None, status=200):
    settable = settable_roots(request, "qualityrule")
    context = {
        "rules": QualityRule.objects.filter(org_unit__in=_roots(request)),
        "can_set": settable.exists(),
        "form": form or QualityRuleForm(roots=settable),
    }
    return render(request, "insight/quality.html", context, status=status)


@console_page("qualityrule")
@require_http_methods(["GET", "POST"])
def quality_rules(request):
    if request.method == "GET":
        return _rules_page(request)
    form = QualityRuleForm(request.POST, roots=settable_roots(request, "qualityrule"))
    call = lambda d: quality.set_quality_rule(d.pop("org_unit"), actor=request.user, **d)  # noqa: E731
    if run(form, call):
        messages.success(request, _("质量规则已保存"))
        return redirect("insight_console:quality")
    return _rules_page(request, form=form, status=400)


# -- rectifications -------------------------------------------------------------------------
@console_page("rectification")
def rectifications(request):
    qs = Rectification.objects.restrict(request.user).select_related("plan", "org_unit")
    status = request.GET.get("status", "")
    if status == "unresolved":
        qs = qs.unresolved()
    elif status in RectificationStatus.values:
        qs = qs.filter(status=status)
    page, querystring = paginate(request, qs.order_by("status", "deadline", "id"))
    context = {"page_obj": page, "querystring": querystring, "status": status,
               "statuses": RectificationStatus.choices}  # fmt: skip
    return render(request, "insight/rectifications.html", context)


def _rect(request, rect_id: int) -> Rectification:
    return get_object_or_404(
        Rectification.objects.restrict(request.user).select_related(
            "plan", "org_unit", "inspection", "reform_item"
        ),
        pk=rect_id,
    )


@console_page("rectification")
def rectification(request, rect_id: int, *, action_form=None, escalate_form=None, status=200):
    rect = _rect(request, rect_id)
    principal = principal_for(request.user)
    context = {
        "rect": rect, "events": list(rect.events.all()),
        "timeline": plan_timeline_events(rect.plan),
        "can_submit": rect.status == RectificationStatus.OPEN
        and principal.can("rectification", "change", rect),
        "can_review": rect.status == RectificationStatus.SUBMITTED
        and principal.can("rectification", "review", rect),
        "can_escalate": rect.reform_item_id is None
        and principal.can("rectification", "review", rect),
        "action_form": action_form or RectificationActionForm(),
        "escalate_form": escalate_form or EscalateForm(initial={"title": rect.title[:100]}),
    }  # fmt: skip
    return render(request, "insight/rectification.html", context, status=status)


ACTIONS = {"submit": RectificationStatus.SUBMITTED, "accept": RectificationStatus.CLOSED,
           "return": RectificationStatus.OPEN}  # fmt: skip


@console_page("rectification", "change")
@require_POST
def rectification_transition(request, rect_id: int, action: str):
    if action not in ACTIONS:
        raise Http404
    rect = _rect(request, rect_id)
    form = RectificationActionForm(request.POST)
    done = run(form, lambda d: quality.transition_rectification(
        rect, ACTIONS[action], actor=request.user, **d))  # fmt: skip
    if done is None:
        return rectification(request, rect_id, action_form=form, status=400)
    messages.success(request, _("整改任务已更新"))
    return redirect("insight_console:rectification", rect.pk)


@console_page("rectification", "review")
@require_POST
def rectification_escalate(request, rect_id: int):
    rect = _rect(request, rect_id)
    form = EscalateForm(request.POST)
    item = run(form, lambda d: quality.escalate_rectification(rect, actor=request.user, **d))
    if item is None:
        return rectification(request, rect_id, escalate_form=form, status=400)
    messages.success(request, _("已升级为改革事项（草拟）"))
    if principal_for(request.user).can("reformitem", "view", item):
        return redirect("reform_console:item", item.pk)
    return redirect("insight_console:rectification", rect.pk)


@console_page("dashboard")
@require_POST
def weak_spot_escalate(request):
    from ..domain.dashboard import Period, scoped_plans

    form = WeakSpotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写改革事项名称、类别和目标"))
        return redirect("insight_console:dashboard")
    d = form.cleaned_data
    default = Period.last_months(12)
    period = Period(d["start"] or default.start, d["end"] or default.end)
    try:
        item = quality.escalate_weak_spot(
            actor=request.user, plans=scoped_plans(request.user, period),
            kind=d["kind"], subject_id=d["subject_id"], dimension=d["dimension"],
            title=d["title"], category=d["category"], goal=d["goal"],
        )  # fmt: skip
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("insight_console:dashboard")
    messages.success(request, _("短板已升级为改革事项（草拟）"))
    return redirect("reform_console:item", item.pk)
