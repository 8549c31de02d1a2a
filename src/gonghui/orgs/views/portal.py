# SPDX-License-Identifier: AGPL-3.0-or-later
"""The worker portal (职工端): my profile, my membership and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.errors import DomainError

from ..domain import console_queries
from ..domain.people import SELF_EDITABLE, correct_own_enterprise, update_person
from ..forms import SelfEnterpriseForm, SelfProfileForm
from ..models import Membership, Person


def _person(request) -> Person | None:
    if not request.user.person_id:
        return None
    return Person.objects.restrict(request.user).filter(pk=request.user.person_id).first()


def _page(request, person, *, profile_form=None, enterprise_form=None, status=200, **extra):
    if person is None:
        return render(request, "orgs/portal/no_person.html", status=status)
    memberships = list(
        Membership.objects.restrict(request.user)
        .filter(person=person)
        .select_related("union", "enterprise")
        .order_by("-joined_on", "-id")
    )
    current = next((m for m in memberships if m.status == "active"), None)
    if enterprise_form is None and current is not None:
        enterprise_form = SelfEnterpriseForm(
            enterprises=console_queries.enterprises_of_union(current.union),
            initial={"enterprise": current.enterprise_id},
        )
    context = {
        "person": person,
        "current": current,
        "memberships": memberships,
        "changes": console_queries.person_changes(person),
        "profile_form": profile_form or SelfProfileForm(person=person),
        "enterprise_form": enterprise_form,
        **extra,
    }
    return render(request, "orgs/portal/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    person = _person(request)
    if request.method == "GET" or person is None:
        return _page(request, person)
    form = SelfProfileForm(request.POST, person=person)
    if form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in SELF_EDITABLE}
        if not fields.get("mobile"):
            fields.pop("mobile", None)  # left blank: keep the number on file
        try:
            update_person(person, actor=request.user, self_service=True, **fields)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("个人信息已更新"))
            return redirect("portal:profile")
    person.refresh_from_db()
    return _page(request, person, profile_form=form, status=400, open_profile=True)


@login_required
@require_POST
def correct_enterprise(request):
    person = _person(request)
    if person is None:
        return _page(request, None, status=400)
    current = Membership.objects.restrict(request.user).filter(person=person).active().first()
    if current is None:
        messages.error(request, _("您当前没有在会会籍，无法修改工作单位"))
        return redirect("portal:profile")
    form = SelfEnterpriseForm(
        request.POST, enterprises=console_queries.enterprises_of_union(current.union)
    )
    if form.is_valid():
        try:
            correct_own_enterprise(
                current, actor=request.user, enterprise=form.cleaned_data["enterprise"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("工作单位已更新"))
            return redirect("portal:profile")
    return _page(request, person, enterprise_form=form, status=400, open_enterprise=True)
