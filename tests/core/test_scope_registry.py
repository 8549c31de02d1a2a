"""The scope registry fails loudly: an undeclared kind, a second filter for one kind, a
queryset without a kind, and ``manage.py check`` on a scoped model whose kind has no filter."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from gonghui.core import scope
from gonghui.core.actors import SYSTEM
from gonghui.core.scope import (
    CAPABILITIES,
    SCOPE_FILTERS,
    ScopedQuerySet,
    principal_for,
    register_scope_filter,
)
from gonghui.orgs.models import OrgUnit, RosterImport


def test_a_filter_for_an_undeclared_kind_is_refused():
    with pytest.raises(ImproperlyConfigured, match="'no_such_kind' has no capabilities"):
        register_scope_filter("no_such_kind", lambda *a: Q())
    assert "no_such_kind" not in SCOPE_FILTERS


def test_a_second_filter_for_a_kind_is_refused():
    before = SCOPE_FILTERS["person"]
    with pytest.raises(ImproperlyConfigured, match="'person' already has a filter"):
        register_scope_filter("person", lambda *a: Q())
    assert SCOPE_FILTERS["person"] is before


@pytest.mark.django_db
def test_restrict_on_a_queryset_without_a_kind_fails(rf):
    class Kindless(ScopedQuerySet):
        pass

    qs = Kindless(model=OrgUnit)
    with pytest.raises(ImproperlyConfigured, match="Kindless names no scope_kind"):
        qs.restrict(SYSTEM)


@pytest.mark.django_db
def test_filter_on_an_unknown_kind_fails_even_for_the_system():
    with pytest.raises(ImproperlyConfigured, match="no scope filter registered for kind 'plann'"):
        principal_for(SYSTEM).filter(OrgUnit.objects.all(), "plann", "view")


def test_every_scoped_model_has_its_filter_and_the_check_says_so(monkeypatch):
    from django.apps import apps

    kinds = {kind for _model, kind in scope.scoped_models(apps.get_models())}
    assert kinds <= set(SCOPE_FILTERS)
    assert not [e for e in run_checks() if e.id == "core.E001"]
    # Take one filter away: the check names the model.
    monkeypatch.delitem(SCOPE_FILTERS, "rosterimport")
    errors = [e for e in run_checks() if e.id == "core.E001"]
    assert [e.obj for e in errors] == [RosterImport]


def test_every_registered_filter_belongs_to_a_declared_kind():
    declared = {kind for kind, _action in CAPABILITIES}
    assert set(SCOPE_FILTERS) <= declared
