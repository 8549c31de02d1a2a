# SPDX-License-Identifier: AGPL-3.0-or-later
"""The leadership dashboard: the ECharts screen, its printable report and .xlsx export."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.console import console_page
from gonghui.core.domain import audit
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE as XLSX
from gonghui.reform.enums import Category

from ..domain.dashboard import Period, dashboard
from ..domain.export import TABLE_KEYS, dashboard_tables, workbook
from ..forms import PeriodForm


def _period(request) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET or None)
    default = Period.last_months(12)
    if form.is_bound and form.is_valid():
        return form, Period(form.cleaned_data["start"] or default.start,
                            form.cleaned_data["end"] or default.end)  # fmt: skip
    if not form.is_bound:
        form = PeriodForm(initial={"start": default.start, "end": default.end})
    return form, default


def _labels() -> dict[str, str]:
    return {"satisfaction": _("满意度%"), "lower_bound": _("满意度下限%"),
            "responses": _("答卷"), "index": _("综合指数"), "sample": _("样本"),
            "workers": _("职工"), "enterprises": _("企业"), "firms": _("家")}  # fmt: skip


@console_page("dashboard")
def index(request):
    form, period = _period(request)
    data = dashboard(request.user, period)
    context = {"form": form, "data": data, "labels": _labels(), "query": request.GET.urlencode(),
               "can_escalate": principal_for(request.user).may("reformitem", "change"),
               "categories": Category.choices}  # fmt: skip
    return render(request, "insight/dashboard.html", context)


@console_page("dashboard")
def report(request):
    _form, period = _period(request)
    data = dashboard(request.user, period)
    context = {"data": data, "tables": dashboard_tables(data), "printed_at": timezone.now(),
               "labels": _labels()}  # fmt: skip
    return render(request, "insight/report.html", context)


@console_page("dashboard")
def export(request):
    _form, period = _period(request)
    keys = [k for k in request.GET.getlist("table") if k]
    if any(k not in TABLE_KEYS for k in keys):
        raise Http404
    data = dashboard(request.user, period)
    body = workbook(dashboard_tables(data, keys or None), period=data["period"])
    audit.record("dashboard.export", actor=request.user,
                 after={"tables": keys or "all", **data["period"]})  # fmt: skip
    name = f"dashboard-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
    res = HttpResponse(body, content_type=XLSX)
    res["Content-Disposition"] = f'attachment; filename="{name}"'
    return res
