# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: role assignments (角色授权) and integration API tokens."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import console_view, paginate
from gonghui.core.errors import DomainError
from gonghui.core.scope import principal_for

from ..domain import console_queries
from ..domain.access import (
    assign_role,
    grantable_roles,
    issue_api_token,
    may_manage_role,
    revoke_api_token,
    revoke_role,
)
from ..forms import AssignRoleForm, IssueTokenForm
from ..models import ApiToken, Department, Enterprise, RoleAssignment


def _role_form(request, data=None):
    return AssignRoleForm(
        data,
        units=console_queries.units_covered(request.user, "role", "change"),
        enterprises=Enterprise.objects.restrict(request.user).select_related("union"),
        departments=Department.objects.restrict(request.user),
        roles=grantable_roles(request.user),
    )


@console_view("orgs.view_roleassignment")
@require_http_methods(["GET", "POST"])
def roles(request):
    can_change = principal_for(request.user).may("role", "change")
    form = _role_form(request, request.POST or None) if can_change else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            account = get_user_model().objects.filter(username=data["username"].strip()).first()
            if account is None:
                form.add_error("username", _("没有该账号"))
            else:
                try:
                    assign_role(
                        account, role=data["role"], org_unit=data["org_unit"],
                        actor=request.user, enterprise=data["enterprise"],
                        department=data["department"],
                    )  # fmt: skip
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request, _("已为 %(user)s 授予角色") % {"user": account.username}
                    )
                    return redirect("console:roles")
        status = 400
    qs = (
        RoleAssignment.objects.restrict(request.user, "view")
        .select_related("user", "org_unit", "enterprise", "department")
        .order_by("org_unit__path", "role", "user__username")
    )
    page, querystring = paginate(request, qs)
    revocable = {
        ra.pk
        for ra in RoleAssignment.objects.restrict(request.user, "change").select_related("org_unit")
        if may_manage_role(request.user, ra.role, ra.org_unit)
    }
    context = {"form": form, "page_obj": page, "querystring": querystring, "revocable": revocable}
    return render(request, "orgs/console/roles.html", context, status=status)


@console_view("orgs.view_roleassignment")
@require_POST
def role_revoke(request, pk: int):
    assignment = get_object_or_404(RoleAssignment.objects.restrict(request.user, "view"), pk=pk)
    try:
        revoke_role(assignment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销该角色"))
    return redirect("console:roles")


def _token_form(request, data=None):
    return IssueTokenForm(
        data, units=console_queries.units_covered(request.user, "apitoken", "change")
    )


@console_view("orgs.view_apitoken")
@require_http_methods(["GET", "POST"])
def tokens(request):
    can_change = principal_for(request.user).may("apitoken", "change")
    form = _token_form(request, request.POST or None) if can_change else None
    status, new_key, new_token = 200, None, None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                new_token, new_key = issue_api_token(
                    data["org_unit"], name=data["name"], role=data["role"], actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                form = _token_form(request)  # a fresh form; the key is shown below, once
        else:
            status = 400
    qs = ApiToken.objects.restrict(request.user, "view").select_related("org_unit", "created_by")
    page, querystring = paginate(request, qs)
    revocable = set(ApiToken.objects.restrict(request.user, "change").values_list("pk", flat=True))
    context = {
        "form": form, "page_obj": page, "querystring": querystring, "revocable": revocable,
        "new_key": new_key, "new_token": new_token,
    }  # fmt: skip
    response = render(request, "orgs/console/tokens.html", context, status=status)
    if new_key:
        response.headers["Cache-Control"] = "no-store"
    return response


@console_view("orgs.view_apitoken")
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.restrict(request.user, "view"), pk=pk)
    try:
        revoke_api_token(token, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("令牌“%(name)s”已吊销") % {"name": token.name})
    return redirect("console:tokens")
