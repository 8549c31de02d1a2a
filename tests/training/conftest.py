"""Fixtures for the demand list and its analysis.

The shipped catalogue is loaded into the test database by migration 0002, so tests use
the real skills by name (``skills["电工"]``)."""

import pytest

from gonghui.training.models import Skill

from ..factories import MembershipFactory, PersonFactory, make_user


class SkillsByName(dict):
    def __missing__(self, name: str) -> Skill:
        skill = Skill.objects.get(name=name)
        self[name] = skill
        return skill


@pytest.fixture
def skills(db) -> SkillsByName:
    assert Skill.objects.filter(builtin=True).count() >= 150, "catalogue migration not applied"
    return SkillsByName()


@pytest.fixture
def make_worker(db):
    """An active member of a union with an account: ``make_worker(union, name=...)``."""

    def make(union, *, enterprise=None, name: str = "王五"):
        membership = MembershipFactory(
            union=union, enterprise=enterprise, person=PersonFactory(name=name)
        )
        return make_user(person=membership.person, display_name=name)

    return make
