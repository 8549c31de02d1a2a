"""Helpers shared by the console pages: access checks and pagination."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from ..domain.scope import principal_for

PER_PAGE = 50


def is_console_user(user) -> bool:
    principal = principal_for(user)
    return principal.is_superuser or bool(principal.grants)


def console_view(perm: str | None = None):
    """Logged in, holding some org role (or superuser), and ``perm`` if given; else 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_console_user(request.user):
                raise PermissionDenied
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def paginate(request, queryset, per_page: int = PER_PAGE):
    """The requested page (out-of-range numbers give the last page) and the query string
    of the other parameters, for the pager links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def domain_message(exc) -> str:
    return getattr(exc, "message", str(exc))
