"""Helpers shared by the insight console pages."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from gonghui.orgs.domain.errors import DomainError, PermissionDeniedError
from gonghui.orgs.domain.scope import principal_for
from gonghui.orgs.views.common import console_view

from ..forms import add_domain_error


def insight_view(kind: str, action: str = "view"):
    """A console page for those who may ``action`` some ``kind`` somewhere."""

    def decorate(view):
        @console_view()
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not principal_for(request.user).may(kind, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def run(form, call):
    """Call a domain write for a valid form; a DomainError goes next to the form."""
    if not form.is_valid():
        return None
    try:
        return call(dict(form.cleaned_data))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
    return None
