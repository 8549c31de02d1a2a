# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the console pages of every app: access checks and pagination."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from .scope import principal_for

PER_PAGE = 50


def is_console_user(user) -> bool:
    principal = principal_for(user)
    return principal.is_superuser or bool(principal.grants)


def console_view(perm: str | None = None, *, kind: str | None = None, action: str = "view"):
    """The one console decorator: logged in, holding some org role (or superuser), and
    ``perm`` if given (a Django permission), and ``may(kind, action)`` somewhere if
    ``kind`` is given; else 403."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_console_user(request.user):
                raise PermissionDenied
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            if kind and not principal_for(request.user).may(kind, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def console_page(kind: str, action: str = "view"):
    """``console_view(kind=kind, action=action)``: a page for those who may ``action``
    some ``kind`` somewhere (each app's pages use it)."""
    return console_view(kind=kind, action=action)


def add_domain_error(form, exc) -> None:
    """The one form/DomainError adapter: the message next to its field, or on top of the
    form when the error names no field of this form."""
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, domain_message(exc))


def run_form(form, call):
    """Run a domain call on a valid form's cleaned data. A refusal of rights becomes a 403;
    any other DomainError becomes the form's error (``None`` is returned, nothing written)."""
    from .errors import DomainError, PermissionDeniedError

    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
    return None


def paginate(request, queryset, per_page: int = PER_PAGE):
    """The requested page (out-of-range numbers give the last page) and the query string
    of the other parameters, for the pager links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def domain_message(exc) -> str:
    return getattr(exc, "message", str(exc))
