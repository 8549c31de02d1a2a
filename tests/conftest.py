"""Shared fixtures: a small county tree with one user per role, in and out of scope.

Tree:
    county (海盐县总工会)
    ├── town_a (武原街道总工会)
    │   └── union_a (基层工会 A)  ← enterprise_a, member_a
    └── town_b (沈荡镇总工会)
        └── union_b (基层工会 B)  ← enterprise_b, member_b
"""

import json
from types import SimpleNamespace

import pytest

from gonghui.core.actors import SYSTEM
from gonghui.orgs.domain.units import register_department
from gonghui.orgs.enums import OrgKind, Role

from .factories import (
    EnterpriseFactory,
    MembershipFactory,
    PersonFactory,
    make_user,
    org_unit,
    user_with_role,
)


def pytest_addoption(parser):
    parser.addoption(
        "--faults", action="store_true",
        help="run the fault tests (tests/faults): they kill workers and restart PostgreSQL",
    )  # fmt: skip


def pytest_collection_modifyitems(config, items):
    """Fault tests are left out unless asked for (`make faults`): restarting PostgreSQL
    would break the tests running beside them."""
    if config.getoption("--faults"):
        return
    dropped = [i for i in items if i.get_closest_marker("faults")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if not i.get_closest_marker("faults")]


#: What the migrations ship (the skill catalogue, the standard questionnaire…), serialized
#: once the test database is built.
_SHIPPED: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    with django_db_blocker.unblock():
        rows = json.loads(connection.creation.serialize_db_to_string())
    # A flush recreates content types and permissions itself (post_migrate).
    rebuilt_by_flush = {"contenttypes.contenttype", "auth.permission"}
    _SHIPPED["data"] = json.dumps([r for r in rows if r["model"] not in rebuilt_by_flush])


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


#: Lines a test module leaves for the end of the run (the API fuzzing's figures).
SUMMARY_KEY = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(SUMMARY_KEY, []):
        terminalreporter.write_line(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, including what the migrations
    ship, for every test that runs after it in the same process (with xdist, not only at
    the end). Once its fixtures are torn down, put the shipped rows back."""
    yield
    # After the session's last test the test database is gone already (nothing to restore).
    if nextitem is None or not _transactional(item) or "data" not in _SHIPPED:
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        connection.creation.deserialize_db_from_string(_SHIPPED["data"])


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Every test starts in the default language; a request in English must not leak."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: rolled-back tests reuse ids on SQLite, and a
    plan cached by one test must not answer for another test's plan of the same id."""
    from django.core.cache import cache

    cache.clear()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at full strength makes every fixture user cost ~0.5 s; policy checks still run.
    # Module-scoped fixtures that create users use fast_hashing() (below): a password hashed
    # there with PBKDF2 would not verify under this per-test setting.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def fast_hashing():
    """The per-test hasher for module-scoped fixtures (which run before per-test settings)."""
    from django.test import override_settings

    return override_settings(PASSWORD_HASHERS=FAST_HASHERS)


@pytest.fixture
def transactional_db(transactional_db, django_db_blocker):
    """Transactional tests end by emptying every table, which the audit log's append-only
    triggers refuse: lift them for that teardown only, and put them back first."""
    from django.db import connection

    from gonghui.core import triggers

    triggers.install(connection)
    yield transactional_db
    triggers.uninstall(connection)


@pytest.fixture
def county(db):
    return _county()


def _county():
    county = org_unit(None, OrgKind.COUNTY, "海盐县总工会")
    town_a = org_unit(county, OrgKind.TOWN, "武原街道总工会")
    town_b = org_unit(county, OrgKind.TOWN, "沈荡镇总工会")
    union_a = org_unit(town_a, OrgKind.GRASSROOTS, "基层工会A")
    union_b = org_unit(town_b, OrgKind.GRASSROOTS, "基层工会B")
    ent_a = EnterpriseFactory(union=union_a)
    ent_b = EnterpriseFactory(union=union_b)
    dept = register_department(county, name="县人力资源和社会保障局", actor=SYSTEM)
    member_a = MembershipFactory(union=union_a, enterprise=ent_a, person=PersonFactory(name="张三"))
    member_b = MembershipFactory(union=union_b, enterprise=ent_b, person=PersonFactory(name="李四"))
    worker_a = make_user("worker_a", person=member_a.person, display_name="张三")
    t = SimpleNamespace(
        county=county, town_a=town_a, town_b=town_b, union_a=union_a, union_b=union_b,
        ent_a=ent_a, ent_b=ent_b, dept=dept, member_a=member_a, member_b=member_b,
        worker_a=worker_a,
    )  # fmt: skip
    t.users = {
        "federation_staff": user_with_role(Role.FEDERATION_STAFF, county, username="staff"),
        "town_staff_a": user_with_role(Role.FEDERATION_STAFF, town_a, username="town_staff_a"),
        "union_officer_a": user_with_role(Role.UNION_OFFICER, union_a, username="officer_a"),
        "enterprise_contact_a": user_with_role(
            Role.ENTERPRISE_CONTACT, union_a, enterprise=ent_a, username="contact_a"
        ),
        "department_liaison": user_with_role(
            Role.DEPARTMENT_LIAISON, county, department=dept, username="liaison"
        ),
        "trainer": user_with_role(Role.TRAINER, county, username="trainer"),
        "auditor": user_with_role(Role.AUDITOR, county, username="auditor"),
        "worker_a": worker_a,
        "nobody": make_user("nobody"),
    }
    return t
