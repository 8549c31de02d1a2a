# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console (管理端): overview and the organisation tree with its enterprises."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.console import add_domain_error, console_view
from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for
from gonghui.core.todo import todo_items

from ..domain import console_queries
from ..domain.units import (
    ALLOWED_CHILDREN,
    create_org_unit,
    delete_org_unit,
    register_enterprise,
    rename_org_unit,
)
from ..enums import OrgKind
from ..forms import ChildUnitForm, EnterpriseForm, RenameUnitForm
from ..models import OrgUnit


@console_view()
def index(request):
    return render(
        request,
        "orgs/console/index.html",
        {
            "counts": console_queries.scope_counts(request.user),
            "todo": todo_items(request.user),
        },
    )


@console_view("orgs.view_orgunit")
def tree(request):
    return render(
        request, "orgs/console/tree.html", {"units": console_queries.org_tree(request.user)}
    )


def _add_errors(form, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _unit(request, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.restrict(request.user), pk=pk)


def _unit_page(request, unit, *, status=200, **forms):
    principal = principal_for(request.user)
    can_change = principal.can("orgunit", "change", unit)
    can_add_enterprise = unit.holds_members and principal.covers("enterprise", "change", unit)
    allowed = ALLOWED_CHILDREN[OrgKind(unit.kind)]
    context = {
        "unit": unit,
        "ancestors": unit.ancestors().restrict(request.user).order_by("path"),
        "children": unit.children.order_by("path"),
        "enterprises": unit.enterprises.order_by("name"),
        "can_change": can_change,
        "can_add_enterprise": can_add_enterprise,
        "child_form": forms.get("child_form")
        or (ChildUnitForm(allowed_kinds=allowed) if can_change and allowed else None),
        "rename_form": forms.get("rename_form") or RenameUnitForm(initial={"name": unit.name}),
        "enterprise_form": forms.get("enterprise_form") or EnterpriseForm(),
        "delete_error": forms.get("delete_error", ""),
    }
    return render(request, "orgs/console/unit.html", context, status=status)


@console_view("orgs.view_orgunit")
def unit_detail(request, pk: int):
    return _unit_page(request, _unit(request, pk))


@console_view("orgs.view_orgunit")
@require_POST
def unit_create_child(request, pk: int):
    parent = _changeable_unit(request, pk)
    form = ChildUnitForm(request.POST, allowed_kinds=ALLOWED_CHILDREN[OrgKind(parent.kind)])
    if form.is_valid():
        try:
            child = create_org_unit(parent, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已创建下级组织“%(name)s”") % {"name": child.name})
            return redirect("console:unit", pk=parent.pk)
    return _unit_page(request, parent, child_form=form, status=400)


def _changeable_unit(request, pk: int) -> OrgUnit:
    """A unit in view scope (else 404) that the user may change (else 403)."""
    unit = _unit(request, pk)
    if not principal_for(request.user).can("orgunit", "change", unit):
        raise PermissionDenied(_("您无权维护该组织"))
    return unit


@console_view("orgs.view_orgunit")
@require_POST
def unit_rename(request, pk: int):
    unit = _changeable_unit(request, pk)
    form = RenameUnitForm(request.POST)
    if form.is_valid():
        try:
            rename_org_unit(unit, name=form.cleaned_data["name"], actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("名称已修改"))
            return redirect("console:unit", pk=unit.pk)
    unit.refresh_from_db()
    return _unit_page(request, unit, rename_form=form, status=400)


@console_view("orgs.view_orgunit")
@require_POST
def unit_delete(request, pk: int):
    unit = _changeable_unit(request, pk)
    parent_id, name = unit.parent_id, unit.name
    try:
        delete_org_unit(unit, actor=request.user)
    except DomainError as exc:
        return _unit_page(request, unit, delete_error=exc.message, status=400)
    messages.success(request, _("已删除“%(name)s”") % {"name": name})
    if parent_id and OrgUnit.objects.restrict(request.user).filter(pk=parent_id).exists():
        return redirect("console:unit", pk=parent_id)
    return redirect("console:tree")


@console_view("orgs.view_orgunit")
@require_POST
def unit_add_enterprise(request, pk: int):
    unit = _unit(request, pk)
    form = EnterpriseForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["headcount"] = data.get("headcount") or 0
        try:
            ent = register_enterprise(unit, actor=request.user, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        except ValidationError as exc:  # the model's own checks (credit code)
            _add_errors(form, exc)
        else:
            messages.success(request, _("已登记企业“%(name)s”") % {"name": ent.name})
            return redirect("console:unit", pk=unit.pk)
    return _unit_page(request, unit, enterprise_form=form, status=400)
