# SPDX-License-Identifier: AGPL-3.0-or-later
"""Staff console pages for skills training: shared helpers and the index."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from gonghui.core.console import console_view
from gonghui.core.scope import principal_for


@console_view()
def index(request):
    principal = principal_for(request.user)
    for kind, name in (
        ("plan", "plans"), ("demanditem", "items"), ("trainer", "trainers"), ("venue", "venues"),
    ):  # fmt: skip
        if principal.may(kind, "view"):
            return redirect(f"training_console:{name}")
    raise PermissionDenied
