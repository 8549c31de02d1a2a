# SPDX-License-Identifier: AGPL-3.0-or-later
"""The provider's sign-in: pick one of the identities it was started with."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Identity


def login_view(request):
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if request.method == "POST":
        identity = (
            Identity.objects.select_related("user").filter(pk=request.POST.get("identity")).first()
        )
        if identity is not None:
            login(request, identity.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(target)
    identities = Identity.objects.order_by("pk")
    return render(request, "devprovider/login.html", {"identities": identities, "next": target})
