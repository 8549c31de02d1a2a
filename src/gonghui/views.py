# SPDX-License-Identifier: AGPL-3.0-or-later
"""Project-level pages that draw on several apps (the apps do not know each other)."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static

from gonghui.core.scope import principal_for
from gonghui.mutualaid.models import AidProgramme
from gonghui.orgs.enums import Role
from gonghui.reform.domain.queries import progress_by_category
from gonghui.reform.models import ReformItem
from gonghui.training.domain.plans import public_plans

HOME_PLANS = 6
#: Roles of people outside the union staff: with only these, one lands on one's own pages.
PARTY_ROLES = {Role.ENTERPRISE_CONTACT, Role.DEPARTMENT_LIAISON, Role.WORKER, Role.TRAINER}


def home(request):
    """A visitor sees the public home page (announcements, reform list, aid policies);
    a signed-in person goes to their face: staff to the console, workers to the portal."""
    if request.user.is_authenticated:
        principal = principal_for(request.user)
        roles = principal.roles()
        # A party's contact lands on their party's page, not on the staff console.
        if not principal.is_superuser and roles and roles <= PARTY_ROLES:
            if Role.ENTERPRISE_CONTACT in roles:
                return redirect("training:enterprise_demands")
            if Role.DEPARTMENT_LIAISON in roles:
                return redirect("training:department_demands")
        if principal.is_superuser or principal.grants:
            return redirect("console:index")
        return redirect("portal:profile")
    context = {
        "plans": list(public_plans().order_by("-id")[:HOME_PLANS]),
        "reform": progress_by_category(ReformItem.objects.public()),
        "programmes": list(
            AidProgramme.objects.filter(published=True).select_related("org_unit")[:4]
        ),
    }
    return render(request, "public/home.html", context)


def favicon(request):
    """Browsers ask for /favicon.ico; the icon is a static SVG (its hashed name in production
    is known only once static files are collected, so it is looked up per request)."""
    return HttpResponsePermanentRedirect(static("gonghui/favicon.svg"))
