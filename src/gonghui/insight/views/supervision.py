# SPDX-License-Identifier: AGPL-3.0-or-later
"""Process supervision and on-site monitoring pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import console_page, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.orgs.models import OrgUnit
from gonghui.training.models import Session, TrainingPlan

from ..domain import monitoring, supervision
from ..domain.dashboard import scope_units
from ..enums import Step
from ..forms import LimitForm
from ..models import Alert
from .common import run


def settable_roots(request, kind: str):
    """The federations whose settings of ``kind`` the viewer may change."""
    principal = principal_for(request.user)
    ids = [r.pk for r in _roots(request) if principal.covers(kind, "change", r)]
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


def _roots(request) -> list[OrgUnit]:
    """The federations the viewer works in, whose time limits apply to them."""
    principal = principal_for(request.user)
    roots = OrgUnit.objects.filter(parent__isnull=True).order_by("path")
    if principal.is_superuser:
        return list(roots)
    return list(roots.filter(pk__in={int(g.path.split("/", 1)[0]) for g in principal.grants}))


def _alerts_page(request, *, form=None, status=200):
    qs = Alert.objects.restrict(request.user).select_related("plan", "org_unit")
    show = request.GET.get("show", "open")
    if show != "all":
        qs = qs.open()
    step = request.GET.get("step", "")
    if step in Step.values:
        qs = qs.filter(step=step)
    page, querystring = paginate(request, qs.order_by("resolved_at", "due_at", "id"))
    roots = _roots(request)
    principal = principal_for(request.user)
    context = {
        "page_obj": page, "querystring": querystring, "show": show, "step": step,
        "steps": Step.choices,
        "limits": [(root, supervision.effective_limits(root).values()) for root in roots],
        "can_set": settable_roots(request, "supervisionrule").exists(),
        "limit_form": form or LimitForm(roots=settable_roots(request, "supervisionrule")),
        "can_ack": principal.may("alert", "change"),
    }  # fmt: skip
    return render(request, "insight/alerts.html", context, status=status)


@console_page("alert")
def alerts(request):
    return _alerts_page(request)


@console_page("supervisionrule", "change")
@require_POST
def limits(request):
    roots = settable_roots(request, "supervisionrule")
    form = LimitForm(request.POST, roots=roots)
    if run(form, lambda d: supervision.set_step_limit(d.pop("org_unit"), actor=request.user, **d)):
        messages.success(request, _("环节时限已更新"))
        return redirect("insight_console:alerts")
    return _alerts_page(request, form=form, status=400)


@console_page("alert", "change")
@require_POST
def alert_ack(request, alert_id: int):
    alert = get_object_or_404(Alert.objects.restrict(request.user), pk=alert_id)
    try:
        supervision.acknowledge_alert(alert, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已阅，请尽快完成该环节"))
    return redirect("insight_console:alerts")


def _monitored_plans(request):
    return TrainingPlan.objects.filter(org_unit__in=scope_units(request.user).values("pk"))


@console_page("dashboard")
def monitor(request):
    today = monitoring.sessions_today(_monitored_plans(request))
    context = {"sessions": [monitoring.live_attendance(s) for s in today]}
    return render(request, "insight/monitor.html", context)


def _session(request, session_id: int) -> Session:
    return get_object_or_404(
        Session.objects.filter(plan__in=_monitored_plans(request)).select_related(
            "plan", "venue", "trainer"
        ),
        pk=session_id,
    )


@console_page("dashboard")
def live(request, session_id: int):
    live = monitoring.live_attendance(_session(request, session_id))
    return render(request, "insight/live.html", {"live": live})


@console_page("dashboard")
def live_partial(request, session_id: int):
    live = monitoring.live_attendance(_session(request, session_id))
    return render(request, "insight/partials/live.html", {"live": live})
