"""Staff console pages for skills training: shared helpers and the index."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.views.common import console_view


def training_view(kind: str, action: str = "view"):
    """A console page (``console_view``) for those who may ``action`` some ``kind``."""

    def decorate(view):
        @console_view()
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not principal_for(request.user).may(kind, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@console_view()
def index(request):
    principal = principal_for(request.user)
    for kind, name in (
        ("plan", "plans"), ("demanditem", "items"), ("trainer", "trainers"), ("venue", "venues"),
    ):  # fmt: skip
        if principal.may(kind, "view"):
            return redirect(f"training_console:{name}")
    raise PermissionDenied
