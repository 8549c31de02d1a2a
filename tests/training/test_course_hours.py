"""Course hours beyond what the field holds (issue 12, item 6): ``hours: 1e300`` used to be
stored by SQLite, after which the plan's page and API answered 500 on every visit."""

import importlib
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from gonghui.core.errors import DomainError
from gonghui.training.domain import plans
from gonghui.training.models import Course, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(county):
    county.staff = county.users["federation_staff"]
    county.skill = Skill.objects.create(name="测试电工", category="制造加工", levels=["l5"])
    return county


def _plan(t):
    return plans.create_plan(
        t.county, actor=t.staff, title="低压电工取证班", skill=t.skill, level="l5", capacity=30,
        target_completion_rate=90, target_certification_rate=80, target_satisfaction=90,
    )  # fmt: skip


@pytest.mark.parametrize("hours", [1e300, "1e300", 10000, "Infinity", "NaN", 0, -1])
def test_the_api_refuses_hours_the_field_cannot_hold(client, setup, hours):
    plan = _plan(setup)
    client.force_login(setup.staff)
    res = client.post(f"/api/training/plans/{plan.pk}/courses", {"title": "理论", "hours": hours},
                      content_type="application/json")  # fmt: skip
    assert res.status_code == 422, res.content
    assert list(res.json()["error"]["fields"]) == ["hours"]
    assert Course.objects.filter(plan=plan).count() == 0


@pytest.mark.parametrize(
    ("hours", "message"),
    [(Decimal("1e300"), "学时不能超过9999.9"), (Decimal("10000"), "学时不能超过9999.9"),
     (Decimal("NaN"), "学时须大于0"), (Decimal("0.04"), "学时须大于0"), (None, "学时须大于0")],
)  # fmt: skip
def test_the_domain_refuses_them_too(setup, hours, message):
    plan = _plan(setup)
    with pytest.raises(DomainError) as exc:
        plans.add_course(plan, actor=setup.staff, title="理论", hours=hours)
    assert (exc.value.message, exc.value.field) == (message, "hours")
    assert Course.objects.filter(plan=plan).count() == 0


def test_hours_are_kept_to_one_decimal_place(setup):
    plan = _plan(setup)
    course = plans.add_course(plan, actor=setup.staff, title="理论", hours=Decimal("9999.9"))
    rounded = plans.add_course(plan, actor=setup.staff, title="实操", hours=Decimal("2.25"))
    assert [c.hours for c in Course.objects.filter(pk__in=[course.pk, rounded.pk])] == [
        Decimal("9999.9"), Decimal("2.3"),
    ]  # fmt: skip


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL never stored such hours")
def test_the_migration_mends_rows_stored_before(client, setup):
    plan = _plan(setup)
    course = plans.add_course(plan, actor=setup.staff, title="理论", hours=Decimal("8"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE training_course SET hours = 1e300 WHERE id = %s", [course.pk])
    with pytest.raises(InvalidOperation):  # how every read of the plan failed
        Course.objects.get(pk=course.pk)
    migration = importlib.import_module(
        "gonghui.training.migrations.0007_course_hours_within_field"
    )
    # What RunPython hands the function (a schema editor cannot open inside the test's
    # transaction on SQLite; the function only uses its connection).
    migration.clamp_hours(apps, SimpleNamespace(connection=connection))
    assert Course.objects.get(pk=course.pk).hours == Decimal("9999.9")
    client.force_login(setup.staff)
    res = client.get(f"/api/training/plans/{plan.pk}")
    assert res.status_code == 200
