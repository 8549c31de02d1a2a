# SPDX-License-Identifier: AGPL-3.0-or-later
"""The scope protocol every app uses: who sees which records.

``core`` owns the protocol and the two registries; ``orgs`` supplies the tree-based
``Principal`` (roles held at org units) at start-up through ``set_principal_provider``.

- ``CAPABILITIES[(kind, action)] → roles``: which roles grant an action on a kind of
  record anywhere in the subtree of the unit they are held at. Each app declares its kinds
  with ``register_capabilities`` (from its ``rules.py``).
- ``SCOPE_FILTERS[kind] → fn(principal, action, paths, units) → Q``: how a principal's
  granted paths and own links (person, enterprise, department, account) map onto a kind's
  rows. ``units()`` is a subquery of the org-unit ids within ``paths``. Every kind has
  exactly one filter, orgs' own kinds included.

Every scoped model's queryset derives from ``ScopedQuerySet`` and names its ``scope_kind``;
lists, pages, exports and domain checks all go through ``restrict(user, action)`` /
``Principal.can(kind, action, obj)``, which only look the kind up here. A kind nobody
declared, a second filter for one kind, or a queryset without a kind fail loudly
(``ImproperlyConfigured``), and ``manage.py check`` refuses a scoped model whose kind has
no filter (``core.E001``).
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

#: (kind, action) → the roles that grant it.
CAPABILITIES: dict[tuple[str, str], frozenset[str]] = {}
#: kind → fn(principal, action, paths, units) → Q.
SCOPE_FILTERS: dict[str, Callable[..., Q]] = {}

_provider: Callable[[Any], Any] | None = None


def register_capabilities(capabilities: dict[tuple[str, str], frozenset[str]]) -> None:
    """Declare kinds of record and which roles grant which action on them."""
    overlap = set(capabilities) & set(CAPABILITIES)
    if overlap:
        raise ImproperlyConfigured(f"capabilities already registered: {sorted(overlap)}")
    CAPABILITIES.update(capabilities)


def roles_for(kind: str, action: str) -> frozenset[str]:
    return CAPABILITIES.get((kind, action), frozenset())


def declared_kinds() -> set[str]:
    return {kind for kind, _action in CAPABILITIES}


def register_scope_filter(kind: str, fn: Callable[..., Q]) -> None:
    """Say how a declared kind's rows map onto a principal. Once per kind."""
    if kind not in declared_kinds():
        raise ImproperlyConfigured(
            f"scope kind {kind!r} has no capabilities: declare it with register_capabilities"
        )
    if kind in SCOPE_FILTERS:
        raise ImproperlyConfigured(f"scope kind {kind!r} already has a filter")
    SCOPE_FILTERS[kind] = fn


def scope_filter(kind: str) -> Callable[..., Q]:
    """The registered filter of ``kind``; an unknown kind is a programming error."""
    try:
        return SCOPE_FILTERS[kind]
    except KeyError:
        raise ImproperlyConfigured(f"no scope filter registered for kind {kind!r}") from None


def set_principal_provider(fn: Callable[[Any], Any]) -> None:
    """Called once by the app that builds principals (``orgs``) when it is ready."""
    global _provider
    _provider = fn


def principal_for(user):
    """The caller's principal (a user, an API token actor, or ``SYSTEM``)."""
    if _provider is None:  # pragma: no cover - only before apps are ready
        raise RuntimeError("no principal provider registered")
    return _provider(user)


class ScopedQuerySet(models.QuerySet):
    """Every list goes through ``restrict(user, action)``."""

    scope_kind = ""

    def restrict(self, user, action: str = "view"):
        if not self.scope_kind:
            raise ImproperlyConfigured(f"{type(self).__name__} names no scope_kind")
        return principal_for(user).filter(self, self.scope_kind, action)


# -- building blocks for filters ----------------------------------------------------------------
def nothing() -> Q:
    return Q(pk__in=[])


def by_unit(field: str) -> Callable[..., Q]:
    """Rows whose ``field`` (an org-unit foreign key) lies within the granted subtrees."""

    def scope(principal, action, paths, units) -> Q:
        return Q(**{f"{field}__in": units()}) if paths else nothing()

    return scope


def any_of(*parts: Q) -> Q:
    q = nothing()
    for part in parts:
        q |= part
    return q


def scoped_models(all_models: Iterable[type[models.Model]]) -> list[tuple[type, str]]:
    """(model, kind) for every model whose default manager is a ``ScopedQuerySet``."""
    found = []
    for model in all_models:
        qs_class = getattr(model._default_manager, "_queryset_class", None)
        if qs_class is not None and issubclass(qs_class, ScopedQuerySet):
            found.append((model, qs_class.scope_kind))
    return found
