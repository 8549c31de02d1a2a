# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared building blocks for declared object rules (django-rules predicates).

Who may *see* a record is its scope kind (``core.scope``). Who may *act* on an object is
a composed predicate, declared once in the owning app's ``rules.py`` and registered as a
django-rules permission; the template (``{% has_perm %}`` / ``perms``), the view and the
domain (``require``) all call that same permission, so a button cannot be shown for an
action the domain refuses, nor the other way round.

The predicates here are the pieces apps compose:

- ``in_scope(kind, action)``: the object lies within the caller's scope for ``action``
  (without an object: the caller holds the action somewhere);
- ``acting_person_key``: who is acting, as a person — the account of a user, the issuing
  account of an API token, nothing for a token without one. "Done by a different person"
  rules (four eyes) compare these keys, never raw user ids.
"""

from __future__ import annotations

import rules

from .errors import PermissionDeniedError
from .scope import principal_for


def in_scope(kind: str, action: str) -> rules.Predicate:
    """The object lies in the caller's scope for ``action``; with no object, the caller
    may do ``action`` on ``kind`` somewhere."""

    def check(user, obj=None) -> bool:
        principal = principal_for(user)
        if obj is None:
            return principal.may(kind, action)
        return principal.can(kind, action, obj)

    return rules.Predicate(check, name=f"{kind}_{action}_in_scope")


def may(kind: str, action: str = "view") -> rules.Predicate:
    """The caller holds ``action`` on ``kind`` somewhere (no object)."""

    def check(user) -> bool:
        return principal_for(user).may(kind, action)

    return rules.Predicate(check, name=f"may_{kind}_{action}")


def acting_person_key(actor) -> int | None:
    """The account of the person behind ``actor``: a user's own, an API token's issuer;
    None when no person stands behind it (a token whose issuer is gone, the system)."""
    return principal_for(actor).acting_user_id


def require(perm: str, actor, obj=None, message: str = "") -> None:
    """Domain guard: raise ``PermissionDeniedError`` unless ``actor`` has ``perm``."""
    if not rules.has_perm(perm, actor, obj):
        raise PermissionDeniedError(*([message] if message else []))
