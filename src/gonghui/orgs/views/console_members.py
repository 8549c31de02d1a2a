# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console: members (会员) — list and search, detail, 入会 / 转会 / 退会, PII reveal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.console import console_view, paginate
from gonghui.core.errors import DomainError, PermissionDeniedError
from gonghui.core.scope import principal_for

from ..domain import console_queries
from ..domain.people import register_member, reveal_pii, transfer_membership, withdraw_membership
from ..domain.queries import member_list
from ..forms import MemberFilterForm, RegisterMemberForm, TransferForm, WithdrawForm
from ..models import Enterprise, Membership, Person


@console_view("orgs.view_membership")
def members(request):
    form = MemberFilterForm(request.GET or None, unions=console_queries.member_unions(request.user))
    name, union_id, status = "", None, "active"
    if form.is_bound and form.is_valid():
        name = form.cleaned_data["q"]
        union_id = form.cleaned_data["union"].pk if form.cleaned_data["union"] else None
        status = form.cleaned_data["status"] or "active"
    qs = member_list(
        request.user, name=name, union_id=union_id, status=None if status == "all" else status
    ).select_related("enterprise")
    page, querystring = paginate(request, qs)
    context = {"form": form, "page_obj": page, "querystring": querystring}
    if request.htmx and request.htmx.target == "member-results":
        return render(request, "orgs/console/partials/member_results.html", context)
    return render(request, "orgs/console/members.html", context)


def _person(request, pk: int, action: str = "view") -> Person:
    return get_object_or_404(Person.objects.restrict(request.user, action), pk=pk)


def _detail(request, person, *, status=200, **forms):
    principal = principal_for(request.user)
    memberships = list(console_queries.person_memberships(request.user, person))
    current = next((m for m in memberships if m.status == "active"), None)
    can_change = current is not None and principal.can("membership", "change", current)
    unions = console_queries.member_unions(request.user, "change")
    enterprises = Enterprise.objects.restrict(request.user).select_related("union")
    context = {
        "person": person,
        "memberships": memberships,
        "current": current,
        "changes": console_queries.person_changes(person),
        "can_change": can_change,
        "can_view_pii": principal.can("person", "view_pii", person),
        "transfer_form": forms.get("transfer_form")
        or TransferForm(
            unions=unions.exclude(pk=current.union_id) if current else unions,
            enterprises=enterprises,
        ),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "orgs/console/member_detail.html", context, status=status)


@console_view("orgs.view_membership")
def member_detail(request, pk: int):
    return _detail(request, _person(request, pk))


@console_view("orgs.view_membership")
@require_POST
def member_reveal(request, pk: int, field: str):
    if field not in ("id_number", "mobile"):
        raise Http404
    person = _person(request, pk)
    context = {"person": person, "field": field}
    try:
        context["value"] = reveal_pii(person, actor=request.user, field=field)
    except PermissionDeniedError as exc:
        context["error"] = exc.message
        return render(request, "orgs/console/partials/pii_value.html", context, status=403)
    return render(request, "orgs/console/partials/pii_value.html", context)


def _current(request, person) -> Membership:
    """The active membership, which the user must be allowed to change (else 403)."""
    current = console_queries.person_memberships(request.user, person).active().first()
    if current is None:
        raise Http404
    if not principal_for(request.user).can("membership", "change", current):
        raise PermissionDenied(_("您无权为该会员办理会籍变更"))
    return current


@console_view("orgs.view_membership")
@require_POST
def member_transfer(request, pk: int):
    person = _person(request, pk)
    current = _current(request, person)
    form = TransferForm(
        request.POST,
        unions=console_queries.member_unions(request.user, "change"),
        enterprises=Enterprise.objects.restrict(request.user),
    )
    if form.is_valid():
        try:
            new = transfer_membership(current, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已办理转会，转入“%(union)s”") % {"union": new.union.name})
            return redirect("console:member", pk=person.pk)
    return _detail(request, person, transfer_form=form, status=400)


@console_view("orgs.view_membership")
@require_POST
def member_withdraw(request, pk: int):
    person = _person(request, pk)
    current = _current(request, person)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            withdraw_membership(current, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已办理退会"))
            return redirect("console:member", pk=person.pk)
    return _detail(request, person, withdraw_form=form, status=400)


@console_view("orgs.change_membership")
@require_http_methods(["GET", "POST"])
def member_new(request):
    unions = console_queries.member_unions(request.user, "change")
    if not unions.exists():
        raise PermissionDenied
    enterprises = Enterprise.objects.restrict(request.user, "view").select_related("union")
    form = RegisterMemberForm(request.POST or None, unions=unions, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership = register_member(
                data["union"], actor=request.user, joined_on=data["joined_on"],
                enterprise=data["enterprise"], card_number=data["card_number"] or None,
                reason=data["reason"], **form.person_fields(),
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已登记入会：%(name)s") % {"name": membership.person.name})
            return redirect("console:member", pk=membership.person_id)
    status = 400 if form.is_bound else 200
    return render(request, "orgs/console/member_new.html", {"form": form}, status=status)
