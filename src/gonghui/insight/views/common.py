# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers shared by the insight console pages."""

from django.core.exceptions import PermissionDenied

from gonghui.core.console import add_domain_error
from gonghui.core.errors import DomainError, PermissionDeniedError


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
