# SPDX-License-Identifier: AGPL-3.0-or-later
"""Console pages for roster import (名册导入) and export (名册导出).

Pages only call ``domain.roster``; scope comes from ``principal_for`` and ``restrict``.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for
from gonghui.core.spreadsheets import XLSX_CONTENT_TYPE as XLSX

from ..domain import roster
from ..enums import MEMBER_HOLDING_KINDS, MembershipStatus
from ..models import OrgUnit, RosterImport
from ..rules import roles_for


def _needs(kind: str, action: str):
    """Logged in and holding a role that grants ``action``; otherwise 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            principal = principal_for(request.user)
            allowed = (
                principal.is_superuser
                or bool(principal.roles() & roles_for(kind, action))
                or (action == "view" and bool(principal.enterprise_ids()))
            )
            if not allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def import_unit_choices(user):
    """Member-holding units the user may import into."""
    principal = principal_for(user)
    qs = OrgUnit.objects.filter(kind__in=MEMBER_HOLDING_KINDS)
    if not principal.is_superuser:
        qs = qs.subtree_of(principal.paths(roles_for("membership", "change")))
    return qs.order_by("path")


class UploadForm(forms.Form):
    union = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=gettext_lazy("导入到工会"),
        empty_label=gettext_lazy("按表中“所属工会”列分配"),
    )  # fmt: skip
    file = forms.FileField(label=gettext_lazy("名册文件（.xlsx 或 .csv）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = import_unit_choices(user)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xls,.csv"


class ExportForm(forms.Form):
    union = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(), required=False, label=gettext_lazy("工会"),
        empty_label=gettext_lazy("我管辖范围内的全部工会"),
    )  # fmt: skip
    status = forms.ChoiceField(
        choices=[("active", gettext_lazy("在会会员")), ("all", gettext_lazy("含已转出、已退会"))],
        required=False, label=gettext_lazy("范围"),
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = (
            OrgUnit.objects.restrict(user).filter(kind__in=MEMBER_HOLDING_KINDS).order_by("path")
        )


def _index(request, form, *, status=200):
    principal = principal_for(request.user)
    context = {
        "form": form,
        "export_form": ExportForm(user=request.user),
        "can_export": principal.is_superuser
        or bool(principal.roles() & roles_for("membership", "view")),
        "imports": RosterImport.objects.restrict(request.user).select_related("union")[:20],
        "columns": roster.TEMPLATE_HEADERS,
    }
    return render(request, "orgs/imports/index.html", context, status=status)


@_needs("membership", "change")
def index(request):
    if request.method != "POST":
        return _index(request, UploadForm(user=request.user))
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _index(request, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        imp = roster.start_import(
            upload, name=upload.name, actor=request.user, union=form.cleaned_data["union"]
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error("file", exc.message)
        return _index(request, form, status=400)
    return redirect("imports:detail", pk=imp.pk)


def _import(request, pk: int) -> RosterImport:
    return get_object_or_404(
        RosterImport.objects.restrict(request.user).select_related("union"), pk=pk
    )


def _status_context(imp: RosterImport) -> dict:
    processed = roster.live_progress(imp)
    return {
        "imp": imp,
        "processed": processed,
        "percent": int(processed * 100 / imp.total) if imp.total else 0,
    }


@_needs("membership", "change")
def detail(request, pk: int):
    imp = _import(request, pk)
    return render(request, "orgs/imports/detail.html", _status_context(imp))


@_needs("membership", "change")
def status(request, pk: int):
    imp = _import(request, pk)
    return render(request, "orgs/imports/partials/status.html", _status_context(imp))


@require_POST
@_needs("membership", "change")
def confirm(request, pk: int):
    imp = _import(request, pk)
    try:
        imp = roster.confirm_import(imp, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if imp.status == "done":
            messages.success(request, _("导入完成"))
    return redirect("imports:detail", pk=imp.pk)


@require_POST
@_needs("membership", "change")
def cancel(request, pk: int):
    imp = _import(request, pk)
    try:
        imp = roster.cancel_import(imp, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=imp.pk)
    if imp.status == "importing":
        messages.success(request, _("已请求取消：正在写入的数据将全部撤销"))
        return redirect("imports:detail", pk=imp.pk)
    messages.success(request, _("已取消本次导入，上传的文件已删除"))
    return redirect("imports:index")


@_needs("membership", "change")
def errors(request, pk: int):
    imp = _import(request, pk)
    out = roster.error_workbook(imp, actor=request.user)
    return FileResponse(
        out, as_attachment=True, filename=f"名册导入错误行-{imp.pk}.xlsx", content_type=XLSX
    )


@_needs("membership", "change")
def template(request):
    return FileResponse(
        roster.template_workbook(), as_attachment=True, filename="会员名册模板.xlsx",
        content_type=XLSX,
    )  # fmt: skip


@_needs("membership", "view")
def export(request):
    form = ExportForm(request.GET, user=request.user)
    if not form.is_valid():
        raise PermissionDenied(_("所选工会不在您的权限范围内"))
    union = form.cleaned_data["union"]
    status_value = None if form.cleaned_data["status"] == "all" else MembershipStatus.ACTIVE
    try:
        out, _count = roster.export_roster(
            request.user, union_id=union.pk if union else None, status=status_value
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"会员名册-{union.name if union else '全部'}-{stamp}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
